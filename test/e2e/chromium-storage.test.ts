import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickPinAllControl, recordNotifications } from './support/chromium.mjs';
import { type ChromiumSession, DEMO, DEMO_WEBHOOK, startChromiumSession } from './support/session';
import { reloadExtension } from './support/worker';

/**
 * Where the webhook lives (Chromium): after it was saved through the options page, code running in the extension's
 * content-script world on a portal page finds it in no storage area it can reach, and neither does the extension's
 * own view of `storage.local`, `storage.session` and `storage.sync` (so the proof does not rest on
 * `setAccessLevel`). The secret is in the extension origin's IndexedDB; webhooks an older version left in
 * `storage.local` move there when the extension is updated, and pinning keeps working.
 */
const SECRET = 'demosecret123';

let s: ChromiumSession;
beforeAll(async () => {
  s = await startChromiumSession();
});
afterAll(async () => {
  await s?.close();
});

interface ContentWorldView {
  origin: string;
  extensionId: string | undefined;
  areas: Record<string, string>;
  databases: string;
}

/**
 * Evaluates in the extension's isolated world (its content script's context) on `page`, through the Chrome DevTools
 * Protocol: the execution context with `auxData.type` "isolated" whose origin is the extension's.
 */
async function readFromContentScriptWorld(page: Page, extensionId: string): Promise<ContentWorldView> {
  const cdp = await page.context().newCDPSession(page);
  const contexts: {
    id: number;
    origin: string;
    name: string;
    auxData?: { type?: string; isDefault?: boolean };
  }[] = [];
  cdp.on('Runtime.executionContextCreated', (e) => contexts.push(e.context));
  await cdp.send('Runtime.enable');
  const deadline = Date.now() + 10_000;
  let world: (typeof contexts)[number] | undefined;
  while (!world) {
    world = contexts.find(
      (c) =>
        c.auxData?.type === 'isolated' &&
        c.auxData.isDefault === false &&
        (c.origin === `chrome-extension://${extensionId}` || c.name.includes('Pin all')),
    );
    if (!world && Date.now() > deadline) {
      throw new Error(`no content-script world among ${JSON.stringify(contexts)}`);
    }
    if (!world) await page.waitForTimeout(100);
  }
  const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
    contextId: world.id,
    awaitPromise: true,
    returnByValue: true,
    expression: `(async () => {
      const areas = {};
      for (const name of ['local', 'session', 'sync', 'managed']) {
        try {
          areas[name] = JSON.stringify(await chrome.storage[name].get(null));
        } catch (error) {
          areas[name] = 'refused: ' + String(error && error.message);
        }
      }
      const databases = JSON.stringify(await indexedDB.databases());
      return { origin: location.origin, extensionId: globalThis.chrome?.runtime?.id, areas, databases };
    })()`,
  });
  await cdp.detach();
  if (exceptionDetails) throw new Error(JSON.stringify(exceptionDetails));
  return result.value as ContentWorldView;
}

/** Everything in the extension's own storage areas, read by its service worker. */
async function extensionStorage(sw: Worker): Promise<string> {
  return sw.evaluate(async () =>
    JSON.stringify({
      local: await chrome.storage.local.get(null),
      session: await chrome.storage.session.get(null),
      sync: await chrome.storage.sync.get(null),
    }),
  );
}

/** The webhooks record in the extension origin's IndexedDB, read by its service worker. */
async function storedSecrets(sw: Worker): Promise<unknown> {
  return sw.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('pin-all-secrets');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const get = db.transaction('secrets').objectStore('secrets').get('webhooks');
          get.onsuccess = () => {
            db.close();
            resolve(get.result);
          };
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

describe('the stored webhook (Chromium)', () => {
  it('is in no storage area a content script can read, nor in the extension’s own storage areas', async () => {
    const page = await s.newPage();
    await page.goto(`${DEMO}/contact_center/`);
    await page.locator('b24-pin-all').waitFor({ state: 'attached', timeout: 10_000 });

    const view = await readFromContentScriptWorld(page, s.extensionId);
    // It really ran in the extension's content-script world on the portal page.
    expect(view.origin).toBe(DEMO);
    expect(view.extensionId).toBe(s.extensionId);
    for (const area of Object.values(view.areas)) expect(area).not.toContain(SECRET);
    expect(view.databases).not.toContain('pin-all-secrets');

    // Not even the extension's own storage areas hold it (whatever setAccessLevel does in this version)…
    const own = await extensionStorage(await s.worker());
    expect(own).toContain(DEMO); // the portal is configured…
    expect(own).not.toContain(SECRET); // …and its secret is not there.
    // …because it is in the extension origin's IndexedDB.
    expect(await storedSecrets(await s.worker())).toEqual({ [DEMO]: { base: DEMO_WEBHOOK } });
  });

  it('left in storage.local by an older version, moves to IndexedDB on update, and Pin all still works', async () => {
    // Recreate what the previous version left: the webhook in `local:webhooks` (with WXT's meta), none in IndexedDB.
    const sw = await s.worker();
    await sw.evaluate(async (base) => {
      await chrome.storage.local.set({
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
    expect(await storedSecrets(sw)).toBeUndefined();
    expect(await extensionStorage(sw)).toContain(SECRET);

    // An update: the extension reloads (onInstalled 'update') with a new worker; nobody touches anything.
    const sw2 = await reloadExtension((await s.newPage()).context(), s.extensionId, sw);
    const deadline = Date.now() + 10_000;
    while ((await extensionStorage(sw2)).includes(SECRET) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await extensionStorage(sw2)).not.toContain(SECRET);
    expect(await extensionStorage(sw2)).not.toContain('webhooks');
    expect(await storedSecrets(sw2)).toEqual({ [DEMO]: { base: DEMO_WEBHOOK } });

    // Pinning uses the moved webhook.
    await recordNotifications(sw2);
    s.emulator.reset();
    const page = await s.newPage();
    await page.goto(`${DEMO}/contact_center/`);
    await clickPinAllControl(page, page);
    await s.waitForNotes(1);
    expect(s.pins().map((r) => r.secret)).toEqual([SECRET]);
  });
});
