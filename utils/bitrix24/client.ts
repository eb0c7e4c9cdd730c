import * as v from 'valibot';
import {
  type B24Error,
  boundCode,
  boundOrigin,
  type ErrorKind,
  faultKind,
  kindOfCode,
  kindOnPath,
  loginKindOfCode,
} from './errors';

/**
 * Calls one Bitrix24 REST method through a webhook. Errors are values: every answer and every transport failure
 * becomes a {@link CallResult}; nothing throws across this boundary.
 *
 * Facts encoded (`docs/bitrix24.md`): POST JSON to `BASE + method + '.json'`; the success envelope
 * `{result, time}`; the error envelope `{error, error_description}` classified by the code, not the status;
 * HTML answers from login/proxy/disabled-portal pages; 3xx from renamed cloud portals (never followed with the
 * secret).
 */

/** The `time` block of a success envelope, as far as the extension uses it. Seconds since epoch. */
export interface EnvelopeTime {
  /** When the method's operating limit window resets (cloud only), s since epoch. */
  operatingResetAt?: number;
  /** Seconds of the method's operating budget spent in the window (cloud only). */
  operating?: number;
}

export type CallResult = { ok: true; result: unknown; time: EnvelopeTime } | { ok: false; error: B24Error };

/** What {@link callMethod} needs from its environment; unit tests hand it fakes. */
export interface CallOptions {
  /** Abort the request after this many ms (then: `no-reply`, the method may have run). */
  timeoutMs: number;
  /** The fetch to use (defaults to the global one). */
  fetch?: typeof fetch;
  /** Timeout of the cheap probes that tell a dead portal from a lost reply, ms. */
  probeTimeoutMs?: number;
  /**
   * Awaited right before the request leaves (after any rate-limit wait in front of the client), so the caller can
   * mark it in flight only when it really goes out. A rejection stops the call (nothing is sent) and propagates.
   */
  beforeSend?: () => Promise<void>;
}

const numberish = v.union([v.number(), v.pipe(v.string(), v.transform(Number), v.number())]);

const ErrorEnvelope = v.object({
  error: v.pipe(v.string(), v.minLength(1)),
  error_description: v.optional(v.unknown()),
});

const SuccessEnvelope = v.object({
  result: v.unknown(),
  time: v.optional(
    v.object({
      operating_reset_at: v.optional(v.fallback(v.optional(numberish), undefined)),
      operating: v.optional(v.fallback(v.optional(numberish), undefined)),
    }),
  ),
});

const HAS_RESULT = (x: object): boolean => Object.hasOwn(x, 'result');

/**
 * POSTs `params` as JSON to `webhookBase + method + '.json'` and classifies the answer.
 * @param webhookBase canonical base `https://HOST/rest/USER_ID/SECRET/` (see `parseWebhook`).
 * @param method REST method name, e.g. `imopenlines.session.mode.pinAll`.
 * @returns the `result` and `time` of a success envelope, or a typed error:
 *   3xx → `portal-moved` (with `movedTo` when found without the secret); HTML → `not-rest` (or `server-error` for
 *   5xx); an `error` code → its kind; anything else → `bad-response`; timeout → `no-reply`; a failed connection →
 *   `network`, or `no-reply` when the portal turns out reachable (the request may have been received).
 */
export async function callMethod(
  webhookBase: string,
  method: string,
  params: Record<string, unknown>,
  options: CallOptions,
): Promise<CallResult> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const origin = new URL(webhookBase).origin;
  await options.beforeSend?.();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  let response: Response;
  let body: string;
  try {
    response = await doFetch(`${webhookBase}${method}.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(params),
      redirect: 'manual',
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      signal: controller.signal,
    });
    if (isRedirect(response)) {
      clearTimeout(timer);
      const target = await redirectTarget(response, origin, doFetch, options);
      const status = response.status || undefined;
      if (target === origin)
        return { ok: false, error: { kind: faultKind('redirect-same-origin', response.status), status } };
      return {
        ok: false,
        error: {
          kind: faultKind('redirect', response.status),
          status,
          ...(target ? { movedTo: target } : {}),
        },
      };
    }
    body = await response.text();
  } catch (e) {
    clearTimeout(timer);
    if (controller.signal.aborted) return { ok: false, error: { kind: faultKind('timeout') } };
    // A TypeError without a status: DNS, certificate, refused — or a connection lost after the request left.
    // Ask the portal's origin (no secret) whether it is reachable to tell the two apart.
    void e;
    const reachable = await probeReachable(origin, doFetch, options.probeTimeoutMs ?? 5000);
    return { ok: false, error: { kind: faultKind(reachable ? 'connection-lost' : 'unreachable') } };
  }
  clearTimeout(timer);
  return classifyAnswer(response.status, response.headers.get('content-type'), body);
}

/**
 * The body of an HTTP answer as classification needs it, never the raw text: a web page, text that is not JSON,
 * or the parsed JSON value. The login path builds it in the portal tab's content script (which removes any
 * `sessid` first, `utils/bitrix24/login-call.ts`); the webhook path builds it here from the text.
 */
export type AnswerBody = { type: 'html' } | { type: 'invalid-json' } | { type: 'json'; value: unknown };

/** A complete HTTP answer of a REST call, from either transport (webhook fetch or the operator's login). */
export interface RestAnswer {
  /** HTTP status. */
  status: number;
  /** The Content-Type header, or null when absent. */
  contentType: string | null;
  body: AnswerBody;
}

/**
 * Which credential a call carried: a webhook in the URL, or the operator's Bitrix24 login (cookies and the
 * page's `sessid` form field, sent from a portal tab). The same answer can mean different things: an HTML page on
 * the login path is the portal's login page, on the webhook path a wrong address.
 */
export type AuthPath = 'webhook' | 'login';

/**
 * Reads a body's text into an {@link AnswerBody}: `html` when the Content-Type says so or the text starts like
 * a page, else the parsed JSON, else `invalid-json`. Pure; never throws.
 * @param reviver passed to `JSON.parse` (the login path drops the session token with it).
 */
export function readBody(
  contentType: string | null,
  text: string,
  reviver?: (key: string, value: unknown) => unknown,
): AnswerBody {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('html') || /^\s*<(!doctype|html|head|body)/i.test(text)) return { type: 'html' };
  try {
    return { type: 'json', value: JSON.parse(text, reviver) };
  } catch {
    return { type: 'invalid-json' };
  }
}

/**
 * Classifies a complete HTTP answer of a REST call through the error table (`errors.ts`, `ERROR_TABLE`). Pure
 * and total: never throws; exported for unit and property tests.
 * @param status HTTP status of the answer.
 * @param contentType the Content-Type header, or null when absent.
 * @param body the raw body text.
 * @returns `{ok: true, result, time}` for a 2xx success envelope (`time.operating_reset_at` in s since epoch);
 *   otherwise a typed error carrying `status`, and `code` (as received) when the body was an error envelope.
 */
export function classifyAnswer(status: number, contentType: string | null, body: string): CallResult {
  return classifyRestAnswer({ status, contentType, body: readBody(contentType, body) }, 'webhook');
}

/**
 * Classifies an answer from either transport through the one error table (`errors.ts`): the webhook path and
 * the login path share every row but the few that read differently on the login path (`kindOnPath`). Pure and
 * total.
 * @param answer status, content type and the read body.
 * @param path which credential the call carried.
 * @returns as {@link classifyAnswer}.
 */
export function classifyRestAnswer(answer: RestAnswer, path: AuthPath): CallResult {
  const { status, body } = answer;
  const fail = (kind: ErrorKind, code?: string): CallResult => ({
    ok: false,
    error: { kind: kindOnPath(kind, path), ...(code !== undefined ? { code } : {}), status },
  });
  if (body.type === 'html') return fail(faultKind('html-page', status));
  if (body.type === 'invalid-json') return fail(faultKind('invalid-json', status));
  const json = body.value;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail(faultKind('not-an-object', status));
  }
  const asError = v.safeParse(ErrorEnvelope, json);
  if (asError.success) {
    const raw = asError.output.error;
    const description = asError.output.error_description;
    const kind =
      path === 'login'
        ? loginKindOfCode(raw, status, typeof description === 'string' ? description : '')
        : kindOfCode(raw);
    return fail(kind, boundCode(raw));
  }
  if (status >= 200 && status < 300 && HAS_RESULT(json)) {
    const asSuccess = v.safeParse(SuccessEnvelope, json);
    if (asSuccess.success) {
      const time = asSuccess.output.time;
      const operatingResetAt = time?.operating_reset_at;
      const operating = time?.operating;
      return {
        ok: true,
        result: asSuccess.output.result,
        time: {
          ...(Number.isFinite(operatingResetAt) ? { operatingResetAt } : {}),
          ...(Number.isFinite(operating) ? { operating } : {}),
        },
      };
    }
  }
  return fail(faultKind('no-envelope', status));
}

function isRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);
}

/**
 * The origin a redirect leads to, found without sending the secret: the `Location` header when readable (Node,
 * tests), else the final URL of a secret-free GET of the old origin's `/rest/` that follows redirects (browsers
 * hide `Location` of a manual redirect). The old origin itself means a login or proxy page; undefined: unknown.
 */
async function redirectTarget(
  response: Response,
  oldOrigin: string,
  doFetch: typeof fetch,
  options: CallOptions,
): Promise<string | undefined> {
  const location = response.headers.get('location');
  if (location) {
    try {
      return boundOrigin(new URL(location, oldOrigin).href);
    } catch {
      return undefined;
    }
  }
  try {
    const probe = await doFetch(`${oldOrigin}/rest/`, {
      method: 'GET',
      redirect: 'follow',
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      signal: AbortSignal.timeout(options.probeTimeoutMs ?? 5000),
    });
    return probe.url ? boundOrigin(probe.url) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the portal's origin answers at all (any HTTP status), asked without the secret. */
async function probeReachable(origin: string, doFetch: typeof fetch, timeoutMs: number): Promise<boolean> {
  try {
    await doFetch(`${origin}/rest/server.time.json`, {
      method: 'GET',
      redirect: 'manual',
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return true;
  } catch {
    return false;
  }
}
