/**
 * The backends the lab knows, as a list of their descriptors (see backend.ts),
 * in the order Triton's AutoCompleteBackendFields tries them. Everything that
 * depends on a backend asks here: detection (backend-fields.ts), workspace
 * trust, what is runnable, auto-complete and checks (the loader), and the
 * instance factory. A name not in the list is a custom backend the lab does
 * not know: described, never run.
 */
import type { Backend } from './backend';
import { openvino, tensorflow, tensorrt, unknownBackend } from './foreign';
import { identity } from './identity';
import { onnxruntime } from './onnxruntime';
import { python } from './python';
import { pytorch } from './pytorch';
import { script } from './script';

export const BACKENDS: readonly Backend[] = [tensorflow, tensorrt, onnxruntime, openvino, pytorch, python, script, identity];

const BY_NAME = new Map(BACKENDS.map((b) => [b.name, b]));

export function backendFor(name: string): Backend {
  return BY_NAME.get(name) ?? unknownBackend(name);
}
