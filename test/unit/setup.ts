import { resolve } from 'node:path';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';
import { beforeEach } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

/**
 * Shared Vitest setup: the fake browser starts every test clean, and `browser.i18n` answers from
 * `locales/en.yml` the way Chrome answers from `_locales/en/messages.json` (nested keys joined with `_`,
 * `$1…$9` replaced by the substitutions), so tests assert on the real English texts.
 */
const messages = generateChromeMessages(await parseMessagesFile(resolve(process.cwd(), 'locales/en.yml')));

function getMessage(name: string, substitutions?: string | string[]): string {
  const entry = messages[name];
  if (!entry) return '';
  const subs = substitutions == null ? [] : Array.isArray(substitutions) ? substitutions : [substitutions];
  return entry.message.replace(/\$(\d)/g, (_, n: string) => subs[Number(n) - 1] ?? '');
}

function stubI18n(): void {
  Object.assign(fakeBrowser.i18n, { getMessage, getUILanguage: () => 'en' });
}

stubI18n();

/**
 * Node 20 has no Web Locks: an in-process `navigator.locks.request(name, fn)` (exclusive mode only, the one the
 * background uses), so unit tests run the background's real locking code.
 */
if (!(globalThis.navigator as { locks?: unknown } | undefined)?.locks) {
  const tails = new Map<string, Promise<unknown>>();
  const locks = {
    request<T>(name: string, fn: () => Promise<T>): Promise<T> {
      const run = (tails.get(name) ?? Promise.resolve()).then(() => fn());
      tails.set(
        name,
        run.catch(() => undefined),
      );
      return run;
    },
  };
  if (globalThis.navigator)
    Object.defineProperty(globalThis.navigator, 'locks', { value: locks, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true });
}

beforeEach(() => {
  fakeBrowser.reset();
  stubI18n();
});
