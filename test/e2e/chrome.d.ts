type ExtensionApi = typeof import('wxt/browser').browser;

declare global {
  /** The extension API inside Chromium's service worker, where `sw.evaluate` callbacks run. */
  const chrome: ExtensionApi;
  /** The extension API in Firefox extension pages, where `page.evaluate` callbacks run. */
  const browser: ExtensionApi;
}

export {};
