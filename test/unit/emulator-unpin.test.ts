// The emulator's side of Unpin all and Undo, against the facts the client relies on: unpinAll mirrors pinAll
// (the caller's own accepted sessions only), one dialog's pin answers ERROR_USER_NOT_OPERATOR to anyone but its
// operator, and batch runs the Undo plan with $result references, per-command errors, halt and the 50-command
// limit — through a webhook (JSON) and through the login (a PHP form array), as the extension sends them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callWithLogin } from '@/utils/bitrix24/login-call';
import { planUndo, readUndoBatch } from '@/utils/bitrix24/undo-plan';
import { type Emulator, startEmulator } from '../emulator/index.mjs';

const HOST = 'demo.bitrix24.com';
const DEMO = `https://${HOST}/rest/7/demosecret123/`;
const JSON_HEADERS = { 'Content-Type': 'application/json' };
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu?.close());
beforeEach(() => {
  emu.reset();
});

const post = (method: string, body: unknown) =>
  emu.request(`${DEMO}${method}.json`, { method: 'POST', body: JSON.stringify(body), headers: JSON_HEADERS });
const sessions = () => emu.portal(HOST)!.sessions;
const pinned = () =>
  sessions()
    .filter((s) => s.pinned)
    .map((s) => s.id)
    .sort();

describe('unpinAll and pinAll touch only accepted sessions of the caller', () => {
  it('new (0) and skipped (5) dialogs are neither pinned nor unpinned; unpinAll answers the unpinned IDs', async () => {
    sessions()[1]!.status = 0;
    sessions().push({ ...sessions()[0]!, id: 1670, chatId: 3020, status: 5 });
    expect((await post('imopenlines.session.mode.pinAll', {})).json().result).toEqual([1652]);
    sessions()[1]!.pinned = true; // pinned by hand while it was new
    expect((await post('imopenlines.session.mode.unpinAll', {})).json().result).toEqual([1652]);
    expect(pinned()).toEqual([1653]);
    expect((await post('imopenlines.session.mode.unpinAll', {})).json().result).toEqual([]);
  });
});

describe('the Undo batch', () => {
  it('unpins its sessions, and reports by session the one taken over and the one that is gone', async () => {
    await post('imopenlines.session.mode.pinAll', {});
    const taken = sessions().find((s) => s.id === 1653)!;
    Object.assign(taken, { operatorId: 1, formerOperatorIds: [7], pinned: true });
    const [batch] = planUndo([1652, 1653, 9999]);
    const r = await post('batch', { cmd: batch!.cmd, halt: 0 });
    expect(r.status).toBe(200);
    const { result } = r.json();
    expect(result.result_error.u1.error).toBe('ERROR_USER_NOT_OPERATOR');
    expect(result.result_error.d2.error).toBe('ACCESS_DENIED');
    expect(readUndoBatch(result, batch!)).toEqual({
      unpinned: [1652],
      failed: [
        { sessionId: 1653, error: { kind: 'not-your-dialog', code: 'ERROR_USER_NOT_OPERATOR' } },
        { sessionId: 9999, error: { kind: 'access-denied', code: 'ACCESS_DENIED' } },
      ],
      unsure: [],
    });
    expect(pinned()).toEqual([1653]);
  });

  it('halt=1 stops at the first failing command; the rest do not run', async () => {
    await post('imopenlines.session.mode.pinAll', {});
    const [batch] = planUndo([9999, 1652]);
    const { result } = (await post('batch', { cmd: batch!.cmd, halt: 1 })).json();
    expect(Object.keys(result.result_error)).toEqual(['d0']);
    expect(result.result).toEqual([]);
    expect(pinned()).toEqual([1652, 1653]);
  });

  it('more than 50 commands are refused as a whole (ERROR_BATCH_LENGTH_EXCEEDED), nothing runs', async () => {
    await post('imopenlines.session.mode.pinAll', {});
    const cmd = { ...planUndo(Array.from({ length: 25 }, (_, i) => 1652 + i))[0]!.cmd, x: 'server.time' };
    const r = await post('batch', { cmd, halt: 0 });
    expect(r.status).toBe(400);
    expect(r.json().error).toBe('ERROR_BATCH_LENGTH_EXCEEDED');
    expect(pinned()).toEqual([1652, 1653]);
  });

  it('through the login: the content script sends the cmd as a PHP form array with the page sessid', async () => {
    emu.clearBrowserSessions();
    const page = await emu.request(`https://${HOST}/online/`);
    const cookie = page.headers['set-cookie']?.[0]?.split(';')[0] ?? '';
    const token = /'bitrix_sessid':'([0-9a-f]{32})'/.exec(page.text)![1]!;
    await emu.request(`https://${HOST}/rest/imopenlines.session.mode.pinAll.json`, {
      method: 'POST',
      body: `sessid=${token}`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
    });
    expect(pinned()).toEqual([1652, 1653]);
    const doc = new DOMParser().parseFromString(page.text, 'text/html');
    // The page's fetch: same origin, with the page's cookie.
    const pageFetch: typeof fetch = async (input, init) => {
      const r = await emu.request(String(input), {
        method: init?.method ?? 'GET',
        body: typeof init?.body === 'string' ? init.body : undefined,
        headers: { ...(init?.headers as Record<string, string>), Cookie: cookie },
      });
      return new Response(r.text, {
        status: r.status,
        headers: { 'content-type': String(r.headers['content-type']) },
      });
    };
    const [batch] = planUndo([1653]);
    const answer = await callWithLogin(
      'batch',
      10_000,
      { fetch: pageFetch, doc, origin: `https://${HOST}` },
      batch!.cmd,
    );
    expect(answer).toMatchObject({ type: 'answer', status: 200, body: { type: 'json' } });
    expect(pinned()).toEqual([1652]);
  });
});
