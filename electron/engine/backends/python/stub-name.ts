/**
 * The Python backend's check of a stub's name before it starts one
 * (python_backend stub_launcher.cc / pb_utils.cc IsValidIdentifier): empty,
 * or holding any of ; | & $ ` < > ( ) [ ] { } \ " ' * ? ~ # !, is refused
 * with Triton's "Invalid stub name: contains invalid characters". The name
 * is the model's for the auto-complete stub and the instance's
 * (`<model>_0_0`) for an instance, so `model;test` never starts Python.
 */
import { invalidStubName } from '../../triton-errors';

const INVALID_CHARS = ';|&$`<>()[]{}\\"\'*?~#!';

export function isValidStubName(name: string): boolean {
  return name !== '' && ![...name].some((c) => INVALID_CHARS.includes(c));
}

/** Throws Triton's INVALID_ARG for a name a stub may not have. */
export function checkStubName(name: string): void {
  if (!isValidStubName(name)) throw invalidStubName();
}
