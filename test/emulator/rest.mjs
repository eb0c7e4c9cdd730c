// The REST side of the emulator: URL and parameter parsing, webhook authentication, limits, the methods of
// bitrix24-rest.md and the answer envelopes. Transport (sockets, faults, recording) lives in server.mjs.
import { normaliseMethod } from './faults.mjs';

/** Scopes of a session-authenticated call: all of them (rest module, lib/sessionauth/auth.php). */
const SESSION_SCOPES = ['basic', 'im', 'imopenlines', 'user', 'crm', 'placement'];

/** Longest accepted `batch` (bitrix24-rest.md, "Limits"). */
export const BATCH_MAX_COMMANDS = 50;

/** Error descriptions as the server words them (bitrix24-rest.md, "Errors"). */
export const ERROR_TEXT = Object.freeze({
  NO_AUTH_FOUND: 'Wrong authorization data',
  INVALID_CREDENTIALS: 'Invalid request credentials',
  authorization_error: 'Unable to authorize user',
  insufficient_scope: '',
  INVALID_REQUEST: 'Https required.',
  QUERY_LIMIT_EXCEEDED: 'Too many requests',
  OPERATION_TIME_LIMIT: 'Method is blocked due to operation time limit.',
  ERROR_METHOD_NOT_FOUND: 'Method not found!',
  ERROR_BATCH_LENGTH_EXCEEDED: 'Max batch length exceeded',
  ERROR_BATCH_METHOD_NOT_ALLOWED: 'Method is not allowed for batch usage',
});

/** An error a method (or the REST layer) answers with: `{"error":code,"error_description":description}`. */
export class RestError extends Error {
  /**
   * @param {string} code the `error` field.
   * @param {number} status HTTP status.
   * @param {string} [description] the `error_description` field; the field is omitted when undefined.
   * @param {Record<string, unknown>} [extra] more top-level fields (session auth adds `sessid`).
   */
  constructor(code, status, description = ERROR_TEXT[code], extra = undefined) {
    super(`${code}: ${description ?? ''}`);
    this.code = code;
    this.status = status;
    this.description = description;
    this.extra = extra;
  }
}

/**
 * Splits a REST path into webhook credentials and method.
 *
 * Accepts `/rest/USER/SECRET/METHOD[.json|.xml][/]` and the v3 form `/rest/api/USER/SECRET/METHOD`.
 * Anything else under `/rest/` (`/rest/METHOD.json`, `/rest/SECRET/`) has no usable credentials.
 *
 * @param {string} pathname decoded or raw URL path.
 * @returns {null | { apiVersion: 1 | 3, userId: number | null, secret: string | null, method: string,
 *   format: 'json' | 'xml' }} null when the path is not under `/rest/`; `method` is normalised (lower case,
 *   no extension).
 */
export function parseRestPath(pathname) {
  if (!/^\/rest(\/|$)/i.test(pathname)) return null;
  const rest = pathname.replace(/^\/rest\/?/i, '');
  const format = /\.xml\/*$/i.test(rest) ? 'xml' : 'json';
  const v3 = /^api\//i.test(rest);
  const tail = v3 ? rest.slice(4) : rest;
  const m = /^(\d+)\/([^/]+)\/(.*)$/.exec(tail);
  if (!m) {
    return { apiVersion: v3 ? 3 : 1, userId: null, secret: null, method: normaliseMethod(tail), format };
  }
  return {
    apiVersion: v3 ? 3 : 1,
    userId: Number(m[1]),
    secret: decodeURIComponentSafe(m[2]),
    method: normaliseMethod(decodeURIComponentSafe(m[3])),
    format,
  };
}

/** @param {string} s */
function decodeURIComponentSafe(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Parses a query string the way PHP fills `$_GET`: `a=1&b[]=2&b[]=3&c[d][e]=4` →
 * `{a:'1', b:['2','3'], c:{d:{e:'4'}}}`. Later keys win.
 * @param {string} query without the leading `?`.
 * @returns {Record<string, unknown>}
 */
export function parsePhpQuery(query) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const part of String(query).split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    const key = decodeURIComponentSafe(rawKey.replace(/\+/g, ' '));
    const value = decodeURIComponentSafe(rawValue.replace(/\+/g, ' '));
    assignPhpKey(out, key, value);
  }
  return out;
}

/**
 * Stores `value` under a PHP-style key (`a`, `a[]`, `a[b][c]`).
 * @param {Record<string, any>} target
 * @param {string} key
 * @param {unknown} value
 */
function assignPhpKey(target, key, value) {
  const m = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(key);
  if (!m) {
    target[key] = value;
    return;
  }
  const path = [m[1], ...[...m[2].matchAll(/\[([^\]]*)\]/g)].map((x) => x[1])];
  let node = target;
  for (let i = 0; i < path.length; i++) {
    const last = i === path.length - 1;
    let k = path[i];
    if (k === '' && Array.isArray(node)) k = String(node.length);
    else if (k === '') k = String(Object.keys(node).length);
    if (last) {
      node[k] = value;
    } else {
      if (typeof node[k] !== 'object' || node[k] === null) node[k] = path[i + 1] === '' ? [] : {};
      node = node[k];
    }
  }
}

/**
 * Parameters of a REST request: the query string, overlaid by the body (JSON, form-encoded or multipart).
 * Invalid JSON, or JSON that is not an object, counts as no body parameters.
 * @param {string} search the URL's query string, with or without `?`.
 * @param {string} body raw request body.
 * @param {string | undefined} contentType the request's Content-Type header.
 * @returns {Record<string, unknown>}
 */
export function parseParams(search, body, contentType) {
  const params = parsePhpQuery(String(search).replace(/^\?/, ''));
  if (!body) return params;
  const type = String(contentType ?? '').toLowerCase();
  if (type.includes('application/json')) {
    try {
      const json = JSON.parse(body);
      if (json && typeof json === 'object' && !Array.isArray(json)) Object.assign(params, json);
    } catch {
      // Bitrix24 silently ignores a body it cannot decode.
    }
    return params;
  }
  if (type.includes('multipart/form-data')) {
    const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(String(contentType));
    const boundary = m?.[1] ?? m?.[2];
    if (boundary) for (const [k, v] of parseMultipart(body, boundary)) assignPhpKey(params, k, v);
    return params;
  }
  // Form-encoded, and what PHP would also read for a missing Content-Type.
  Object.assign(params, parsePhpQuery(body));
  return params;
}

/**
 * Text fields of a multipart/form-data body (files are read as text too; the emulator has no use for them).
 * @param {string} body
 * @param {string} boundary
 * @returns {[string, string][]}
 */
function parseMultipart(body, boundary) {
  /** @type {[string, string][]} */
  const fields = [];
  for (const part of body.split(`--${boundary}`)) {
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) continue;
    fields.push([name, part.slice(sep + 4).replace(/\r\n$/, '')]);
  }
  return fields;
}

/**
 * JSON shape PHP gives an array: `[]` when empty, a list when the keys are 0..n-1 in order, else an object.
 * @param {[string, unknown][]} entries
 */
function phpArray(entries) {
  if (entries.every(([k], i) => k === String(i))) return entries.map(([, v]) => v);
  return Object.fromEntries(entries);
}

/**
 * `2026-03-16T18:00:38+01:00` for a time in the portal's time zone.
 * @param {number} ms Unix time in milliseconds.
 * @param {number} offsetMinutes the portal's UTC offset.
 */
export function isoWithOffset(ms, offsetMinutes) {
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * @typedef {import('./index.d.mts').PortalState} PortalState
 * @typedef {PortalState['users'][number]} User
 * @typedef {PortalState['webhooks'][number]} Webhook
 * @typedef {{ portal: PortalState, user: User, webhook: Webhook, params: Record<string, any>, now: number }} CallContext
 * @typedef {{ scope: string | null, module?: string, run: (ctx: CallContext) => unknown }} MethodDef
 */

/** @param {Record<string, any>} params @param {...string} names */
function param(params, ...names) {
  for (const n of names) if (params[n] !== undefined && params[n] !== '') return params[n];
  return undefined;
}

/** @param {PortalState} portal @param {number} chatId */
function chatOf(portal, chatId) {
  const s = portal.sessions.find((x) => x.chatId === chatId);
  return s;
}

/** @param {PortalState} portal @param {PortalState['sessions'][number]} s @param {number} now */
function dialogInfo(portal, s, now) {
  return {
    id: s.chatId,
    parent_chat_id: 0,
    parent_message_id: 0,
    name: `${s.title} - Open Channel`,
    owner: s.operatorId,
    extranet: false,
    avatar: '',
    color: '#df532d',
    type: s.chatType === 'lines' ? 'lines' : 'chat',
    entity_type: s.chatType === 'lines' ? 'LINES' : '',
    entity_id: `livechat|1|${s.chatId}|${s.id}`,
    entity_data_1: `N|NONE|0|N|N|0|0|0|0|0|${s.id}|0|N|0`,
    date_create: isoWithOffset(now - 3600_000, portal.timezoneOffsetMinutes),
    message_type: 'L',
    dialog_id: `chat${s.chatId}`,
    session_id: s.id,
    pinned: s.pinned,
  };
}

/**
 * Whether Pin all / Unpin all touch a session: the caller's own, active, Open Lines, and accepted (status 10–49:
 * answered, client wrote, operator wrote). New (0) and skipped (5) dialogs are left alone.
 * @param {PortalState['sessions'][number]} s @param {User} user
 */
function touchedByAll(s, user) {
  return s.active && s.operatorId === user.id && s.chatType === 'lines' && s.status >= 10 && s.status < 50;
}

/** The methods the emulator knows, by lower-case name. @type {Record<string, MethodDef>} */
export const METHODS = {
  'imopenlines.session.mode.pinall': {
    scope: 'imopenlines',
    module: 'imopenlines',
    run: ({ portal, user }) => {
      const ids = [];
      for (const s of portal.sessions) {
        if (!s.pinned && touchedByAll(s, user)) {
          s.pinned = true;
          ids.push(s.id);
        }
      }
      return ids;
    },
  },
  'imopenlines.session.mode.unpinall': {
    scope: 'imopenlines',
    module: 'imopenlines',
    run: ({ portal, user }) => {
      const ids = [];
      for (const s of portal.sessions) {
        if (s.pinned && touchedByAll(s, user)) {
          s.pinned = false;
          ids.push(s.id);
        }
      }
      return ids;
    },
  },
  'imopenlines.session.mode.pin': {
    scope: 'imopenlines',
    module: 'imopenlines',
    run: ({ portal, user, params }) => {
      const raw = param(params, 'CHAT_ID', 'chat_id', 'chatId');
      if (raw === undefined || Number(raw) === 0)
        throw new RestError('CHAT_ID_EMPTY', 400, "Chat ID can't be empty");
      const chatId = Number(raw);
      const s = Number.isInteger(chatId) ? chatOf(portal, chatId) : undefined;
      if (!s) throw new RestError('CHAT_ID', 400, 'Incorrect chat ID');
      if (s.chatType !== 'lines') throw new RestError('CHAT_TYPE', 400, 'Chat is not an Open Lines chat');
      // Only the session's own operator may pin or unpin it (imopenlines lib/rest.php, sessionModePin).
      if (s.operatorId !== user.id) {
        throw new RestError('ERROR_USER_NOT_OPERATOR', 400, 'You are not an operator of this dialog');
      }
      const activate = String(param(params, 'ACTIVATE', 'activate') ?? 'Y').toUpperCase();
      s.pinned = activate !== 'N';
      return true;
    },
  },
  'imopenlines.dialog.get': {
    scope: 'imopenlines',
    module: 'imopenlines',
    run: ({ portal, user, params, now }) => {
      const sessionId = param(params, 'SESSION_ID', 'session_id');
      const chatId = param(params, 'CHAT_ID', 'chat_id');
      const dialogId = param(params, 'DIALOG_ID', 'dialog_id');
      if (sessionId === undefined && chatId === undefined && dialogId === undefined) {
        throw new RestError('DIALOG_ID_EMPTY', 400, 'Dialog ID can\u2019t be empty');
      }
      const s = portal.sessions.find(
        (x) =>
          (sessionId !== undefined && x.id === Number(sessionId)) ||
          (chatId !== undefined && x.chatId === Number(chatId)) ||
          (dialogId !== undefined && `chat${x.chatId}` === String(dialogId)),
      );
      // A former operator of the dialog (transferred or taken over) still sees the chat.
      const member = s && (s.operatorId === user.id || s.formerOperatorIds.includes(user.id));
      if (!s || (!member && !user.admin)) {
        throw new RestError('ACCESS_DENIED', 400, 'You do not have access to the specified dialog');
      }
      return dialogInfo(portal, s, now);
    },
  },
  'method.get': {
    scope: null,
    run: ({ portal, webhook, params }) => {
      // The server looks the name up among lower-cased method names without lowering it (rest module,
      // classes/general/rest_provider.php, getMethod; docs: "the name of the method to check in lowercase").
      const name = String(param(params, 'name', 'NAME') ?? '').trim();
      const def = findMethod(portal, name);
      return {
        isExisting: Boolean(def),
        isAvailable: Boolean(def) && (def.scope === null || webhook.scopes.includes(def.scope)),
      };
    },
  },
  profile: {
    scope: null,
    run: ({ user }) => ({
      ID: String(user.id),
      ADMIN: user.admin,
      NAME: user.name,
      LAST_NAME: user.lastName,
      PERSONAL_GENDER: user.gender,
      PERSONAL_PHOTO: '',
      TIME_ZONE: '',
      TIME_ZONE_OFFSET: 0,
    }),
  },
  'user.current': {
    scope: 'user',
    run: ({ user }) => ({
      ID: String(user.id),
      XML_ID: '',
      ACTIVE: user.active,
      NAME: user.name,
      LAST_NAME: user.lastName,
      SECOND_NAME: '',
      EMAIL: `${user.name.toLowerCase()}@example.com`,
      PERSONAL_GENDER: user.gender,
      IS_ONLINE: 'Y',
      USER_TYPE: 'employee',
    }),
  },
  scope: {
    scope: null,
    run: ({ webhook, params }) => {
      const full = param(params, 'full', 'FULL');
      if (full !== undefined && !['0', 'false', 'N', false].includes(full)) {
        return ['basic', 'im', 'imopenlines', 'user', 'crm', 'placement'];
      }
      return [...webhook.scopes];
    },
  },
  'server.time': {
    scope: null,
    run: ({ portal, now }) => isoWithOffset(now, portal.timezoneOffsetMinutes),
  },
};

/**
 * @param {PortalState} portal
 * @param {string} name normalised method name.
 * @returns {MethodDef | undefined} undefined when unknown or its module is off on this portal.
 */
function findMethod(portal, name) {
  if (name === 'batch') return { scope: null, run: () => null };
  const def = Object.hasOwn(METHODS, name) ? METHODS[name] : undefined;
  if (def?.module === 'imopenlines' && !portal.imopenlines) return undefined;
  return def;
}

/**
 * Executes REST requests against portal state, applying authentication, scopes and both limits.
 */
export class RestApi {
  /**
   * @param {object} deps
   * @param {() => number} deps.now clock in milliseconds.
   * @param {import('./limits.mjs').LeakyBuckets} deps.buckets
   * @param {import('./limits.mjs').OperatingLimits} deps.operating
   */
  constructor({ now, buckets, operating }) {
    this.now = now;
    this.buckets = buckets;
    this.operating = operating;
  }

  /**
   * Answers one REST request.
   * @param {object} req
   * @param {PortalState} req.portal
   * @param {NonNullable<ReturnType<typeof parseRestPath>>} req.route
   * @param {Record<string, unknown>} req.params
   * @param {boolean} req.secure false on the plain-http listener.
   * @param {string} req.remoteAddress source IP (leaky-bucket key).
   * @param {{ result?: unknown }} [req.override] a `result` fault: replaces the method's result, skipping it.
   * @param {ReturnType<import('./sessions.mjs').SessionStore['restAuth']>} [req.session] the session provider's
   *   verdict on a path without webhook credentials (null or absent: it did not act).
   * @returns {{ status: number, payload: Record<string, unknown> }}
   */
  handle({ portal, route, params, secure, remoteAddress, override, session }) {
    const started = this.now();
    try {
      if (!secure) throw new RestError('INVALID_REQUEST', 401);
      if (portal.limits) {
        const { allowed } = this.buckets.take(`${portal.host}|${remoteAddress}`, portal.limits);
        if (!allowed) throw new RestError('QUERY_LIMIT_EXCEEDED', 503);
      }
      const { user, webhook } = this.authenticate(portal, route, session);
      if (route.method === 'batch') return this.batch(portal, user, webhook, params, started, override);
      const answer = this.call(portal, user, webhook, route.method, params, started, override);
      if (answer.ok) return { status: 200, payload: { result: answer.result, time: answer.time } };
      return { status: answer.status, payload: answer.payload };
    } catch (e) {
      if (!(e instanceof RestError)) throw e;
      return this.errorAnswer(portal, e);
    }
  }

  /**
   * @param {PortalState} portal
   * @param {RestError} e
   * @returns {{ status: number, payload: Record<string, unknown> }}
   */
  errorAnswer(portal, e) {
    /** @type {Record<string, unknown>} */
    const payload = { error: e.code };
    if (e.description !== undefined) payload.error_description = e.description;
    if (e.extra) Object.assign(payload, e.extra);
    return { status: portal.errorStatuses[e.code] ?? e.status, payload };
  }

  /**
   * @param {PortalState} portal
   * @param {NonNullable<ReturnType<typeof parseRestPath>>} route
   * @param {ReturnType<import('./sessions.mjs').SessionStore['restAuth']>} [session]
   * @returns {{ user: User, webhook: Webhook }} for session auth a stand-in webhook with every scope.
   */
  authenticate(portal, route, session) {
    if ((route.userId === null || !route.secret) && session) {
      // Session auth: refused requests never run the method; accepted ones have every scope, no plan check.
      if (session.error) {
        const { code, description, sessid } = session.error;
        throw new RestError(code, 401, description, { sessid });
      }
      const user = /** @type {User} */ (session.user);
      return { user, webhook: { userId: user.id, secret: '#session', scopes: [...SESSION_SCOPES] } };
    }
    if (route.userId === null || !route.secret) throw new RestError('NO_AUTH_FOUND', 401);
    const webhook = portal.webhooks.find((w) => w.userId === route.userId && w.secret === route.secret);
    const user = portal.users.find((u) => u.id === route.userId);
    if (!webhook || !user) throw new RestError('INVALID_CREDENTIALS', 401);
    if (!user.active) throw new RestError('authorization_error', 401);
    return { user, webhook };
  }

  /**
   * Runs one method (top level or inside `batch`).
   * @param {PortalState} portal
   * @param {User} user
   * @param {Webhook} webhook
   * @param {string} method normalised name.
   * @param {Record<string, any>} params
   * @param {number} started ms.
   * @param {{ result?: unknown }} [override]
   * @returns {{ ok: true, result: unknown, time: Record<string, unknown> } |
   *   { ok: false, status: number, payload: Record<string, unknown> }}
   */
  call(portal, user, webhook, method, params, started, override) {
    const opKey = `${portal.host}|${user.id}|${webhook.secret}|${method}`;
    try {
      const def = findMethod(portal, method);
      if (!def || method === 'batch') throw new RestError('ERROR_METHOD_NOT_FOUND', 404);
      if (def.scope !== null && !webhook.scopes.includes(def.scope))
        throw new RestError('insufficient_scope', 401);
      if (portal.limits) {
        const state = this.operating.check(opKey, portal.limits);
        if (state.blocked) {
          const error = this.errorAnswer(portal, new RestError('OPERATION_TIME_LIMIT', 429));
          error.payload.time = this.time(portal, started, 0, state);
          return { ok: false, ...error };
        }
      }
      const result =
        override && 'result' in override
          ? override.result
          : def.run({ portal, user, webhook, params, now: this.now() });
      const cost = portal.methodCosts[method] ?? 0;
      if (portal.limits) this.operating.add(opKey, cost);
      const state = portal.limits ? this.operating.check(opKey, portal.limits) : undefined;
      return { ok: true, result, time: this.time(portal, started, cost, state) };
    } catch (e) {
      if (!(e instanceof RestError)) throw e;
      return { ok: false, ...this.errorAnswer(portal, e) };
    }
  }

  /**
   * The `time` block of an envelope.
   * @param {PortalState} portal
   * @param {number} started ms.
   * @param {number} cost simulated execution seconds (counted as processing).
   * @param {{ operating: number, resetAt: number }} [operating] present on portals with limits.
   */
  time(portal, started, cost, operating) {
    const elapsed = Math.max(0, this.now() - started) / 1000;
    const duration = elapsed + cost;
    const start = started / 1000;
    /** @type {Record<string, unknown>} */
    const time = {
      start,
      finish: start + duration,
      duration,
      processing: cost,
      date_start: isoWithOffset(started, portal.timezoneOffsetMinutes),
      date_finish: isoWithOffset(started + duration * 1000, portal.timezoneOffsetMinutes),
    };
    if (portal.cloud) {
      time.operating_reset_at = operating?.resetAt ?? Math.floor(start) + 600;
      time.operating = operating?.operating ?? 0;
    }
    return time;
  }

  /**
   * `batch`: `cmd` (object or list) of `"method?query"` strings, at most 50; `halt` stops at the first error;
   * `$result[key][field]…` in a command's parameters is replaced by an earlier result.
   * @param {PortalState} portal
   * @param {User} user
   * @param {Webhook} webhook
   * @param {Record<string, any>} params
   * @param {number} started
   * @param {{ result?: unknown }} [override]
   */
  batch(portal, user, webhook, params, started, override) {
    const cmd = params.cmd ?? params.CMD;
    const entries = cmd && typeof cmd === 'object' ? Object.entries(cmd) : [];
    if (entries.length > BATCH_MAX_COMMANDS) throw new RestError('ERROR_BATCH_LENGTH_EXCEEDED', 400);
    const halt = ['1', 'true', 'Y', 1, true].includes(params.halt ?? params.HALT);
    /** @type {Record<string, unknown>} */
    const results = {};
    /** @type {[string, unknown][]} */
    const okEntries = [];
    /** @type {[string, unknown][]} */
    const errEntries = [];
    /** @type {[string, unknown][]} */
    const timeEntries = [];
    for (const [key, command] of entries) {
      const text = String(command);
      const q = text.indexOf('?');
      const method = normaliseMethod(q < 0 ? text : text.slice(0, q));
      const subParams = substituteResults(parsePhpQuery(q < 0 ? '' : text.slice(q + 1)), results);
      const subStart = this.now();
      const answer =
        method === 'batch'
          ? {
              ok: false,
              payload: {
                error: 'ERROR_BATCH_METHOD_NOT_ALLOWED',
                error_description: ERROR_TEXT.ERROR_BATCH_METHOD_NOT_ALLOWED,
              },
            }
          : this.call(portal, user, webhook, method, subParams, subStart);
      if (answer.ok) {
        results[key] = answer.result;
        okEntries.push([key, answer.result]);
        timeEntries.push([key, answer.time]);
      } else {
        errEntries.push([key, answer.payload]);
        if (halt) break;
      }
    }
    const result = {
      result: phpArray(okEntries),
      result_error: phpArray(errEntries),
      result_total: [],
      result_next: [],
      result_time: phpArray(timeEntries),
    };
    const final = override && 'result' in override ? override.result : result;
    return { status: 200, payload: { result: final, time: this.time(portal, started, 0, undefined) } };
  }
}

const REF = /\$result\[([^\]]+)\]((?:\[[^\]]*\])*)/g;

/**
 * Replaces `$result[key][a][b]` references in every string of `params` with values from earlier results.
 * A string that is exactly one reference takes the referenced value as is (lists stay lists).
 * @param {unknown} value
 * @param {Record<string, unknown>} results
 * @returns {any}
 */
function substituteResults(value, results) {
  if (typeof value === 'string') {
    const whole = new RegExp(`^${REF.source}$`).exec(value);
    if (whole) {
      const v = resolveRef(whole[1], whole[2], results);
      return v === undefined ? value : v;
    }
    return value.replace(REF, (m, key, path) => {
      const v = resolveRef(key, path, results);
      return v === undefined || typeof v === 'object' ? m : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substituteResults(v, results));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteResults(v, results)]));
  }
  return value;
}

/**
 * @param {string} key
 * @param {string} path `[a][b]`
 * @param {Record<string, any>} results
 */
function resolveRef(key, path, results) {
  if (!Object.hasOwn(results, key)) return undefined;
  let v = results[key];
  for (const [, seg] of path.matchAll(/\[([^\]]*)\]/g)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[seg];
  }
  return v;
}

/**
 * Serialises a payload as the simple XML `.xml` answers use: `<response><result>…</result>…</response>`.
 * @param {unknown} payload
 * @returns {string}
 */
export function toXml(payload) {
  return `<?xml version="1.0" encoding="utf-8"?>\n<response>${xmlValue(payload)}</response>`;
}

/** @param {unknown} v @returns {string} */
function xmlValue(v) {
  if (Array.isArray(v)) return v.map((x) => `<item>${xmlValue(x)}</item>`).join('');
  if (v && typeof v === 'object') {
    return Object.entries(v)
      .map(([k, x]) => {
        const tag = /^[A-Za-z_][\w.-]*$/.test(k) ? k : 'item';
        const attr = tag === k ? '' : ` key="${escapeXml(k)}"`;
        return `<${tag}${attr}>${xmlValue(x)}</${tag}>`;
      })
      .join('');
  }
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (v === null || v === undefined) return '';
  return escapeXml(String(v));
}

/** @param {string} s */
function escapeXml(s) {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
