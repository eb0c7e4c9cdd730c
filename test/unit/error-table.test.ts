// @vitest-environment node
// Walks the error table of utils/bitrix24/errors.ts against the HTTPS Bitrix24 emulator: every documented code
// with every documented status, with and without a description, in either case, goes over the wire and through
// the client's classification. The table itself is checked against docs/bitrix24.md ("Errors and statuses"), copied
// below as an independent oracle, so a code added to the table without its documented kind and statuses fails.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callMethod, classifyAnswer } from '@/utils/bitrix24/client';
import {
  CODE_ROWS,
  ERROR_CODES,
  ERROR_KINDS,
  ERROR_TABLE,
  type ErrorKind,
  FAULT_ROWS,
  type FaultName,
  faultKind,
  isCodeRow,
  kindOfCode,
  LOGIN_CODE_ROWS,
  LOGIN_PATH_KINDS,
} from '@/utils/bitrix24/errors';
import { createPinAll, PIN_ALL_METHOD, parseSessionIds } from '@/utils/bitrix24/pin-all';
import { errorMessage } from '@/utils/outcome-text';
import { type Emulator, startEmulator } from '../emulator/index.mjs';

/** docs/bitrix24.md, "Errors and statuses": code → kind the operator must be told, and the documented statuses. */
const DOCUMENTED: Record<string, { kind: ErrorKind; statuses: number[] }> = {
  NO_AUTH_FOUND: { kind: 'webhook-invalid', statuses: [401] },
  INVALID_CREDENTIALS: { kind: 'webhook-invalid', statuses: [401, 403] },
  authorization_error: { kind: 'user-deactivated', statuses: [401] },
  insufficient_scope: { kind: 'missing-scope', statuses: [401, 403] },
  INVALID_REQUEST: { kind: 'https-required', statuses: [401, 400] },
  ACCESS_DENIED: { kind: 'access-denied', statuses: [401, 403, 400] },
  OVERLOAD_LIMIT: { kind: 'rest-blocked', statuses: [401, 503] },
  QUERY_LIMIT_EXCEEDED: { kind: 'rate-limited', statuses: [503, 429] },
  OPERATION_TIME_LIMIT: { kind: 'operation-limit', statuses: [429] },
  ERROR_METHOD_NOT_FOUND: { kind: 'method-not-found', statuses: [404] },
  PORTAL_DELETED: { kind: 'portal-deleted', statuses: [403, 500, 410] },
  INTERNAL_SERVER_ERROR: { kind: 'server-error', statuses: [500] },
  ERROR_UNEXPECTED_ANSWER: { kind: 'server-error', statuses: [500] },
  expired_token: { kind: 'webhook-invalid', statuses: [401] },
  invalid_token: { kind: 'webhook-invalid', statuses: [401] },
  // imopenlines.session.mode.pin (one dialog, used by Undo): its documented errors, and the server's answer
  // when the dialog now belongs to another operator.
  ERROR_USER_NOT_OPERATOR: { kind: 'not-your-dialog', statuses: [400] },
  CHAT_ID_EMPTY: { kind: 'dialog-gone', statuses: [400] },
  CHAT_ID: { kind: 'dialog-gone', statuses: [400] },
  CHAT_TYPE: { kind: 'dialog-gone', statuses: [400] },
};

const PORTAL = 'https://demo.bitrix24.com';
const BASE = `${PORTAL}/rest/7/demosecret123/`;
const PIN_URL = `${BASE}${PIN_ALL_METHOD}.json`;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.reset();
});

/** POSTs `{}` to pinAll the way the client does and classifies the answer with the client's own function. */
async function postAndClassify() {
  const r = await emu.request(PIN_URL, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  const contentType = r.headers['content-type'];
  return classifyAnswer(r.status, typeof contentType === 'string' ? contentType : null, r.text);
}

/** `fetch` on top of the emulator's Node client, honouring the abort signal, so `callMethod` runs unchanged. */
const emulatorFetch: typeof fetch = (input, init) =>
  new Promise<Response>((resolve, reject) => {
    const signal = init?.signal;
    const abort = () => reject(new DOMException('aborted', 'AbortError'));
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort);
    emu
      .request(String(input), {
        method: init?.method ?? 'GET',
        headers: init?.headers as Record<string, string> | undefined,
        body: typeof init?.body === 'string' ? init.body : undefined,
        timeoutMs: 5000,
      })
      .then(
        (r) => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve(new Response(r.status === 204 ? null : r.text, { status: r.status, headers }));
        },
        () => reject(new TypeError('fetch failed')),
      )
      .finally(() => signal?.removeEventListener('abort', abort));
  });

describe('the error table matches docs/bitrix24.md', () => {
  it('lists exactly the documented codes, each with its documented kind and statuses', () => {
    expect(
      Object.fromEntries(CODE_ROWS.map((r) => [r.code, { kind: r.kind, statuses: [...r.statuses] }])),
    ).toEqual(DOCUMENTED);
  });

  it('every code row is mapped: a known kind other than unknown-error, statuses, one row per code in any case', () => {
    const upper = CODE_ROWS.map((r) => r.code.toUpperCase());
    expect(new Set(upper).size).toBe(CODE_ROWS.length);
    for (const row of CODE_ROWS) {
      expect(ERROR_KINDS).toContain(row.kind);
      expect(row.kind).not.toBe('unknown-error');
      expect(row.statuses.length).toBeGreaterThan(0);
      for (const s of row.statuses) expect(s >= 400 && s <= 599).toBe(true);
      expect(kindOfCode(row.code)).toBe(row.kind);
      expect(ERROR_CODES[row.code.toUpperCase()]).toBe(row.kind);
    }
    expect(Object.keys(ERROR_CODES).sort()).toEqual([...upper].sort());
  });

  it('every kind is reached by some row, and every row names a kind and why', () => {
    // The login path's rows and readings (session auth) reach the login kinds.
    const reached = new Set([
      ...ERROR_TABLE.map((r) => r.kind),
      ...LOGIN_CODE_ROWS.map((r) => r.kind),
      ...Object.values(LOGIN_PATH_KINDS),
    ]);
    expect([...ERROR_KINDS].filter((k) => !reached.has(k))).toEqual([]);
    for (const row of ERROR_TABLE) {
      expect(ERROR_KINDS).toContain(row.kind);
      expect(row.meaning.length).toBeGreaterThan(5);
    }
  });

  it('the rows of each answer fault cover every status 100–599 exactly once', () => {
    const answerFaults = new Set(FAULT_ROWS.filter((r) => r.statuses.length > 0).map((r) => r.fault));
    for (const fault of [
      'html-page',
      'invalid-json',
      'not-an-object',
      'no-envelope',
      'unknown-code',
    ] as const) {
      expect(answerFaults.has(fault)).toBe(true);
      const rows = FAULT_ROWS.filter((r) => r.fault === fault);
      for (let status = 100; status <= 599; status++) {
        const matching = rows.filter((r) => r.statuses.some(([a, b]) => status >= a && status <= b));
        expect(matching, `${fault} ${status}`).toHaveLength(1);
      }
    }
  });

  it('every kind has a non-empty message of its own (English, from locales/en.yml)', () => {
    const messages = ERROR_KINDS.map((kind) => errorMessage({ kind }));
    for (const [i, m] of messages.entries()) {
      expect(m, ERROR_KINDS[i]).toMatch(/\w{3,}.*\w{3,}/);
      expect(m).not.toMatch(/^error\.|\$\d/);
    }
    expect(new Set(messages).size).toBe(ERROR_KINDS.length);
    // The variants that fill in a value are messages too.
    expect(errorMessage({ kind: 'operation-limit', resetAt: Date.UTC(2026, 2, 16, 18, 10) })).toMatch(
      /Try again after \S/,
    );
    expect(errorMessage({ kind: 'portal-moved', movedTo: 'https://new.bitrix24.com' })).toContain(
      'https://new.bitrix24.com',
    );
    expect(errorMessage({ kind: 'unknown-error', code: 'SOMETHING_NEW' })).toContain('SOMETHING_NEW');
  });
});

describe('every code × documented status × description × case, over the wire', () => {
  it.each(CODE_ROWS.map((row) => [row.code, row] as const))('%s', async (_code, row) => {
    let walked = 0;
    for (const status of row.statuses) {
      for (const code of new Set([row.code.toUpperCase(), row.code.toLowerCase()])) {
        for (const description of ['Some text.', '', undefined]) {
          emu.fault({ method: PIN_ALL_METHOD, error: code, status, description });
          const answer = await postAndClassify();
          const label = `${code} ${status} description=${JSON.stringify(description)}`;
          expect(answer, label).toEqual({ ok: false, error: { kind: row.kind, code, status } });
          walked++;
        }
      }
    }
    expect(walked).toBe(row.statuses.length * 2 * 3);
    expect(emu.restCalls(PIN_ALL_METHOD)).toHaveLength(walked);
    expect(emu.restCalls(PIN_ALL_METHOD).every((r) => r.status !== 200)).toBe(true);
  });

  it('a code not in the table is unknown-error, with the code kept for the message', async () => {
    emu.fault({ method: PIN_ALL_METHOD, error: 'SOMETHING_NEW', status: 400, description: 'x' });
    expect(await postAndClassify()).toEqual({
      ok: false,
      error: { kind: 'unknown-error', code: 'SOMETHING_NEW', status: 400 },
    });
  });
});

describe('answers that are not REST, over the wire', () => {
  it.each([200, 401, 403, 404, 410, 500, 502, 503, 504])(
    'an HTML page with status %i → not-rest below 500, server-error from 500',
    async (status) => {
      emu.fault({ method: PIN_ALL_METHOD, html: '<!DOCTYPE html><html><body>Page</body></html>', status });
      expect(await postAndClassify()).toEqual({
        ok: false,
        error: { kind: status >= 500 ? 'server-error' : 'not-rest', status },
      });
    },
  );

  it.each([
    ['truncated JSON', '{"result":[1652,16', 200, 'bad-response'],
    ['truncated JSON with a 502', '{"error":"INTERN', 502, 'server-error'],
    ['a JSON array', '[1652,1653]', 200, 'bad-response'],
    ['JSON null', 'null', 200, 'bad-response'],
    ['an object without result or error', '{"time":{"start":1}}', 200, 'bad-response'],
    ['an empty body', '', 200, 'bad-response'],
  ])('%s → %s', async (_name, body, status, kind) => {
    emu.fault({ method: PIN_ALL_METHOD, body, status });
    expect(await postAndClassify()).toEqual({ ok: false, error: { kind, status } });
  });

  it('{result: "x"} is a success envelope whose result is not session IDs: pinAll reports bad-response', async () => {
    emu.fault({ method: PIN_ALL_METHOD, result: 'x' });
    const answer = await postAndClassify();
    expect(answer).toMatchObject({ ok: true, result: 'x' });
    expect(answer.ok && parseSessionIds(answer.result)).toBeNull();

    emu.fault({ method: PIN_ALL_METHOD, result: 'x' });
    const pinAll = createPinAll({
      webhookOf: async () => BASE,
      call: (base, method) => callMethod(base, method, {}, { timeoutMs: 5000, fetch: emulatorFetch }),
      lastOutcome: async () => null,
      operatingResetAt: async () => undefined,
      rememberOperatingResetAt: async () => {},
      now: () => Date.now(),
      sleep: async () => {},
      record: async () => {},
    });
    const { outcome } = await pinAll(PORTAL, 'popup');
    expect(outcome).toMatchObject({ ok: false, error: { kind: faultKind('unexpected-result', 200) } });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'bad-response', status: 200 } });
  });
});

describe('transport faults through callMethod, over the wire', () => {
  const call = (base: string, opts: { timeoutMs?: number; fetch?: typeof fetch } = {}) =>
    callMethod(
      base,
      PIN_ALL_METHOD,
      {},
      { timeoutMs: 3000, probeTimeoutMs: 2000, fetch: emulatorFetch, ...opts },
    );

  it('a renamed portal (302) → portal-moved with the new origin; the secret is not sent there', async () => {
    const r = await call('https://old.bitrix24.com/rest/7/oldsecret/');
    expect(r).toEqual({
      ok: false,
      error: { kind: 'portal-moved', status: 302, movedTo: 'https://acme.bitrix24.com' },
    });
    expect(emu.requests.filter((q) => q.host === 'acme.bitrix24.com')).toEqual([]);
  });

  it('the connection dropped mid-request, portal reachable → no-reply; one pin request, probe without secret', async () => {
    emu.fault({ method: PIN_ALL_METHOD, drop: true });
    expect(await call(BASE)).toEqual({ ok: false, error: { kind: 'no-reply' } });
    expect(emu.restCalls(PIN_ALL_METHOD)).toHaveLength(1);
    const others = emu.requests.filter((q) => q.restMethod !== 'imopenlines.session.mode.pinall');
    expect(others.length).toBeGreaterThan(0);
    for (const q of others) expect(q.url).not.toContain('demosecret123');
  });

  it('the portal holds the reply → no-reply after the timeout, one request', async () => {
    emu.fault({ method: PIN_ALL_METHOD, noReply: true });
    const started = Date.now();
    expect(await call(BASE, { timeoutMs: 300 })).toEqual({ ok: false, error: { kind: 'no-reply' } });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(emu.restCalls(PIN_ALL_METHOD)).toHaveLength(1);
  });

  it('nothing answers at all → network', async () => {
    const dead: typeof fetch = async () => {
      throw new TypeError('net::ERR_CERT_AUTHORITY_INVALID');
    };
    expect(await call(BASE, { fetch: dead })).toEqual({ ok: false, error: { kind: 'network' } });
  });

  it('every transport kind comes from the table', () => {
    expect(faultKind('timeout')).toBe('no-reply');
    expect(faultKind('connection-lost')).toBe('no-reply');
    expect(faultKind('unreachable')).toBe('network');
    expect(faultKind('redirect', 302)).toBe('portal-moved');
    expect(faultKind('redirect', 0)).toBe('portal-moved');
    expect(ERROR_TABLE.filter((r) => !isCodeRow(r) && r.statuses.length === 0).map((r) => r.kind)).toEqual(
      expect.arrayContaining(['no-reply', 'network', 'no-webhook', 'host-access', 'rate-limited']),
    );
  });

  it('the kind of a fault is what reading the table row by row gives, for every status', () => {
    // The rule as the table states it: the first row of the fault whose ranges hold the status (no status: the
    // fault's first row); none → bad-response.
    const byRows = (fault: FaultName, status?: number) =>
      FAULT_ROWS.find(
        (r) =>
          r.fault === fault &&
          (status === undefined || r.statuses.some(([from, to]) => status >= from && status <= to)),
      )?.kind ?? 'bad-response';
    for (const fault of new Set(FAULT_ROWS.map((r) => r.fault))) {
      expect(faultKind(fault)).toBe(byRows(fault));
      for (let status = 0; status <= 700; status++)
        expect(faultKind(fault, status)).toBe(byRows(fault, status));
    }
  });
});
