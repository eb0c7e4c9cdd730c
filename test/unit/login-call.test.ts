// The login path, page side (utils/bitrix24/login-call.ts): the token is read from the page's DOM, sent only as
// a form field of a same-origin POST, retried once with the token a `session_failed` answer carries, and never
// handed back; the listener answers only the background.
import { describe, expect, it, vi } from 'vitest';
import {
  callWithLogin,
  createLoginListener,
  type LoginCallDeps,
  readSessionToken,
} from '@/utils/bitrix24/login-call';
import type { LoginAnswer } from '@/utils/messaging';

const ORIGIN = 'https://acme.bitrix24.com';
const TOKEN = '0123456789abcdef0123456789abcdef';
const FRESH = 'fedcba9876543210fedcba9876543210';
const PIN = 'imopenlines.session.mode.pinAll';

/** A parsed page (scripts are neither run nor loaded, as the content script sees the DOM). */
function page(html: string): Document {
  return new DOMParser().parseFromString(`<!doctype html><html><body>${html}</body></html>`, 'text/html');
}

/** The inline script every portal page prints (`main` module's `BX.message` block). */
const BX_MESSAGE = `<script>(window.BX||top.BX).message({'LANGUAGE_ID':'en','bitrix_sessid':'${TOKEN}','SITE_ID':'s1'});</script>`;

describe('readSessionToken: the token from the page DOM', () => {
  it.each([
    ['the BX.message script', BX_MESSAGE],
    [
      'BX.message with double quotes and spaces',
      `<script>BX.message({ "bitrix_sessid" : "${TOKEN}" })</script>`,
    ],
    ['a hidden sessid input', `<form><input type="hidden" name="sessid" value="${TOKEN}"></form>`],
    ['the script before an input', `${BX_MESSAGE}<input type="hidden" name="sessid" value="${FRESH}">`],
  ])('reads %s', (_, html) => {
    expect(readSessionToken(page(html))).toBe(TOKEN);
  });

  it.each([
    ['no token at all', '<p>hello</p>'],
    ['a script loaded from a URL', `<script src="/x.js">'bitrix_sessid':'${TOKEN}'</script>`],
    ['a token of a strange shape', `<script>BX.message({'bitrix_sessid':'a b<c>'})</script>`],
    ['an empty input', '<input name="sessid" value="">'],
  ])('finds none in %s', (_, html) => {
    expect(readSessionToken(page(html))).toBeNull();
  });
});

interface Sent {
  url: string;
  init: RequestInit;
}

/** A fetch that answers from a list, recording what it was asked. */
function fakeFetch(answers: (Response | Error)[]) {
  const sent: Sent[] = [];
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    sent.push({ url: String(url), init: init ?? {} });
    const next = answers.shift();
    if (!next) throw new TypeError('no more answers');
    if (next instanceof Error) throw next;
    return next;
  }) as unknown as typeof globalThis.fetch;
  return { fetch, sent };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });

const deps = (fetch: typeof globalThis.fetch, html = BX_MESSAGE): LoginCallDeps => ({
  fetch,
  doc: page(html),
  origin: ORIGIN,
});

describe('callWithLogin: the request the portal tab makes', () => {
  it('POSTs a form body sessid=TOKEN to the same-origin /rest/METHOD.json with cookies, no redirects', async () => {
    const { fetch, sent } = fakeFetch([json(200, { result: [1652, 1653], time: {} })]);
    const answer = await callWithLogin(PIN, 5000, deps(fetch));
    expect(answer).toEqual({
      type: 'answer',
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: { type: 'json', value: { result: [1652, 1653], time: {} } },
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe(`${ORIGIN}/rest/${PIN}.json`);
    expect(sent[0]!.url).not.toContain(TOKEN);
    expect(sent[0]!.init).toMatchObject({
      method: 'POST',
      body: `sessid=${TOKEN}`,
      credentials: 'include',
      redirect: 'manual',
    });
    expect((sent[0]!.init.headers as Record<string, string>)['Content-Type']).toBe(
      'application/x-www-form-urlencoded',
    );
  });

  it('retries once with the token a session_failed answer carries, and hands no token back', async () => {
    const refused = { error: 'session_failed', error_description: 'Sessid check failed', sessid: FRESH };
    const { fetch, sent } = fakeFetch([json(401, refused), json(200, { result: [7] })]);
    const answer = await callWithLogin(PIN, 5000, deps(fetch));
    expect(sent.map((s) => s.init.body)).toEqual([`sessid=${TOKEN}`, `sessid=${FRESH}`]);
    expect(answer).toMatchObject({ type: 'answer', status: 200, body: { value: { result: [7] } } });
  });

  it('retries only once: a second session_failed comes back without its sessid', async () => {
    const refused = { error: 'session_failed', error_description: 'Sessid check failed', sessid: FRESH };
    const { fetch, sent } = fakeFetch([json(401, refused), json(401, { ...refused, sessid: TOKEN })]);
    const answer = await callWithLogin(PIN, 5000, deps(fetch));
    expect(sent).toHaveLength(2);
    expect(answer).toEqual({
      type: 'answer',
      status: 401,
      contentType: 'application/json; charset=utf-8',
      body: { type: 'json', value: { error: 'session_failed', error_description: 'Sessid check failed' } },
    });
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
    expect(JSON.stringify(answer)).not.toContain(FRESH);
  });

  it('does not retry "User not authorized", and strips its sessid', async () => {
    const body = { error: 'access_denied', error_description: 'User not authorized', sessid: FRESH };
    const { fetch, sent } = fakeFetch([json(401, body)]);
    const answer = await callWithLogin(PIN, 5000, deps(fetch));
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(answer)).not.toContain(FRESH);
    expect(answer).toMatchObject({ body: { value: { error: 'access_denied' } } });
  });

  it('removes a token the portal echoes anywhere in the body (nested key, inside a text)', async () => {
    const body = {
      result: { sessid: TOKEN, nested: [{ bitrix_sessid: TOKEN }], note: `token ${TOKEN} here` },
    };
    const { fetch } = fakeFetch([json(200, body)]);
    const answer = await callWithLogin('profile', 5000, deps(fetch));
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
    expect(answer).toMatchObject({ body: { value: { result: { nested: [{}], note: '' } } } });
  });

  it('without a token in the page sends an empty one, and the retry uses the portal’s', async () => {
    const refused = { error: 'session_failed', error_description: 'Sessid check failed', sessid: FRESH };
    const { fetch, sent } = fakeFetch([json(401, refused), json(200, { result: [] })]);
    await callWithLogin(PIN, 5000, deps(fetch, '<p>no token</p>'));
    expect(sent.map((s) => s.init.body)).toEqual(['sessid=', `sessid=${FRESH}`]);
  });

  it('hands back an HTML page as just "html" — a login page prints the token too', async () => {
    const html = new Response(`<html><body>${BX_MESSAGE}<form>login</form></body></html>`, {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
    const { fetch } = fakeFetch([html]);
    expect(await callWithLogin(PIN, 5000, deps(fetch))).toEqual({
      type: 'answer',
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: { type: 'html' },
    });
  });

  it('reports a redirect without following it', async () => {
    const redirect = new Response(null, { status: 302, headers: { location: '/auth/' } });
    const { fetch, sent } = fakeFetch([redirect]);
    expect(await callWithLogin(PIN, 5000, deps(fetch))).toEqual({ type: 'redirect', status: 302 });
    expect(sent).toHaveLength(1);
  });

  it('aborts after the timeout: "timeout", the method may have run', async () => {
    const fetch = vi.fn(
      (_url: RequestInfo | URL, init?: RequestInit) =>
        new Promise<Response>((_, reject) => {
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    ) as unknown as typeof globalThis.fetch;
    vi.useFakeTimers();
    try {
      const pending = callWithLogin(PIN, 1000, deps(fetch));
      await vi.advanceTimersByTimeAsync(1000);
      expect(await pending).toEqual({ type: 'timeout' });
      expect(fetch).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('tells a lost connection from an unreachable portal by a probe without the login', async () => {
    const lost = fakeFetch([new TypeError('Failed to fetch'), json(200, { result: 1 })]);
    expect(await callWithLogin(PIN, 5000, deps(lost.fetch))).toEqual({ type: 'failed', reachable: true });
    expect(lost.sent[1]!.init).toMatchObject({ method: 'GET', credentials: 'omit' });
    expect(lost.sent[1]!.init.body).toBeUndefined();
    const down = fakeFetch([new TypeError('Failed to fetch'), new TypeError('Failed to fetch')]);
    expect(await callWithLogin(PIN, 5000, deps(down.fetch))).toEqual({ type: 'failed', reachable: false });
  });

  it('answers an oversized body as not understood rather than passing it on', async () => {
    const big = new Response(`{"result":[${'1,'.repeat(600_000)}1]}`, {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
    const { fetch } = fakeFetch([big]);
    expect(await callWithLogin(PIN, 5000, deps(fetch))).toMatchObject({ body: { type: 'invalid-json' } });
  });
});

describe('createLoginListener: answers only the background', () => {
  const RUNTIME = 'our-extension-id';
  const answer: LoginAnswer = { type: 'timeout' };
  const make = (invalid = false) => {
    const call = vi.fn(async () => answer);
    return { call, listener: createLoginListener({ runtimeId: RUNTIME, isInvalid: () => invalid, call }) };
  };
  const message = { type: 'loginCall', method: PIN, timeoutMs: 20_000 };

  it('makes the call for the background (this extension, no tab)', async () => {
    const { call, listener } = make();
    expect(await listener(message, { id: RUNTIME })).toEqual(answer);
    expect(call).toHaveBeenCalledWith(PIN, 20_000, undefined);
  });

  it.each([
    ['another extension', { id: 'other-extension' }],
    ['no sender id', {}],
    ['a content script of a tab (page-triggered relay)', { id: RUNTIME, tab: { id: 3 } as never }],
  ])('ignores a message from %s', (_, sender) => {
    const { call, listener } = make();
    expect(listener(message, sender)).toBeUndefined();
    expect(call).not.toHaveBeenCalled();
  });

  it.each([
    ['a method outside the fixed set', { ...message, method: 'user.update' }],
    ['extra fields (parameters)', { ...message, params: { ID: 1 } }],
    ['a URL instead of a method', { ...message, method: 'https://evil.example/' }],
    ['an unbounded timeout', { ...message, timeoutMs: 10_000_000 }],
    ['another message type', { type: 'outcome', outcome: {} }],
  ])('ignores %s', (_, bad) => {
    const { call, listener } = make();
    expect(listener(bad, { id: RUNTIME })).toBeUndefined();
    expect(call).not.toHaveBeenCalled();
  });

  it('stays silent once its content script context is gone', () => {
    const { call, listener } = make(true);
    expect(listener(message, { id: RUNTIME })).toBeUndefined();
    expect(call).not.toHaveBeenCalled();
  });
});
