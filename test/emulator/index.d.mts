// Types of the Bitrix24 emulator (implemented in plain ES modules so Node 20 runs it without a build step).
import type { IncomingHttpHeaders } from 'node:http';

/** A portal user. */
export interface UserConfig {
  id: number;
  name?: string;
  lastName?: string;
  /** `ADMIN` in `profile`. */
  admin?: boolean;
  /** false: every webhook of this user answers 401 `authorization_error`. Default true. */
  active?: boolean;
  /** `PERSONAL_GENDER` in `profile` (`''`, `'M'`, `'F'`). Default `''`. */
  gender?: string;
  /**
   * An external account (bot, connector, e-mail user): session auth answers 401 `access_denied` "Access denied for
   * this type of user". Webhooks are unaffected. Default false.
   */
  external?: boolean;
}

/** An inbound webhook `/rest/USER_ID/SECRET/`. */
export interface WebhookConfig {
  userId: number;
  secret: string;
  /** e.g. `['imopenlines', 'im', 'user']`; without `imopenlines` the Open Lines methods answer `insufficient_scope`. */
  scopes: string[];
}

/** An Open Lines session (dialog). */
export interface SessionConfig {
  /** Session ID: what `pinAll` answers. */
  id: number;
  /** Chat ID (`imopenlines.dialog.get` → `id`; the legacy list shows `chatNNN`). */
  chatId: number;
  /** The operator the session is assigned to; `pinAll` pins the sessions of the webhook's user. */
  operatorId: number;
  pinned?: boolean;
  /** false: closed session, never pinned and not shown in the lists. Default true. */
  active?: boolean;
  /** List group. Default `'work'`. */
  group?: 'new' | 'work' | 'answered';
  /** Name shown in the lists. */
  title?: string;
  /** `'lines'` (default) or another chat type (`pin` answers `CHAT_TYPE`). */
  chatType?: string;
  /**
   * Session status: 0 new, 5 skipped, 10 answered, 20 client wrote (default), 25 client after operator,
   * 40 operator wrote, 50+ closing. `pinAll`/`unpinAll` touch only 10–49.
   */
  status?: number;
  /**
   * Operators the dialog belonged to before (transferred, taken over): they still see the chat
   * (`dialog.get`), but `pin` answers them `ERROR_USER_NOT_OPERATOR`.
   */
  formerOperatorIds?: number[];
}

/** Limits of one portal; omitted fields take the standard cloud values. */
export interface LimitsConfig {
  /** Leaky bucket capacity (requests). Standard 50, Enterprise 250. */
  bucketSize?: number;
  /** Leaky bucket drain (requests per second). Standard 2, Enterprise 5. */
  drainPerSecond?: number;
  /** Operating time allowed per method and webhook in the window (seconds). 480. */
  operatingLimitSeconds?: number;
  /** Rolling window of the operating limit (seconds). 600. */
  operatingWindowSeconds?: number;
}

export interface PortalConfig {
  /** e.g. `acme.bitrix24.com`; Unicode hosts are converted to punycode. */
  host: string;
  /** Cloud portal: limits on and `operating` fields in envelopes. Default true. */
  cloud?: boolean;
  users?: UserConfig[];
  webhooks?: WebhookConfig[];
  sessions?: SessionConfig[];
  /** Limits; cloud portals get the standard ones by default, self-hosted none; `null` disables. */
  limits?: LimitsConfig | null;
  /** Simulated execution time per call, in seconds, by method name (case-insensitive), for the operating limit. */
  methodCosts?: Record<string, number>;
  /** Renamed portal: every request answers 302 to the same path on this host. */
  movedTo?: string;
  /** false: the Open Lines module is missing (its methods answer 404 `ERROR_METHOD_NOT_FOUND`). Default true. */
  imopenlines?: boolean;
  /**
   * Which Open Lines UI the messenger shows (like the `imopenlines` option `v2_activated`, off by default): the
   * legacy frame (default, as on most portals), the new list, or the new list without its header container.
   * A user's `?IMOPENLINES_V2=Y|N` (saved in a cookie) and the emulator's `?ol=` override it per page.
   */
  openLinesUi?: 'new' | 'headerless' | 'legacy';
  /** The portal's design: `air` gives the messenger root `--air` and a top menu. Default `'classic'`; `?design=`. */
  design?: 'classic' | 'air';
  /** UTC offset of `date_start`/`date_finish`/`server.time`, in minutes. Default 60. */
  timezoneOffsetMinutes?: number;
  /** Status overrides by error code, e.g. `{ INVALID_CREDENTIALS: 403 }` (the documented variants). */
  errorStatuses?: Record<string, number>;
  /**
   * The user the portal's pages log in as (`null`: pages are served to an anonymous session). Default: the first
   * non-admin user, else the first user. `Emulator.loginAs` overrides it until `reset()`.
   */
  pageUserId?: number | null;
}

/** Runtime state of a portal (mutable: tests may add sessions or flip `pinned`). */
export interface PortalState {
  host: string;
  displayHost: string;
  cloud: boolean;
  movedTo: string | undefined;
  imopenlines: boolean;
  openLinesUi: 'new' | 'headerless' | 'legacy';
  design: 'classic' | 'air';
  timezoneOffsetMinutes: number;
  limits: Required<LimitsConfig> | null;
  methodCosts: Record<string, number>;
  errorStatuses: Record<string, number>;
  users: Required<UserConfig>[];
  webhooks: WebhookConfig[];
  sessions: Required<SessionConfig>[];
  config: PortalConfig;
}

/** Which requests a fault applies to. Without `path` it applies to REST requests only. */
export interface FaultMatch {
  /** Portal host (a port in it is ignored). */
  host?: string;
  /** REST method, case-insensitive, `.json` optional; `batch` for a batch request. */
  method?: string;
  /** Path prefix, e.g. `/online/`; matches page requests too. */
  path?: string;
  /** How many matching requests it applies to: default 1, `Infinity` for all. */
  times?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Wait this long (ms) before answering; alone it delays the normal answer. */
  delayMs?: number;
}

export type Fault = FaultMatch &
  (
    | { error: string; status?: number; description?: string }
    | { html: string; status?: number }
    | { body: string; status?: number; contentType?: string }
    | { delayMs: number }
    | { noReply: true }
    | { drop: true }
    | { redirect: string; status?: number }
    | { result: unknown }
  ) & {
    error?: string;
    description?: string;
    html?: string;
    body?: string;
    contentType?: string;
    noReply?: boolean;
    drop?: boolean;
    redirect?: string;
    result?: unknown;
    status?: number;
  };

/** One request as the emulator saw it. */
export interface RecordedRequest {
  /** Emulator clock, ms. */
  at: number;
  /** HTTP method. */
  method: string;
  /** Portal host from the Host header, lower case, without port. */
  host: string;
  path: string;
  /** `https://host/path?query` (no port). */
  url: string;
  headers: IncomingHttpHeaders;
  /** Raw body. */
  body: string;
  /** Lower-case REST method without `.json`/`.xml`; null for page requests. */
  restMethod: string | null;
  userId: number | null;
  secret: string | null;
  apiVersion: 1 | 3 | null;
  /** Parsed REST parameters (query + body). */
  params: Record<string, unknown>;
  secure: boolean;
  remoteAddress: string;
  /** HTTP status sent; null when the fault dropped or held the request. */
  status: number | null;
  /** The fault applied, if any. */
  fault: Fault | null;
  /**
   * Session auth of a `/rest/METHOD.json` request (no webhook segment) when the session provider acted (a `sessid`
   * or an `X-Bitrix-Csrf-Token` header was present); null otherwise. The token and cookie values themselves are
   * never recorded: in `url`, `headers`, `body` and `params` they read `[redacted]`.
   */
  sessionAuth: SessionAuthRecord | null;
}

/** How a request used session auth (no secrets). */
export interface SessionAuthRecord {
  /** Where `sessid` came from; only `query` and `form` (urlencoded or multipart) load the cookie session. */
  sessid: 'query' | 'form' | 'json' | 'header';
  /** The request carried a `PHPSESSID` cookie. */
  cookie: boolean;
  /** The session's user (null when not logged in or the cookie session was not loaded). */
  userId: number | null;
  /**
   * The session provider's verdict: `ok` lets the method run (unless a fault, the https check or the leaky bucket
   * answers first); otherwise that error code is answered (HTTP 401) and the method does not run. Recorded for
   * faulted requests too.
   */
  result: 'ok' | 'session_failed' | 'access_denied';
}

/** A server-side PHP session a page load started (a copy: mutate it through the `Emulator` controls). */
export interface BrowserSession {
  /** The `PHPSESSID` cookie value. */
  id: string;
  /** Portal host (normalised). */
  host: string;
  /** The logged-in user; null for an anonymous session. */
  userId: number | null;
  /** The current `bitrix_sessid` (32 hex digits); pages loaded before a rotation show an older one. */
  token: string;
  /** false after `logout` (or when anonymous). */
  loggedIn: boolean;
  /** Emulator clock when the session started, ms. */
  createdAt: number;
}

export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Listen address. Default `127.0.0.1`. */
  host?: string;
  /** Default: `defaultPortals()`. */
  portals?: PortalConfig[];
  /** Extra certificate SANs. */
  hosts?: string[];
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number;
  /** Also listen for plain http on this port (0 = random); REST there answers `INVALID_REQUEST` "Https required.". */
  httpPort?: number;
  /** Persist (and reuse) the certificates here instead of a temp dir removed on close. */
  certDir?: string;
}

export interface EmulatorResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: an answer is arbitrary JSON; tests read it freely
  json: () => any;
}

export interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Default 10000. */
  timeoutMs?: number;
}

export interface Emulator {
  /** HTTPS port on `host`. */
  readonly port: number;
  /** Plain-http port when `httpPort` was given. */
  readonly httpPort: number | undefined;
  /** Listen address. */
  readonly host: string;
  /** PEM of the throw-away CA. */
  readonly caPem: string;
  /** Path of that PEM (for `certutil`, `NODE_EXTRA_CA_CERTS`). */
  readonly caPath: string;
  readonly certDir: string;
  /** Base64 SHA-256 of the leaf's SubjectPublicKeyInfo, for `--ignore-certificate-errors-spki-list`. */
  readonly spki: string;
  /** Runtime state of every portal. */
  readonly portals: PortalState[];
  portal(host: string): PortalState | undefined;
  /** Every request received, oldest first (pages and preflights too). */
  readonly requests: RecordedRequest[];
  /** REST requests, optionally of one method (case-insensitive, `.json` optional). */
  restCalls(name?: string): RecordedRequest[];
  /** Queues a fault; faults are consumed in order. Returns the emulator for chaining. */
  fault(fault: Fault): Emulator;
  clearFaults(): void;
  /** Number of faults still queued. */
  readonly pendingFaults: number;
  /**
   * Clears records, faults, limits, held sockets and `loginAs` choices; restores portals (sessions unpinned,
   * `external` flags) from their configs. Browser sessions survive as they are (open tabs keep working; a logged-out
   * or rotated session stays so until the next page load): `clearBrowserSessions()` forgets them.
   */
  reset(): void;
  /**
   * `https://host:PORT/path` (port omitted when 443 or `{ port: false }`): with `chromiumArgs` both forms reach
   * the emulator; Firefox with `firefoxPrefs` needs the port.
   */
  url(host: string, path?: string, opts?: { port?: boolean }): string;
  /** `https://host/rest/USER/SECRET/` of a portal's n-th webhook (port-less: what an operator pastes). */
  webhookUrl(host: string, index?: number): string;
  /** Node request to the emulator under the URL's host name (SNI + Host), trusting only its CA. */
  request(url: string, init?: RequestInit): Promise<EmulatorResponse>;
  /**
   * Browser sessions the pages started (oldest first), optionally of one portal. Every page load without a live
   * `PHPSESSID` of the page user starts one and sets the cookie `PHPSESSID=…; path=/; HttpOnly`.
   */
  browserSessions(host?: string): BrowserSession[];
  /** Forgets every browser session: REST with any cookie answers "User not authorized"; page loads log in again. */
  clearBrowserSessions(): void;
  /** From the next page load on, the portal's pages log in as this user (`null`: anonymous). Until `reset()`. */
  loginAs(host: string, userId: number | null): void;
  /** The user the portal's pages log in as now. */
  pageUserId(host: string): number | null;
  /**
   * Renews the token of the portal's logged-in sessions (of one user when given), as a re-login does: pages
   * already loaded keep the old token, so the next REST call with it answers `session_failed` with the new one.
   * Returns the new tokens.
   */
  rotateSessionToken(host: string, userId?: number): string[];
  /**
   * Logs the portal's browser sessions out (of one user when given): REST with them answers `access_denied`
   * "User not authorized"; the next page load logs in again. Returns how many were logged out.
   */
  logout(host: string, userId?: number): number;
  /** Marks a portal user external (or not): session auth refuses them. Restored from the config by `reset()`. */
  setExternalUser(host: string, userId: number, external?: boolean): void;
  /** Stops listening, drops open sockets, removes temporary certificates. */
  close(): Promise<void>;
}

export function startEmulator(opts?: EmulatorOptions): Promise<Emulator>;
export function chromiumArgs(
  emulator: { port: number; spki: string; portals?: { host: string }[] },
  hosts?: string[],
): string[];
export function firefoxPrefs(): Record<string, string | boolean>;
export function emulatorRequest(
  emulator: { port: number; caPem: string; host?: string },
  url: string,
  init?: RequestInit,
): Promise<EmulatorResponse>;
export function defaultPortals(): PortalConfig[];
export function normaliseHost(host: string): string;
export const STANDARD_LIMITS: Readonly<Required<LimitsConfig>>;
export const ENTERPRISE_LIMITS: Readonly<Required<LimitsConfig>>;
export const DEFAULT_CERT_HOSTS: readonly string[];
export function generateCerts(opts?: { hosts?: string[]; dir?: string }): {
  dir: string;
  caPath: string;
  caPem: string;
  caKeyPath: string;
  certPath: string;
  certPem: string;
  keyPath: string;
  keyPem: string;
  spki: string;
  hosts: string[];
  temporary: boolean;
};
export function spkiFingerprint(certPem: string): string;
export const BATCH_MAX_COMMANDS: number;
export const ERROR_TEXT: Readonly<Record<string, string>>;
export function parsePhpQuery(query: string): Record<string, unknown>;
export function parseRestPath(pathname: string): null | {
  apiVersion: 1 | 3;
  userId: number | null;
  secret: string | null;
  method: string;
  format: 'json' | 'xml';
};
/** `PHPSESSID`: the cookie a page load sets for its browser session. */
export const SESSION_COOKIE: string;
