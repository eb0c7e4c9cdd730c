// The login path, background side (utils/bitrix24/login-client.ts): what a portal tab answers is classified
// through the same table as a webhook answer, with the login path's own readings; a tab that goes away is "may or
// may not be pinned", a tab without our content script is "nothing sent".
import { describe, expect, it, vi } from 'vitest';
import { classifyAnswer, classifyRestAnswer } from '@/utils/bitrix24/client';
import { ERROR_KINDS, type ErrorKind, REQUEST_NOT_RUN } from '@/utils/bitrix24/errors';
import { callThroughTab, type SendToTab } from '@/utils/bitrix24/login-client';
import type { LoginAnswer } from '@/utils/messaging';
import { errorMessage } from '@/utils/outcome-text';

const JSON_TYPE = 'application/json; charset=utf-8';
const TARGET = { tabId: 4, frameId: 0 };
const PIN = 'imopenlines.session.mode.pinAll';

const answerOf = (status: number, value: unknown): LoginAnswer => ({
  type: 'answer',
  status,
  contentType: JSON_TYPE,
  body: { type: 'json', value },
});

async function through(reply: unknown | Error): Promise<ReturnType<typeof callThroughTab>> {
  const send: SendToTab = vi.fn(async () => {
    if (reply instanceof Error) throw reply;
    return reply;
  });
  return callThroughTab(send, TARGET, PIN, 20_000);
}

describe('classification of login-path answers', () => {
  it.each<[string, LoginAnswer, ErrorKind]>([
    [
      'a second session_failed',
      answerOf(401, { error: 'session_failed', error_description: 'Sessid check failed' }),
      'session-changed',
    ],
    [
      'access_denied "User not authorized" (logged out)',
      answerOf(401, { error: 'access_denied', error_description: 'User not authorized' }),
      'login-required',
    ],
    [
      'access_denied "Access denied for this type of user" (bot, connector, external)',
      answerOf(401, { error: 'access_denied', error_description: 'Access denied for this type of user' }),
      'account-cannot-pin',
    ],
    [
      'the portal’s login page (HTML, 200)',
      { type: 'answer', status: 200, contentType: 'text/html', body: { type: 'html' } },
      'login-required',
    ],
    ['a redirect (to the login form)', { type: 'redirect', status: 0 }, 'login-required'],
    ['a 302', { type: 'redirect', status: 302 }, 'login-required'],
    [
      'NO_AUTH_FOUND (the session was not loaded)',
      answerOf(401, { error: 'NO_AUTH_FOUND' }),
      'login-required',
    ],
    [
      'method-level ACCESS_DENIED (400) stays the shared kind',
      answerOf(400, { error: 'ACCESS_DENIED', error_description: 'Access denied' }),
      'access-denied',
    ],
    [
      'QUERY_LIMIT_EXCEEDED as on the webhook path',
      answerOf(503, { error: 'QUERY_LIMIT_EXCEEDED' }),
      'rate-limited',
    ],
    [
      'OPERATION_TIME_LIMIT as on the webhook path',
      answerOf(429, { error: 'OPERATION_TIME_LIMIT' }),
      'operation-limit',
    ],
    [
      'a proxy error page (HTML 502) is a server error, not "log in"',
      { type: 'answer', status: 502, contentType: 'text/html', body: { type: 'html' } },
      'server-error',
    ],
    ['a timeout in the tab', { type: 'timeout' }, 'no-reply'],
    ['a lost connection in the tab', { type: 'failed', reachable: true }, 'no-reply'],
    ['an unreachable portal', { type: 'failed', reachable: false }, 'network'],
  ])('%s → %s', async (_, reply, kind) => {
    const result = await through(reply);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.kind).toBe(kind);
  });

  it('a success envelope is read exactly as on the webhook path', async () => {
    const envelope = { result: [1652, 1653], time: { operating_reset_at: 1773673838, operating: 0 } };
    const viaLogin = await through(answerOf(200, envelope));
    expect(viaLogin).toEqual(classifyAnswer(200, JSON_TYPE, JSON.stringify(envelope)));
    expect(viaLogin).toMatchObject({ ok: true, result: [1652, 1653] });
  });

  it('the same answers mean the webhook kinds on the webhook path (one table, two readings)', () => {
    const html = { status: 200, contentType: 'text/html', body: { type: 'html' } } as const;
    expect(classifyRestAnswer(html, 'webhook')).toMatchObject({ error: { kind: 'not-rest' } });
    const noAuth = {
      status: 401,
      contentType: JSON_TYPE,
      body: { type: 'json', value: { error: 'NO_AUTH_FOUND' } },
    };
    expect(classifyRestAnswer(noAuth as never, 'webhook')).toMatchObject({
      error: { kind: 'webhook-invalid' },
    });
  });

  it('no login-path message suggests a webhook, except the no-tab one', () => {
    const loginKinds = new Set<ErrorKind>();
    // Every kind the login path can produce: all kinds but the ones it remaps away from, plus its own.
    for (const kind of ERROR_KINDS) {
      if (['webhook-invalid', 'user-deactivated', 'not-rest', 'portal-moved', 'missing-scope'].includes(kind))
        continue;
      if (['https-required', 'no-webhook'].includes(kind)) continue;
      loginKinds.add(kind);
    }
    for (const kind of loginKinds) {
      const text = errorMessage({ kind, movedTo: 'https://x.bitrix24.com', code: 'X' });
      if (kind === 'no-portal-tab') expect(text).toMatch(/webhook/i);
      else expect(text, kind).not.toMatch(/webhook/i);
    }
  });

  it('the login kinds certainly ran nothing (an immediate retry is safe)', () => {
    for (const kind of ['login-required', 'session-changed', 'account-cannot-pin', 'no-portal-tab'] as const)
      expect(REQUEST_NOT_RUN.has(kind)).toBe(true);
  });
});

describe('callThroughTab: the tab as transport', () => {
  it('sends the fixed method with its timeout to the chosen frame', async () => {
    const send = vi.fn(async () => answerOf(200, { result: [] }));
    await callThroughTab(send, { tabId: 9, frameId: 3 }, 'profile', 10_000);
    expect(send).toHaveBeenCalledWith(
      { tabId: 9, frameId: 3 },
      { type: 'loginCall', method: 'profile', timeoutMs: 10_000 },
    );
  });

  it('a frame with no content script (nothing delivered) → no-portal-tab, nothing sent', async () => {
    const result = await through(new Error('Could not establish connection. Receiving end does not exist.'));
    expect(result).toEqual({ ok: false, error: { kind: 'no-portal-tab' } });
  });

  it.each([
    ['the tab closed or navigated (Chrome resolves with nothing)', undefined],
    ['a reply outside the protocol', { type: 'answer', status: 200, body: 'raw text' }],
    ['the channel closed mid-request (Firefox)', new Error('Message manager disconnected')],
  ])('%s → no-reply: may or may not be pinned', async (_, reply) => {
    const result = await through(reply);
    expect(result).toEqual({ ok: false, error: { kind: 'no-reply' } });
  });

  it('a tab that never answers is given up after its timeout and a grace period', async () => {
    vi.useFakeTimers();
    try {
      const send: SendToTab = () => new Promise(() => {});
      const pending = callThroughTab(send, TARGET, PIN, 1000);
      await vi.advanceTimersByTimeAsync(6000);
      expect(await pending).toEqual({ ok: false, error: { kind: 'no-reply' } });
    } finally {
      vi.useRealTimers();
    }
  });
});
