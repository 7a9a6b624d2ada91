/** Triton's mapping of status codes to HTTP (server http_server.cc HttpCodeFromError), in one place. */
import type { ErrorCode } from '../engine/errors';

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'INTERNAL':
      return 500;
    case 'NOT_FOUND':
      return 404;
    case 'UNAVAILABLE':
      return 503;
    case 'UNSUPPORTED':
      return 501;
    default:
      return 400;
  }
}
