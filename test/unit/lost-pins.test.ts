// The background's fault tolerance around its REST calls: the client-side rate limit in front of every call, and
// pins whose worker died before the answer turning into a truthful "no reply" outcome.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createBackground, realDeps } from '@/utils/background';
import { parseHistory } from '@/utils/outcome';
import { historyItem, pendingPinsItem, portalsItem, rateBucketsItem, webhooksItem } from '@/utils/storage';

const PORTAL = 'https://acme.bitrix24.com';
const BASE = `${PORTAL}/rest/7/q1w2e3r4t5y6u7i8/`;

/** A fresh copy of the background module: what a new service worker runs. */
function newWorker() {
  return createBackground(realDeps());
}

let notes: { id: string; options: Record<string, unknown> }[];
let fetchCalls: string[];
/** Answers pinAll with two IDs, and records what the pending entry was when the request left. */
let pendingWhenSent: unknown[];
beforeEach(async () => {
  notes = [];
  fetchCalls = [];
  pendingWhenSent = [];
  Object.assign(fakeBrowser.notifications, {
    create: vi.fn(async (id: string, options: Record<string, unknown>) => {
      notes.push({ id, options });
      return id;
    }),
  });
  Object.assign(fakeBrowser.tabs, { sendMessage: vi.fn(async () => undefined) });
  Object.assign(fakeBrowser.permissions, { contains: vi.fn(async () => true) });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      fetchCalls.push(url);
      pendingWhenSent.push((await pendingPinsItem.getValue())[PORTAL]);
      return new Response(JSON.stringify({ result: [1652, 1653] }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }),
  );
  await webhooksItem.setValue({ [PORTAL]: { base: BASE } });
  await portalsItem.setValue({
    [PORTAL]: { portal: PORTAL, maskedWebhook: 'x', user: null, status: 'ok', savedAt: 0 },
  });
});

describe('a pin whose worker died before its answer', () => {
  it('becomes a "no reply" outcome at the next worker start: history, notification, badge; nothing re-sent', async () => {
    const sentAt = Date.now() - 5000;
    await pendingPinsItem.setValue({
      [PORTAL]: { worker: 'the-dead-worker', trigger: 'shortcut', at: sentAt },
    });
    const worker = await newWorker();
    await worker.recoverLostPins();

    const [outcome] = await historyItem.getValue();
    expect(outcome).toMatchObject({
      portal: PORTAL,
      at: sentAt,
      trigger: 'shortcut',
      ok: false,
      error: { kind: 'no-reply' },
    });
    expect(notes.map((n) => n.options.message)).toEqual([expect.stringMatching(/may or may not be pinned/)]);
    expect(await fakeBrowser.action.getBadgeText({})).toBe('!');
    expect(await pendingPinsItem.getValue()).toEqual({});
    expect(fetchCalls).toEqual([]);

    // Once per worker: a second call records nothing more.
    await worker.recoverLostPins();
    expect(await historyItem.getValue()).toHaveLength(1);
  });

  it('an entry whose outcome was recorded after all (killed between the two writes) is dropped silently', async () => {
    const sentAt = Date.now() - 5000;
    const recorded = {
      id: 'pin-x',
      portal: PORTAL,
      at: sentAt + 300,
      trigger: 'popup' as const,
      action: 'pin' as const,
      ok: true as const,
      sessionIds: [7],
    };
    await historyItem.setValue([recorded]);
    await pendingPinsItem.setValue({ [PORTAL]: { worker: 'the-dead-worker', trigger: 'popup', at: sentAt } });
    await (await newWorker()).recoverLostPins();
    expect(await historyItem.getValue()).toEqual([recorded]);
    expect(await pendingPinsItem.getValue()).toEqual({});
    expect(notes).toEqual([]);
  });

  it('a trigger arriving first still sees the lost outcome recorded before its own pin, which then runs', async () => {
    await pendingPinsItem.setValue({
      [PORTAL]: { worker: 'the-dead-worker', trigger: 'control', at: Date.now() - 60_000 },
    });
    const worker = await newWorker();
    await worker.onCommand('pin-all');
    const history = parseHistory(await historyItem.getValue());
    expect(history.map((o) => (o.ok ? o.sessionIds : o.error.kind))).toEqual([[1652, 1653], 'no-reply']);
    expect(fetchCalls).toHaveLength(1);
  });

  it('a pin is marked pending while its request is out, by this worker, and unmarked with its outcome', async () => {
    const worker = await newWorker();
    await worker.onCommand('pin-all');
    expect(fetchCalls).toHaveLength(1);
    expect(pendingWhenSent).toEqual([
      expect.objectContaining({ trigger: 'shortcut', at: expect.any(Number) }),
    ]);
    expect(await pendingPinsItem.getValue()).toEqual({});
    // The same worker never takes its own entry for a lost one.
    await pendingPinsItem.setValue({ [PORTAL]: pendingWhenSent[0] as never });
    await worker.recoverLostPins();
    expect(await historyItem.getValue()).toHaveLength(1);
  });
});

describe('the client-side rate limit in front of every REST call', () => {
  it('a full bucket for the portal: the pin is rate-limited and nothing is sent', async () => {
    await rateBucketsItem.setValue({ [PORTAL]: { level: 60, at: Date.now() } });
    const worker = await newWorker();
    await worker.onCommand('pin-all');
    expect(fetchCalls).toEqual([]);
    expect((await historyItem.getValue())[0]).toMatchObject({ ok: false, error: { kind: 'rate-limited' } });
    expect(notes[0]!.options.message).toMatch(/limiting requests/);
  });

  it('the webhook check takes tokens too: refused before anything is sent', async () => {
    await rateBucketsItem.setValue({ [PORTAL]: { level: 60, at: Date.now() } });
    const worker = await newWorker();
    expect(await worker.checkWebhook(BASE, true)).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited' },
    });
    expect(fetchCalls).toEqual([]);
  });

  it('every call is counted in the session-area bucket of its portal', async () => {
    const worker = await newWorker();
    await worker.onCommand('pin-all');
    const buckets = await rateBucketsItem.getValue();
    expect(Object.keys(buckets)).toEqual([PORTAL]);
    expect(buckets[PORTAL]!.level).toBeGreaterThan(0.9);
    expect(await fakeBrowser.storage.session.get('rateBuckets')).toHaveProperty('rateBuckets');
  });
});
