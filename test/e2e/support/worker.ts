import type { BrowserContext, Worker } from 'playwright-core';

/**
 * Stops the extension's service worker the way Chromium does when it idles one out (MV3), through the
 * DevTools protocol. A persistent context has no browser-level CDP session; the `ServiceWorker` domain of a page
 * session at the extension's origin sees the extension's worker and can stop it. Resolves once the protocol
 * reports it stopped. Playwright keeps the same `Worker` object, which works again once a trigger restarts the
 * worker (evaluating on it while it is stopped waits).
 * @param context the persistent context the extension runs in.
 * @param extensionId the extension whose worker to stop.
 */
export async function stopServiceWorker(context: BrowserContext, extensionId: string): Promise<void> {
  const prefix = `chrome-extension://${extensionId}/`;
  const page = await context.newPage();
  try {
    await page.goto(`${prefix}manifest.json`);
    const cdp = await context.newCDPSession(page);
    let status = '';
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      for (const v of versions) if (v.scriptURL.startsWith(prefix)) status = v.runningStatus;
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    const deadline = Date.now() + 10_000;
    while (status !== 'stopped') {
      if (Date.now() > deadline)
        throw new Error(`service worker did not stop (status: ${status || 'unknown'})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await cdp.detach().catch(() => {});
  } finally {
    await page.close();
  }
}

/**
 * Waits for the extension's service worker to be running again (a trigger woke it, or the extension reloaded) and
 * returns it.
 * @param context the persistent context the extension runs in.
 * @param extensionId the extension.
 * @param not a worker that must not be returned (the one before the restart), if any.
 */
export async function waitForWorker(
  context: BrowserContext,
  extensionId: string,
  not?: Worker,
): Promise<Worker> {
  const prefix = `chrome-extension://${extensionId}/`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const worker = context.serviceWorkers().find((w) => w.url().startsWith(prefix) && w !== not);
    if (worker) return worker;
    if (Date.now() > deadline) throw new Error('no service worker came up');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Reloads the extension the way an update or a fresh install under open tabs does (`chrome.runtime.reload()`),
 * and returns its new service worker. Chromium re-enables a reloaded unpacked extension only in developer mode,
 * so that is switched on first (chrome://extensions).
 * @param context the persistent context the extension runs in.
 * @param extensionId the extension.
 * @param worker its current service worker.
 */
export async function reloadExtension(
  context: BrowserContext,
  extensionId: string,
  worker: Worker,
): Promise<Worker> {
  const page = await context.newPage();
  try {
    await page.goto('chrome://extensions/');
    const toggle = page.locator('#devMode');
    if (!(await toggle.isChecked())) await toggle.click();
  } finally {
    await page.close();
  }
  const closed = new Promise<void>((resolve) => worker.once('close', () => resolve()));
  await worker.evaluate(() => {
    setTimeout(() => chrome.runtime.reload(), 50);
  });
  await closed;
  return waitForWorker(context, extensionId, worker);
}

/**
 * Closes the browser's idle pooled connections (chrome://net-internals, "Close idle sockets"), so that the next
 * request opens a fresh one. Chromium silently re-sends a request, POST included, when a *reused* keep-alive
 * connection fails before any answer; on a fresh connection the failure reaches `fetch`.
 * @param context the persistent context.
 */
export async function closeIdleSockets(context: BrowserContext): Promise<void> {
  const page = await context.newPage();
  try {
    await page.goto('chrome://net-internals/#sockets');
    await page.locator('#sockets-view-close-idle-button').click();
  } finally {
    await page.close();
  }
}
