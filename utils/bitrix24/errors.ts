/**
 * The one error taxonomy of the extension. Every documented Bitrix24 REST error code and every transport
 * failure maps to exactly one {@link ErrorKind}; each kind has one localized, actionable message
 * (`locales/*.yml`, key `error.<kind>`, see `errorMessage` in `utils/outcome-text.ts`).
 *
 * {@link ERROR_TABLE} is the single source of truth: the client classifies answers through it, the unit tests
 * walk it against the emulator (`test/unit/error-table.test.ts`), and `docs/errors.md` is generated from it
 * (`test/unit/error-docs.test.ts`).
 *
 * Source of the codes and statuses: `docs/bitrix24.md`, "Errors" (from `bitrix24/b24restdocs`
 * `api-reference/common/system/` and the `rest` module's `CRestServer`, statuses as the server source sets them,
 * then the documented variants); the one-dialog codes of `imopenlines.session.mode.pin` from b24restdocs
 * `api-reference/imopenlines/openlines/sessions/imopenlines-session-mode-pin.md` and the `imopenlines` module's
 * `lib/rest.php` (`ERROR_USER_NOT_OPERATOR`). Classified by the `error` code string (any case), never by the HTTP status: the
 * same fault arrives with different statuses on different portals and versions.
 */

/**
 * Every error kind, in the order the docs list them. What each means is said by the rows of
 * {@link ERROR_TABLE} that lead to it.
 */
export const ERROR_KINDS = [
  'no-webhook',
  'webhook-invalid',
  'user-deactivated',
  'missing-scope',
  'https-required',
  'access-denied',
  'rest-blocked',
  'rate-limited',
  'operation-limit',
  'method-not-found',
  'portal-deleted',
  'server-error',
  'unknown-error',
  'not-rest',
  'bad-response',
  'network',
  'no-reply',
  'portal-moved',
  'host-access',
  'login-required',
  'session-changed',
  'account-cannot-pin',
  'no-portal-tab',
  'not-available-here',
  'not-your-dialog',
  'dialog-gone',
] as const;

/** What went wrong, in the operator's terms: one of {@link ERROR_KINDS}. */
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** A typed failure. Carries no webhook secret, ever. */
export interface B24Error {
  kind: ErrorKind;
  /** The Bitrix24 `error` code as received (original case), when there was one. */
  code?: string;
  /** HTTP status, when an answer arrived. */
  status?: number;
  /** For `operation-limit`: when the limit clears, ms since epoch, when known. */
  resetAt?: number;
  /** For `portal-moved`: the origin the portal redirected to, when the `Location` header was readable. */
  movedTo?: string;
}

/** An inclusive range of HTTP statuses, `[from, to]`. */
export type StatusRange = readonly [from: number, to: number];

/** A row of {@link ERROR_TABLE} for a Bitrix24 `error` code. */
export interface CodeRow {
  /** The `error` code as Bitrix24 spells it; matched in any case. */
  code: string;
  kind: ErrorKind;
  /**
   * The documented HTTP statuses: the one the server source sets first, then the documented variants. The code
   * decides the kind whatever the status; these are what the emulator and the tests produce.
   */
  statuses: readonly number[];
  /** What it means, from `docs/bitrix24.md`. */
  meaning: string;
}

/** Failures that are not a Bitrix24 `error` code: the shape of the answer, the transport, or the extension. */
export type FaultName =
  /** The body is a web page (`text/html`, or starts with `<html`/`<!doctype`): login, disabled portal, proxy. */
  | 'html-page'
  /** The body is not JSON at all: truncated, empty, plain text. */
  | 'invalid-json'
  /** JSON, but not an object: an array, `null`, a number, a string. */
  | 'not-an-object'
  /** A JSON object that is neither an error envelope nor a success envelope (no `result` on a 2xx). */
  | 'no-envelope'
  /** A success envelope whose `result` does not have the method's shape (for pinAll: not session IDs). */
  | 'unexpected-result'
  /** An error envelope with a code this table does not list. */
  | 'unknown-code'
  /** A 3xx answer to another origin: a renamed cloud portal (never followed with the secret). */
  | 'redirect'
  /** A 3xx answer back to the same portal: a login or proxy page, not a rename. */
  | 'redirect-same-origin'
  /** The request left, and no complete answer came back within the timeout. */
  | 'timeout'
  /** The connection failed, yet the portal answers a secret-free probe: the request may have been received. */
  | 'connection-lost'
  /** The connection failed and the portal is unreachable: DNS, TLS certificate, refused. */
  | 'unreachable'
  /** No webhook is stored for the portal; nothing is sent. */
  | 'no-webhook-stored'
  /** The browser withholds host access to the portal; nothing is sent. */
  | 'host-access-withheld'
  /** The extension's own leaky bucket (`rate-limit.ts`) would make the call wait too long; nothing is sent. */
  | 'client-rate-limit'
  /** Login path: the portal tab closed, reloaded or navigated away while its request was out; it may have run. */
  | 'tab-gone'
  /** Login path: no tab of the portal is open to send from, and no webhook is saved; nothing is sent. */
  | 'no-portal-tab'
  /**
   * The control asked from a document that is not the portal's own page in the portal's own tab (framed by
   * another site, sandboxed, another port); nothing is sent.
   */
  | 'foreign-document';

/** A row of {@link ERROR_TABLE} for a failure without a Bitrix24 code. */
export interface FaultRow {
  fault: FaultName;
  kind: ErrorKind;
  /** The HTTP statuses the row applies to; empty when no HTTP answer is involved. */
  statuses: readonly StatusRange[];
  meaning: string;
}

/** One row of {@link ERROR_TABLE}. */
export type ErrorRow = CodeRow | FaultRow;

/** Any HTTP status below 500, and any 5xx. */
const BELOW_500: StatusRange = [100, 499];
const ANY_5XX: StatusRange = [500, 599];

/**
 * The error table: every documented Bitrix24 error code with its kind and documented statuses, then every
 * failure without a code. A fault row's statuses partition what the client can receive: the first row whose
 * fault and status range match decides.
 * Source: `docs/bitrix24.md`, "Errors and statuses" and "Limits (cloud)".
 */
// biome-ignore format: one row per line, so that it reads as the table it is
export const ERROR_TABLE: readonly ErrorRow[] = [
  { code: 'NO_AUTH_FOUND', kind: 'webhook-invalid', statuses: [401], meaning: 'no credentials in the request: the URL is not a webhook' },
  { code: 'INVALID_CREDENTIALS', kind: 'webhook-invalid', statuses: [401, 403], meaning: 'webhook wrong, regenerated or deleted' },
  { code: 'expired_token', kind: 'webhook-invalid', statuses: [401], meaning: 'OAuth only, never from a webhook' },
  { code: 'invalid_token', kind: 'webhook-invalid', statuses: [401], meaning: 'OAuth only, never from a webhook' },
  { code: 'authorization_error', kind: 'user-deactivated', statuses: [401], meaning: 'webhook owner deactivated' },
  { code: 'insufficient_scope', kind: 'missing-scope', statuses: [401, 403], meaning: 'webhook lacks the `imopenlines` scope' },
  { code: 'INVALID_REQUEST', kind: 'https-required', statuses: [401, 400], meaning: '"Https required.": plain http' },
  { code: 'ACCESS_DENIED', kind: 'access-denied', statuses: [401, 403, 400], meaning: 'REST not on this plan (401/403), or no access to the method (400)' },
  { code: 'OVERLOAD_LIMIT', kind: 'rest-blocked', statuses: [401, 503], meaning: 'REST blocked for the portal by support' },
  { code: 'QUERY_LIMIT_EXCEEDED', kind: 'rate-limited', statuses: [503, 429], meaning: '"Too many requests": leaky bucket of the portal, retry shortly' },
  { code: 'OPERATION_TIME_LIMIT', kind: 'operation-limit', statuses: [429], meaning: "the method's time budget is spent for up to 10 minutes" },
  { code: 'ERROR_METHOD_NOT_FOUND', kind: 'method-not-found', statuses: [404], meaning: '"Method not found!": Open Lines module missing or too old' },
  { code: 'PORTAL_DELETED', kind: 'portal-deleted', statuses: [403, 500, 410], meaning: 'portal gone' },
  { code: 'INTERNAL_SERVER_ERROR', kind: 'server-error', statuses: [500], meaning: 'server fault' },
  { code: 'ERROR_UNEXPECTED_ANSWER', kind: 'server-error', statuses: [500], meaning: 'server fault' },
  { code: 'ERROR_USER_NOT_OPERATOR', kind: 'not-your-dialog', statuses: [400], meaning: 'pin/unpin of one dialog: it now belongs to another operator (taken over, transferred)' },
  { code: 'CHAT_ID_EMPTY', kind: 'dialog-gone', statuses: [400], meaning: 'pin/unpin of one dialog: no chat ID (its session was not found)' },
  { code: 'CHAT_ID', kind: 'dialog-gone', statuses: [400], meaning: 'pin/unpin of one dialog: no such chat' },
  { code: 'CHAT_TYPE', kind: 'dialog-gone', statuses: [400], meaning: 'pin/unpin of one dialog: the chat is not an Open Lines dialog' },

  { fault: 'unknown-code', kind: 'unknown-error', statuses: [[100, 599]], meaning: 'an `error` code not listed above' },
  { fault: 'html-page', kind: 'not-rest', statuses: [BELOW_500], meaning: 'a web page: login, disabled or deleted portal, wrong address' },
  { fault: 'html-page', kind: 'server-error', statuses: [ANY_5XX], meaning: 'a web page with a 5xx: proxy or server error page' },
  { fault: 'invalid-json', kind: 'bad-response', statuses: [BELOW_500], meaning: 'not JSON: truncated or garbage' },
  { fault: 'invalid-json', kind: 'server-error', statuses: [ANY_5XX], meaning: 'not JSON, with a 5xx' },
  { fault: 'not-an-object', kind: 'bad-response', statuses: [BELOW_500], meaning: 'JSON that is not an object (array, null, number, string)' },
  { fault: 'not-an-object', kind: 'server-error', statuses: [ANY_5XX], meaning: 'JSON that is not an object, with a 5xx' },
  { fault: 'no-envelope', kind: 'bad-response', statuses: [BELOW_500], meaning: 'an object with neither `error` nor (on a 2xx) `result`' },
  { fault: 'no-envelope', kind: 'server-error', statuses: [ANY_5XX], meaning: 'an object without `error`, with a 5xx' },
  { fault: 'unexpected-result', kind: 'bad-response', statuses: [[200, 299]], meaning: '`result` of the wrong shape (pinAll: not a list of session IDs)' },
  { fault: 'redirect', kind: 'portal-moved', statuses: [[300, 399], [0, 0]], meaning: "a redirect to another origin, as renamed cloud portals answer (0: the browser's opaque redirect); not followed with the secret" },
  { fault: 'redirect-same-origin', kind: 'not-rest', statuses: [[300, 399], [0, 0]], meaning: 'a redirect back to the same portal (a login or proxy page), found by a secret-free probe' },
  { fault: 'timeout', kind: 'no-reply', statuses: [], meaning: 'no complete answer in time (pinAll: 20 s); the pin may have happened, so no automatic re-send' },
  { fault: 'connection-lost', kind: 'no-reply', statuses: [], meaning: 'connection failed while a secret-free probe of the portal answers: the request may have been received' },
  { fault: 'unreachable', kind: 'network', statuses: [], meaning: 'connection failed and the portal does not answer at all: DNS, certificate, refused' },
  { fault: 'no-webhook-stored', kind: 'no-webhook', statuses: [], meaning: 'no webhook saved for the portal; nothing sent' },
  { fault: 'host-access-withheld', kind: 'host-access', statuses: [], meaning: 'the browser withholds access to the portal; nothing sent' },
  { fault: 'client-rate-limit', kind: 'rate-limited', statuses: [], meaning: "the extension's own copy of the portal's leaky bucket would wait too long; nothing sent" },
  { fault: 'tab-gone', kind: 'no-reply', statuses: [], meaning: 'login path: the portal tab closed or navigated while its request was out; it may have run, so no re-send' },
  { fault: 'no-portal-tab', kind: 'no-portal-tab', statuses: [], meaning: 'login path: no tab of the portal is open and no webhook is saved; nothing sent' },
  { fault: 'foreign-document', kind: 'not-available-here', statuses: [], meaning: "the control is in a page framed by another site, a sandboxed document or another port: only the portal's own tab may pin; nothing sent" },
];

/**
 * A row of {@link LOGIN_CODE_ROWS}: an `error` code that only the login path (session auth) answers, told apart
 * by its description where one code has several meanings.
 */
export interface LoginCodeRow {
  /** The `error` code as Bitrix24 spells it; matched in any case. */
  code: string;
  /** A text the `error_description` contains (any case); absent: any description. */
  description?: string;
  kind: ErrorKind;
  /** The HTTP statuses the server sends it with. */
  statuses: readonly number[];
  meaning: string;
}

/**
 * The codes of session auth, checked before {@link ERROR_TABLE} on the login path only: the first row whose code
 * and description match decides. Source: the `rest` module, `lib/sessionauth/auth.php` (the token check and the
 * user checks) and `services/rest/index.php` (all sent as 401 through the OAuth exception path), documented in
 * `docs/session-auth.md`. The content script already retried `session_failed` once with the token the
 * portal sent back, so one reaching the background is the second refusal.
 */
// biome-ignore format: one row per line, so that it reads as the table it is
export const LOGIN_CODE_ROWS: readonly LoginCodeRow[] = [
  { code: 'session_failed', kind: 'session-changed', statuses: [401], meaning: '"Sessid check failed" twice: the session changed under the page (re-login elsewhere)' },
  { code: 'access_denied', description: 'type of user', kind: 'account-cannot-pin', statuses: [401], meaning: '"Access denied for this type of user": a bot, connector, e-mail or other external account' },
  { code: 'access_denied', kind: 'login-required', statuses: [401], meaning: '"User not authorized": the browser is not logged in to the portal' },
];

/**
 * How the kinds whose message is about a webhook read on the login path, where no webhook is involved: the
 * portal's refusal of the credential, a login page or a redirect to one all mean "log in". Kinds not listed read
 * the same on both paths.
 */
export const LOGIN_PATH_KINDS: Readonly<Partial<Record<ErrorKind, ErrorKind>>> = Object.freeze({
  'webhook-invalid': 'login-required',
  'user-deactivated': 'login-required',
  'not-rest': 'login-required',
  'portal-moved': 'login-required',
  'missing-scope': 'access-denied',
  'https-required': 'unknown-error',
});

/**
 * The kind of an error on a path: on the login path the webhook-specific kinds become their login reading
 * ({@link LOGIN_PATH_KINDS}).
 * @param kind the kind found through {@link ERROR_TABLE} or {@link LOGIN_CODE_ROWS}.
 * @param path which credential the call carried.
 */
export function kindOnPath(kind: ErrorKind, path: 'webhook' | 'login'): ErrorKind {
  return path === 'login' ? (LOGIN_PATH_KINDS[kind] ?? kind) : kind;
}

/**
 * Classifies an `error` code answered on the login path: {@link LOGIN_CODE_ROWS} first (by code, status and
 * description: the method-level `ACCESS_DENIED` comes with 400, not 401), then the shared table
 * ({@link kindOfCode}).
 * @param code the `error` field in any case.
 * @param status the HTTP status.
 * @param description the `error_description`, or `''`.
 */
export function loginKindOfCode(code: string, status: number, description: string): ErrorKind {
  const rows = LOGIN_ROWS_BY_CODE.get(code.trim().toUpperCase());
  if (!rows) return kindOfCode(code);
  const d = description.toLowerCase();
  const row = rows.find(
    (r) => r.statuses.includes(status) && (!r.description || d.includes(r.description.toLowerCase())),
  );
  return row?.kind ?? kindOfCode(code);
}

/** {@link LOGIN_CODE_ROWS} by upper-cased code, each code's rows in table order. */
const LOGIN_ROWS_BY_CODE: ReadonlyMap<string, readonly LoginCodeRow[]> = groupBy(LOGIN_CODE_ROWS, (r) =>
  r.code.toUpperCase(),
);

/** Rows grouped by a key, each group in the given order. */
function groupBy<R, K>(rows: readonly R[], key: (row: R) => K): Map<K, R[]> {
  const groups = new Map<K, R[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/** Whether a row is about a Bitrix24 `error` code. */
export function isCodeRow(row: ErrorRow): row is CodeRow {
  return 'code' in row;
}

/** The code rows of {@link ERROR_TABLE}. */
export const CODE_ROWS: readonly CodeRow[] = ERROR_TABLE.filter(isCodeRow);

/** The fault rows of {@link ERROR_TABLE}. */
export const FAULT_ROWS: readonly FaultRow[] = ERROR_TABLE.filter((row): row is FaultRow => !isCodeRow(row));

/**
 * Bitrix24 error codes (upper-cased) → kind, derived from {@link ERROR_TABLE}.
 * Source: `docs/bitrix24.md`, "Errors and statuses".
 */
export const ERROR_CODES: Readonly<Record<string, ErrorKind>> = Object.freeze(
  Object.fromEntries(CODE_ROWS.map((row) => [row.code.toUpperCase(), row.kind])),
);

/**
 * Classifies a Bitrix24 `error` code into a kind through {@link ERROR_TABLE}.
 * @param code the `error` field of an error envelope in any case, e.g. `"insufficient_scope"`; surrounding
 *   spaces are ignored.
 * @returns the code's kind; `unknown-error` for a code the table does not list.
 */
export function kindOfCode(code: string): ErrorKind {
  return ERROR_CODES[code.trim().toUpperCase()] ?? faultKind('unknown-code');
}

/**
 * Classifies a failure without a Bitrix24 code through {@link ERROR_TABLE}.
 * @param fault what went wrong.
 * @param status the HTTP status when an answer arrived; omit it for failures without one.
 * @returns the kind of the first row of that fault whose status ranges include `status` (without a status: the
 *   first row of that fault); `bad-response` when no row matches (e.g. an HTML page with a status outside
 *   100–599).
 */
export function faultKind(fault: FaultName, status?: number): ErrorKind {
  if (status === undefined) return FAULT_KINDS[fault] ?? 'bad-response';
  const row = FAULT_ROWS_BY_FAULT.get(fault)?.find((r) =>
    r.statuses.some(([from, to]) => status >= from && status <= to),
  );
  return row?.kind ?? 'bad-response';
}

/** The fault rows of {@link ERROR_TABLE} by fault, each fault's rows in table order. */
const FAULT_ROWS_BY_FAULT: ReadonlyMap<FaultName, readonly FaultRow[]> = groupBy(FAULT_ROWS, (r) => r.fault);

/**
 * The kind of each fault when no HTTP status is involved: its first row in {@link ERROR_TABLE} (derived once
 * from the table; a fault missing from the table reads as `bad-response`).
 */
export const FAULT_KINDS: Readonly<Partial<Record<FaultName, ErrorKind>>> = Object.freeze(
  Object.fromEntries([...FAULT_ROWS_BY_FAULT].map(([fault, rows]) => [fault, rows[0]!.kind])),
);

/**
 * Kinds after which the same request may be sent again by the operator at once without risk of a double pin:
 * the portal certainly did not run the method — it answered with a refusal, or nothing was sent. A failed
 * connection (`network`) is not among them: the browser cannot tell a refused connection from one lost after the
 * request left, so it counts as "may or may not be pinned".
 */
export const REQUEST_NOT_RUN: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'no-webhook',
  'webhook-invalid',
  'user-deactivated',
  'missing-scope',
  'https-required',
  'access-denied',
  'rest-blocked',
  'rate-limited',
  'operation-limit',
  'method-not-found',
  'portal-deleted',
  'portal-moved',
  'host-access',
  'login-required',
  'session-changed',
  'account-cannot-pin',
  'no-portal-tab',
  'not-available-here',
]);

/** Kinds that mean the stored webhook itself is unusable and the operator must fix it in the options page. */
export const WEBHOOK_BROKEN: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'webhook-invalid',
  'user-deactivated',
  'missing-scope',
  'portal-deleted',
]);

/** Longest Bitrix24 `error` code kept (the documented ones are under 30 characters). */
export const CODE_MAX = 64;

/**
 * A portal-controlled error code as it may be stored and shown: letters, digits and `_ . : -` only, at most
 * {@link CODE_MAX} characters; anything else is replaced by `?`. Undefined for an empty result.
 */
export function boundCode(code: string): string | undefined {
  const clean = code
    .trim()
    .replace(/[^\w.:-]/g, '?')
    .slice(0, CODE_MAX);
  return clean || undefined;
}

/**
 * A portal-controlled redirect target as it may be stored and shown: the https (or http) origin of `url`, at most
 * 300 characters; undefined for anything else.
 */
export function boundOrigin(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    return u.origin.length <= 300 ? u.origin : undefined;
  } catch {
    return undefined;
  }
}
