// The login path through the real background (createBackground(realDeps()) on the fake browser): which credential
// a pin uses, which tab sends it, one request for concurrent triggers, the pending mark before the tab is asked, a
// tab that goes away, and the one rule that picks the portal with no webhook saved.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type Background, createBackground, realDeps } from '@/utils/background';
import { type PortalChoiceInput, pickPortal } from '@/utils/background/choose-portal';
import type { LoginAnswer } from '@/utils/messaging';
import {
  historyItem,
  lastPortalItem,
  loginUsersItem,
  pendingPinsItem,
  portalsItem,
  useLoginItem,
  webhooksItem,
} from '@/utils/storage';

const PORTAL = 'https://acme.bitrix24.com';
const OTHER = 'https://other.bitrix24.de';
const PIN = 'imopenlines.session.mode.pinAll';

const ok = (value: unknown): LoginAnswer => ({
  type: 'answer',
  status: 200,
  contentType: 'application/json',
  body: { type: 'json', value },
});

interface SentToTab {
  tabId: number;
  frameId: number | undefined;
  message: { type: string; method: string };
}

let sent: SentToTab[];
let reply: (message: SentToTab['message']) => Promise<unknown>;
let notifications: Record<string, unknown>[];
let bg: Background;

beforeEach(() => {
  sent = [];
  notifications = [];
  reply = async (m) =>
    m.method === PIN
      ? ok({ result: [1652, 1653] })
      : ok({ result: { ID: '12', NAME: 'John', LAST_NAME: 'Roe' } });
  Object.assign(fakeBrowser.tabs, {
    sendMessage: vi.fn(
      async (tabId: number, message: SentToTab['message'], options?: { frameId?: number }) => {
        if (message.type !== 'loginCall') return undefined;
        sent.push({ tabId, frameId: options?.frameId, message });
        return reply(message);
      },
    ),
  });
  Object.assign(fakeBrowser.notifications, {
    create: vi.fn(async (id: string, options: Record<string, unknown>) => {
      notifications.push(options);
      return id;
    }),
  });
  Object.assign(fakeBrowser.permissions, { contains: vi.fn(async () => true) });
  vi.stubGlobal(
    'fetch',
    vi.fn(
      async () =>
        new Response(JSON.stringify({ result: [5] }), { headers: { 'content-type': 'application/json' } }),
    ),
  );
  openTabs([]);
  bg = createBackground(realDeps());
});

/** The browser's tabs, as `tabs.query` sees them (the fake browser matches no URL patterns). */
function openTabs(tabs: { id: number; url: string; active?: boolean; lastAccessed?: number }[]) {
  Object.assign(fakeBrowser.tabs, {
    query: vi.fn(async (q: { active?: boolean; url?: string }) =>
      tabs.filter((t) => {
        if (q.active && !t.active) return false;
        if (q.url) {
          const host = new URL(q.url.replace('/*', '/')).hostname;
          if (new URL(t.url).hostname !== host) return false;
        }
        return true;
      }),
    ),
  });
}

const fromControl = (tabId: number, frameId = 0) => ({
  id: fakeBrowser.runtime.id,
  url: `${PORTAL}/online/`,
  tab: { id: tabId, url: `${PORTAL}/online/` } as never,
  frameId,
});
const popup = { id: fakeBrowser.runtime.id, url: `chrome-extension://${fakeBrowser.runtime.id}/popup.html` };

describe('a pin with no webhook goes through the login of a portal tab', () => {
  it('the control pins from its own tab and frame; one notification with the IDs', async () => {
    const outcome = await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(4, 2));
    expect(outcome).toMatchObject({ ok: true, sessionIds: [1652, 1653], portal: PORTAL });
    expect(sent).toEqual([
      { tabId: 4, frameId: 2, message: { type: 'loginCall', method: PIN, timeoutMs: 20_000 } },
    ]);
    expect(fetch).not.toHaveBeenCalled();
    expect(notifications).toHaveLength(1);
    expect(notifications[0]!.title).toBe('Pinned 2 dialogs');
  });

  it('two tabs of the portal clicked together send one pin request and share its outcome', async () => {
    let release!: () => void;
    reply = () => new Promise((resolve) => (release = () => resolve(ok({ result: [7] }))));
    const a = bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(4));
    const b = bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(5));
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    release();
    const [oa, ob] = await Promise.all([a, b]);
    expect(oa).toEqual(ob);
    expect(sent).toHaveLength(1);
    expect(notifications).toHaveLength(1);
  });

  it('marks the pin pending before the tab is asked (a worker dying meanwhile leaves a trace)', async () => {
    let pendingWhenAsked: unknown;
    reply = async () => {
      pendingWhenAsked = await pendingPinsItem.getValue();
      return ok({ result: [] });
    };
    await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(4));
    expect(Object.keys(pendingWhenAsked as object)).toEqual([PORTAL]);
    expect(await pendingPinsItem.getValue()).toEqual({});
  });

  it('a tab that closes or navigates mid-request → "may or may not be pinned", never re-sent', async () => {
    reply = async () => undefined; // Chrome resolves with nothing when the frame unloads first
    const outcome = await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(4));
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'no-reply' } });
    expect(sent).toHaveLength(1);
    expect(notifications[0]!.message).toMatch(/may or may not be pinned/);
  });

  it('logged out → "Log in to Bitrix24 on this portal", no retry, nothing about webhooks', async () => {
    reply = async () => ({
      type: 'answer',
      status: 401,
      contentType: 'application/json',
      body: { type: 'json', value: { error: 'access_denied', error_description: 'User not authorized' } },
    });
    const outcome = await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(4));
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'login-required' } });
    expect(sent).toHaveLength(1);
    expect(notifications[0]!.message).toBe('Log in to Bitrix24 on this portal, then try again.');
  });

  it('a saved webhook takes precedence over the login', async () => {
    await webhooksItem.setValue({ [PORTAL]: { base: `${PORTAL}/rest/7/secretcode123/` } });
    await portalsItem.setValue({
      [PORTAL]: { portal: PORTAL, maskedWebhook: 'x', user: null, status: 'ok', savedAt: 1 },
    });
    const outcome = await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(4));
    expect(outcome).toMatchObject({ ok: true, sessionIds: [5] });
    expect(sent).toEqual([]);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('with the setting off and no webhook nothing is sent: "no webhook"', async () => {
    await useLoginItem.setValue(false);
    const outcome = await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(4));
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'no-webhook' } });
    expect(sent).toEqual([]);
  });

  it('the shortcut uses the active portal tab (frame 0) and remembers the portal', async () => {
    openTabs([
      { id: 3, url: `${OTHER}/crm/`, lastAccessed: 5 },
      { id: 8, url: `${PORTAL}/online/`, active: true, lastAccessed: 1 },
    ]);
    await bg.onCommand('pin-all');
    expect(sent).toEqual([{ tabId: 8, frameId: 0, message: expect.objectContaining({ method: PIN }) }]);
    expect((await historyItem.getValue())[0]).toMatchObject({
      ok: true,
      trigger: 'shortcut',
      portal: PORTAL,
    });
    expect(await lastPortalItem.getValue()).toBe(PORTAL);
  });

  it('the popup uses an open tab of the portal when the active tab is not one', async () => {
    openTabs([
      { id: 6, url: `${PORTAL}/crm/`, lastAccessed: 1 },
      { id: 7, url: `${PORTAL}/stream/`, lastAccessed: 9 },
      { id: 2, url: 'https://example.org/', active: true, lastAccessed: 10 },
    ]);
    const outcome = await bg.handleMessage({ type: 'pinAll', trigger: 'popup' }, popup);
    expect(outcome).toMatchObject({ ok: true, portal: PORTAL });
    expect(sent).toEqual([{ tabId: 7, frameId: 0, message: expect.objectContaining({ method: PIN }) }]);
  });

  it('the shortcut with no portal tab and no webhook says to open the portal or add a webhook', async () => {
    await bg.onCommand('pin-all');
    expect(sent).toEqual([]);
    expect(notifications[0]!.message).toBe('Open your Bitrix24 in a tab, or add a webhook in the options.');
  });

  it('the popup for a portal known from history but with no open tab: the no-tab message', async () => {
    await historyItem.setValue([
      { id: 'x', portal: PORTAL, at: 1, trigger: 'control', action: 'pin', ok: true, sessionIds: [1] },
    ]);
    const outcome = await bg.handleMessage({ type: 'pinAll', trigger: 'popup' }, popup);
    expect(outcome).toMatchObject({ ok: false, portal: PORTAL, error: { kind: 'no-portal-tab' } });
    expect(sent).toEqual([]);
  });
});

describe('whom a pin acts as', () => {
  it('reads profile through the control’s own tab once, stores name and ID only, and says so', async () => {
    const answer = await bg.handleMessage({ type: 'getPinsAs' }, fromControl(4));
    expect(answer).toEqual({
      loginUser: { id: 12, name: 'John', lastName: 'Roe', at: expect.any(Number) },
      useLogin: true,
    });
    expect(sent).toEqual([{ tabId: 4, frameId: 0, message: expect.objectContaining({ method: 'profile' }) }]);
    expect(await loginUsersItem.getValue()).toEqual({
      [PORTAL]: answer && (answer as { loginUser: unknown }).loginUser,
    });
    await bg.handleMessage({ type: 'getPinsAs' }, fromControl(4));
    expect(sent).toHaveLength(1); // fresh enough: not asked again
  });

  it('gives the webhook’s user beside the login’s when a webhook is saved', async () => {
    const jane = { id: 7, name: 'Jane', lastName: 'Doe', admin: false };
    await portalsItem.setValue({
      [PORTAL]: { portal: PORTAL, maskedWebhook: 'x', user: jane, status: 'ok', savedAt: 1 },
    });
    const answer = await bg.handleMessage({ type: 'getPinsAs', portal: PORTAL }, popup);
    expect(answer).toMatchObject({ webhookUser: jane, useLogin: true });
  });

  it('a content script may not ask about another portal', async () => {
    expect(await bg.handleMessage({ type: 'getPinsAs', portal: OTHER }, fromControl(4))).toBeUndefined();
  });
});

describe('pickPortal with the login path: the one rule for the popup and the shortcut', () => {
  const base: PortalChoiceInput = {
    configured: [],
    active: null,
    last: null,
    useLogin: true,
    openTabs: [],
    history: [],
  };
  it.each<[string, Partial<PortalChoiceInput>, string | null]>([
    ['no webhook, the active tab is a portal', { active: PORTAL, openTabs: [PORTAL] }, PORTAL],
    ['no webhook, the active tab is not a portal, one portal tab open', { openTabs: [OTHER] }, OTHER],
    ['no webhook, several portal tabs: the most recently used', { openTabs: [OTHER, PORTAL] }, OTHER],
    ['no webhook, the last portal is still open', { last: PORTAL, openTabs: [OTHER, PORTAL] }, PORTAL],
    ['no webhook, no tab: the newest portal of the history', { history: [OTHER, PORTAL] }, OTHER],
    ['no webhook, nothing known at all', {}, null],
    ['requested, known from history', { requested: PORTAL, history: [PORTAL] }, PORTAL],
    [
      'a webhook portal and a login portal active: the active one',
      { configured: [OTHER], active: PORTAL, openTabs: [PORTAL] },
      PORTAL,
    ],
    [
      'setting off: only configured portals count',
      { useLogin: false, configured: [OTHER], active: PORTAL, openTabs: [PORTAL] },
      OTHER,
    ],
    [
      'setting off and nothing configured: none (the pin says how to set one up)',
      { useLogin: false, active: PORTAL },
      null,
    ],
  ])('%s', (_, input, expected) => {
    expect(pickPortal({ ...base, ...input })).toBe(expected);
  });
});

describe('whom a pin acts as, many tabs at once', () => {
  it('three controls mounting together read profile once', async () => {
    await Promise.all([4, 5, 6].map((tab) => bg.handleMessage({ type: 'getPinsAs' }, fromControl(tab))));
    expect(sent.filter((m) => m.message.method === 'profile')).toHaveLength(1);
  });
});
