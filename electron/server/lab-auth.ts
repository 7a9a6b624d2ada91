/**
 * The browser-mode lab's credential, as Jupyter does it: a random token per
 * launch. Loopback is reachable from every local process (other users on a
 * shared host included) and, with the right headers, from scripts; the Host
 * and Origin checks stop web pages, the token stops everyone who was not
 * shown the printed URL. `GET /?token=…` trades it for an HttpOnly,
 * SameSite=Strict cookie named after the port (cookies are shared by every
 * port of a host); scripts may send `Authorization: Bearer <token>` instead.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { sameSecret } from './same-secret';

/** 256 bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A token given from outside (tests, scripts) must not be guessable either. */
export const MIN_TOKEN_LENGTH = 16;

export function checkToken(token: string): string {
  if (token.length < MIN_TOKEN_LENGTH || !/^[\w.~-]+$/.test(token)) {
    throw new Error(`a lab token needs at least ${MIN_TOKEN_LENGTH} characters from A-Z a-z 0-9 - _ . ~`);
  }
  return token;
}

export function cookieName(port: number): string {
  return `model-lab-token-${port}`;
}

/** Constant time in the candidate's content (same-secret.ts). */
export const sameToken = sameSecret;

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class LabAuth {
  constructor(
    readonly token: string,
    private readonly port: number,
  ) {}

  get cookie(): string {
    return cookieName(this.port);
  }

  /** The request carries this launch's token, as the cookie or as a bearer header. */
  allows(req: http.IncomingMessage): boolean {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const cookie = cookieValue(req.headers.cookie, this.cookie);
    // Both are checked, so how long this takes says nothing about which one was sent.
    const byBearer = sameToken(bearer ?? '', this.token);
    const byCookie = sameToken(cookie ?? '', this.token);
    return (bearer !== undefined && byBearer) || (cookie !== undefined && byCookie);
  }

  setCookieHeader(): string {
    return `${this.cookie}=${this.token}; Path=/; HttpOnly; SameSite=Strict`;
  }
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string, extraHead = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">${extraHead}<title>${escapeHtml(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#eee;padding:0 .3em;border-radius:3px}</style></head>
<body>${body}</body></html>`;
}

/** What a visit without the token sees: where the working address comes from, in both of the lab's languages. */
export function signInPage(reason: 'missing' | 'wrong'): string {
  const first =
    reason === 'wrong'
      ? '<p>This link’s token does not belong to the lab running here (it may be from an earlier start).</p><p>此链接中的令牌不属于当前运行的 Model Lab（可能来自之前的启动）。</p>'
      : '<p>This lab needs the address it printed when it started; that address ends in <code>?token=…</code>.</p><p>请使用 Model Lab 启动时打印的地址（以 <code>?token=…</code> 结尾）。</p>';
  return page(
    'Model Lab: open the printed address',
    `<h1>Model Lab</h1>${first}<p>Open the printed address, or start the lab again with <code>npm start</code>, which opens a window that is already signed in.</p><p>请打开打印出的地址，或用 <code>npm start</code> 重新启动 Model Lab，它打开的窗口已自动登录。</p>`,
  );
}

/** The answer to a good token: the cookie, then a same-site navigation to the address without it (a Strict cookie is sent on that one). */
export function signedInPage(target: string): string {
  const t = escapeHtml(target);
  return page('Model Lab', `<p><a href="${t}">Continue to Model Lab</a></p>`, `<meta http-equiv="refresh" content="0;url=${t}">`);
}
