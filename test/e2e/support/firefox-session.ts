import type { Browser, Page } from 'puppeteer-core';
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
      const page = await ff.browser.newPage();
      const url = ff.extensionUrl(path);
      void page.goto(url).catch(() => {});
      // Evaluations can fail while the navigation from about:blank is under way: retry until the page is there.
      // 30 s: on a busy 2-core machine Firefox can take that long to show an extension page.
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          await page.waitForSelector(readySelector, { timeout: 2_000 });
          return page;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          // A navigation that never started (or was aborted) is started again.
          if (!page.url().startsWith('moz-extension:')) void page.goto(url).catch(() => {});
        }
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
  const verdict = await page.waitForSelector('[aria-live="polite"] .notice', { timeout: 15_000 });
  return { page, text: (await verdict!.evaluate((e) => (e as HTMLElement).innerText)) ?? '' };
}

/** Clicks the injected control with the real mouse (trusted), at the button's place in its closed shadow host. */
export async function clickControl(page: Page): Promise<void> {
  const host = await page.waitForSelector('b24-pin-all', { timeout: 10_000 });
  const box = await host!.boundingBox();
  if (!box) throw new Error('Pin all control has no box');
  await page.mouse.click(box.x + 12, box.y + Math.min(box.height / 2, 15));
}
