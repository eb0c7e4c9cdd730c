// Managed settings (utils/policy.ts) on the fake browser's managed storage: validation key by key, precedence
// (policy > operator's choice > default), a policy changed while running, and what the real background enforces
// (createBackground(realDeps()): signIn login-only never saves or uses a webhook, webhook-only never uses the login,
// the organisation's self-hosted portals are portals, hideHistory keeps no session IDs).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type Background, createBackground, realDeps } from '@/utils/background';
import { UNDO_WINDOW_MS } from '@/utils/bitrix24/unpin';
import type { LoginAnswer } from '@/utils/messaging';
import { parseHistory } from '@/utils/outcome';
import {
  effectiveSettings,
  NO_POLICY,
  parsePolicy,
  readPolicy,
  UNDO_MINUTES_DEFAULT,
  watchPolicy,
} from '@/utils/policy';
import { historyItem, portalsItem, useLoginItem, webhooksItem } from '@/utils/storage';

const PORTAL = 'https://acme.bitrix24.com';
const SELF_HOSTED = 'https://crm.example.org';
const WEBHOOK = `${PORTAL}/rest/7/secret123/`;
const PIN = 'imopenlines.session.mode.pinAll';

describe('parsePolicy: each key validated on its own', () => {
  it('reads every key of a valid policy, portal addresses reduced to their origin', () => {
    expect(
      parsePolicy({
        portals: ['https://CRM.example.org/', 'https://acme.bitrix24.com/online/', 'https://crm.example.org'],
        signIn: 'login',
        allowUnpinAll: false,
        undoMinutes: 0,
        hideHistory: true,
      }),
    ).toEqual({
      policy: {
        portals: [SELF_HOSTED, PORTAL],
        signIn: 'login',
        allowUnpinAll: false,
        undoMinutes: 0,
        hideHistory: true,
      },
      ignored: [],
    });
  });

  it.each([
    [{ signIn: 'password' }, { key: 'signIn', problem: 'type' }],
    [{ signIn: true }, { key: 'signIn', problem: 'type' }],
    [{ allowUnpinAll: 'false' }, { key: 'allowUnpinAll', problem: 'type' }],
    [{ hideHistory: 1 }, { key: 'hideHistory', problem: 'type' }],
    [{ undoMinutes: -1 }, { key: 'undoMinutes', problem: 'range' }],
    [{ undoMinutes: 2.5 }, { key: 'undoMinutes', problem: 'range' }],
    [{ undoMinutes: 100_000 }, { key: 'undoMinutes', problem: 'range' }],
    [{ undoMinutes: '5' }, { key: 'undoMinutes', problem: 'type' }],
    [{ portals: 'https://crm.example.org' }, { key: 'portals', problem: 'type' }],
    [{ signin: 'login' }, { key: 'signin', problem: 'unknown' }],
  ])('%j is ignored and reported', (raw, problem) => {
    expect(parsePolicy(raw)).toEqual({ policy: {}, ignored: [problem] });
  });

  it('a bad portal entry is dropped alone; the good ones and the other keys apply', () => {
    const reading = parsePolicy({
      portals: ['http://crm.example.org', SELF_HOSTED, 42, 'not a url', 'https://user:pw@evil.example'],
      signIn: 'webhook',
      undoMinutes: 'ten',
    });
    expect(reading.policy).toEqual({ portals: [SELF_HOSTED], signIn: 'webhook' });
    expect(reading.ignored).toEqual([
      { key: 'portals[0]', problem: 'portal' },
      { key: 'portals[2]', problem: 'portal' },
      { key: 'portals[3]', problem: 'portal' },
      { key: 'portals[4]', problem: 'portal' },
      { key: 'undoMinutes', problem: 'type' },
    ]);
  });

  it('anything but an object is no policy at all', () => {
    for (const raw of [null, undefined, 'x', 3, [1, 2]]) expect(parsePolicy(raw)).toEqual(NO_POLICY);
  });
});

describe('effectiveSettings: policy > operator choice > default', () => {
  it('without a policy the operator decides and nothing is locked', () => {
    const s = effectiveSettings({}, { useLogin: false });
    expect(s).toMatchObject({
      signIn: 'any',
      useLogin: false,
      webhooksAllowed: true,
      portals: [],
      allowUnpinAll: true,
      undoMinutes: UNDO_MINUTES_DEFAULT,
      hideHistory: false,
    });
    expect([...s.locked]).toEqual([]);
  });

  it('signIn login locks the login on and webhooks off, whatever the operator chose', () => {
    const s = effectiveSettings({ signIn: 'login' }, { useLogin: false });
    expect(s).toMatchObject({ useLogin: true, webhooksAllowed: false });
    expect(s.locked.has('useLogin')).toBe(true);
  });

  it('signIn webhook locks the login off', () => {
    const s = effectiveSettings({ signIn: 'webhook' }, { useLogin: true });
    expect(s).toMatchObject({ useLogin: false, webhooksAllowed: true });
    expect(s.locked.has('useLogin')).toBe(true);
  });

  it('the default Undo window is the one Undo was built with', () => {
    expect(UNDO_MINUTES_DEFAULT * 60_000).toBe(UNDO_WINDOW_MS);
  });

  it('hideHistory turns Undo off (Undo needs the IDs); undoMinutes 0 turns it off too', () => {
    expect(effectiveSettings({ hideHistory: true, undoMinutes: 30 }, { useLogin: true }).undoMinutes).toBe(0);
    expect(effectiveSettings({ undoMinutes: 0 }, { useLogin: true }).undoMinutes).toBe(0);
    expect(effectiveSettings({ undoMinutes: 30 }, { useLogin: true }).undoMinutes).toBe(30);
  });
});

describe('readPolicy and watchPolicy on managed storage', () => {
  it('reads what the administrator set', async () => {
    await fakeBrowser.storage.managed.set({ signIn: 'login', undoMinutes: -5 });
    expect(await readPolicy()).toEqual({
      policy: { signIn: 'login' },
      ignored: [{ key: 'undoMinutes', problem: 'range' }],
    });
  });

  it('a browser whose managed storage throws (Firefox without policies.json) has no policy', async () => {
    const get = vi
      .spyOn(fakeBrowser.storage.managed, 'get')
      .mockRejectedValue(new Error('Managed storage manifest not found'));
    try {
      expect(await readPolicy()).toEqual(NO_POLICY);
    } finally {
      get.mockRestore();
    }
  });

  it('a policy changed while running is read again', async () => {
    const seen: unknown[] = [];
    const stop = watchPolicy((r) => seen.push(r.policy));
    await fakeBrowser.storage.managed.set({ hideHistory: true });
    await vi.waitFor(() => expect(seen).toEqual([{ hideHistory: true }]));
    await fakeBrowser.storage.local.set({ unrelated: 1 });
    stop();
    await fakeBrowser.storage.managed.set({ hideHistory: false });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toHaveLength(1);
  });
});

describe('the background enforces the policy', () => {
  let bg: Background;
  let sent: { tabId: number; method: string }[];
  const ok = (value: unknown): LoginAnswer => ({
    type: 'answer',
    status: 200,
    contentType: 'application/json',
    body: { type: 'json', value },
  });
  const options = {
    id: fakeBrowser.runtime.id,
    url: `chrome-extension://${fakeBrowser.runtime.id}/options.html`,
  };
  const fromControl = (portal: string) => ({
    id: fakeBrowser.runtime.id,
    url: `${portal}/online/`,
    tab: { id: 4, url: `${portal}/online/` } as never,
    frameId: 0,
  });

  beforeEach(async () => {
    sent = [];
    Object.assign(fakeBrowser.tabs, {
      sendMessage: vi.fn(async (tabId: number, message: { type: string; method: string }) => {
        sent.push({ tabId, method: message.method });
        return message.method === PIN
          ? ok({ result: [1652, 1653] })
          : ok({ result: { ID: '12', NAME: 'John', LAST_NAME: 'Roe' } });
      }),
      query: vi.fn(async () => []),
    });
    Object.assign(fakeBrowser.notifications, { create: vi.fn(async (id: string) => id) });
    Object.assign(fakeBrowser.permissions, { contains: vi.fn(async () => true) });
    Object.assign(fakeBrowser.scripting, {
      getRegisteredContentScripts: vi.fn(async () => []),
      registerContentScripts: vi.fn(async () => {}),
      unregisterContentScripts: vi.fn(async () => {}),
    });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        const method = new URL(url).pathname.split('/').pop()!.replace('.json', '');
        const result =
          method === 'method.get'
            ? { isExisting: true, isAvailable: true }
            : method === 'profile'
              ? { ID: '7', NAME: 'Jane', LAST_NAME: 'Doe', ADMIN: false }
              : [5];
        return new Response(JSON.stringify({ result }), { headers: { 'content-type': 'application/json' } });
      }),
    );
    bg = createBackground(realDeps());
  });

  it('signIn login: a webhook is refused without being sent or stored', async () => {
    await fakeBrowser.storage.managed.set({ signIn: 'login' });
    expect(await bg.handleMessage({ type: 'saveWebhook', url: WEBHOOK }, options)).toEqual({
      ok: false,
      refusedBy: 'policy',
    });
    expect(await bg.handleMessage({ type: 'checkWebhook', url: WEBHOOK }, options)).toEqual({
      ok: false,
      refusedBy: 'policy',
    });
    expect(fetch).not.toHaveBeenCalled();
    expect(await webhooksItem.getValue()).toEqual({});
    expect(await portalsItem.getValue()).toEqual({});
  });

  it('signIn login: a webhook stored before the policy is never used; the pin goes through the login', async () => {
    await useLoginItem.setValue(false); // the operator's choice, overridden by the policy
    await bg.handleMessage({ type: 'saveWebhook', url: WEBHOOK }, options);
    expect(Object.keys(await webhooksItem.getValue())).toEqual([PORTAL]);
    vi.mocked(fetch).mockClear();
    await fakeBrowser.storage.managed.set({ signIn: 'login' });
    const outcome = await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(PORTAL));
    expect(outcome).toMatchObject({ ok: true, sessionIds: [1652, 1653] });
    expect(fetch).not.toHaveBeenCalled();
    expect(sent).toEqual([{ tabId: 4, method: PIN }]);
  });

  it('signIn webhook: no webhook → "no webhook", never the login, even with the login setting on', async () => {
    await useLoginItem.setValue(true);
    await fakeBrowser.storage.managed.set({ signIn: 'webhook' });
    const outcome = await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(PORTAL));
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'no-webhook' } });
    expect(sent).toEqual([]);
  });

  it('the organisation’s self-hosted portal is a portal: its content script may pin', async () => {
    const refused = await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(SELF_HOSTED));
    expect(refused).toBeUndefined();
    await fakeBrowser.storage.managed.set({ portals: [SELF_HOSTED] });
    const outcome = await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(SELF_HOSTED));
    expect(outcome).toMatchObject({ ok: true, portal: SELF_HOSTED });
  });

  it('the organisation’s self-hosted portal gets its content script when the policy arrives', async () => {
    await fakeBrowser.storage.managed.set({ portals: [SELF_HOSTED] });
    await bg.onPolicyChanged();
    expect(fakeBrowser.scripting.registerContentScripts).toHaveBeenCalledWith([
      expect.objectContaining({ id: 'portal:crm.example.org', matches: ['https://crm.example.org/*'] }),
    ]);
  });

  it('hideHistory: the history keeps counts, no session IDs — also those stored before the policy', async () => {
    await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(PORTAL));
    expect(parseHistory(await historyItem.getValue())[0]).toMatchObject({ sessionIds: [1652, 1653] });
    await fakeBrowser.storage.managed.set({ hideHistory: true });
    await bg.onPolicyChanged();
    expect(parseHistory(await historyItem.getValue())[0]).toMatchObject({ sessionIds: [], count: 2 });
    await new Promise((r) => setTimeout(r, 2100)); // past the join window: a new pin
    const outcome = await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(PORTAL));
    // The answer shows the IDs on the control right now; nothing keeps them.
    expect(outcome).toMatchObject({ ok: true, sessionIds: [1652, 1653] });
    const stored = await historyItem.getValue();
    const history = parseHistory(stored);
    expect(history).toHaveLength(2);
    expect(JSON.stringify(stored)).not.toMatch(/1652|1653/);
    expect(history.map((o) => (o.ok ? o.count : null))).toEqual([2, 2]);
  });

  it('allowUnpinAll false: Unpin all is refused from the popup and the control, nothing is sent', async () => {
    await fakeBrowser.storage.managed.set({ allowUnpinAll: false });
    const popup = {
      id: fakeBrowser.runtime.id,
      url: `chrome-extension://${fakeBrowser.runtime.id}/popup.html`,
    };
    expect(
      await bg.handleMessage({ type: 'unpinAll', trigger: 'popup', portal: PORTAL }, popup),
    ).toBeUndefined();
    expect(
      await bg.handleMessage({ type: 'unpinAll', trigger: 'control' }, fromControl(PORTAL)),
    ).toBeUndefined();
    expect(sent).toEqual([]);
    expect(fetch).not.toHaveBeenCalled();
    expect(await historyItem.getValue()).toEqual([]);
  });

  it('undoMinutes: Undo is refused once the organisation’s window is over (0: at once)', async () => {
    await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromControl(PORTAL));
    sent = [];
    await fakeBrowser.storage.managed.set({ undoMinutes: 0 });
    expect(await bg.handleMessage({ type: 'undoPin', trigger: 'control' }, fromControl(PORTAL))).toEqual({
      refused: 'expired',
    });
    expect(sent).toEqual([]);
  });
});
