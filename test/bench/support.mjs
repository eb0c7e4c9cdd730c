// Helpers of the benchmark runner (run.mjs): statistics, the printed table, waiting, and the DevTools-protocol
// pieces (isolated-world timer counters, page metrics, service worker stop). Plain ES module for Node 20.

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something truthy (every 5 ms: the emulator runs in this process, so polling its
 * records costs nothing and the timestamps it compares are taken by the emulator, not by this loop).
 * @template T
 * @param {() => T | Promise<T>} probe
 * @param {number} [timeoutMs]
 * @param {string} [what] for the error message
 * @returns {Promise<NonNullable<T>>}
 */
export async function waitFor(probe, timeoutMs = 10_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return /** @type {NonNullable<T>} */ (value);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * Percentile by nearest rank (p95 of 15 samples is the largest one; of 30, the second largest).
 * @param {number[]} values
 * @param {number} p 0..100
 */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return /** @type {number} */ (sorted[rank - 1]);
}

/** @param {number[]} values */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? Number(sorted[mid]) : (Number(sorted[mid - 1]) + Number(sorted[mid])) / 2;
}

/**
 * Summary of a sample list.
 * @param {number[]} samples
 */
export function summary(samples) {
  return {
    n: samples.length,
    median: round(median(samples)),
    p95: round(percentile(samples, 95)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
    samples: samples.map((x) => round(x)),
  };
}

/** @param {number} x */
export function round(x, digits = 3) {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Formats a value with its unit for the table.
 * @param {number | null | undefined} value
 * @param {string} unit
 */
export function fmt(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (unit === 'ms') return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
  if (unit === 'MB') return `${value.toFixed(2)} MB`;
  if (unit === 'kB') return `${value.toFixed(2)} kB`;
  if (unit === 'x') return `${value.toFixed(3)}×`;
  return `${value}${unit ? ` ${unit}` : ''}`;
}

/**
 * Renders rows as a fixed-width text table.
 * @param {string[]} header
 * @param {string[][]} rows
 */
export function textTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells) =>
    cells.map((c, i) => (c ?? '').padEnd(/** @type {number} */ (widths[i]))).join(' │ ');
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/**
 * The largest number of timestamps (ms) inside any window of `windowMs` (sliding, start at each timestamp).
 * @param {number[]} times
 * @param {number} windowMs
 */
export function maxInWindow(times, windowMs) {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (/** @type {number} */ (sorted[i]) - /** @type {number} */ (sorted[j]) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/**
 * The content script's isolated world in a page's main frame, reached over CDP (the page's own scripts and
 * Playwright's `evaluate` can't see it). Used to count the timers and frame callbacks the content script asks
 * for: a wrapper around `setTimeout`, `setInterval`, `requestAnimationFrame` and `requestIdleCallback` installed
 * in that world counts every call made after it is installed (bundled code looks those globals up at call time).
 * @param {import('playwright-core').Page} page
 * @param {string} extensionId
 */
export async function contentScriptWorld(page, extensionId) {
  const cdp = await page.context().newCDPSession(page);
  /** @type {{ id: number, origin: string, auxData?: { frameId?: string, isDefault?: boolean } }[]} */
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', (e) => contexts.push(e.context));
  const { frameTree } = await cdp.send('Page.getFrameTree');
  await cdp.send('Runtime.enable');
  const origin = `chrome-extension://${extensionId}`;
  const context = await waitFor(
    () => contexts.find((c) => c.origin === origin && c.auxData?.frameId === frameTree.frame.id),
    5_000,
    "the content script's isolated world",
  );
  /** @param {string} expression */
  const evaluate = async (expression) => {
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
      expression,
      contextId: context.id,
      returnByValue: true,
      awaitPromise: true,
    });
    if (exceptionDetails) throw new Error(`isolated world: ${JSON.stringify(exceptionDetails)}`);
    return result.value;
  };
  await evaluate(`(() => {
    const g = globalThis;
    if (g.__benchTimers) return;
    const counts = { setTimeout: 0, setInterval: 0, requestAnimationFrame: 0, requestIdleCallback: 0 };
    const delays = [];
    g.__benchTimers = { counts, delays };
    for (const name of Object.keys(counts)) {
      const original = g[name];
      if (typeof original !== 'function') continue;
      g[name] = function (...args) {
        counts[name]++;
        if (name === 'setTimeout' || name === 'setInterval') delays.push(name + ':' + (args[1] ?? 0));
        return original.apply(this, args);
      };
    }
  })()`);
  return {
    /** Counts since the last reset, then resets them. */
    take: async () =>
      evaluate(`(() => {
        const t = globalThis.__benchTimers;
        const out = { ...t.counts, delays: [...new Set(t.delays)] };
        for (const k of Object.keys(t.counts)) t.counts[k] = 0;
        t.delays.length = 0;
        return out;
      })()`),
    close: () => cdp.detach().catch(() => {}),
  };
}

/**
 * Main-thread metrics of a page's renderer (`Performance.getMetrics`), as a name → value map.
 * @param {import('playwright-core').CDPSession} cdp a session with `Performance.enable` sent.
 * @returns {Promise<Record<string, number>>}
 */
export async function pageMetrics(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/**
 * Self time per script URL in a V8 CPU profile (CDP `Profiler.stop`), in ms: each sample's duration (until the next
 * sample, the last one's from the last delta, as DevTools draws it) goes to the URL of the frame it was taken in.
 * Time in DOM APIs a script calls counts as that script's (bindings make no JS frame); time in `(program)`,
 * `(garbage collector)` and `(idle)` goes to the empty URL.
 * @param {{ nodes: { id: number, callFrame: { url: string, functionName: string, lineNumber: number, columnNumber: number } }[], samples?: number[], timeDeltas?: number[] }} profile
 * @param {(frame: { url: string, functionName: string, lineNumber: number, columnNumber: number }) => string} [key] what to sum by (default: the URL)
 * @returns {Map<string, number>}
 */
export function selfTimeByUrl(profile, key = (frame) => frame.url) {
  const urlOf = new Map(profile.nodes.map((node) => [node.id, key(node.callFrame)]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  /** @type {Map<string, number>} */
  const byUrl = new Map();
  for (let i = 0; i < samples.length; i++) {
    const micros = deltas[i + 1] ?? deltas[i] ?? 0;
    const url = urlOf.get(/** @type {number} */ (samples[i])) ?? '';
    byUrl.set(url, (byUrl.get(url) ?? 0) + Math.max(0, micros) / 1000);
  }
  return byUrl;
}

/**
 * Stops every service worker over CDP (what Chromium does to an idle MV3 worker) and waits until CDP reports the
 * extension's worker stopped. Playwright does not notice (its Worker never fires `close`, and its handle works
 * again once the worker restarts), so the state is followed through `ServiceWorker.workerVersionUpdated`.
 * Don't evaluate in the worker until something woke it: that hangs.
 * @param {import('playwright-core').BrowserContext} context
 * @param {import('playwright-core').Page} page any page (a page-level session reaches the extension's worker)
 * @param {string} extensionId
 */
export async function stopServiceWorkers(context, page, extensionId) {
  const prefix = `chrome-extension://${extensionId}/`;
  const cdp = await context.newCDPSession(page);
  /** @type {Map<string, string>} versionId → running status */
  const status = new Map();
  cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
    for (const v of e.versions) if (v.scriptURL.startsWith(prefix)) status.set(v.versionId, v.runningStatus);
  });
  try {
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await waitFor(
      () => status.size > 0 && [...status.values()].every((s) => s === 'stopped'),
      10_000,
      'the service worker to stop',
    );
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/**
 * The extension's running service worker as Playwright sees it, without starting one.
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} extensionId
 * @param {number} [timeoutMs]
 */
export function runningWorker(context, extensionId, timeoutMs = 15_000) {
  const prefix = `chrome-extension://${extensionId}/`;
  return waitFor(
    () => context.serviceWorkers().find((w) => w.url().startsWith(prefix)),
    timeoutMs,
    'the service worker',
  );
}
