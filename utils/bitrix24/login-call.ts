import * as v from 'valibot';
import { type Browser, browser } from 'wxt/browser';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { LOGIN_BODY_MAX, LoginAnswer, LoginCall, type LoginMethod } from '../messaging';
import { type AnswerBody, readBody } from './client';
import { isUndoBatchCmd } from './undo-plan';

/**
 * The login path, page side: a portal tab's content script calls one of the fixed REST methods with the
 * operator's own Bitrix24 login, on the background's behalf, the way the portal's own `BX.rest.callMethod` does
 * (`docs/session-auth.md`): `POST /rest/METHOD.json`, form body `sessid=TOKEN`, the page's cookies.
 *
 * Why here and not in the background: the content script's request is a same-origin request of the page, so it
 * carries exactly the cookies of the tab the operator is looking at, in both browsers and whatever cookie store or
 * container the tab uses; and the token never has to leave the page. The token is read from the DOM at the moment
 * of the call, kept in a local variable, sent only in the request body, and removed from whatever goes back to the
 * background. The background keeps everything else (single-flight, join window, pending mark, rate limit,
 * classification, outcome).
 */

/** What a `sessid` looks like: Bitrix prints an MD5 hex string; allow any plain alphanumeric token. */
const TOKEN_SHAPE = /^[0-9A-Za-z]{8,128}$/;
/** The token in the inline `BX.message({…'bitrix_sessid':'…'…})` script every portal page prints. */
const TOKEN_IN_SCRIPT = /["']bitrix_sessid["']\s*:\s*["']([^"']{1,128})["']/;
/** Keys whose values are session tokens: never handed back. */
const TOKEN_KEYS = new Set(['sessid', 'bitrix_sessid']);

/** Timeout of the probe that tells a dead portal from a lost reply, ms. */
const PROBE_TIMEOUT_MS = 5000;

/**
 * Reads the page's session token from its DOM, never from the page's scripts' world: the inline
 * `BX.message({…'bitrix_sessid':'…'})` script, else a form's hidden `input[name=sessid]`.
 * @returns the token, or null when the page shows none (then the call is made with an empty one and the portal
 *   answers `session_failed` with the current token, which the one retry uses).
 */
export function readSessionToken(doc: Document): string | null {
  for (const script of doc.querySelectorAll('script:not([src])')) {
    const text = script.textContent ?? '';
    if (!text.includes('bitrix_sessid')) continue;
    const token = TOKEN_IN_SCRIPT.exec(text)?.[1];
    if (token && TOKEN_SHAPE.test(token)) return token;
  }
  for (const input of doc.querySelectorAll<HTMLInputElement>('input[name="sessid"]')) {
    if (TOKEN_SHAPE.test(input.value)) return input.value;
  }
  return null;
}

/** What {@link callWithLogin} needs; the content script passes the page's, unit tests fakes. */
export interface LoginCallDeps {
  /** The page's fetch (same-origin, with the page's cookies). */
  fetch: typeof fetch;
  /** The document whose token is used. */
  doc: Document;
  /** The page's origin, e.g. `https://acme.bitrix24.com`. */
  origin: string;
}

/**
 * Copies a parsed JSON value without any token: keys `sessid`/`bitrix_sessid` are dropped, and any string that
 * contains one of `tokens` becomes `''`.
 */
function scrub(value: unknown, tokens: readonly string[]): unknown {
  if (typeof value === 'string') return tokens.some((t) => t && value.includes(t)) ? '' : value;
  if (Array.isArray(value)) return value.map((x) => scrub(x, tokens));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, x] of Object.entries(value)) if (!TOKEN_KEYS.has(key)) out[key] = scrub(x, tokens);
    return out;
  }
  return value;
}

/** The token a `session_failed` answer carries (the session's current one), when it has one of a sane shape. */
function freshToken(body: AnswerBody, status: number): string | null {
  if (status !== 401 || body.type !== 'json') return null;
  const value = body.value as { error?: unknown; sessid?: unknown } | null;
  if (typeof value !== 'object' || value === null) return null;
  if (typeof value.error !== 'string' || value.error.toLowerCase() !== 'session_failed') return null;
  return typeof value.sessid === 'string' && TOKEN_SHAPE.test(value.sessid) ? value.sessid : null;
}

/**
 * Calls one of the fixed methods with the page's login and reads the answer.
 *
 * `POST ORIGIN/rest/METHOD.json`, `application/x-www-form-urlencoded` body `sessid=TOKEN` (on `/rest/` the
 * portal loads the cookie session only when `sessid` is a query or form field; a JSON body or a header is run
 * without it), cookies included, redirects not followed, aborted after `timeoutMs` (retry included). A 401
 * `session_failed` carrying the current token is retried once with it: a refused request never ran the method,
 * so the retry cannot pin twice.
 * @returns status, content type and the read body with every token removed; or `redirect`, `timeout`, `failed`.
 *   Never rejects.
 */
export async function callWithLogin(
  method: LoginMethod,
  timeoutMs: number,
  deps: LoginCallDeps,
  cmd?: Record<string, string>,
): Promise<LoginAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const tokens: string[] = [];
  const post = (token: string) => {
    tokens.push(token);
    return deps.fetch(`${deps.origin}/rest/${method}.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: formBody(token, method === 'batch' ? cmd : undefined),
      credentials: 'include',
      redirect: 'manual',
      cache: 'no-store',
      signal: controller.signal,
    });
  };
  try {
    let token = readSessionToken(deps.doc) ?? '';
    for (let attempt = 0; ; attempt++) {
      const response = await post(token);
      if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
        return { type: 'redirect', status: response.status };
      }
      const contentType = response.headers.get('content-type')?.slice(0, 200) ?? null;
      const text = await response.text();
      if (text.length > LOGIN_BODY_MAX) {
        return { type: 'answer', status: response.status, contentType, body: { type: 'invalid-json' } };
      }
      const body = readBody(contentType, text);
      const fresh = freshToken(body, response.status);
      if (fresh !== null && attempt === 0) {
        token = fresh;
        continue;
      }
      if (fresh !== null) tokens.push(fresh);
      const clean: AnswerBody =
        body.type === 'json' ? { type: 'json', value: scrub(body.value, tokens) } : body;
      return { type: 'answer', status: response.status, contentType, body: clean };
    }
  } catch {
    if (controller.signal.aborted) return { type: 'timeout' };
    return { type: 'failed', reachable: await probeReachable(deps) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The form body of a login call: `sessid`, and for an Undo `batch` its commands as the portal's PHP reads a form
 * array (`cmd[d0]=…&cmd[u0]=…`) with `halt=0`. Nothing else is ever sent.
 */
function formBody(token: string, cmd: Record<string, string> | undefined): string {
  const form = new URLSearchParams({ sessid: token });
  if (cmd && isUndoBatchCmd(cmd)) {
    for (const [key, command] of Object.entries(cmd)) form.append(`cmd[${key}]`, command);
    form.append('halt', '0');
  }
  return form.toString();
}

/** Whether the portal answers at all (any HTTP status), asked without the login. */
async function probeReachable(deps: LoginCallDeps): Promise<boolean> {
  try {
    await deps.fetch(`${deps.origin}/rest/server.time.json`, {
      method: 'GET',
      credentials: 'omit',
      redirect: 'manual',
      cache: 'no-store',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return true;
  } catch {
    return false;
  }
}

/** What the content script's listener needs. */
export interface LoginListenerDeps {
  /** This extension's ID (`browser.runtime.id`). */
  runtimeId: string;
  /** Whether this content script's context is gone (a newer instance or an extension reload replaced it). */
  isInvalid(): boolean;
  /** Makes the call (the real one: {@link callWithLogin} with the page's fetch, document and origin). */
  call(method: LoginMethod, timeoutMs: number, cmd?: Record<string, string>): Promise<LoginAnswer>;
}

/**
 * Creates the content script's `runtime.onMessage` listener for {@link LoginCall}. It answers only the
 * background: a message from this extension (`sender.id`) that did not come from a tab (content scripts of any
 * tab have `sender.tab`), validated by the protocol's schema; anything else gets no answer (undefined), so other
 * listeners may answer it and a forged message learns nothing.
 */
export function createLoginListener(
  deps: LoginListenerDeps,
): (message: unknown, sender: Browser.runtime.MessageSender) => Promise<LoginAnswer> | undefined {
  return (message, sender) => {
    if (deps.isInvalid()) return undefined;
    if (sender.id !== deps.runtimeId || sender.tab !== undefined) return undefined;
    const parsed = v.safeParse(LoginCall, message);
    if (!parsed.success) return undefined;
    return deps.call(parsed.output.method, parsed.output.timeoutMs, parsed.output.cmd);
  };
}

/** Validates what a content script answered to a {@link LoginCall}; null for anything else. */
export function parseLoginAnswer(raw: unknown): LoginAnswer | null {
  const parsed = v.safeParse(LoginAnswer, raw);
  return parsed.success ? parsed.output : null;
}

/**
 * Answers the background's login calls in this frame for as long as the content script's context lives (a newer
 * instance in the same document, or an extension reload, ends it: only one listener answers).
 */
export function startLoginCalls(ctx: Pick<ContentScriptContext, 'isInvalid' | 'onInvalidated'>): void {
  if (ctx.isInvalid) return;
  const listener = createLoginListener({
    runtimeId: browser.runtime.id,
    isInvalid: () => ctx.isInvalid,
    call: (method, timeoutMs, cmd) =>
      callWithLogin(
        method,
        timeoutMs,
        { fetch: globalThis.fetch.bind(globalThis), doc: document, origin: location.origin },
        cmd,
      ),
  });
  browser.runtime.onMessage.addListener(listener);
  ctx.onInvalidated(() => {
    try {
      browser.runtime.onMessage.removeListener(listener);
    } catch {
      // The runtime is already gone.
    }
  });
}
