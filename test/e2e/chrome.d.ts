import type { browser } from 'wxt/browser';

declare global {
  /** The extension API inside the service worker, where `sw.evaluate` callbacks run. */
  const chrome: typeof browser;
  /** The extension API in Firefox extension pages, where `page.evaluate` callbacks run. */
  // biome-ignore lint/suspicious/noRedeclare: the global of extension pages, not the import above.
  const browser: typeof import('wxt/browser').browser;
}
