import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { evaluateInContentScript } from './support/firefox-content-script';
import { clickControl, DEMO, DEMO_WEBHOOK, saveWebhook, useFirefoxSession } from './support/firefox-session';

/**
 * Where the webhook lives (Firefox, which has no `setAccessLevel`): after it was saved through the options page, the
 * extension's content script on a portal page finds it in no storage area it can read, and neither do the
 * extension's own pages (`storage.local`, `storage.session`, `storage.sync`). It is in the extension origin's
 * IndexedDB. Webhooks an older version left in `storage.local` move there when the add-on reloads, and pinning
 * keeps working.
 */
const SECRET = 'demosecret123';

/** What the content script can read: every storage area it reaches, and the IndexedDB databases it can list. */
const CONTENT_SCRIPT_VIEW = `(async () => {
  const areas = {};
  for (const name of ['local', 'session', 'sync']) {
    try {
      areas[name] = browser.storage[name] ? JSON.stringify(await browser.storage[name].get(null)) : 'absent';
    } catch (error) {
      areas[name] = 'refused: ' + error;
    }
  }
  const databases = JSON.stringify(await indexedDB.databases());
  return JSON.stringify({ origin: location.origin, id: browser.runtime.id, areas, databases });
})()`;

/** Everything in the extension's storage areas and its IndexedDB webhooks record, read from an extension page. */
async function extensionView(page: Page): Promise<{ areas: string; secrets: unknown }> {
  return page.evaluate(async () => {
    const areas = JSON.stringify({
      local: await browser.storage.local.get(null),
      session: await browser.storage.session.get(null),
      sync: await browser.storage.sync.get(null),
    });
    const secrets = await new Promise((resolve, reject) => {
      const open = indexedDB.open('pin-all-secrets');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('secrets')) return resolve(undefined);
        const get = db.transaction('secrets').objectStore('secrets').get('webhooks');
        get.onsuccess = () => {
          db.close();
          resolve(get.result);
        };
        get.onerror = () => reject(get.error);
      };
    });
    return { areas, secrets };
  });
}

describe('the stored webhook (Firefox)', () => {
  const s = useFirefoxSession();

  it('is in no storage area the content script can read, nor in the extension’s own storage areas', async () => {
    const { page: options } = await saveWebhook(s, DEMO_WEBHOOK);
    await options.close();
    const page = await s.browser.newPage();
    await page.goto(`${DEMO}/contact_center/`);
    await page.waitForSelector('b24-pin-all', { timeout: 10_000 });

    const view = JSON.parse(await evaluateInContentScript(s.browser, `${DEMO}/`, CONTENT_SCRIPT_VIEW)) as {
      origin: string;
      id: string;
      areas: Record<string, string>;
      databases: string;
    };
    // It ran in the extension's content script on the portal page, which (no setAccessLevel in Firefox) does read
    // storage.local: the configured portal is there, its secret is not.
    expect(view.origin).toBe(DEMO);
    expect(view.id).toBe('pin-all@b24-pin-all.example');
    expect(view.areas.local).toContain(DEMO);
    for (const area of Object.values(view.areas)) expect(area).not.toContain(SECRET);
    expect(view.databases).not.toContain('pin-all-secrets');

    const popup = await s.openExtensionPage('popup.html', 'main');
    const own = await extensionView(popup);
    expect(own.areas).not.toContain(SECRET);
    expect(own.secrets).toEqual({ [DEMO]: { base: DEMO_WEBHOOK } });
    await popup.close();
    await page.close();
  });

  it('left in storage.local by an older version, moves to IndexedDB when the add-on restarts; Pin all still works', async () => {
    // Recreate what the previous version left: the webhook in `local:webhooks` (with WXT's meta), none in IndexedDB.
    const popup = await s.openExtensionPage('popup.html', 'main');
    await popup.evaluate(async (base) => {
      await browser.storage.local.set({
        webhooks: { 'https://demo.bitrix24.com': { base } },
        webhooks$: { v: 1 },
      });
      await new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('pin-all-secrets');
        open.onsuccess = () => {
          const tx = open.result.transaction('secrets', 'readwrite');
          tx.objectStore('secrets').delete('webhooks');
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      });
    }, DEMO_WEBHOOK);
    const before = await extensionView(popup);
    expect(before.secrets).toBeUndefined();
    expect(before.areas).toContain(SECRET);
    // The add-on reloads (as on an update) with a new background; nobody touches anything.
    // (Not from a timer: closing the page would cancel it. The reload closes the page; its evaluation may fail.)
    await popup.evaluate(() => browser.runtime.reload()).catch(() => {});
    await popup.close().catch(() => {});

    const deadline = Date.now() + 15_000;
    let view: Awaited<ReturnType<typeof extensionView>> | undefined;
    for (;;) {
      const page = await s.openExtensionPage('popup.html', 'main').catch(() => undefined);
      view = page ? await extensionView(page).catch(() => undefined) : undefined;
      await page?.close().catch(() => {});
      if ((view && !view.areas.includes(SECRET)) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(view?.areas).not.toContain(SECRET);
    expect(view?.areas).not.toContain('webhooks');
    expect(view?.secrets).toEqual({ [DEMO]: { base: DEMO_WEBHOOK } });

    s.emulator.reset();
    const page = await s.browser.newPage();
    await page.goto(`${DEMO}/contact_center/`);
    await clickControl(page);
    const until = Date.now() + 15_000;
    while (s.pins().length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(s.pins().map((r) => r.secret)).toEqual([SECRET]);
    await page.close();
  });
});
