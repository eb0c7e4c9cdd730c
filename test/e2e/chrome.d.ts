import type { browser } from 'wxt/browser';

declare global {
  /** The extension API inside the service worker, where `sw.evaluate` callbacks run. */
  const chrome: typeof browser;
}
