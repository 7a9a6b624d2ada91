/**
 * Electron's security checklist for the lab window: no navigation away from
 * the app, no new windows or webviews, no permission grants (except writing to
 * the clipboard from our own pages), no remote requests, and a strict CSP on
 * the app's own responses. The app is one origin: `model-lab://app`, the
 * privileged scheme `app-protocol.ts` serves the bundle on, or (unpackaged
 * only) the dev server. `file:` is never the app, so no local page the window
 * might reach gets the lab API. `renderer/index.html` also carries the policy
 * in a `<meta>` (the dev server's responses have no such header).
 */
import type { Session, WebContents } from 'electron';

/**
 * The renderer's policy. `style-src 'unsafe-inline'`: Vue writes style
 * attributes and Vite injects `<style>` in development; scripts stay 'self'
 * only (Vite emits no inline script). `img-src data: blob:`: tensor images
 * arrive as data: URLs. No remote host anywhere.
 */
export const CSP_DIRECTIVES: readonly string[] = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
];

/** The `<meta>` form (frame-ancestors is only honoured in a header). */
export const CONTENT_SECURITY_POLICY_META = CSP_DIRECTIVES.join('; ');
export const CONTENT_SECURITY_POLICY = [...CSP_DIRECTIVES, "frame-ancestors 'none'"].join('; ');

/** The window's only permission, and only for the app's own pages: the Copy buttons. */
const ALLOWED_PERMISSIONS = new Set<string>(['clipboard-sanitized-write']);

/**
 * `scheme://host[:port]` of a parsed URL. Node's `URL.origin` is 'null' for schemes it does not
 * know (ours), so origins are compared in this form; `file:` has no host and never matches.
 */
function originOf(u: URL): string {
  return `${u.protocol}//${u.host}`;
}

/** Only our own bundle (`model-lab://app/…`) or, unpackaged, the dev server may be shown; never `file:`. */
export function isAppUrl(url: string, appOrigin: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol !== 'file:' && u.host !== '' && originOf(u) === appOrigin;
  } catch {
    return false;
  }
}

/** The app origin of the renderer's URL (`model-lab://app/index.html` or the dev server's). */
export function appOriginOf(renderer: string): string {
  const u = new URL(renderer);
  if (u.protocol === 'file:' || u.host === '') throw new Error(`not an app URL: ${renderer}`);
  return originOf(u);
}

/**
 * Requests the renderer may make: the app's own files, inline data, and
 * DevTools' internals. Anything else (file:, http, https, ws, ftp, ...) is
 * cancelled unless it is the dev server.
 */
export function isAllowedRequest(url: string, appOrigin: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (['data:', 'blob:', 'devtools:', 'chrome-extension:'].includes(u.protocol)) return true;
  if (u.protocol === 'file:') return false;
  const app = new URL(appOrigin);
  // The dev server's HMR socket: same host and port, ws instead of http.
  if ((u.protocol === 'ws:' || u.protocol === 'wss:') && (app.protocol === 'http:' || app.protocol === 'https:')) return u.host === app.host;
  return isAppUrl(url, appOrigin);
}

type Preventable = { preventDefault(): void };

/** A page served on this machine over http (netron, the lab's own Triton endpoints): safe to hand to the system browser. */
export function isLoopbackHttp(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

/**
 * `openExternal` receives links the page asks to open in a new window when they point at this
 * machine (Open in Netron); the window itself is never created, and remote links go nowhere.
 */
export function hardenContents(contents: WebContents, appOrigin: string, openExternal?: (url: string) => void): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (openExternal && isLoopbackHttp(url)) openExternal(url);
    return { action: 'deny' };
  });
  const denyForeign = (event: Preventable, url: string): void => {
    if (!isAppUrl(url, appOrigin)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => denyForeign(event, event.url));
  contents.on('will-frame-navigate', (event) => denyForeign(event, event.url));
  contents.on('will-redirect', (event) => denyForeign(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function hardenSession(session: Session, appOrigin: string): void {
  const allowed = (permission: string, origin: string | undefined): boolean => ALLOWED_PERMISSIONS.has(permission) && origin !== undefined && isAppUrl(origin, appOrigin);
  session.setPermissionRequestHandler((_wc, permission, callback, details) => callback(allowed(permission, details.requestingUrl)));
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin) => allowed(permission, requestingOrigin));
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, appOrigin) }));
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url, appOrigin)) return callback({});
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}
