import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../emulator/index.mjs';
import { CHROME_BUILD, clickPinAllControl, launchChromium } from './support/chromium.mjs';
import {
  buildWithKey,
  CHROMIUM_POLICY_DIR,
  isRoot,
  testExtensionKey,
  writeChromiumPolicy,
} from './support/policy-files.mjs';
import { DEMO, DEMO_WEBHOOK, HOSTS, PIN_METHOD } from './support/session';

/**
 * Managed settings in real Chromium, from a real JSON policy in its Linux policy directory (docs/admin.md): the
 * test build gets a manifest `key` made for this run (a known extension ID), the policy gives that ID
 * `signIn: "login"`, `hideHistory`, `allowUnpinAll: false`, an organisation portal and one invalid value. The options page shows the
 * locked settings and offers no webhook field; the background refuses a webhook sent to it anyway; a pin goes
 * through the login and the history keeps no session IDs.
 */

if (!isRoot)
  console.log(`chromium-policy: skipped — writing ${CHROMIUM_POLICY_DIR} needs root (CI runs as root)`);

describe.runIf(isRoot)('browser policy in Chromium (managed storage from /etc/chromium/policies)', () => {
  let emulator: Emulator;
  let context: BrowserContext;
  let extensionId: string;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const { key, id } = testExtensionKey();
    const keyed = await buildWithKey(CHROME_BUILD, key);
    cleanups.push(keyed.remove);
    const policy = await writeChromiumPolicy(id, {
      signIn: 'login',
      hideHistory: true,
      portals: ['https://crm.example.org'],
      allowUnpinAll: false,
      undoMinutes: 100_000,
    });
    cleanups.push(policy.remove);
    emulator = await startEmulator({ port: 0 });
    cleanups.push(() => emulator.close());
    const browser = await launchChromium(emulator, {
      hosts: [...HOSTS, 'crm.example.org'],
      extensionDir: keyed.dir,
    });
    cleanups.unshift(browser.close);
    context = browser.context;
    extensionId = browser.extensionId;
    expect(extensionId).toBe(id);
  });

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  });

  async function openOptions(): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`chrome-extension://${extensionId}/options.html`);
    await page.getByRole('heading', { name: 'Managed by your organisation' }).waitFor();
    return page;
  }

  it('the options page shows the locked settings, the ignored value and offers no webhook field', async () => {
    const page = await openOptions();
    const managed = page.locator('section.policy');
    await expect
      .poll(() => managed.innerText())
      .toMatch(/Sign-in: your Bitrix24 login only\s*Set by your organisation/);
    const text = await managed.innerText();
    expect(text).toMatch(/History: session IDs are not kept/);
    expect(text).toMatch(/Portals: crm\.example\.org/);
    expect(text).toMatch(/Unpin all: not offered/);
    expect(text).toMatch(/Ignored the policy value undoMinutes: out of range/);
    // A self-hosted portal of the organisation still needs the browser's host access: asked for once.
    expect(text).toMatch(/Access to crm\.example\.org is required by your organisation/);
    expect(await page.locator('#webhook-url').count()).toBe(0);
    expect(await page.locator('#options-webhook-locked').innerText()).toMatch(
      /allows only your Bitrix24 login/,
    );
    const useLogin = page.locator('#options-use-login');
    expect(await useLogin.isChecked()).toBe(true);
    expect(await useLogin.isDisabled()).toBe(true);
    await page.close();
  });

  it('the background refuses a webhook sent to it anyway: nothing reaches the portal, nothing is stored', async () => {
    const page = await openOptions();
    emulator.reset();
    const answer = await page.evaluate(
      (url) => chrome.runtime.sendMessage({ type: 'saveWebhook', url }),
      DEMO_WEBHOOK,
    );
    expect(answer).toEqual({ ok: false, refusedBy: 'policy' });
    expect(emulator.restCalls()).toEqual([]);
    const stored = await page.evaluate(() => chrome.storage.local.get(['webhooks', 'portals']));
    expect(stored.webhooks ?? {}).toEqual({});
    expect(stored.portals ?? {}).toEqual({});
    await page.close();
  });

  it('a pin goes through the login; the history keeps the count, not the session IDs', async () => {
    emulator.reset();
    const page = await context.newPage();
    await page.goto(`${DEMO}/contact_center/`);
    await clickPinAllControl(page, page);
    await expect.poll(() => emulator.requests.filter((r) => r.restMethod === PIN_METHOD).length).toBe(1);
    const [pin] = emulator.requests.filter((r) => r.restMethod === PIN_METHOD);
    expect(pin!.path).not.toContain('/rest/7/');
    const options = await openOptions();
    const history = () =>
      options.evaluate(async () => ((await chrome.storage.local.get('history')).history ?? []) as unknown[]);
    await expect.poll(async () => (await history()).length).toBe(1);
    // Stored without IDs (the compact `ids` text is empty), only the count.
    expect((await history())[0]).toMatchObject({ ok: true, ids: '', count: 2 });
    await page.close();
    await options.close();
  });

  it('Unpin all turned off: the popup offers none, and the background refuses one sent anyway', async () => {
    emulator.reset();
    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${extensionId}/popup.html`);
    await popup.locator('main.popup').waitFor();
    await popup.getByRole('button', { name: 'Pin all', exact: true }).waitFor();
    expect(await popup.getByRole('button', { name: /Unpin all/ }).count()).toBe(0);
    const answer = await popup.evaluate(() =>
      chrome.runtime.sendMessage({ type: 'unpinAll', trigger: 'popup', portal: 'https://demo.bitrix24.com' }),
    );
    // Refused: no answer (Chrome hands the page undefined or null).
    expect(answer ?? null).toBeNull();
    expect(emulator.restCalls()).toEqual([]);
    await popup.close();
  });
});
