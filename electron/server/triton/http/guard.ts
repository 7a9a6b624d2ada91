/**
 * What the HTTP endpoint checks before routing a request: that it is
 * addressed to this machine when bound to loopback (DNS rebinding), that no
 * web page sent it unless its origin was allowed (with CORS headers and
 * preflights for allowed origins), and Triton's restricted-API headers
 * (http_server.cc RETURN_AND_RESPOND_IF_RESTRICTED), compared in constant
 * time.
 */
import type http from 'node:http';
import { checkOrigin, hostRefusal } from '../access';
import { type RestrictedCategory, type Restrictions, restrictedApiMessage, restrictionMet } from '../restricted';

/** A refusal before routing: status and the message for the {"error"} body. */
export interface Refusal {
  status: number;
  message: string;
}

export interface GuardOptions {
  /** The address the server is bound to. */
  host: string;
  allowOrigins: readonly string[];
  restricted: Restrictions;
}

/** The outcome of the checks: refused, a preflight answered, or go on (with the CORS origin to answer to, if any). */
export type Admission = { kind: 'refused'; refusal: Refusal } | { kind: 'preflight'; headers: Record<string, string> } | { kind: 'go'; corsOrigin?: string };

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Headers that let a page of an allowed origin read a response. */
export function corsHeaders(origin: string): Record<string, string> {
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Expose-Headers': 'Inference-Header-Content-Length, Content-Encoding' };
}

/** Host, then Origin; a preflight of an allowed origin is answered here. */
export function admit(req: http.IncomingMessage, opts: GuardOptions): Admission {
  const badHost = hostRefusal(opts.host, header(req, 'host'));
  if (badHost) return { kind: 'refused', refusal: { status: 403, message: badHost } };
  const origin = checkOrigin(header(req, 'origin'), header(req, 'sec-fetch-site'), opts.allowOrigins);
  if (origin.kind === 'refused') return { kind: 'refused', refusal: { status: 403, message: origin.message } };
  if (origin.kind === 'none') return { kind: 'go' };
  if (req.method === 'OPTIONS' && header(req, 'access-control-request-method') !== undefined) {
    const asked = header(req, 'access-control-request-headers');
    return {
      kind: 'preflight',
      headers: {
        ...corsHeaders(origin.origin),
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        ...(asked && /^[\w\-, ]*$/.test(asked) ? { 'Access-Control-Allow-Headers': asked } : {}),
        'Access-Control-Max-Age': '600',
      },
    };
  }
  return { kind: 'go', corsOrigin: origin.origin };
}

/** The first value of a header, as libevhtp's evhtp_kv_find finds it (name compared without case). */
function firstHeader(req: http.IncomingMessage, name: string): string | undefined {
  const want = name.toLowerCase();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === want) return raw[i + 1];
  return undefined;
}

/** Triton's restricted-API check for the category an endpoint belongs to. */
export function restrictedRefusal(req: http.IncomingMessage, restricted: Restrictions, category: RestrictedCategory): Refusal | undefined {
  const r = restricted[category];
  if (!r || restrictionMet(firstHeader(req, r.header), r.value)) return undefined;
  return { status: 403, message: restrictedApiMessage(r.header) };
}
