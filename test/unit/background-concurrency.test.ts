// The background under concurrency and storms: storage read-modify-writes serialized with Web Locks (the in-process
// `navigator.locks` of test/unit/setup.ts), one outcome per storm, pending marks only for requests that leave.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type BackgroundDeps, createBackground, realDeps } from '@/utils/background';
import { pickPortal } from '@/utils/background/choose-portal';
import { STALE_PENDING_MS } from '@/utils/background/pin-service';
import { BUCKET_SIZE } from '@/utils/bitrix24/rate-limit';
import { portalTabs } from '@/utils/host-access';
import { FIRST_IDS_KEPT, type PinOutcome, parseHistory } from '@/utils/outcome';
import {
  FULL_ID_OUTCOMES,
  historyItem,
  lastPortalItem,
  pendingPinsItem,
  portalsItem,
  rateBucketsItem,
  webhooksItem,
} from '@/utils/storage';

const A = 'https://acme.bitrix24.com';
const B = 'https://beta.bitrix24.de';
const base = (portal: string, secret = 'q1w2e3r4t5y6u7i8') => `${portal}/rest/7/${secret}/`;
const info = (portal: string) => ({
  portal,
  maskedWebhook: 'x',
  user: null,
  status: 'ok' as const,
  savedAt: 0,
});

/** A portal answer held until `release()`; `fetch` answers pinAll calls from this queue of gates. */
type Answer = { status?: number; body: unknown };
let pinAnswers: ((url: string) => Promise<Answer>)[];
let notes: string[];
let granted: boolean;

function json(a: Answer): Response {
  return new Response(JSON.stringify(a.body), {
    status: a.status ?? 200,
    headers: { 'content-type': 'application/json' },
  });
}

function gate(answer: Answer) {
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  let sent!: () => void;
  const wasSent = new Promise<void>((r) => {
    sent = r;
  });
  return {
    release,
    wasSent,
    respond: async () => {
      sent();
      await released;
      return answer;
    },
  };
}

beforeEach(async () => {
  notes = [];
  pinAnswers = [];
  granted = true;
  Object.assign(fakeBrowser.notifications, {
    create: vi.fn(async (id: string) => {
      notes.push(id);
      return id;
    }),
  });
  Object.assign(fakeBrowser.tabs, { sendMessage: vi.fn(async () => undefined) });
  Object.assign(fakeBrowser.permissions, { contains: vi.fn(async () => granted) });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      if (url.endsWith('/method.get.json'))
        return json({ body: { result: { isExisting: true, isAvailable: true } } });
      if (url.endsWith('/profile.json')) return json({ body: { result: { ID: '7', ADMIN: false } } });
      const next = pinAnswers.shift();
      return json(next ? await next(url) : { body: { result: [1] } });
    }),
  );
  await webhooksItem.setValue({ [A]: { base: base(A) }, [B]: { base: base(B) } });
  await portalsItem.setValue({ [A]: info(A), [B]: info(B) });
});

describe('storage read-modify-writes are serialized', () => {
  it('two portals pinned at once keep both outcomes, even when storage answers slowly', async () => {
    const deps = realDeps();
    // A slow read lets two unserialized read-modify-writes interleave, as a busy browser does.
    const slow = <T>(item: { getValue(): Promise<T>; setValue(v: T): Promise<void> }) => ({
      getValue: async () => {
        const value = await item.getValue();
        await new Promise((r) => setTimeout(r, 5));
        return value;
      },
      setValue: (v: T) => item.setValue(v),
    });
    const bg = createBackground({
      ...deps,
      storage: { ...deps.storage, history: slow(historyItem), pendingPins: slow(pendingPinsItem) },
    });
    const [a, b] = await Promise.all([bg.pinAndPresent(A, 'popup'), bg.pinAndPresent(B, 'shortcut')]);
    const history = await historyItem.getValue();
    expect(history.map((o) => o.id).sort()).toEqual([a.id, b.id].sort());
    expect(notes).toHaveLength(2);
  });

  it('a pin failing while a new webhook is saved does not mark the new one broken', async () => {
    const bg = createBackground(realDeps());
    const refused = gate({ status: 401, body: { error: 'INVALID_CREDENTIALS' } });
    pinAnswers.push(refused.respond);
    const pin = bg.pinAndPresent(A, 'control');
    await refused.wasSent;
    const saved = await bg.checkWebhook(base(A, 'n3wn3wn3wn3wn3w1'), true);
    expect(saved.ok).toBe(true);
    refused.release();
    expect(await pin).toMatchObject({ ok: false, error: { kind: 'webhook-invalid' } });
    expect((await portalsItem.getValue())[A]?.status).toBe('ok');
    expect((await webhooksItem.getValue())[A]?.base).toBe(base(A, 'n3wn3wn3wn3wn3w1'));
  });

  it('the same failure with the webhook still stored marks it broken', async () => {
    const bg = createBackground(realDeps());
    pinAnswers.push(async () => ({ status: 401, body: { error: 'INVALID_CREDENTIALS' } }));
    await bg.pinAndPresent(A, 'control');
    expect((await portalsItem.getValue())[A]?.status).toBe('broken');
  });

  it('a webhook marked broken is working again once the same webhook pins', async () => {
    const bg = createBackground(realDeps());
    pinAnswers.push(async () => ({ status: 401, body: { error: 'INVALID_CREDENTIALS' } }));
    await bg.pinAndPresent(A, 'control');
    expect((await portalsItem.getValue())[A]?.status).toBe('broken');
    await new Promise((r) => setTimeout(r, 600)); // past the join window of a refusal that ran nothing
    pinAnswers.push(async () => ({ status: 200, body: { result: [1652] } }));
    expect(await bg.pinAndPresent(A, 'control')).toMatchObject({ ok: true, sessionIds: [1652] });
    expect((await portalsItem.getValue())[A]?.status).toBe('ok');
  });

  it('a portal removed while its pin is out does not come back', async () => {
    const bg = createBackground(realDeps());
    const refused = gate({ status: 401, body: { error: 'INVALID_CREDENTIALS' } });
    pinAnswers.push(refused.respond);
    const pin = bg.pinAndPresent(A, 'control');
    await refused.wasSent;
    await bg.removePortal(A);
    refused.release();
    await pin;
    expect(Object.keys(await portalsItem.getValue())).toEqual([B]);
    expect(Object.keys(await webhooksItem.getValue())).toEqual([B]);
    expect(await lastPortalItem.getValue()).toBeNull();
  });
});

describe('storms get one outcome', () => {
  it('ten shortcut presses with no portal configured: one outcome, one notification', async () => {
    await portalsItem.setValue({});
    await webhooksItem.setValue({});
    const bg = createBackground(realDeps());
    await Promise.all(Array.from({ length: 10 }, () => bg.onCommand('pin-all')));
    expect(await historyItem.getValue()).toHaveLength(1);
    expect(notes).toHaveLength(1);
  });

  it('ten triggers without host access: one outcome, one notification, nothing sent', async () => {
    granted = false;
    const bg = createBackground(realDeps());
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => bg.pinAndPresent(A, 'shortcut')));
    expect(new Set(outcomes.map((o) => o.id)).size).toBe(1);
    expect(outcomes[0]).toMatchObject({ ok: false, error: { kind: 'host-access' } });
    expect(notes).toHaveLength(1);
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('pending marks', () => {
  it('a pin is marked pending only once its request leaves, after the rate limiter made it wait', async () => {
    const pendingWhileWaiting: unknown[] = [];
    const deps: BackgroundDeps = {
      ...realDeps(),
      sleep: async () => {
        pendingWhileWaiting.push((await pendingPinsItem.getValue())[A]);
      },
    };
    await rateBucketsItem.setValue({ [A]: { level: BUCKET_SIZE, at: Date.now() } });
    let pendingWhenSent: unknown;
    pinAnswers.push(async () => {
      pendingWhenSent = (await pendingPinsItem.getValue())[A];
      return { body: { result: [5] } };
    });
    const bg = createBackground(deps);
    expect(await bg.pinAndPresent(A, 'popup')).toMatchObject({ ok: true, sessionIds: [5] });
    expect(pendingWhileWaiting).toEqual([undefined]);
    expect(pendingWhenSent).toMatchObject({ trigger: 'popup' });
  });

  it('a stale mark left by a worker long gone is dropped quietly: no outcome, no notification', async () => {
    await pendingPinsItem.setValue({
      [A]: { worker: 'gone', trigger: 'shortcut', at: Date.now() - STALE_PENDING_MS - 60_000 },
    });
    const bg = createBackground(realDeps());
    await bg.recoverLostPins();
    expect(await historyItem.getValue()).toEqual([]);
    expect(notes).toEqual([]);
    expect(await pendingPinsItem.getValue()).toEqual({});
  });
});

describe('history size', () => {
  it(`keeps every ID only for the newest ${FULL_ID_OUTCOMES} outcomes, the count and first IDs for older ones`, async () => {
    let clock = Date.now();
    const bg = createBackground({ ...realDeps(), now: () => (clock += 60_000) });
    const ids = Array.from({ length: 100 }, (_, i) => i + 1);
    for (let i = 0; i < FULL_ID_OUTCOMES + 2; i++) {
      pinAnswers.push(async () => ({ body: { result: ids } }));
      await bg.pinAndPresent(A, 'popup');
    }
    const history = parseHistory(await historyItem.getValue()) as Extract<PinOutcome, { ok: true }>[];
    expect(history).toHaveLength(FULL_ID_OUTCOMES + 2);
    expect(history.slice(0, FULL_ID_OUTCOMES).every((o) => o.sessionIds.length === 100 && !o.count)).toBe(
      true,
    );
    for (const old of history.slice(FULL_ID_OUTCOMES)) {
      expect(old.sessionIds).toEqual(ids.slice(0, FIRST_IDS_KEPT));
      expect(old.count).toBe(100);
    }
  });
});

describe('pickPortal: the one rule of the popup and the shortcut', () => {
  const configured = [B, A];
  const X = 'https://other.bitrix24.com';
  it.each([
    ['the pick wins', { requested: B, active: A, last: A }, B],
    ['an unconfigured pick is ignored', { requested: X, active: A, last: B }, A],
    ['the active tab next', { active: B, last: A }, B],
    ['an unconfigured tab is ignored', { active: X, last: B }, B],
    ['the last pinned portal next', { last: B }, B],
    ['else the first configured by origin', {}, A],
    ['a removed last portal is ignored', { last: X }, A],
  ])('%s', (_name, input, expected) => {
    expect(pickPortal({ ...input, configured })).toBe(expected);
  });
  it.each([
    ['nothing configured: none, even with a portal tab', { active: A, last: A }],
    ['nothing at all', {}],
  ])('%s', (_name, input) => {
    expect(pickPortal({ ...input, configured: [] })).toBeNull();
  });
});

describe('portalTabs: match patterns carry no port', () => {
  it('queries by host without the port and keeps only tabs of the exact origin', async () => {
    const query = vi.fn(async () => [
      { id: 1, url: 'https://b24.example.com:8443/online/' },
      { id: 2, url: 'https://b24.example.com/online/' },
      { id: 3, url: 'https://b24.example.com:9443/online/' },
    ]);
    Object.assign(fakeBrowser.tabs, { query });
    const tabs = await portalTabs('https://b24.example.com:8443', '/online/*');
    expect(query).toHaveBeenCalledWith({ url: 'https://b24.example.com/online/*' });
    expect(tabs.map((t) => t.id)).toEqual([1]);
  });
});
