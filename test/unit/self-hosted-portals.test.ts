// Self-hosted portals pinned through the operator's login, with no webhook: the typed address, the host access the
// Add click asks for, the content script registered for the portal, and the portal's own pages then pinning.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type Background, createBackground, realDeps } from '@/utils/background';
import { parsePortalAddress } from '@/utils/bitrix24/webhook';
import type { LoginAnswer } from '@/utils/messaging';
import { selfHostedPortalsItem } from '@/utils/storage';

const BOX = 'https://crm.example.org';
const PIN = 'imopenlines.session.mode.pinAll';
const options = {
  id: fakeBrowser.runtime.id,
  url: `chrome-extension://${fakeBrowser.runtime.id}/options.html`,
};
const fromBoxPage = {
  id: fakeBrowser.runtime.id,
  url: `${BOX}/services/contact_center/`,
  tab: { id: 4, url: `${BOX}/services/contact_center/` } as never,
  frameId: 0,
};

describe('parsePortalAddress', () => {
  it.each([
    ['crm.example.org', BOX],
    ['  https://crm.example.org/online/?IM_LINES=1  ', BOX],
    ['HTTPS://CRM.Example.ORG./', BOX],
    ['crm.example.org:8443', 'https://crm.example.org:8443'],
    ['https://crm.example.org:8443/services/', 'https://crm.example.org:8443'],
    ['bitrix', 'https://bitrix'],
    ['crm.example.org..', BOX],
    ['crm_office.example.org', 'https://crm_office.example.org'],
    ['портал.рф', 'https://xn--80awhdgm.xn--p1ai'],
  ])('%j → %s', (typed, portal) => {
    expect(parsePortalAddress(typed)).toEqual({ ok: true, portal });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['http://crm.example.org', 'not-https'],
    ['https://user:password@crm.example.org', 'not-url'],
    ['ftp://crm.example.org', 'not-url'],
    ['crm example org', 'not-url'],
    ['https://', 'not-url'],
    ['*', 'not-url'],
    ['*.example.org', 'not-url'],
  ])('%j is refused as %s', (typed, kind) => {
    expect(parsePortalAddress(typed)).toEqual({ ok: false, kind });
  });
});

describe('a self-hosted portal added for the login', () => {
  let bg: Background;
  let granted: boolean;
  let sent: { tabId: number; method: string }[];

  beforeEach(() => {
    granted = true;
    sent = [];
    Object.assign(fakeBrowser.permissions, {
      contains: vi.fn(async () => granted),
      remove: vi.fn(async () => true),
    });
    Object.assign(fakeBrowser.scripting, {
      getRegisteredContentScripts: vi.fn(async () => []),
      registerContentScripts: vi.fn(async () => {}),
      unregisterContentScripts: vi.fn(async () => {}),
      executeScript: vi.fn(async () => []),
    });
    Object.assign(fakeBrowser.tabs, {
      query: vi.fn(async () => []),
      sendMessage: vi.fn(async (tabId: number, message: { type: string; method: string }) => {
        if (message.type !== 'loginCall') return undefined;
        sent.push({ tabId, method: message.method });
        const answer: LoginAnswer = {
          type: 'answer',
          status: 200,
          contentType: 'application/json',
          body: { type: 'json', value: { result: message.method === PIN ? [31, 32] : { ID: '5' } } },
        };
        return answer;
      }),
    });
    Object.assign(fakeBrowser.notifications, { create: vi.fn(async (id: string) => id) });
    vi.stubGlobal('fetch', vi.fn());
    bg = createBackground(realDeps());
  });

  it('before it is added, its pages are not a portal: a pin from them is not answered, nothing sent', async () => {
    expect(await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromBoxPage)).toBeUndefined();
    expect(sent).toEqual([]);
  });

  it('once added with access: stored, its content script registered, and its pages pin through the login', async () => {
    const answer = await bg.handleMessage({ type: 'addSelfHostedPortal', portal: BOX }, options);
    expect(answer).toEqual({ ok: true, portal: BOX, cloud: false });
    expect(await selfHostedPortalsItem.getValue()).toEqual([BOX]);
    expect(fakeBrowser.scripting.registerContentScripts).toHaveBeenCalledWith([
      expect.objectContaining({ id: 'portal:crm.example.org', matches: ['https://crm.example.org/*'] }),
    ]);
    const outcome = await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromBoxPage);
    expect(outcome).toMatchObject({ ok: true, portal: BOX, sessionIds: [31, 32] });
    expect(sent.filter((s) => s.method === PIN)).toEqual([{ tabId: 4, method: PIN }]);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('added twice is listed once', async () => {
    await bg.handleMessage({ type: 'addSelfHostedPortal', portal: BOX }, options);
    await bg.handleMessage({ type: 'addSelfHostedPortal', portal: `${BOX}/online/` }, options);
    expect(await selfHostedPortalsItem.getValue()).toEqual([BOX]);
  });

  it('without host access: refused with host-access, nothing stored or registered', async () => {
    granted = false;
    const answer = await bg.handleMessage({ type: 'addSelfHostedPortal', portal: BOX }, options);
    expect(answer).toEqual({ ok: false, kind: 'host-access', portal: BOX });
    expect(await selfHostedPortalsItem.getValue()).toEqual([]);
    expect(fakeBrowser.scripting.registerContentScripts).not.toHaveBeenCalled();
  });

  it('a cloud portal the browser may not reach (Firefox lets the operator withhold it) is told host-access', async () => {
    granted = false;
    const answer = await bg.handleMessage(
      { type: 'addSelfHostedPortal', portal: 'https://acme.bitrix24.de' },
      options,
    );
    expect(answer).toEqual({ ok: false, kind: 'host-access', portal: 'https://acme.bitrix24.de' });
  });

  it('a cloud portal needs nothing added: answered as cloud, not stored', async () => {
    const answer = await bg.handleMessage(
      { type: 'addSelfHostedPortal', portal: 'https://acme.bitrix24.de' },
      options,
    );
    expect(answer).toEqual({ ok: true, portal: 'https://acme.bitrix24.de', cloud: true });
    expect(await selfHostedPortalsItem.getValue()).toEqual([]);
  });

  it('an http:// address is refused before anything is asked or stored', async () => {
    const answer = await bg.handleMessage(
      { type: 'addSelfHostedPortal', portal: 'http://crm.example.org' },
      options,
    );
    expect(answer).toEqual({ ok: false, kind: 'not-https' });
    expect(fakeBrowser.permissions.contains).not.toHaveBeenCalled();
    expect(await selfHostedPortalsItem.getValue()).toEqual([]);
  });

  it('a portal page cannot add a portal (extension pages only)', async () => {
    const cloudPage = {
      id: fakeBrowser.runtime.id,
      url: 'https://acme.bitrix24.com/online/',
      tab: { id: 5, url: 'https://acme.bitrix24.com/online/' } as never,
      frameId: 0,
    };
    expect(
      await bg.handleMessage({ type: 'addSelfHostedPortal', portal: 'https://evil.example' }, cloudPage),
    ).toBe(undefined);
    expect(await selfHostedPortalsItem.getValue()).toEqual([]);
  });

  it('removed: no longer stored, its registration goes, and its pages pin nothing', async () => {
    await bg.handleMessage({ type: 'addSelfHostedPortal', portal: BOX }, options);
    Object.assign(fakeBrowser.scripting, {
      getRegisteredContentScripts: vi.fn(async () => [{ id: 'portal:crm.example.org' }]),
    });
    expect(await bg.handleMessage({ type: 'removeSelfHostedPortal', portal: BOX }, options)).toEqual([]);
    expect(fakeBrowser.scripting.unregisterContentScripts).toHaveBeenCalledWith({
      ids: ['portal:crm.example.org'],
    });
    expect(await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromBoxPage)).toBeUndefined();
    // The site access asked for in the Add click is given back.
    expect(fakeBrowser.permissions.remove).toHaveBeenCalledWith({ origins: ['https://crm.example.org/*'] });
  });

  it('removed while the organisation names it too: the site access stays, and so does its content script', async () => {
    await fakeBrowser.storage.managed.set({ portals: [BOX] });
    await bg.handleMessage({ type: 'addSelfHostedPortal', portal: BOX }, options);
    await bg.handleMessage({ type: 'removeSelfHostedPortal', portal: BOX }, options);
    expect(fakeBrowser.permissions.remove).not.toHaveBeenCalled();
    expect(fakeBrowser.scripting.unregisterContentScripts).not.toHaveBeenCalled();
  });

  it('a removed portal is no longer chosen by the shortcut, though the last pin and the history name it', async () => {
    await bg.handleMessage({ type: 'addSelfHostedPortal', portal: BOX }, options);
    await bg.handleMessage({ type: 'pinAll', trigger: 'control' }, fromBoxPage);
    expect(await bg.choosePortal()).toBe(BOX);
    await bg.handleMessage({ type: 'removeSelfHostedPortal', portal: BOX }, options);
    expect(await bg.choosePortal()).toBeNull();
  });
});
