/**
 * The one error taxonomy of the extension. Every documented Bitrix24 REST error code and every transport
 * failure maps to exactly one {@link ErrorKind}; each kind has one localized, actionable message
 * (`locales/*.yml`, key `error.<kind>`).
 *
 * Source of the codes and statuses: `shared/bitrix24-rest.md`, "Errors" (from `bitrix24/b24restdocs`
 * `api-reference/common/system/` and the `rest` module's `CRestServer`), classified by the `error` code
 * string, never by the HTTP status: the same fault arrives with different statuses on different portals.
 */

/** What went wrong, in the operator's terms. */
export type ErrorKind =
  /** No webhook is stored for the portal. */
  | 'no-webhook'
  /** `NO_AUTH_FOUND`, `INVALID_CREDENTIALS`, `expired_token`, `invalid_token`: webhook wrong or deleted. */
  | 'webhook-invalid'
  /** `authorization_error`: the user who created the webhook is deactivated. */
  | 'user-deactivated'
  /** `insufficient_scope`: the webhook lacks the `imopenlines` scope. */
  | 'missing-scope'
  /** `INVALID_REQUEST` ("Https required."): the portal refuses plain http. */
  | 'https-required'
  /** `ACCESS_DENIED`: REST not on this plan, or no access to the method. */
  | 'access-denied'
  /** `OVERLOAD_LIMIT`: REST blocked for the portal by Bitrix24 support. */
  | 'rest-blocked'
  /** `QUERY_LIMIT_EXCEEDED`: rate limit (leaky bucket), retry shortly. */
  | 'rate-limited'
  /** `OPERATION_TIME_LIMIT`: the method's time budget is spent for up to 10 minutes. */
  | 'operation-limit'
  /** `ERROR_METHOD_NOT_FOUND`: Open Lines module missing or too old. */
  | 'method-not-found'
  /** `PORTAL_DELETED`: the portal is gone. */
  | 'portal-deleted'
  /** `INTERNAL_SERVER_ERROR`, `ERROR_UNEXPECTED_ANSWER`, or a 5xx answer that is not REST. */
  | 'server-error'
  /** A REST error code this taxonomy does not know. */
  | 'unknown-error'
  /** The portal answered with a web page (login, disabled portal, wrong address, proxy), not REST. */
  | 'not-rest'
  /** The portal answered JSON that is not a REST envelope of the expected shape. */
  | 'bad-response'
  /** The request never reached the portal: DNS, TLS certificate, connection refused. */
  | 'network'
  /** The request left but no complete reply came back in time: the pin may or may not have happened. */
  | 'no-reply'
  /** The portal answered with a redirect (3xx): a renamed cloud portal. */
  | 'portal-moved'
  /** The browser does not allow the extension to reach this portal (host permission missing). */
  | 'host-access';

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

/**
 * Bitrix24 error codes (upper-cased) → kind. The single source of truth for classification; the error-kind
 * table in the docs and the emulator's fault list are checked against it.
 * Source: `shared/bitrix24-rest.md`, "Errors".
 */
export const ERROR_CODES: Readonly<Record<string, ErrorKind>> = {
  NO_AUTH_FOUND: 'webhook-invalid',
  INVALID_CREDENTIALS: 'webhook-invalid',
  EXPIRED_TOKEN: 'webhook-invalid',
  INVALID_TOKEN: 'webhook-invalid',
  AUTHORIZATION_ERROR: 'user-deactivated',
  INSUFFICIENT_SCOPE: 'missing-scope',
  INVALID_REQUEST: 'https-required',
  ACCESS_DENIED: 'access-denied',
  OVERLOAD_LIMIT: 'rest-blocked',
  QUERY_LIMIT_EXCEEDED: 'rate-limited',
  OPERATION_TIME_LIMIT: 'operation-limit',
  ERROR_METHOD_NOT_FOUND: 'method-not-found',
  PORTAL_DELETED: 'portal-deleted',
  INTERNAL_SERVER_ERROR: 'server-error',
  ERROR_UNEXPECTED_ANSWER: 'server-error',
};

/**
 * Classifies a Bitrix24 `error` code (any case) into a kind; unknown codes become `unknown-error`.
 * @param code the `error` field of an error envelope, e.g. `"insufficient_scope"`.
 */
export function kindOfCode(code: string): ErrorKind {
  return ERROR_CODES[code.trim().toUpperCase()] ?? 'unknown-error';
}

/**
 * Kinds after which the same request may be sent again by the operator at once without risk of a double pin:
 * the portal certainly did not run the method.
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
  'network',
  'portal-moved',
  'host-access',
]);

/** Kinds that mean the stored webhook itself is unusable and the operator must fix it in the options page. */
export const WEBHOOK_BROKEN: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'webhook-invalid',
  'user-deactivated',
  'missing-scope',
  'portal-deleted',
]);
