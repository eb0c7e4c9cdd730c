// Unpin all and Undo through the background with the operator's login (no webhook): the fixed login calls
// (unpinAll with no parameters, batch with the Undo plan's commands), one action at a time per portal, never
// joining a Pin all (case U5), and a second Undo refused without a request.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type Background, createBackground, realDeps } from '@/utils/background';
import { planUndo } from '@/utils/bitrix24/undo-plan';
import type { LoginAnswer } from '@/utils/messaging';

const PORTAL = 'https://acme.bitrix24.com';
const PIN = 'imopenlines.session.mode.pinAll';
const UNPIN_ALL = 'imopenlines.session.mode.unpinAll';

const ok = (value: unknown): LoginAnswer => ({
  type: 'answer',
  status: 200,
  contentType: 'application/json',
  body: { type: 'json', value },
});

type Sent = { method: string; cmd?: Record<string, string> };
let sent: Sent[];
let reply: (m: Sent) => Promise<unknown>;
let bg: Background;

beforeEach(() => {
  sent = [];
  reply = async (m) => {
    if (m.method === PIN) return ok({ result: [1652, 1653] });
    if (m.method === UNPIN_ALL) return ok({ result: [1652, 1653, 1660] });
    if (m.method === 'batch')
      return ok({
        result: { result: { d0: { id: 1 }, u0: true, d1: { id: 2 }, u1: true }, result_error: [] },
      });
    return ok({ result: { ID: '12', NAME: 'John', LAST_NAME: 'Roe' } });
  };
  Object.assign(fakeBrowser.tabs, {
    sendMessage: vi.fn(async (_tabId: number, message: Sent & { type: string }) => {
      if (message.type !== 'loginCall') return undefined;
      sent.push({ method: message.method, ...(message.cmd ? { cmd: message.cmd } : {}) });
      return reply(message);
    }),
    query: vi.fn(async () => [{ id: 4, url: `${PORTAL}/online/`, active: true }]),
  });
  Object.assign(fakeBrowser.notifications, { create: vi.fn(async (id: string) => id) });
  Object.assign(fakeBrowser.permissions, { contains: vi.fn(async () => true) });
  vi.stubGlobal('fetch', vi.fn());
  bg = createBackground(realDeps());
});

const fromControl = {
  id: fakeBrowser.runtime.id,
  url: `${PORTAL}/online/`,
  tab: { id: 4, url: `${PORTAL}/online/` } as never,
  frameId: 0,
};

describe('Undo and Unpin all with the login', () => {
  it('Undo sends the plan as one batch through the tab; a second Undo sends nothing and says why', async () => {
    const pin = await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl);
    expect(pin).toMatchObject({ ok: true, action: 'pin' });
    const answer = await bg.handleMessage({ type: 'undoPin', trigger: 'control' }, fromControl);
    expect(answer).toMatchObject({
      outcome: { ok: true, action: 'undo', sessionIds: [1652, 1653], undoes: (pin as { id: string }).id },
    });
    expect(sent.map((m) => m.method)).toEqual([PIN, 'batch']);
    expect(sent[1]!.cmd).toEqual(planUndo([1652, 1653])[0]!.cmd);
    expect(await bg.handleMessage({ type: 'undoPin', trigger: 'control' }, fromControl)).toEqual({
      refused: 'already-undone',
    });
    expect(sent).toHaveLength(2);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('Unpin all is the fixed unpinAll call with no parameters', async () => {
    const outcome = await bg.handleMessage({ type: 'unpinAll', trigger: 'control' }, fromControl);
    expect(outcome).toMatchObject({ ok: true, action: 'unpin-all', sessionIds: [1652, 1653, 1660] });
    expect(sent).toEqual([{ method: UNPIN_ALL }]);
  });

  it('U5: a Pin all right after a confirmed Unpin all waits for it and is a separate action', async () => {
    let release!: () => void;
    const base = reply;
    reply = (m) =>
      m.method === UNPIN_ALL
        ? new Promise((resolve) => (release = () => resolve(ok({ result: [1660] }))))
        : base(m);
    const unpin = bg.handleMessage({ type: 'unpinAll', trigger: 'control' }, fromControl);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    const pin = bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl);
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.map((m) => m.method)).toEqual([UNPIN_ALL]); // one action in flight per portal
    release();
    const [u, p] = await Promise.all([unpin, pin]);
    expect(u).toMatchObject({ action: 'unpin-all', sessionIds: [1660] });
    expect(p).toMatchObject({ action: 'pin', sessionIds: [1652, 1653] });
    expect(sent.map((m) => m.method)).toEqual([UNPIN_ALL, PIN]);
  });
});
