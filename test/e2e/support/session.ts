import type { Page, Worker } from 'playwright-core';
import { type Emulator, type RecordedRequest, startEmulator } from '../../emulator/index.mjs';
import {
  launchChromium,
  notifications,
  recordNotifications,
  saveWebhookThroughOptions,
} from './chromium.mjs';

/** Portal hosts every e2e browser maps to the emulator. */
export const HOSTS = ['demo.bitrix24.com', 'acme.bitrix24.com', 'corp.bitrix24.de', 'old.bitrix24.com'];
export const DEMO = 'https://demo.bitrix24.com';
export const DEMO_WEBHOOK = `${DEMO}/rest/7/demosecret123/`;
export const PIN_METHOD = 'imopenlines.session.mode.pinall';

export interface ChromiumSession {
  emulator: Emulator;
  extensionId: string;
  worker(): Promise<Worker>;
  newPage(): Promise<Page>;
  /** Pin requests the emulator received since the last reset. */
  pins(): RecordedRequest[];
  /** Notifications created since the last reset. */
  notes(): Promise<{ id: string; title: string; message: string; iconUrl: string; type: string }[]>;
  /** Waits until `n` notifications exist (15 s at most) and returns them. */
  waitForNotes(n?: number): Promise<{ id: string; title: string; message: string }[]>;
  /** Clears the emulator's record and faults, the recorded notifications and the extension's pin history. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the emulator and Chromium with the built extension, and saves the demo webhook through the options page
 * (unless `webhook: false`).
 * Between tests `reset()` forgets the history so that the 2 s join window of one test does not absorb the next
 * test's pin.
 */
export async function startChromiumSession(
  opts: { netLog?: string; webhook?: boolean } = {},
): Promise<ChromiumSession> {
  const emulator = await startEmulator({ port: 0 });
  const browser = await launchChromium(emulator, { hosts: HOSTS, netLog: opts.netLog });
  // `webhook: false`: a fresh profile with nothing set up (the login path).
  if (opts.webhook !== false) {
    const { page } = await saveWebhookThroughOptions(browser.context, browser.extensionId, DEMO_WEBHOOK);
    await page.close();
  }
  const session: ChromiumSession = {
    emulator,
    extensionId: browser.extensionId,
    worker: browser.worker,
    newPage: () => browser.context.newPage(),
    pins: () => emulator.requests.filter((r) => r.restMethod === PIN_METHOD),
    notes: async () => notifications(await browser.worker()),
    async waitForNotes(n = 1) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const notes = await session.notes();
        if (notes.length >= n || Date.now() > deadline) return notes;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async reset() {
      emulator.reset();
      const sw = await browser.worker();
      await sw.evaluate(async () => {
        await chrome.storage.local.remove(['history', 'lastPortal']);
      });
      await recordNotifications(sw);
      for (const p of browser.context.pages()) await p.close();
    },
    async close() {
      await browser.close();
      await emulator.close();
    },
  };
  await session.reset();
  return session;
}
