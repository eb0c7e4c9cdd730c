import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type Background, createBackground, realDeps } from '@/utils/background';
import { parseHistory } from '@/utils/outcome';
import { historyItem, portalsItem, useLoginItem, webhooksItem } from '@/utils/storage';

const PORTAL = 'https://acme.bitrix24.com';
const WEBHOOK = `${PORTAL}/rest/7/q1w2e3r4t5y6u7i8/`;
const EXT = `chrome-extension://${fakeBrowser.runtime.id}`;
const popup = { id: fakeBrowser.runtime.id, url: `${EXT}/popup.html` };
const tab = {
  id: 9,
  index: 0,
  highlighted: false,
  active: true,
  pinned: false,
  incognito: false,
  url: `${PORTAL}/online/`,
} as never;

/** A fake portal for `fetch`: answers by method name; records every URL called. */
function portal(answers: Record<string, { status?: number; body: unknown }>) {
  const calls: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      calls.push(url);
      const method = Object.keys(answers).find((m) => url.endsWith(`/${m}.json`));
      const a = method ? answers[method]! : { status: 404, body: { error: 'ERROR_METHOD_NOT_FOUND' } };
      return new Response(JSON.stringify(a.body), {
        status: a.status ?? 200,
        headers: { 'content-type': 'application/json' },
      });
    }),
  );
  return calls;
}

const profile = (admin = false) => ({
  body: { result: { ID: '7', ADMIN: admin, NAME: 'Jane', LAST_NAME: 'Doe' } },
});
const methodGet = (isAvailable = true) => ({ body: { result: { isExisting: true, isAvailable } } });

let notifications: { id: string; options: Record<string, unknown> }[];
let checkWebhook: Background['checkWebhook'];
let handleMessage: Background['handleMessage'];
let onCommand: Background['onCommand'];
beforeEach(() => {
  ({ checkWebhook, handleMessage, onCommand } = createBackground(realDeps()));
  notifications = [];
  Object.assign(fakeBrowser.notifications, {
    create: vi.fn(async (id: string, options: Record<string, unknown>) => {
      notifications.push({ id, options });
      return id;
    }),
  });
  Object.assign(fakeBrowser.tabs, { sendMessage: vi.fn(async () => undefined) });
  granted = true;
  Object.assign(fakeBrowser.permissions, { contains: vi.fn(async () => granted) });
});
let granted: boolean;

describe('checkWebhook', () => {
  it('saves a working webhook and says whom it acts as, admin flag included', async () => {
    portal({ 'method.get': methodGet(), profile: profile(true) });
    const check = await checkWebhook(
      `  ${WEBHOOK.toUpperCase().replace('HTTPS', 'https')}profile.json\n`,
      true,
    );
    expect(check).toMatchObject({
      ok: true,
      saved: true,
      portal: { user: { id: 7, name: 'Jane', lastName: 'Doe', admin: true } },
    });
    expect(Object.keys(await webhooksItem.getValue())).toEqual([PORTAL]);
  });

  it('refuses a URL without user ID before sending anything, nothing saved', async () => {
    const calls = portal({});
    const check = await checkWebhook('https://x.bitrix24.com/rest/abc123xyz/', true);
    expect(check).toMatchObject({
      ok: false,
      parseError: 'no-user-id',
      expected: expect.stringContaining('/rest/USER_ID/'),
    });
    expect(calls).toEqual([]);
    expect(await webhooksItem.getValue()).toEqual({});
  });

  it('a webhook without the imopenlines scope is refused and not saved', async () => {
    portal({ 'method.get': methodGet(false), profile: profile() });
    expect(await checkWebhook(WEBHOOK, true)).toMatchObject({ ok: false, error: { kind: 'missing-scope' } });
    expect(await portalsItem.getValue()).toEqual({});
  });

  it('a deleted webhook is refused with its kind', async () => {
    portal({
      'method.get': {
        status: 401,
        body: { error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' },
      },
    });
    expect(await checkWebhook(WEBHOOK, true)).toMatchObject({
      ok: false,
      error: { kind: 'webhook-invalid', status: 401 },
    });
  });
});

describe('handleMessage', () => {
  beforeEach(async () => {
    portal({
      'method.get': methodGet(),
      profile: profile(),
      'imopenlines.session.mode.pinAll': { body: { result: [1652, 1653] } },
    });
    await checkWebhook(WEBHOOK, true);
  });

  it('a content script pin acts on its own page portal and presents the outcome everywhere', async () => {
    const sender = { id: fakeBrowser.runtime.id, url: `${PORTAL}/online/`, tab, frameId: 0 };
    const outcome = await handleMessage({ type: 'pinAll', trigger: 'control' }, sender);
    expect(outcome).toMatchObject({ ok: true, sessionIds: [1652, 1653], portal: PORTAL, trigger: 'control' });
    expect(notifications).toHaveLength(1);
    expect(notifications[0]!.options).toEqual({
      type: 'basic',
      iconUrl: `${EXT}/icon/128.png`,
      title: 'Pinned 2 dialogs',
      message: '1652, 1653',
      // Chromium builds: the pin's Undo (a Firefox build never passes buttons).
      buttons: [{ title: 'Undo' }],
    });
    expect(await fakeBrowser.action.getBadgeText({})).toBe('2');
    expect(parseHistory(await historyItem.getValue())[0]).toEqual(outcome);
  });

  it.each([
    ['framed by another site', { tab: { ...(tab as object), url: 'https://evil.example/' } }],
    ['sandboxed (opaque origin)', { tab, origin: 'null' }],
  ])(
    'a portal document %s is told "not available here": nothing sent, stored or notified',
    async (_n, extra) => {
      const before = vi.mocked(fetch).mock.calls.length;
      const history = await historyItem.getValue();
      const sender = { id: fakeBrowser.runtime.id, url: `${PORTAL}/online/`, frameId: 3, ...extra };
      const outcome = await handleMessage({ type: 'pinAll', trigger: 'control' }, sender as never);
      expect(outcome).toMatchObject({ ok: false, error: { kind: 'not-available-here' } });
      expect(await handleMessage({ type: 'getLastOutcome' }, sender as never)).toBeNull();
      expect(vi.mocked(fetch).mock.calls.length).toBe(before);
      expect(await historyItem.getValue()).toEqual(history);
      expect(notifications).toEqual([]);
    },
  );

  it('the answer to a content script never contains the webhook secret', async () => {
    const sender = { id: fakeBrowser.runtime.id, url: `${PORTAL}/online/`, tab, frameId: 0 };
    const answers = [
      await handleMessage({ type: 'pinAll', trigger: 'control' }, sender),
      await handleMessage({ type: 'getLastOutcome' }, sender),
    ];
    expect(JSON.stringify(answers)).not.toContain('q1w2e3r4t5y6u7i8');
  });

  it.each([
    [
      'a content script asking to save a webhook',
      { type: 'saveWebhook', url: WEBHOOK },
      { id: fakeBrowser.runtime.id, url: `${PORTAL}/`, tab, frameId: 0 },
    ],
    [
      'a content script naming another portal',
      { type: 'pinAll', trigger: 'control', portal: 'https://other.bitrix24.com' },
      { id: fakeBrowser.runtime.id, url: `${PORTAL}/`, tab, frameId: 0 },
    ],
    [
      'a content script of a non-portal origin',
      { type: 'pinAll', trigger: 'control' },
      { id: fakeBrowser.runtime.id, url: 'https://evil.example/', tab, frameId: 0 },
    ],
    [
      'a frame of another origin',
      { type: 'pinAll', trigger: 'control' },
      { id: fakeBrowser.runtime.id, url: 'https://evil.example/x', tab, frameId: 5 },
    ],
    [
      'another extension',
      { type: 'pinAll', trigger: 'popup' },
      { id: 'other', url: 'chrome-extension://other/popup.html' },
    ],
    ['a page without extension id', { type: 'pinAll', trigger: 'popup' }, { url: `${PORTAL}/` }],
    ['an unknown command', { type: 'callMethod', method: 'user.get' }, popup],
    [
      'a command with extra fields',
      { type: 'pinAll', trigger: 'popup', url: 'https://evil.example/' },
      popup,
    ],
  ])('refuses %s and sends nothing', async (_name, message, sender) => {
    const before = vi.mocked(fetch).mock.calls.length;
    expect(await handleMessage(message, sender as never)).toBeUndefined();
    expect(vi.mocked(fetch).mock.calls.length).toBe(before);
    expect(notifications).toEqual([]);
  });
});

describe('host access', () => {
  it('without host access the pin says so and sends nothing', async () => {
    const calls = portal({
      'method.get': methodGet(),
      profile: profile(),
      'imopenlines.session.mode.pinAll': { body: { result: [1] } },
    });
    await checkWebhook(WEBHOOK, true);
    granted = false;
    await onCommand('pin-all');
    expect(notifications[0]!.options.message).toMatch(/no access to this portal/);
    expect(calls.filter((u) => u.includes('pinAll'))).toEqual([]);
  });

  it('a webhook of a portal without access is refused before anything is sent', async () => {
    const calls = portal({});
    granted = false;
    expect(await checkWebhook(WEBHOOK, true)).toMatchObject({ ok: false, error: { kind: 'host-access' } });
    expect(calls).toEqual([]);
  });
});

describe('onCommand', () => {
  it('the shortcut pins on the configured portal with only a notification and the badge', async () => {
    portal({
      'method.get': methodGet(),
      profile: profile(),
      'imopenlines.session.mode.pinAll': { body: { result: [5] } },
    });
    await checkWebhook(WEBHOOK, true);
    await onCommand('pin-all');
    expect(notifications.map((n) => n.options.title)).toEqual(['Pinned 1 dialog']);
    expect(await fakeBrowser.action.getBadgeText({})).toBe('1');
  });

  it('with no webhook and no portal tab the shortcut says to open the portal or add a webhook', async () => {
    portal({});
    await onCommand('pin-all');
    expect(notifications[0]!.options.message).toMatch(/Open your Bitrix24 in a tab, or add a webhook/);
    expect(await fakeBrowser.action.getBadgeText({})).toBe('!');
  });

  it('with the login setting off and no webhook at all the shortcut says how to set one up', async () => {
    portal({});
    await useLoginItem.setValue(false);
    await onCommand('pin-all');
    expect(notifications[0]!.options.message).toMatch(/No portal is set up yet/);
  });
});
