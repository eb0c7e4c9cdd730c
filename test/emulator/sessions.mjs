// Browser sessions of the portal pages and REST with the operator's login ("session auth"), as the public source
// of the `rest` module does it (lib/sessionauth/auth.php, services/rest/index.php) and the `main` module prints
// the token (bitrix_sessid() in every page, a hidden `sessid` input in forms; `main` module tools.php).
import { randomBytes } from 'node:crypto';
import { parsePhpQuery } from './rest.mjs';

/** Name of the PHP session cookie. */
export const SESSION_COOKIE = 'PHPSESSID';

/** Error descriptions of the session provider. */
export const SESSION_ERROR_TEXT = Object.freeze({
  session_failed: 'Sessid check failed',
  not_authorized: 'User not authorized',
  external: 'Access denied for this type of user',
});

/** What is logged instead of a token or a cookie value. */
export const REDACTED = '[redacted]';

/** 32 hex digits, the shape of `bitrix_sessid()` (an md5). */
function newToken() {
  return randomBytes(16).toString('hex');
}

/**
 * Cookies of a `Cookie` request header.
 * @param {string | undefined} header
 * @returns {Map<string, string>} name → value (the first of repeated names, as PHP reads them).
 */
export function parseCookies(header) {
  /** @type {Map<string, string>} */
  const out = new Map();
  for (const part of String(header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * Where a REST request carries `sessid`, in the order that decides whether the cookie session is loaded: the query
 * string and form/multipart fields load it (`form` wins when both are present, as PHP's `$_REQUEST` with
 * `request_order=GP`); a JSON body or the `X-Bitrix-Csrf-Token` header alone do not.
 * @param {string} search the URL's query string.
 * @param {string} body raw body.
 * @param {string | undefined} contentType
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @returns {{ source: 'query' | 'form' | 'json' | 'header', value: string } | null} null: no `sessid` anywhere.
 */
export function findSessid(search, body, contentType, headers) {
  const type = String(contentType ?? '').toLowerCase();
  /** @type {string | undefined} */
  let form;
  /** @type {string | undefined} */
  let json;
  if (body) {
    if (type.includes('application/json')) {
      try {
        const parsed = JSON.parse(body);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && parsed.sessid !== undefined) {
          json = String(parsed.sessid);
        }
      } catch {
        // an undecodable body carries nothing
      }
    } else if (type.includes('multipart/form-data')) {
      const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(String(contentType));
      const boundary = m?.[1] ?? m?.[2];
      if (boundary) {
        for (const part of body.split(`--${boundary}`)) {
          const sep = part.indexOf('\r\n\r\n');
          if (sep < 0) continue;
          if (/name="sessid"/i.test(part.slice(0, sep))) form = part.slice(sep + 4).replace(/\r\n$/, '');
        }
      }
    } else {
      const v = parsePhpQuery(body).sessid;
      if (typeof v === 'string') form = v;
    }
  }
  if (form !== undefined) return { source: 'form', value: form };
  const q = parsePhpQuery(String(search).replace(/^\?/, '')).sessid;
  if (typeof q === 'string') return { source: 'query', value: q };
  if (json !== undefined) return { source: 'json', value: json };
  const header = headers['x-bitrix-csrf-token'];
  if (header !== undefined) return { source: 'header', value: String(header) };
  return null;
}

/**
 * @typedef {import('./index.d.mts').PortalState} PortalState
 * @typedef {import('./index.d.mts').BrowserSession} BrowserSession
 * @typedef {{ id: string, host: string, userId: number | null, token: string, loggedIn: boolean,
 *   createdAt: number }} SessionRecord
 */

/**
 * Server-side PHP sessions of every portal, the user each portal's pages log in as, and the session-auth check of
 * `/rest/METHOD.json`.
 */
export class SessionStore {
  /** @param {() => number} now clock in milliseconds. */
  constructor(now) {
    this.now = now;
    /** PHPSESSID → session. @type {Map<string, SessionRecord>} */
    this.sessions = new Map();
    /** Portal host → user ID the pages log in as (`null`: anonymous); absent: the portal's default. @type {Map<string, number | null>} */
    this.pageUsers = new Map();
  }

  /** Forgets every session and page-user choice. */
  clear() {
    this.sessions.clear();
    this.pageUsers.clear();
  }

  /** Forgets the page-user choices only (portals log in as their default user again). */
  clearPageUsers() {
    this.pageUsers.clear();
  }

  /**
   * The user a portal's pages log in as: the test's choice, else the config's `pageUserId`, else the first
   * non-admin user, else the first user; null: anonymous.
   * @param {PortalState} portal
   * @returns {number | null}
   */
  pageUserId(portal) {
    if (this.pageUsers.has(portal.host))
      return /** @type {number | null} */ (this.pageUsers.get(portal.host));
    if (portal.config.pageUserId !== undefined) return portal.config.pageUserId;
    const u = portal.users.find((x) => !x.admin) ?? portal.users[0];
    return u ? u.id : null;
  }

  /**
   * Chooses the user the portal's pages log in as from the next page load on.
   * @param {PortalState} portal
   * @param {number | null} userId a user of the portal, or null for pages served to an anonymous session.
   */
  setPageUser(portal, userId) {
    if (userId !== null && !portal.users.some((u) => u.id === userId)) {
      throw new Error(`no user ${userId} on ${portal.host}`);
    }
    this.pageUsers.set(portal.host, userId);
  }

  /**
   * Logs the browser in when it loads a page: reuses the session its `PHPSESSID` cookie names when that is a live
   * session of this portal and of the page user, else starts a new one (a new cookie).
   * @param {PortalState} portal
   * @param {string | undefined} cookieHeader the request's Cookie header.
   * @returns {{ session: SessionRecord, setCookie: string | null }} `setCookie`: the Set-Cookie value to send.
   */
  pageLogin(portal, cookieHeader) {
    const userId = this.pageUserId(portal);
    const id = parseCookies(cookieHeader).get(SESSION_COOKIE);
    const existing = id === undefined ? undefined : this.sessions.get(id);
    if (existing && existing.host === portal.host && existing.loggedIn && existing.userId === userId) {
      return { session: existing, setCookie: null };
    }
    /** @type {SessionRecord} */
    const session = {
      id: newToken(),
      host: portal.host,
      userId,
      token: newToken(),
      loggedIn: userId !== null,
      createdAt: this.now(),
    };
    this.sessions.set(session.id, session);
    // As PHP sets it with session.cookie_httponly: no SameSite, no Secure, no expiry (a browser-session cookie).
    return { session, setCookie: `${SESSION_COOKIE}=${session.id}; path=/; HttpOnly` };
  }

  /**
   * @param {string} host normalised portal host.
   * @param {number} [userId] only this user's sessions.
   */
  matching(host, userId) {
    return [...this.sessions.values()].filter(
      (s) => s.host === host && (userId === undefined || s.userId === userId),
    );
  }

  /**
   * Renews the token of live sessions (what a re-login does): pages already loaded keep printing the old one.
   * @param {string} host normalised portal host.
   * @param {number} [userId] only this user's sessions; default every session of the portal.
   * @returns {string[]} the new tokens.
   */
  rotate(host, userId) {
    return this.matching(host, userId)
      .filter((s) => s.loggedIn)
      .map((s) => {
        s.token = newToken();
        return s.token;
      });
  }

  /**
   * Logs sessions out (the cookie stays in the browser; the server session is no longer authorised).
   * @param {string} host normalised portal host.
   * @param {number} [userId] only this user's sessions; default every session of the portal.
   * @returns {number} how many sessions were logged out.
   */
  logout(host, userId) {
    let n = 0;
    for (const s of this.matching(host, userId)) {
      if (!s.loggedIn) continue;
      s.loggedIn = false;
      n++;
    }
    return n;
  }

  /**
   * Copies of the sessions (tests read tokens from them; the request log never holds them).
   * @param {string} [host] normalised portal host.
   * @returns {BrowserSession[]}
   */
  list(host) {
    return [...this.sessions.values()]
      .filter((s) => host === undefined || s.host === host)
      .map((s) => ({ ...s }));
  }

  /**
   * The session provider of `/rest/METHOD.json` (no webhook segment). It acts only when the request has `sessid`
   * (query, form, JSON) or an `X-Bitrix-Csrf-Token` header. The cookie session is loaded only for a query or form
   * `sessid`; otherwise the request runs in a throw-away anonymous session and is refused as not logged in.
   * Order of the checks: not authorised → `access_denied` "User not authorized"; token differs → `session_failed`
   * with the session's current token; external account → `access_denied` "Access denied for this type of user".
   * @param {PortalState} portal
   * @param {{ search: string, body: string, contentType: string | undefined,
   *   headers: import('node:http').IncomingHttpHeaders }} req
   * @returns {null | { sessid: 'query' | 'form' | 'json' | 'header', cookie: boolean, userId: number | null,
   *   result: 'ok' | 'session_failed' | 'access_denied',
   *   user?: PortalState['users'][number],
   *   error?: { code: string, description: string, sessid: string } }} null: the provider does not act.
   */
  restAuth(portal, req) {
    const found = findSessid(req.search, req.body, req.contentType, req.headers);
    if (!found) return null;
    const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    const cookie = id !== undefined;
    const loadsCookie = found.source === 'query' || found.source === 'form';
    const stored = loadsCookie && id !== undefined ? this.sessions.get(id) : undefined;
    const session = stored && stored.host === portal.host ? stored : undefined;
    const base = { sessid: found.source, cookie };
    const user =
      session?.loggedIn && session.userId !== null
        ? portal.users.find((u) => u.id === session.userId && u.active)
        : undefined;
    if (!session || !user) {
      return {
        ...base,
        userId: null,
        result: 'access_denied',
        error: {
          code: 'access_denied',
          description: SESSION_ERROR_TEXT.not_authorized,
          sessid: session ? session.token : newToken(),
        },
      };
    }
    if (found.value !== session.token) {
      return {
        ...base,
        userId: user.id,
        result: 'session_failed',
        error: {
          code: 'session_failed',
          description: SESSION_ERROR_TEXT.session_failed,
          sessid: session.token,
        },
      };
    }
    if (user.external) {
      return {
        ...base,
        userId: user.id,
        result: 'access_denied',
        error: { code: 'access_denied', description: SESSION_ERROR_TEXT.external, sessid: session.token },
      };
    }
    return { ...base, userId: user.id, result: 'ok', user };
  }
}

/**
 * Secrets of a request that must never reach the request log: every `sessid` value it carries (query, body,
 * header) and every cookie value.
 * @param {string} search
 * @param {string} body
 * @param {string | undefined} contentType
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @returns {string[]} longest first; values shorter than 8 characters are left alone (they are no tokens and
 *   replacing them would garble the log).
 */
export function requestSecrets(search, body, contentType, headers) {
  const out = new Set();
  const q = parsePhpQuery(String(search).replace(/^\?/, '')).sessid;
  if (typeof q === 'string') out.add(q);
  const b = findSessid('', body, contentType, {});
  if (b) out.add(b.value);
  if (headers['x-bitrix-csrf-token'] !== undefined) out.add(String(headers['x-bitrix-csrf-token']));
  for (const v of parseCookies(headers.cookie).values()) out.add(v);
  return [...out].filter((s) => s.length >= 8).sort((a, b) => b.length - a.length);
}

/**
 * Replaces every secret in strings (deeply) with `[redacted]`.
 * @template T
 * @param {T} value
 * @param {string[]} secrets
 * @returns {T}
 */
export function redact(value, secrets) {
  if (!secrets.length) return value;
  if (typeof value === 'string') {
    let s = /** @type {string} */ (value);
    for (const secret of secrets) {
      s = s.split(secret).join(REDACTED);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) s = s.split(encoded).join(REDACTED);
    }
    return /** @type {T} */ (/** @type {unknown} */ (s));
  }
  if (Array.isArray(value))
    return /** @type {T} */ (/** @type {unknown} */ (value.map((v) => redact(v, secrets))));
  if (value && typeof value === 'object') {
    return /** @type {T} */ (
      Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, secrets)]))
    );
  }
  return value;
}
