import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type Emulator, type RecordedRequest, startEmulator } from '../../emulator/index.mjs';
import { launchFirefox } from './firefox.mjs';

export const DEMO = 'https://demo.bitrix24.com';
export const DEMO_WEBHOOK = `${DEMO}/rest/7/demosecret123/`;

export interface FirefoxSession {
  emulator: Emulator;
  browser: Browser;
  extensionUrl(path: string): string;
  /** Opens an extension page (its `goto` never resolves under BiDi: wait on the DOM instead). */
  openExtensionPage(path: string, readySelector: string): Promise<Page>;
  pins(): RecordedRequest[];
  /**
   * The extension's stored pin history (newest first), read from an extension page: as stored, the session IDs
   * of each outcome as one compact text (`ids`, utils/session-ids.ts).
   */
  storedHistory(): Promise<
    { id: string; trigger: string; ok: boolean; portal: string; ids?: string; sessionIds?: number[] }[]
  >;
  close(): Promise<void>;
}

/**
 * Starts the emulator and Firefox ESR with the built extension (or the one in `extensionDir`) as a temporary
 * add-on.
 */
export async function startFirefoxSession(
  prefs: Record<string, unknown> = {},
  opts: { extensionDir?: string } = {},
): Promise<FirefoxSession> {
  const emulator = await startEmulator({ port: 0 });
  const ff = await launchFirefox(emulator, { prefs, ...opts });
  const session: FirefoxSession = {
    emulator,
    browser: ff.browser,
    extensionUrl: ff.extensionUrl,
    async openExtensionPage(path, readySelector) {
      const url = ff.extensionUrl(path);
      // 45 s in all: on a busy 2-core machine Firefox can take 30 s to show an extension page. A tab that has not
      // shown it within 12 s is closed and the page opened in a new tab: once in a while a tab's evaluations are
      // all terminated (BiDi: "right-hand side of 'in' should be an object, got null") and it never recovers.
      const deadline = Date.now() + 45_000;
      for (;;) {
        const page = await ff.browser.newPage();
        void page.goto(url).catch(() => {});
        const tabDeadline = Math.min(deadline, Date.now() + 12_000);
        for (;;) {
          try {
            // Evaluations can fail while the navigation from about:blank is under way: retry until the page is
            // there.
            await page.waitForSelector(readySelector, { timeout: 2_000 });
            return page;
          } catch (error) {
            if (Date.now() > deadline) {
              await page.close().catch(() => {});
              throw new Error(`${path} did not show ${readySelector} within 45 s`, { cause: error });
            }
            if (Date.now() > tabDeadline) break;
            // A navigation that never started (or was aborted) is started again.
            if (!page.url().startsWith('moz-extension:')) void page.goto(url).catch(() => {});
          }
        }
        await page.close().catch(() => {});
      }
    },
    pins: () => emulator.requests.filter((r) => r.restMethod === 'imopenlines.session.mode.pinall'),
    async storedHistory() {
      const page = await session.openExtensionPage('popup.html', 'main');
      try {
        return (await page.evaluate(
          async () => (await browser.storage.local.get('history')).history ?? [],
        )) as Awaited<ReturnType<FirefoxSession['storedHistory']>>;
      } finally {
        await page.close();
      }
    },
    async close() {
      await ff.close();
      await emulator.close();
    },
  };
  return session;
}

/**
 * One Firefox session for the tests of a `describe` block, started before the first of them, and started afresh
 * before a test whose try failed is tried again (the e2e config retries once): a Firefox whose extension pages
 * stopped showing is not handed to the retry. `restore` recreates, in a restarted session, what the block's earlier
 * tests left that later ones rely on (such as a saved webhook).
 * @param start starts a session (as `startFirefoxSession` with the block's prefs and build).
 * @param restore run on a restarted session only, before the retried test.
 * @returns the current session; tests use it as a `FirefoxSession` (it forwards to the session running now).
 */
export function useFirefoxSession(
  start: () => Promise<FirefoxSession> = () => startFirefoxSession(),
  restore?: (s: FirefoxSession) => Promise<void>,
): FirefoxSession {
  let current: FirefoxSession | undefined;
  let failed = false;
  beforeAll(async () => {
    current = await start();
  });
  // Up to 2 minutes: closing a Firefox that stopped answering (killed after 5 s), starting a new one and restoring
  // (saving a webhook through the options page can take 45 s on a loaded machine).
  beforeEach(async ({ onTestFailed }) => {
    if (failed) {
      failed = false;
      await current?.close().catch(() => {});
      current = undefined;
      current = await start();
      await restore?.(current);
    }
    onTestFailed(() => {
      failed = true;
    });
  }, 120_000);
  afterAll(async () => {
    await current?.close();
  });
  return new Proxy({} as FirefoxSession, {
    get(_, key) {
      if (!current) throw new Error('no Firefox session: it is started before the first test of the block');
      return current[key as keyof FirefoxSession];
    },
  });
}

/** Saves a webhook through the options page as an operator does; returns the verdict text. */
export async function saveWebhook(s: FirefoxSession, url: string): Promise<{ page: Page; text: string }> {
  const page = await s.openExtensionPage('options.html', 'input');
  // Pasted, not typed: a newline in the pasted text must not submit the form half-way.
  await page.$eval(
    'input',
    (input, value) => {
      (input as HTMLInputElement).value = value;
      input.dispatchEvent(
        new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste', data: value }),
      );
    },
    url,
  );
  await page.click('button[type=submit]');
  const verdict = await page.waitForSelector('#options-webhook-result .notice', { timeout: 15_000 });
  return { page, text: (await verdict!.evaluate((e) => (e as HTMLElement).innerText)) ?? '' };
}

/** Clicks the injected control with the real mouse (trusted), at the button's place in its closed shadow host. */
export async function clickControl(page: Page): Promise<void> {
  const host = await page.waitForSelector('b24-pin-all', { timeout: 10_000 });
  const box = await host!.boundingBox();
  if (!box) throw new Error('Pin all control has no box');
  await page.mouse.click(box.x + 12, box.y + Math.min(box.height / 2, 15));
}
