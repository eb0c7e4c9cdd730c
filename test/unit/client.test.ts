import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { callMethod, classifyAnswer } from '@/utils/bitrix24/client';
import { ERROR_CODES } from '@/utils/bitrix24/errors';

const JSON_TYPE = 'application/json; charset=utf-8';
const BASE = 'https://acme.bitrix24.com/rest/7/s3cr3tcode/';

describe('classifyAnswer: the error table of bitrix24-rest.md', () => {
  it.each([
    ['NO_AUTH_FOUND', 401, 'webhook-invalid'],
    ['INVALID_CREDENTIALS', 401, 'webhook-invalid'],
    ['INVALID_CREDENTIALS', 403, 'webhook-invalid'],
    ['authorization_error', 401, 'user-deactivated'],
    ['insufficient_scope', 401, 'missing-scope'],
    ['insufficient_scope', 403, 'missing-scope'],
    ['INVALID_REQUEST', 401, 'https-required'],
    ['INVALID_REQUEST', 400, 'https-required'],
    ['ACCESS_DENIED', 401, 'access-denied'],
    ['ACCESS_DENIED', 403, 'access-denied'],
    ['ACCESS_DENIED', 400, 'access-denied'],
    ['OVERLOAD_LIMIT', 401, 'rest-blocked'],
    ['OVERLOAD_LIMIT', 503, 'rest-blocked'],
    ['QUERY_LIMIT_EXCEEDED', 503, 'rate-limited'],
    ['QUERY_LIMIT_EXCEEDED', 429, 'rate-limited'],
    ['OPERATION_TIME_LIMIT', 429, 'operation-limit'],
    ['ERROR_METHOD_NOT_FOUND', 404, 'method-not-found'],
    ['PORTAL_DELETED', 403, 'portal-deleted'],
    ['PORTAL_DELETED', 500, 'portal-deleted'],
    ['PORTAL_DELETED', 410, 'portal-deleted'],
    ['INTERNAL_SERVER_ERROR', 500, 'server-error'],
    ['ERROR_UNEXPECTED_ANSWER', 500, 'server-error'],
    ['expired_token', 401, 'webhook-invalid'],
    ['invalid_token', 401, 'webhook-invalid'],
    ['ERROR_USER_NOT_OPERATOR', 400, 'not-your-dialog'],
    ['CHAT_ID_EMPTY', 400, 'dialog-gone'],
    ['CHAT_ID', 400, 'dialog-gone'],
    ['CHAT_TYPE', 400, 'dialog-gone'],
    ['SOMETHING_NEW', 400, 'unknown-error'],
  ])('%s with status %i → %s, by code not status', (code, status, kind) => {
    for (const body of [
      { error: code, error_description: 'text' },
      { error: code, error_description: '' },
      { error: code },
      { error: code.toLowerCase() },
    ]) {
      expect(classifyAnswer(status, JSON_TYPE, JSON.stringify(body))).toEqual({
        ok: false,
        error: { kind, code: body.error, status },
      });
    }
  });

  it('every code of the taxonomy is in the table above', () => {
    expect(Object.keys(ERROR_CODES).sort()).toEqual(
      [
        'NO_AUTH_FOUND',
        'INVALID_CREDENTIALS',
        'ERROR_USER_NOT_OPERATOR',
        'CHAT_ID_EMPTY',
        'CHAT_ID',
        'CHAT_TYPE',
        'AUTHORIZATION_ERROR',
        'INSUFFICIENT_SCOPE',
        'INVALID_REQUEST',
        'ACCESS_DENIED',
        'OVERLOAD_LIMIT',
        'QUERY_LIMIT_EXCEEDED',
        'OPERATION_TIME_LIMIT',
        'ERROR_METHOD_NOT_FOUND',
        'PORTAL_DELETED',
        'INTERNAL_SERVER_ERROR',
        'ERROR_UNEXPECTED_ANSWER',
        'EXPIRED_TOKEN',
        'INVALID_TOKEN',
      ].sort(),
    );
  });

  it.each([
    [
      'login page with 200',
      200,
      'text/html; charset=UTF-8',
      '<!DOCTYPE html><html><body>Login</body></html>',
      'not-rest',
    ],
    ['404 page', 404, 'text/html', '<html><body>Not found</body></html>', 'not-rest'],
    ['HTML without a content type', 200, null, '  <html></html>', 'not-rest'],
    ['502 HTML from a proxy', 502, 'text/html', '<html><h1>502 Bad Gateway</h1></html>', 'server-error'],
    ['truncated JSON', 200, JSON_TYPE, '{"result":[1,2', 'bad-response'],
    ['JSON that is not an object', 200, JSON_TYPE, '[1,2]', 'bad-response'],
    ['JSON null', 200, JSON_TYPE, 'null', 'bad-response'],
    ['no result and no error', 200, JSON_TYPE, '{"time":{}}', 'bad-response'],
    ['500 with garbage', 500, 'text/plain', 'oops', 'server-error'],
  ])('%s → %s', (_name, status, type, body, kind) => {
    expect(classifyAnswer(status, type, body)).toEqual({ ok: false, error: { kind, status } });
  });

  it('reads result and the operating fields of time, numbers or strings', () => {
    const body = JSON.stringify({
      result: [339, 337],
      time: { operating_reset_at: '1773673838', operating: 0 },
    });
    expect(classifyAnswer(200, JSON_TYPE, body)).toEqual({
      ok: true,
      result: [339, 337],
      time: { operatingResetAt: 1773673838, operating: 0 },
    });
  });

  it('property: never throws, always a typed value', () => {
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((j) => JSON.stringify({ result: j })),
    );
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.option(fc.string()), body, (status, type, text) => {
        const r = classifyAnswer(status, type, text);
        return r.ok ? 'result' in r : typeof r.error.kind === 'string';
      }),
      { numRuns: 10_000 },
    );
  });
});

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': JSON_TYPE, ...headers },
  });
}

describe('callMethod', () => {
  it('POSTs JSON to BASE + method + .json without following redirects', async () => {
    const fetch = vi.fn(async () => answer(200, { result: [1652, 1653], time: {} }));
    const r = await callMethod(BASE, 'imopenlines.session.mode.pinAll', {}, { timeoutMs: 1000, fetch });
    expect(r).toEqual({ ok: true, result: [1652, 1653], time: {} });
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe(`${BASE}imopenlines.session.mode.pinAll.json`);
    expect(init).toMatchObject({ method: 'POST', body: '{}', redirect: 'manual', credentials: 'omit' });
  });

  it('a 3xx becomes portal-moved with the new origin, and the secret is never sent there', async () => {
    const fetch = vi.fn(async () =>
      answer(302, '', { location: 'https://new.bitrix24.com/rest/7/s3cr3tcode/x.json' }),
    );
    const r = await callMethod(BASE, 'profile', {}, { timeoutMs: 1000, fetch });
    expect(r).toEqual({
      ok: false,
      error: { kind: 'portal-moved', status: 302, movedTo: 'https://new.bitrix24.com' },
    });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('a redirect back to the same portal is a login or proxy page, not a move', async () => {
    const fetch = vi.fn(async () => answer(302, '', { location: '/auth/?backurl=%2Frest%2F' }));
    const r = await callMethod(BASE, 'profile', {}, { timeoutMs: 1000, fetch });
    expect(r).toEqual({ ok: false, error: { kind: 'not-rest', status: 302 } });
  });

  it('an opaque redirect (browsers hide Location) is resolved by a secret-free probe that follows it', async () => {
    const fetch = vi.fn(async (input: RequestInfo | URL) => {
      if (String(input).includes('s3cr3tcode'))
        return Object.assign(new Response(null, { status: 200 }), {}) as Response;
      const probe = new Response('<html></html>', { status: 200, headers: { 'content-type': 'text/html' } });
      Object.defineProperty(probe, 'url', { value: 'https://renamed.bitrix24.com/rest/' });
      return probe;
    });
    // The first answer stands in for Chrome's opaqueredirect (type is read-only on real Responses).
    fetch.mockImplementationOnce(async () => {
      const r = new Response(null, { status: 200 });
      Object.defineProperty(r, 'type', { value: 'opaqueredirect' });
      Object.defineProperty(r, 'status', { value: 0 });
      return r;
    });
    const r = await callMethod(BASE, 'profile', {}, { timeoutMs: 1000, fetch });
    expect(r).toEqual({
      ok: false,
      error: { kind: 'portal-moved', movedTo: 'https://renamed.bitrix24.com' },
    });
    expect(fetch.mock.calls.filter(([u]) => String(u).includes('s3cr3tcode'))).toHaveLength(1);
  });

  it('no reply within the timeout → no-reply, one request only', async () => {
    const fetch = vi.fn(
      (_url: RequestInfo | URL, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    );
    const r = await callMethod(BASE, 'imopenlines.session.mode.pinAll', {}, { timeoutMs: 20, fetch });
    expect(r).toEqual({ ok: false, error: { kind: 'no-reply' } });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('a TypeError with an unreachable portal → network; the probe carries no secret', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const r = await callMethod(BASE, 'imopenlines.session.mode.pinAll', {}, { timeoutMs: 1000, fetch });
    expect(r).toEqual({ ok: false, error: { kind: 'network' } });
    const probeUrl = (fetch.mock.calls[1] as unknown as [string])[0];
    expect(probeUrl).toBe('https://acme.bitrix24.com/rest/server.time.json');
    expect(probeUrl).not.toContain('s3cr3tcode');
  });

  it('a connection lost mid-request while the portal is reachable → no-reply (the pin may have happened)', async () => {
    const fetch = vi.fn(async (input: RequestInfo | URL) => {
      const url = String(input);
      if (url.includes('s3cr3tcode')) throw new TypeError('network error');
      return answer(401, { error: 'NO_AUTH_FOUND' });
    });
    const r = await callMethod(BASE, 'imopenlines.session.mode.pinAll', {}, { timeoutMs: 1000, fetch });
    expect(r).toEqual({ ok: false, error: { kind: 'no-reply' } });
    expect(fetch.mock.calls.filter(([u]) => String(u).includes('s3cr3tcode'))).toHaveLength(1);
  });
});

describe('portal-controlled strings are bounded before they are stored or shown', () => {
  it('an error code of any length and characters is cut and cleaned, its kind still classified', () => {
    const long = `INVALID_CREDENTIALS${'<b>x</b>'.repeat(200)}`;
    const r = classifyAnswer(401, 'application/json', JSON.stringify({ error: long }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code!.length).toBeLessThanOrEqual(64);
    expect(r.error.code).toMatch(/^[\w.:?-]+$/);
  });
  it('a known code keeps its original spelling', () => {
    const r = classifyAnswer(401, 'application/json', JSON.stringify({ error: 'insufficient_scope' }));
    expect(r).toMatchObject({ ok: false, error: { kind: 'missing-scope', code: 'insufficient_scope' } });
  });
});
