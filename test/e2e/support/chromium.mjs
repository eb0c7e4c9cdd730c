// Launches real Chromium with the built extension, portal host names mapped to the emulator on loopback and the
// emulator's certificate trusted by its SPKI hash (no CA installed anywhere). Used by the e2e tests and the demo.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

/** Where `wxt build` puts the Chrome build. */
export const CHROME_BUILD = resolve('.output/chrome-mv3');

/** Path of Debian's Chromium (`apt-get install chromium`). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Starts Chromium with the extension loaded.
 * @param {{ port: number, spki: string }} emulator a running emulator (see test/emulator)
 * @param {{ hosts: string[], headless?: boolean, extensionDir?: string, netLog?: string, locale?: string }} opts
 *   hosts: portal host names to map to 127.0.0.1:PORT (every other name resolves to nothing).
 * @returns {Promise<{ context: import('playwright-core').BrowserContext, extensionId: string,
 *   worker: () => Promise<import('playwright-core').Worker>, close: () => Promise<void> }>}
 */
export async function launchChromium(emulator, opts) {
  const extensionDir = opts.extensionDir ?? CHROME_BUILD;
  if (!existsSync(join(extensionDir, 'manifest.json'))) {
    throw new Error(`No built extension in ${extensionDir}: run \`npm run build\` first.`);
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'pin-all-chromium-'));
  const rules = [...opts.hosts.map((h) => `MAP ${h} 127.0.0.1:${emulator.port}`), 'MAP * ~NOTFOUND'].join(
    ', ',
  );
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: opts.headless ?? true,
    locale: opts.locale ?? 'en-US',
    viewport: { width: 1280, height: 800 },
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      `--host-resolver-rules=${rules}`,
      `--ignore-certificate-errors-spki-list=${emulator.spki}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-sync',
      '--disable-background-networking',
      '--disable-component-update',
      ...(opts.netLog ? [`--log-net-log=${opts.netLog}`, '--net-log-capture-mode=Everything'] : []),
    ],
  });
  const first =
    context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = new URL(first.url()).host;
  /** The extension's current service worker (a new one after the old was stopped). */
  const worker = async () => {
    const live = context
      .serviceWorkers()
      .filter((w) => w.url().startsWith(`chrome-extension://${extensionId}/`));
    return live.at(-1) ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  };
  return {
    context,
    extensionId,
    worker,
    close: async () => {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
    },
  };
}

/**
 * Saves a webhook through the options page the way an operator does: type it into "Webhook URL", press Save,
 * wait for the verdict. Returns the text the options page shows after saving.
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} extensionId
 * @param {string} webhookUrl
 */
export async function saveWebhookThroughOptions(context, extensionId, webhookUrl) {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  await page.getByLabel('Webhook URL').fill(webhookUrl);
  await page.getByRole('button', { name: 'Save' }).click();
  const verdict = page.locator('#options-webhook-result .notice').first();
  await verdict.waitFor({ state: 'visible', timeout: 15_000 });
  const text = await verdict.innerText();
  return { page, text };
}

/**
 * Clicks the injected Pin all button with a real (trusted) mouse click. The control lives in a closed shadow
 * root that locators can't pierce, so the click goes to the button's place inside the host element.
 * @param {import('playwright-core').Page | import('playwright-core').Frame} where page or frame holding the control
 * @param {import('playwright-core').Page} page the page, for its mouse
 */
export async function clickPinAllControl(where, page) {
  const host = where.locator('b24-pin-all');
  await host.waitFor({ state: 'attached', timeout: 10_000 });
  await host.scrollIntoViewIfNeeded();
  const box = await host.boundingBox();
  if (!box) throw new Error('Pin all control has no box');
  await page.mouse.click(box.x + 12, box.y + Math.min(box.height / 2, 15));
}

/**
 * Records every notification the extension creates, by wrapping `chrome.notifications.create` in the worker
 * (headless Chromium shows none). Calling it again empties the record. Re-arm after the worker restarts.
 * @param {import('playwright-core').Worker} sw
 */
export async function recordNotifications(sw) {
  await sw.evaluate(() => {
    const g = /** @type {any} */ (globalThis);
    g.__notes = [];
    if (g.__notesWrapped) return;
    g.__notesWrapped = true;
    const original = chrome.notifications.create.bind(chrome.notifications);
    chrome.notifications.create = /** @type {any} */ (
      (/** @type {any[]} */ ...args) => {
        const [id, options] = typeof args[0] === 'string' ? args : [undefined, args[0]];
        g.__notes.push({ id, ...options });
        return original(...args);
      }
    );
  });
}

/** The notifications recorded so far (`{ id, type, iconUrl, title, message }`). */
export async function notifications(sw) {
  return sw.evaluate(() => /** @type {any} */ (globalThis).__notes ?? []);
}
