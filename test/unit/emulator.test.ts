// @vitest-environment node
// Fidelity of the Bitrix24 emulator against docs/bitrix24.md: if these fail, every e2e test built on the
// emulator proves nothing.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { Window } from 'happy-dom';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  chromiumArgs,
  defaultPortals,
  type Emulator,
  type EmulatorResponse,
  startEmulator,
} from '../emulator/index.mjs';

const T0 = 1_773_673_238_000; // 2026-03-16T15:00:38Z: the start of the docs' example envelope
let clock = T0;
let emu: Emulator;

const DEMO = 'https://demo.bitrix24.com/rest/7/demosecret123/';
const ACME_OPERATOR = 'https://acme.bitrix24.com/rest/7/acmeoperator7/';
const LIMITED = 'https://limited.bitrix24.com/rest/7/limitsecret/';
const JSON_TYPE = 'application/json; charset=utf-8';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const JSON_HEADERS = { 'Content-Type': 'application/json' };

const get = (url: string, headers?: Record<string, string>) => emu.request(url, { headers });
const post = (url: string, body: string, headers: Record<string, string> = JSON_HEADERS) =>
  emu.request(url, { method: 'POST', body, headers });

/** Waits until the emulator's request log holds `count` entries (on a busy machine a request may take a while to arrive). */
async function arrived(count: number): Promise<void> {
  while (emu.requests.length < count) await new Promise((r) => setTimeout(r, 10));
}

function expectError(r: EmulatorResponse, status: number, error: string, description?: string) {
  expect(r.status).toBe(status);
  expect(r.headers['content-type']).toBe(JSON_TYPE);
  const body = r.json();
  expect(body.error).toBe(error);
  if (description !== undefined) expect(body.error_description).toBe(description);
  return body;
}

beforeAll(async () => {
  emu = await startEmulator({
    now: () => clock,
    httpPort: 0,
    portals: [
      ...defaultPortals(),
      {
        host: 'limited.bitrix24.com',
        users: [{ id: 7, name: 'Jane', lastName: 'Doe' }],
        webhooks: [
          { userId: 7, secret: 'limitsecret', scopes: ['imopenlines'] },
          { userId: 7, secret: 'othersecret', scopes: ['imopenlines'] },
        ],
        sessions: [{ id: 1, chatId: 11, operatorId: 7 }],
        methodCosts: { 'imopenlines.session.mode.pinAll': 100 },
      },
      {
        host: 'nomodule.bitrix24.com',
        imopenlines: false,
        users: [{ id: 7 }],
        webhooks: [{ userId: 7, secret: 's', scopes: ['imopenlines'] }],
        errorStatuses: { INVALID_CREDENTIALS: 403 },
      },
    ],
  });
});
afterAll(() => emu?.close());
beforeEach(() => {
  clock = T0;
  emu.reset();
});

describe('certificates and browser flags', () => {
  it('serves every default portal under a certificate its CA vouches for (SNI = portal host)', async () => {
    for (const p of emu.portals) {
      const r = await get(`https://${p.host}/favicon.ico`);
      expect(r.status === 204 || r.status === 302).toBe(true);
    }
  });

  it('spki is the base64 SHA-256 of the leaf SubjectPublicKeyInfo', () => {
    const leaf = `${emu.certDir}/leaf.pem`;
    const der = execFileSync('openssl', ['x509', '-in', leaf, '-pubkey', '-noout']);
    const spkiDer = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: der });
    const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: spkiDer }).toString(
      'base64',
    );
    expect(emu.spki).toBe(digest);
    expect(emu.caPem).toContain('BEGIN CERTIFICATE');
  });

  it('chromiumArgs maps the hosts to the port and pins the SPKI', () => {
    expect(chromiumArgs(emu, ['a.bitrix24.com', 'crm.example.org'])).toEqual([
      `--host-resolver-rules=MAP a.bitrix24.com 127.0.0.1:${emu.port}, MAP crm.example.org 127.0.0.1:${emu.port}, MAP * ~NOTFOUND`,
      `--ignore-certificate-errors-spki-list=${emu.spki}`,
    ]);
    expect(chromiumArgs(emu)[0]).toContain(`MAP demo.bitrix24.com 127.0.0.1:${emu.port}`);
  });
});

describe('REST success envelope', () => {
  it('pinAll pins the webhook user’s active sessions once, with the documented envelope', async () => {
    const r = await post(`${DEMO}imopenlines.session.mode.pinAll.json`, '{}', {
      ...JSON_HEADERS,
      Origin: 'moz-extension://1b2c3d4e-0000-4000-8000-000000000000',
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(JSON_TYPE);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    const body = r.json();
    expect(body.result).toEqual([1652, 1653]);
    expect(Object.keys(body.time)).toEqual([
      'start',
      'finish',
      'duration',
      'processing',
      'date_start',
      'date_finish',
      'operating_reset_at',
      'operating',
    ]);
    expect(body.time.start).toBe(T0 / 1000);
    expect(body.time.date_start).toBe('2026-03-16T16:00:38+01:00');
    expect(body.time.operating_reset_at).toBe(T0 / 1000 + 600);
    expect(
      emu
        .portal('demo.bitrix24.com')
        ?.sessions.filter((s) => s.pinned)
        .map((s) => s.id),
    ).toEqual([1652, 1653]);

    expect((await post(`${DEMO}imopenlines.session.mode.pinAll.json`, '{}')).json().result).toEqual([]);
    const demo = emu.portal('demo.bitrix24.com');
    emu.reset();
    expect(demo?.sessions.some((s) => s.pinned)).toBe(false);
  });

  it('self-hosted portals omit the operating fields', async () => {
    const body = (await get('https://crm.example.org/rest/5/boxsecret5/server.time')).json();
    expect(body.result).toBe('2026-03-16T16:00:38+01:00');
    expect(body.time).not.toHaveProperty('operating');
    expect(body.time).not.toHaveProperty('operating_reset_at');
  });

  it('profile, scope, method.get, unpinAll, dialog.get', async () => {
    expect((await get(`${DEMO}profile`)).json().result).toMatchObject({
      ID: '7',
      ADMIN: false,
      NAME: 'Jane',
      LAST_NAME: 'Doe',
      PERSONAL_GENDER: '',
    });
    expect((await get('https://acme.bitrix24.com/rest/1/acmeadmin1/profile')).json().result).toMatchObject({
      ID: '1',
      ADMIN: true,
    });
    expect((await get(`${DEMO}scope`)).json().result).toEqual(['imopenlines', 'im', 'user']);
    expect((await get(`${DEMO}method.get?name=imopenlines.session.mode.pinall`)).json().result).toEqual({
      isExisting: true,
      isAvailable: true,
    });
    // The server compares the name with its lower-cased method names as given: camel case is "not existing".
    expect((await get(`${DEMO}method.get?name=imopenlines.session.mode.pinAll`)).json().result).toEqual({
      isExisting: false,
      isAvailable: false,
    });
    expect(
      (
        await get(
          'https://acme.bitrix24.com/rest/7/acmenoscope7/method.get?name=imopenlines.session.mode.pinall',
        )
      ).json().result,
    ).toEqual({ isExisting: true, isAvailable: false });
    expect((await get(`${DEMO}method.get?name=no.such.method`)).json().result).toEqual({
      isExisting: false,
      isAvailable: false,
    });
    await post(`${DEMO}imopenlines.session.mode.pinAll`, '');
    expect((await post(`${DEMO}imopenlines.session.mode.unpinAll`, '')).json().result).toEqual([1652, 1653]);
    const dialog = (await get(`${DEMO}imopenlines.dialog.get?SESSION_ID=1653`)).json().result;
    expect(dialog).toMatchObject({ id: 3002, dialog_id: 'chat3002' });
  });

  it('pin takes CHAT_ID and ACTIVATE and answers its documented errors', async () => {
    expect(
      (await post(`${DEMO}imopenlines.session.mode.pin`, '{"CHAT_ID":3001,"ACTIVATE":"Y"}')).json().result,
    ).toBe(true);
    expect(emu.portal('demo.bitrix24.com')?.sessions[0]?.pinned).toBe(true);
    expectError(await post(`${DEMO}imopenlines.session.mode.pin`, '{}'), 400, 'CHAT_ID_EMPTY');
    expectError(await post(`${DEMO}imopenlines.session.mode.pin`, '{"CHAT_ID":999}'), 400, 'CHAT_ID');
    expectError(
      await post(`${DEMO}imopenlines.session.mode.pin`, '{"CHAT_ID":3004}'),
      400,
      'ERROR_USER_NOT_OPERATOR',
    );
  });
});

describe('REST URL forms and bodies', () => {
  it.each(['profile', 'profile.json', 'PROFILE.JSON', 'Profile/', 'profile.json/'])(
    'method part %s is accepted',
    async (method) => {
      const r = await get(`${DEMO}${method}`);
      expect(r.status).toBe(200);
      expect(r.json().result.ID).toBe('7');
    },
  );

  it('the v3 form /rest/api/USER/SECRET/ is the same webhook', async () => {
    const r = await post(
      'https://demo.bitrix24.com/rest/api/7/demosecret123/imopenlines.session.mode.pinAll',
      '{}',
    );
    expect(r.json().result).toEqual([1652, 1653]);
    expect(emu.restCalls('imopenlines.session.mode.pinall')[0]?.apiVersion).toBe(3);
  });

  it('Host with a port and in upper case still routes to the portal', async () => {
    const r = await emu.request(`${DEMO}profile`, { headers: { Host: 'Demo.Bitrix24.com:8443' } });
    expect(r.json().result.ID).toBe('7');
  });

  it('reads form-encoded and multipart bodies, and query parameters', async () => {
    expect(
      (await post(`${DEMO}imopenlines.session.mode.pin`, 'CHAT_ID=3001&ACTIVATE=Y', FORM)).json().result,
    ).toBe(true);
    const boundary = '----emu123';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="SESSION_ID"\r\n\r\n1652\r\n--${boundary}--\r\n`;
    const r = await post(`${DEMO}imopenlines.dialog.get`, multipart, {
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
    });
    expect(r.json().result.id).toBe(3001);
    expect((await post(`${DEMO}imopenlines.dialog.get?SESSION_ID=1653`, '')).json().result.id).toBe(3002);
  });

  it('invalid JSON in the body means no parameters', async () => {
    expectError(await post(`${DEMO}imopenlines.session.mode.pin`, '{"CHAT_ID": 30'), 400, 'CHAT_ID_EMPTY');
    expect((await post(`${DEMO}imopenlines.session.mode.pinAll`, '{oops')).json().result).toEqual([
      1652, 1653,
    ]);
  });

  it('.xml answers XML', async () => {
    const r = await get(`${DEMO}profile.xml`);
    expect(r.headers['content-type']).toContain('xml');
    expect(r.text).toContain('<ID>7</ID>');
  });

  it('answers the CORS preflight and allows any origin', async () => {
    const r = await emu.request(`${DEMO}imopenlines.session.mode.pinAll.json`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(r.status).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['access-control-allow-methods']).toContain('POST');
    expect(r.headers['access-control-allow-headers']).toMatch(/content-type/i);
    expect(emu.portal('demo.bitrix24.com')?.sessions.some((s) => s.pinned)).toBe(false);
  });
});

describe('REST errors', () => {
  it.each([
    ['https://demo.bitrix24.com/rest/demosecret123/', 401, 'NO_AUTH_FOUND'],
    ['https://demo.bitrix24.com/rest/profile.json', 401, 'NO_AUTH_FOUND'],
    ['https://demo.bitrix24.com/rest/7/wrongsecret/profile', 401, 'INVALID_CREDENTIALS'],
    ['https://demo.bitrix24.com/rest/8/demosecret123/profile', 401, 'INVALID_CREDENTIALS'],
    ['https://acme.bitrix24.com/rest/9/acmeformer9/profile', 401, 'authorization_error'],
    ['https://nomodule.bitrix24.com/rest/7/wrong/profile', 403, 'INVALID_CREDENTIALS'],
    [`${DEMO}no.such.method`, 404, 'ERROR_METHOD_NOT_FOUND'],
    ['https://nomodule.bitrix24.com/rest/7/s/imopenlines.session.mode.pinAll', 404, 'ERROR_METHOD_NOT_FOUND'],
  ])('%s → %i %s', async (url, status, code) => {
    const body = expectError(await post(url, '{}'), status, code);
    if (code === 'ERROR_METHOD_NOT_FOUND') expect(body.error_description).toBe('Method not found!');
  });

  it('a webhook without the scope gets insufficient_scope with an empty description', async () => {
    const r = await post(
      'https://acme.bitrix24.com/rest/7/acmenoscope7/imopenlines.session.mode.pinAll',
      '{}',
    );
    expectError(r, 401, 'insufficient_scope', '');
    expect(r.headers['access-control-allow-origin']).toBe('*');
  });

  it('plain http answers INVALID_REQUEST "Https required."', async () => {
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get(
          {
            host: '127.0.0.1',
            port: emu.httpPort,
            path: '/rest/7/demosecret123/profile',
            headers: { Host: 'demo.bitrix24.com' },
          },
          (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        )
        .on('error', reject);
    });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual({ error: 'INVALID_REQUEST', error_description: 'Https required.' });
  });

  it('a renamed portal answers 302 to its new host; an unknown host answers HTML', async () => {
    const moved = await get('https://old.bitrix24.com/rest/1/x/profile.json?a=1');
    expect(moved.status).toBe(302);
    expect(moved.headers.location).toBe('https://acme.bitrix24.com/rest/1/x/profile.json?a=1');
    const unknown = await get('https://nobody.bitrix24.com/rest/1/x/profile');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toContain('text/html');
  });
});

describe('limits', () => {
  it('leaky bucket: the 51st request of a burst gets 503; one second later two more pass', async () => {
    const burst = await Promise.all(Array.from({ length: 50 }, () => get(`${DEMO}server.time`)));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    expectError(await get(`${DEMO}server.time`), 503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
    clock += 1000;
    expect((await get(`${DEMO}server.time`)).status).toBe(200);
    expect((await get(`${DEMO}server.time`)).status).toBe(200);
    expect((await get(`${DEMO}server.time`)).status).toBe(503);
    // Per portal: another portal is untouched.
    expect((await get(`${ACME_OPERATOR}server.time`)).status).toBe(200);
  });

  it('Enterprise limits: 250 burst, drain 5/s', async () => {
    const url = 'https://corp.bitrix24.de/rest/3/corpsecret3/server.time';
    const burst = await Promise.all(Array.from({ length: 250 }, () => get(url)));
    expect(burst.filter((r) => r.status !== 200)).toHaveLength(0);
    expect((await get(url)).status).toBe(503);
    clock += 1000;
    for (let i = 0; i < 5; i++) expect((await get(url)).status).toBe(200);
    expect((await get(url)).status).toBe(503);
  });

  it('operating limit: over 480 s of a method in 10 minutes → 429 for that method and webhook only', async () => {
    const pin = `${LIMITED}imopenlines.session.mode.pinAll`;
    for (let i = 1; i <= 5; i++) {
      const body = (await post(pin, '{}')).json();
      expect(body.time.operating).toBe(100 * i);
      expect(body.time.processing).toBe(100);
      clock += 10_000;
    }
    const blocked = expectError(await post(pin, '{}'), 429, 'OPERATION_TIME_LIMIT');
    expect(blocked.time.operating_reset_at).toBe(T0 / 1000 + 600);
    expect((await post(`${LIMITED}imopenlines.session.mode.unpinAll`, '{}')).status).toBe(200);
    expect(
      (await post('https://limited.bitrix24.com/rest/7/othersecret/imopenlines.session.mode.pinAll', ''))
        .status,
    ).toBe(200);
    clock = T0 + 600_000; // the first call leaves the window: 400 s remain
    expect((await post(pin, '{}')).status).toBe(200);
  });
});

describe('batch', () => {
  it('runs commands in order, resolves $result references and reports sub-errors with HTTP 200', async () => {
    const r = await post(
      `${DEMO}batch`,
      JSON.stringify({
        halt: 0,
        cmd: {
          dialog: 'imopenlines.dialog.get?SESSION_ID=1652',
          pin: 'imopenlines.session.mode.pin?CHAT_ID=$result[dialog][id]&ACTIVATE=Y',
          bad: 'no.such.method',
          time: 'server.time',
        },
      }),
    );
    expect(r.status).toBe(200);
    const { result } = r.json();
    expect(result.result.dialog.id).toBe(3001);
    expect(result.result.pin).toBe(true);
    expect(result.result_error.bad.error).toBe('ERROR_METHOD_NOT_FOUND');
    expect(Object.keys(result.result_time)).toEqual(['dialog', 'pin', 'time']);
    expect(result.result_total).toEqual([]);
    expect(emu.portal('demo.bitrix24.com')?.sessions[0]?.pinned).toBe(true);
  });

  it('a list of commands answers lists; halt stops at the first error; empty errors are []', async () => {
    const ok = (await post(`${DEMO}batch`, JSON.stringify({ cmd: ['server.time', 'profile'] }))).json()
      .result;
    expect(Array.isArray(ok.result)).toBe(true);
    expect(ok.result_error).toEqual([]);
    const halted = (
      await post(`${DEMO}batch`, JSON.stringify({ halt: 1, cmd: ['server.time', 'nope', 'profile'] }))
    ).json().result;
    expect(halted.result).toEqual([expect.any(String)]);
    expect(Object.keys(halted.result_error)).toEqual(['1']);
  });

  it('form-encoded cmd[...] works; more than 50 commands is an error', async () => {
    const form = 'cmd[a]=profile&cmd[b]=scope';
    expect((await post(`${DEMO}batch`, form, FORM)).json().result.result.a.ID).toBe('7');
    const cmd = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`c${i}`, 'server.time']));
    expectError(await post(`${DEMO}batch`, JSON.stringify({ cmd })), 400, 'ERROR_BATCH_LENGTH_EXCEEDED');
  });
});

describe('faults', () => {
  const PIN = `${DEMO}imopenlines.session.mode.pinAll.json`;

  it('error: description given, empty, or omitted', async () => {
    emu
      .fault({ error: 'INTERNAL_SERVER_ERROR', status: 500, description: 'boom' })
      .fault({ error: 'insufficient_scope', status: 403, description: '' })
      .fault({ error: 'QUERY_LIMIT_EXCEEDED', status: 429 });
    expect((await post(PIN, '{}')).json()).toEqual({
      error: 'INTERNAL_SERVER_ERROR',
      error_description: 'boom',
    });
    const scope = await post(PIN, '{}');
    expect(scope.status).toBe(403);
    expect(scope.json()).toEqual({ error: 'insufficient_scope', error_description: '' });
    const limit = await post(PIN, '{}');
    expect(limit.status).toBe(429);
    expect(limit.json()).toEqual({ error: 'QUERY_LIMIT_EXCEEDED' });
    expect((await post(PIN, '{}')).json().result).toEqual([1652, 1653]);
  });

  it('html and raw bodies', async () => {
    emu.fault({ html: '<html><body>Login</body></html>', status: 200 });
    emu.fault({ body: '{"result":[1652,', status: 200, contentType: 'application/json' });
    emu.fault({ body: '"just a string"', status: 200 });
    const html = await post(PIN, '{}');
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.text).toContain('Login');
    expect((await post(PIN, '{}')).text).toBe('{"result":[1652,');
    expect((await post(PIN, '{}')).text).toBe('"just a string"');
    expect(emu.portal('demo.bitrix24.com')?.sessions.some((s) => s.pinned)).toBe(false);
  });

  it('result override: non-sequential keys and strings', async () => {
    emu.fault({ result: { '0': 1652, '2': 1653 } }).fault({ result: ['1652'] });
    expect((await post(PIN, '{}')).json().result).toEqual({ '0': 1652, '2': 1653 });
    const strings = (await post(PIN, '{}')).json();
    expect(strings.result).toEqual(['1652']);
    expect(strings.time).toBeDefined();
  });

  it('delayMs delays the normal answer', async () => {
    emu.fault({ delayMs: 150 });
    const started = Date.now();
    const r = await post(PIN, '{}');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(r.json().result).toEqual([1652, 1653]);
  });

  it('noReply holds the request until reset; drop destroys the socket', async () => {
    emu.fault({ noReply: true });
    await expect(emu.request(PIN, { method: 'POST', body: '{}', timeoutMs: 200 })).rejects.toThrow(/timeout/);
    expect(emu.requests.at(-1)?.status).toBeNull();
    emu.fault({ noReply: true });
    const held = emu.request(PIN, { method: 'POST', body: '{}' });
    await arrived(emu.requests.length + 1);
    emu.reset();
    await expect(held).rejects.toThrow();
    emu.fault({ delayMs: 10_000 });
    const delayed = emu.request(PIN, { method: 'POST', body: '{}' });
    await arrived(emu.requests.length + 1);
    emu.reset();
    await expect(delayed).rejects.toThrow();
    emu.fault({ drop: true });
    await expect(post(PIN, '{}')).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('redirect', async () => {
    emu.fault({ redirect: 'https://new.bitrix24.com/rest/7/demosecret123/', status: 302 });
    const r = await post(PIN, '{}');
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('https://new.bitrix24.com/rest/7/demosecret123/');
  });

  it('matching by host, method and path; times; clearFaults', async () => {
    emu.fault({ host: 'acme.bitrix24.com', error: 'X', status: 500, times: Number.POSITIVE_INFINITY });
    emu.fault({ method: 'profile', error: 'Y', status: 500, times: 2 });
    emu.fault({ path: '/online/', html: '<p>maintenance</p>', status: 503 });
    expect((await post(PIN, '{}')).status).toBe(200);
    expect((await get(`${DEMO}PROFILE.json`)).json().error).toBe('Y');
    expect((await get(`${DEMO}profile`)).json().error).toBe('Y');
    expect((await get(`${DEMO}profile`)).status).toBe(200);
    expect((await get('https://demo.bitrix24.com/online/')).status).toBe(503);
    for (let i = 0; i < 3; i++) expect((await get(`${ACME_OPERATOR}profile`)).json().error).toBe('X');
    emu.clearFaults();
    expect((await get(`${ACME_OPERATOR}profile`)).status).toBe(200);
    expect(emu.pendingFaults).toBe(0);
  });
});

describe('request recording', () => {
  it('records method, host, path, body, REST method, credentials and status', async () => {
    await post(`${DEMO}imopenlines.session.mode.pinAll.json`, '{"a":1}');
    await get('https://demo.bitrix24.com/stream/');
    const [call] = emu.restCalls('imopenlines.session.mode.pinAll.json');
    expect(call).toMatchObject({
      at: T0,
      method: 'POST',
      host: 'demo.bitrix24.com',
      path: '/rest/7/demosecret123/imopenlines.session.mode.pinAll.json',
      url: 'https://demo.bitrix24.com/rest/7/demosecret123/imopenlines.session.mode.pinAll.json',
      body: '{"a":1}',
      restMethod: 'imopenlines.session.mode.pinall',
      userId: 7,
      secret: 'demosecret123',
      status: 200,
    });
    expect(call?.headers['content-type']).toBe('application/json');
    expect(emu.requests).toHaveLength(2);
    expect(emu.restCalls()).toHaveLength(1);
    emu.reset();
    expect(emu.requests).toHaveLength(0);
  });
});

describe('portal pages', () => {
  async function page(url: string) {
    const r = await get(url);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    const window = new Window();
    return new window.DOMParser().parseFromString(r.text, 'text/html');
  }

  it('/ redirects to /stream/', async () => {
    const r = await get('https://demo.bitrix24.com/');
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/stream/');
  });

  it('every page has the left menu, the toolbar and the messenger button', async () => {
    for (const path of ['/stream/', '/online/', '/contact_center/', '/crm/deal/']) {
      const doc = await page(`https://demo.bitrix24.com${path}`);
      for (const id of ['nav-stream', 'nav-online', 'nav-contact-center']) {
        expect(doc.querySelector(`a[data-nav]#${id}`), `${path} #${id}`).not.toBeNull();
      }
      expect(doc.querySelector('#uiToolbarContainer.ui-toolbar .ui-toolbar-title-box')).not.toBeNull();
      expect(doc.querySelector('#open-messenger')).not.toBeNull();
    }
    const box = await page('https://crm.example.org/stream/');
    expect(box.querySelector('#nav-contact-center')?.getAttribute('href')).toBe('/services/contact_center/');
  });

  it('/stream/?slider=openlines: the classic slider with the new Open Lines list', async () => {
    const doc = await page('https://demo.bitrix24.com/stream/?slider=openlines');
    const messenger =
      '.side-panel-overlay > .side-panel-container .bx-im-messenger__slider .bx-im-messenger__scope.bx-im-messenger__container' +
      ' .bx-im-messenger__layout_container > .bx-im-messenger__layout_content';
    expect(doc.querySelector(`${messenger} > .bx-im-messenger__list_container`)).not.toBeNull();
    expect(doc.querySelector(`${messenger} > .bx-im-messenger__content_container`)).not.toBeNull();
    const list =
      '.bx-im-messenger__list_container .bx-imol-list-container-recent__container.bx-imol-messenger__scope';
    expect(doc.querySelector(`${list} > .bx-imol-list-container-recent__header_container`)).not.toBeNull();
    const scroll = doc.querySelector(
      `${list} .bx-imol-list-recent__content > .bx-imol-list-recent__scroll-container`,
    );
    expect(
      scroll?.querySelectorAll('.bx-imol-list-recent__item > .bx-imol-list-recent-item__main_content'),
    ).toHaveLength(3);
    expect(
      scroll?.querySelector(
        '.bx-imol-list-recent__group-item_container > .bx-imol-list-recent__group_name_new',
      ),
    ).not.toBeNull();
    expect(doc.querySelector('#close-slider')).not.toBeNull();
    for (const id of ['layout-chat', 'layout-openlines', 'layout-openlines-legacy']) {
      expect(doc.querySelector(`#${id}`)).not.toBeNull();
    }
  });

  it('/stream/?slider=legacy and /online/?ol=legacy: the legacy iframe', async () => {
    const iframe =
      '.bx-im-messenger__content_container > .bx-im-messenger__openlines_container > .bx-im-content-openlines__container' +
      ' > iframe.bx-im-content-openlines__iframe';
    for (const url of [
      'https://demo.bitrix24.com/stream/?slider=legacy',
      'https://demo.bitrix24.com/online/?ol=legacy',
    ]) {
      const doc = await page(url);
      expect(doc.querySelector(iframe)?.getAttribute('src')).toBe(
        '/desktop_app/?IFRAME=Y&IM_LINES=Y&IM_MENU=N',
      );
    }
    const online = await page('https://demo.bitrix24.com/online/?IM_LINES=chat3001');
    expect(online.querySelector('.side-panel-overlay')).toBeNull();
    expect(online.querySelectorAll('.bx-imol-list-recent__item.--selected')).toHaveLength(1);
  });

  it('/desktop_app/: the legacy Open Lines document', async () => {
    const doc = await page('https://demo.bitrix24.com/desktop_app/?IFRAME=Y&IM_LINES=Y&IM_MENU=N');
    const box = '.bx-desktop #bx-desktop-tab-content-im > .bx-messenger-box';
    expect(doc.querySelector(`${box} > .bx-messenger-box-contact > .bx-messenger-cl-search`)).not.toBeNull();
    const wrap = doc.querySelector(
      `${box} > .bx-messenger-box-contact > .bx-messenger-cl.bx-messenger-recent-lines-container > .bx-messenger-recent-wrap.bx-messenger-recent-lines-wrap`,
    );
    expect(
      wrap?.querySelector('.bx-messenger-recent-group > .bx-messenger-recent-category-title-work'),
    ).not.toBeNull();
    expect(
      wrap?.querySelector('.bx-messenger-cl-item.bx-messenger-cl-id-chat3001[data-userId="chat3001"]'),
    ).not.toBeNull();
    expect(doc.querySelector(`${box} > .bx-messenger-box-dialog > .bx-messenger-panel`)).not.toBeNull();
  });

  it('/contact_center/ and /services/contact_center/', async () => {
    for (const path of ['/contact_center/', '/services/contact_center/']) {
      const doc = await page(`https://demo.bitrix24.com${path}`);
      expect(
        doc.querySelector('#uiToolbarContainer.ui-toolbar .ui-toolbar-right-buttons button'),
      ).not.toBeNull();
      expect(
        doc.querySelector('.intranet-contact-block > #intranet-contact-wrap > #intranet-contact-list'),
      ).not.toBeNull();
    }
  });

  it('the page script: slider, layout switches that replace the DOM, SPA navigation, back, stress hook', async () => {
    const html = (await get('https://demo.bitrix24.com/stream/')).text;
    const window = new Window({
      url: 'https://demo.bitrix24.com/stream/',
      settings: {
        enableJavaScriptEvaluation: true,
        suppressInsecureJavaScriptEnvironmentWarning: true,
        disableIframePageLoading: true,
      },
    });
    const doc = window.document;
    const click = (selector: string) => (doc.querySelector(selector) as unknown as HTMLElement).click();
    try {
      doc.write(html);
      await window.happyDOM.waitUntilComplete();
      click('#open-messenger');
      expect(doc.querySelectorAll('.side-panel-overlay .bx-im-messenger__slider')).toHaveLength(1);
      const before = doc.querySelector('.bx-im-messenger__layout_content');
      click('#layout-openlines');
      expect(doc.querySelector('.bx-im-messenger__layout_content')).not.toBe(before);
      expect(doc.querySelectorAll('.bx-imol-list-recent__item')).toHaveLength(3);
      const stress = (
        window as unknown as { __stressOpenLines: (n: number, s: number) => Promise<{ mutations: number }> }
      ).__stressOpenLines;
      expect((await stress(1000, 0.05)).mutations).toBe(50);
      click('#layout-openlines-legacy');
      expect(doc.querySelector('iframe.bx-im-content-openlines__iframe')).not.toBeNull();
      expect(doc.querySelector('.bx-imol-list-recent__item')).toBeNull();
      click('#close-slider');
      expect(doc.querySelector('.side-panel-overlay')).toBeNull();
      expect(window.location.pathname).toBe('/stream/');

      click('#nav-online-chat');
      expect(window.location.href).toBe('https://demo.bitrix24.com/online/?IM_LINES=chat3001');
      expect(doc.querySelectorAll('.bx-imol-list-recent__item.--selected')).toHaveLength(1);
      click('#nav-contact-center');
      expect(window.location.pathname).toBe('/contact_center/');
      expect(doc.querySelector('#intranet-contact-list')).not.toBeNull();
      expect(doc.querySelector('.bx-imol-list-recent__item')).toBeNull();
      window.history.back();
      await new Promise((r) => setTimeout(r, 20));
      expect(window.location.pathname).toBe('/online/');
      expect(doc.querySelector('#intranet-contact-list')).toBeNull();
      expect(doc.querySelectorAll('.bx-imol-list-recent__item')).toHaveLength(3);
    } finally {
      await window.happyDOM.close();
    }
  });

  it('pages carry the SPA router and test hooks', async () => {
    const r = await get('https://demo.bitrix24.com/stream/');
    for (const hook of ['history.pushState', 'popstate', '__stressOpenLines', '__emu'])
      expect(r.text).toContain(hook);
  });
});
