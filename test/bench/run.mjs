#!/usr/bin/env node
// Performance benchmarks (issue 7): real Chromium with the built extension against the Bitrix24 emulator. Every
// figure is measured next to its baseline in the same run (several rounds; median, p95, ratio), printed as a
// table and written to artifacts/bench.json. What each figure means exactly: test/bench/README.md.
//
//   node test/bench/run.mjs [--no-build] [--quick] [--out FILE] [--only SECTION,…] [--stress-rounds N]
//
// --no-build skips `npx wxt build` (the runner builds the Chrome extension first, so that `npm run bench` works on
// a fresh clone after `npm ci`); --quick runs fewer rounds (for working on the runner; figures are not
// comparable with a full run); --only runs some sections (size, warm, cold, visible, stress, heap, ids10k,
// burst); --stress-rounds overrides the rounds of the main-thread measure. No assertion fails the run: a missed budget is reported in the table and JSON, and
// the exit code is 0 unless the benchmark itself could not run (set BENCH_STRICT=1 to exit 1 on a missed budget).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CHROME_BUILD,
  clickPinAllControl,
  launchChromium,
  saveWebhookThroughOptions,
} from '../e2e/support/chromium.mjs';
import { defaultPortals, startEmulator } from '../emulator/index.mjs';
import {
  contentScriptWorld,
  fmt,
  maxInWindow,
  median,
  pageMetrics,
  round,
  runningWorker,
  selfTimeByUrl,
  sleep,
  stopServiceWorkers,
  summary,
  textTable,
  waitFor,
} from './support.mjs';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const outIndex = argv.indexOf('--out');
const OUT = resolve(outIndex >= 0 ? /** @type {string} */ (argv[outIndex + 1]) : 'artifacts/bench.json');
const SECTIONS = ['size', 'warm', 'login', 'cold', 'visible', 'stress', 'heap', 'ids10k', 'burst', 'undo5k'];
const onlyIndex = argv.indexOf('--only');
const ONLY = onlyIndex >= 0 ? /** @type {string} */ (argv[onlyIndex + 1]).split(',') : SECTIONS;
for (const s of ONLY)
  if (!SECTIONS.includes(s)) throw new Error(`--only: unknown section ${s} (${SECTIONS})`);
const roundsIndex = argv.indexOf('--stress-rounds');

/** Rounds per measure (after warm-up rounds that are not recorded). */
const ROUNDS = QUICK
  ? { warm: 5, shortcut: 5, cold: 3, visible: 10, stress: 2, profile: 1, memory: 2, tenK: 2, popup: 2 }
  : { warm: 15, shortcut: 15, cold: 8, visible: 30, stress: 16, profile: 3, memory: 5, tenK: 5, popup: 5 };
if (roundsIndex >= 0) ROUNDS.stress = Number(argv[roundsIndex + 1]);
const STRESS = { mutationsPerSecond: 5_000, seconds: 10 };

/** The portal the extension is configured for (its pages get the content script). */
const DEMO = 'https://demo.bitrix24.com';
const WEBHOOK = `${DEMO}/rest/7/demosecret123/`;
/**
 * The same portal under a host outside the extension's match patterns and permissions: identical pages, served by
 * the same emulator to the same browser, without the content script. The baseline of the page-cost measures.
 */
const TWIN_HOST = 'demo.example.org';
const TWIN = `https://${TWIN_HOST}`;
const PIN_METHOD = 'imopenlines.session.mode.pinall';
/** A portal with no webhook saved: its pins go through the operator's login (the `login` section). */
const LOGIN_HOST = 'acme.bitrix24.com';

const started = Date.now();
const log = (/** @type {string} */ message) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}`);

/* ---------------- build ---------------- */

if (!argv.includes('--no-build')) {
  log('npx wxt build');
  const build = spawnSync('npx', ['wxt', 'build'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (build.status !== 0) {
    process.stderr.write(build.stdout + build.stderr);
    throw new Error('wxt build failed');
  }
}

/* ---------------- emulator + browser ---------------- */

const portals = defaultPortals();
const demoConfig = portals.find((p) => p.host === 'demo.bitrix24.com');
if (!demoConfig) throw new Error('the emulator has no demo.bitrix24.com portal');
portals.push({ ...structuredClone(demoConfig), host: TWIN_HOST });

// The emulator stamps requests with this clock: sub-millisecond, and the same wall clock as the pages'
// `performance.timeOrigin + performance.now()` (checked below: "clock offset").
const emulator = await startEmulator({
  portals,
  hosts: [TWIN_HOST],
  now: () => performance.timeOrigin + performance.now(),
});
const browser = await launchChromium(emulator, { hosts: ['demo.bitrix24.com', TWIN_HOST, LOGIN_HOST] });
const { context, extensionId } = browser;
/** @type {Record<string, any>} */
const results = {};
/** @type {{ id: string, measure: string, unit: string, stats?: any, baseline?: any, value?: number,
 *   ratio?: number | null, budget: string, met: boolean | null, verdict?: string, note?: string }[]} */
const rows = [];
let chromiumVersion = 'unknown';
// Everything that follows runs with the browser and emulator up; both are closed whatever happens.
try {
  chromiumVersion = context.browser()?.version() ?? (await chromiumVersionFromWorker());
  {
    const { page, text } = await saveWebhookThroughOptions(context, extensionId, WEBHOOK);
    await page.close();
    if (!/Jane Doe/.test(text)) throw new Error(`webhook not saved: ${text}`);
  }
  log(`Chromium ${chromiumVersion}, extension ${extensionId}, emulator on 127.0.0.1:${emulator.port}`);

  async function chromiumVersionFromWorker() {
    const sw = await browser.worker();
    return sw.evaluate(() => navigator.userAgent.match(/Chrom(?:e|ium)\/([\d.]+)/)?.[1] ?? 'unknown');
  }

  /** Pin requests the emulator received since its last reset. */
  const pins = () => emulator.requests.filter((r) => r.restMethod === PIN_METHOD && r.method === 'POST');

  /** The extension's running worker (started by Playwright's last sight of it). */
  const worker = () => runningWorker(context, extensionId);

  /**
   * Forgets the extension's pin history (so the 2 s join window of one round does not absorb the next round's pin),
   * its pending pins and its client-side rate-limit buckets; resets the emulator (records, faults, its own leaky
   * bucket, sessions unpinned).
   */
  async function resetRound() {
    emulator.reset();
    const sw = await worker();
    await sw.evaluate(async () => {
      await chrome.storage.local.remove(['history', 'lastPortal', 'pendingPins', 'operatingResetAt']);
      await chrome.storage.session.remove(['rateBuckets']);
    });
  }

  /**
   * How many session IDs a stored outcome keeps: its `ids` text (`first-last` runs and single IDs, comma-separated;
   * utils/session-ids.ts) or, as older versions stored it, its `sessionIds` array.
   */
  function storedIdCount(/** @type {any} */ outcome) {
    if (typeof outcome?.ids !== 'string') return outcome?.sessionIds?.length ?? 0;
    if (outcome.ids === '') return 0;
    return outcome.ids.split(',').reduce((/** @type {number} */ n, /** @type {string} */ item) => {
      const [first, last] = item.split('-').map(Number);
      return n + (last === undefined ? 1 : last - first + 1);
    }, 0);
  }

  /** Waits until the extension recorded an outcome (the pin finished and was presented). */
  async function waitForOutcome(timeoutMs = 10_000) {
    return waitFor(
      async () => {
        const sw = await worker();
        const { history } = await sw.evaluate(() => chrome.storage.local.get('history'));
        return Array.isArray(history) && history.length > 0 ? history[0] : null;
      },
      timeoutMs,
      'the outcome in the history',
    );
  }

  /**
   * Wraps `fetch` and `chrome.notifications.create` in the worker (once per worker) to time, in the worker's clock,
   * when each REST answer's headers arrived, how many REST requests were in flight at most, and when each
   * notification was created. Calling it again empties the records. Re-arm after a worker restart.
   */
  async function armWorkerProbes() {
    const sw = await worker();
    await sw.evaluate(() => {
      const g = /** @type {any} */ (globalThis);
      g.__bench = { answers: [], notes: [], inFlight: 0, maxInFlight: 0, started: 0 };
      if (g.__benchWrapped) return;
      g.__benchWrapped = true;
      const originalFetch = g.fetch;
      g.fetch = async function benchFetch(/** @type {any} */ input, /** @type {any} */ init) {
        const url = String(input instanceof Request ? input.url : input);
        if (!url.includes('/rest/')) return originalFetch.call(this, input, init);
        const b = g.__bench;
        b.started++;
        b.inFlight++;
        b.maxInFlight = Math.max(b.maxInFlight, b.inFlight);
        try {
          const response = await originalFetch.call(this, input, init);
          // Only the method name is kept: the URL holds the webhook's secret.
          b.answers.push({ method: url.split('/').pop(), at: performance.now() });
          return response;
        } finally {
          b.inFlight--;
        }
      };
      const originalCreate = chrome.notifications.create.bind(chrome.notifications);
      chrome.notifications.create = /** @type {any} */ (
        (/** @type {any[]} */ ...args) => {
          const options = typeof args[0] === 'string' ? args[1] : args[0];
          g.__bench.notes.push({ at: performance.now(), title: options.title, message: options.message });
          return originalCreate(...args);
        }
      );
    });
  }

  /** @returns {Promise<{ answers: { method: string, at: number }[], notes: { at: number, title: string,
   *   message: string }[], maxInFlight: number, started: number }>} */
  async function workerProbes() {
    const sw = await worker();
    return sw.evaluate(() => /** @type {any} */ (globalThis).__bench);
  }

  /** Runs the `pin-all` keyboard command's real listener; returns the worker-clock wall time just before. */
  async function dispatchShortcut() {
    const sw = await worker();
    return sw.evaluate(() => {
      const t = performance.timeOrigin + performance.now();
      chrome.commands.onCommand.dispatch('pin-all');
      return t;
    });
  }

  /** Opens a portal page and, on the extension's portal, waits for the control. */
  async function openPortalPage(/** @type {string} */ url, withControl = true) {
    const page = await context.newPage();
    await page.goto(url);
    if (withControl) await page.locator('b24-pin-all').waitFor({ state: 'attached', timeout: 10_000 });
    return page;
  }

  /** Records, in the page, the wall time of every click (capture phase on window: before the control's handler). */
  async function recordClicks(/** @type {import('playwright-core').Page} */ page) {
    await page.evaluate(() => {
      const w = /** @type {any} */ (window);
      w.__benchClicks = [];
      window.addEventListener(
        'click',
        () => w.__benchClicks.push(performance.timeOrigin + performance.now()),
        true,
      );
    });
  }

  /** @param {import('playwright-core').Page} page */
  const takeClicks = (page) =>
    page.evaluate(() => /** @type {number[]} */ (/** @type {any} */ (window).__benchClicks.splice(0)));

  /* ---------------- 1. content script size ---------------- */

  if (ONLY.includes('size')) {
    const file = join(CHROME_BUILD, 'content-scripts/content.js');
    const raw = readFileSync(file);
    const gz = gzipSync(raw).length; // zlib default level (6), what `gzip` does
    const gz9 = gzipSync(raw, { level: 9 }).length;
    results.size = { file: 'content-scripts/content.js', bytes: raw.length, gzipBytes: gz, gzip9Bytes: gz9 };
    rows.push({
      id: 'content-script-size',
      measure: 'content script, minified + gzip',
      unit: 'kB',
      value: round(gz / 1000, 2),
      budget: '≤ 15 kB',
      met: gz <= 15_000,
      note: `${raw.length} B minified (WXT/rolldown output), ${gz} B gzip -6, ${gz9} B gzip -9`,
    });
    log(`content script: ${raw.length} B, gzip ${gz} B`);
  }

  /* ---------------- 2. trigger → pin request, worker warm ---------------- */

  /** The Open Lines page the trigger measures click on. */
  const olPage = await openPortalPage(`${DEMO}/online/`);
  await recordClicks(olPage);
  {
    // Clock check: the page's wall clock minus this process's, both read as timeOrigin + now().
    const offsets = [];
    for (let i = 0; i < 5; i++) {
      const before = performance.timeOrigin + performance.now();
      const inPage = await olPage.evaluate(() => performance.timeOrigin + performance.now());
      const after = performance.timeOrigin + performance.now();
      offsets.push(inPage - (before + after) / 2);
    }
    results.clockOffsetMs = summary(offsets);
  }

  /** One pin by a real click on the control; ms from the click (page clock) to the emulator receiving the POST. */
  async function controlRound() {
    await resetRound();
    await takeClicks(olPage);
    await clickPinAllControl(olPage, olPage);
    const pin = await waitFor(() => pins()[0], 10_000, 'the pin request');
    const clicks = await takeClicks(olPage);
    if (clicks.length !== 1) throw new Error(`expected one click, saw ${clicks.length}`);
    await waitForOutcome();
    await sleep(150); // the control gets its answer and goes back to idle
    return pin.at - /** @type {number} */ (clicks[0]);
  }

  /** The baseline: the same POST by a bare `fetch` from the page; ms from the call to the emulator's receipt. */
  async function pageFetchRound() {
    emulator.reset();
    const t0 = await olPage.evaluate(async (url) => {
      const t = performance.timeOrigin + performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: '{}',
      });
      await response.text();
      return t;
    }, `${WEBHOOK}imopenlines.session.mode.pinAll.json`);
    const pin = await waitFor(() => pins()[0], 10_000, 'the baseline request');
    await sleep(150);
    return pin.at - t0;
  }

  /** One pin by the keyboard command's listener; ms from the dispatch (worker clock) to the emulator's receipt. */
  async function shortcutRound() {
    await resetRound();
    const t0 = await dispatchShortcut();
    const pin = await waitFor(() => pins()[0], 10_000, 'the pin request');
    await waitForOutcome();
    await sleep(150);
    return pin.at - t0;
  }

  if (ONLY.includes('warm')) {
    log(`trigger → request, worker warm: ${ROUNDS.warm} rounds each of control click, page fetch, shortcut`);
    for (let i = 0; i < 2; i++) {
      await controlRound();
      await pageFetchRound();
      await shortcutRound();
    }
    const control = [];
    const fetchBaseline = [];
    const shortcut = [];
    for (let i = 0; i < ROUNDS.warm; i++) {
      // Alternate the order so that neither side always runs right after the other.
      if (i % 2) {
        fetchBaseline.push(await pageFetchRound());
        control.push(await controlRound());
      } else {
        control.push(await controlRound());
        fetchBaseline.push(await pageFetchRound());
      }
      shortcut.push(await shortcutRound());
    }
    const c = summary(control);
    const b = summary(fetchBaseline);
    const s = summary(shortcut);
    results.warm = { control: c, pageFetch: b, shortcut: s };
    const delta = c.median - b.median;
    rows.push({
      id: 'trigger-to-request-warm',
      measure: 'click on control → pin POST at emulator, worker warm',
      unit: 'ms',
      stats: c,
      baseline: b,
      ratio: round(c.median / b.median),
      budget: '≤ +15 ms vs baseline (median)',
      met: delta <= 15,
      verdict: `Δ ${delta >= 0 ? '+' : ''}${delta.toFixed(1)} ms`,
      note: 'baseline: the same POST by fetch() from the page',
    });
    const ds = s.median - b.median;
    rows.push({
      id: 'shortcut-to-request-warm',
      measure: 'keyboard command → pin POST at emulator, worker warm',
      unit: 'ms',
      stats: s,
      baseline: b,
      ratio: round(s.median / b.median),
      budget: '≤ +15 ms vs baseline (median)',
      met: ds <= 15,
      verdict: `Δ ${ds >= 0 ? '+' : ''}${ds.toFixed(1)} ms`,
      note: 'trigger: chrome.commands.onCommand.dispatch in the worker; baseline: fetch() from the page',
    });
    log(`  control ${c.median} ms, page fetch ${b.median} ms, shortcut ${s.median} ms (medians)`);
  }

  /* ---------------- 2b. click → pin request on the login path (no webhook) ---------------- */

  if (ONLY.includes('login')) await benchLoginPath();

  /**
   * The login path's row, kept apart from the webhook rows: on a portal without a webhook a click on the control
   * sends the pin from the page's content script with the page's `sessid` (the background asks the tab). Measured
   * from the click (page clock) to the emulator receiving the POST, beside a bare `fetch` of the same form POST from
   * the same page, and the webhook path's median of this run when the `warm` section ran.
   */
  async function benchLoginPath() {
    log(`login path: ${ROUNDS.warm} rounds each of control click and page fetch on ${LOGIN_HOST}`);
    const page = await openPortalPage(`https://${LOGIN_HOST}/online/`);
    await recordClicks(page);
    const clickRound = async () => {
      await resetRound();
      await takeClicks(page);
      await clickPinAllControl(page, page);
      const pin = await waitFor(() => pins()[0], 10_000, 'the login pin request');
      const clicks = await takeClicks(page);
      if (clicks.length !== 1) throw new Error(`expected one click, saw ${clicks.length}`);
      if (!pin.sessionAuth) throw new Error('the pin did not go through the login');
      await waitForOutcome();
      await sleep(150);
      return pin.at - /** @type {number} */ (clicks[0]);
    };
    const fetchRound = async () => {
      emulator.reset();
      const t0 = await page.evaluate(async () => {
        const token = /'bitrix_sessid':'(\w+)'/.exec(document.documentElement.innerHTML)?.[1] ?? '';
        const t = performance.timeOrigin + performance.now();
        const response = await fetch('/rest/imopenlines.session.mode.pinAll.json', {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: `sessid=${token}`,
          credentials: 'include',
        });
        await response.text();
        return t;
      });
      const pin = await waitFor(() => pins()[0], 10_000, 'the baseline request');
      await sleep(150);
      return pin.at - t0;
    };
    for (let i = 0; i < 2; i++) {
      await clickRound();
      await fetchRound();
    }
    const login = [];
    const bare = [];
    for (let i = 0; i < ROUNDS.warm; i++) {
      if (i % 2) {
        bare.push(await fetchRound());
        login.push(await clickRound());
      } else {
        login.push(await clickRound());
        bare.push(await fetchRound());
      }
    }
    await page.close();
    const l = summary(login);
    const b = summary(bare);
    results.login = { control: l, pageFetch: b, webhookControl: results.warm?.control ?? null };
    const delta = l.median - b.median;
    rows.push({
      id: 'trigger-to-request-login',
      measure: 'click on control → pin POST at emulator, login path (no webhook), worker warm',
      unit: 'ms',
      stats: l,
      baseline: b,
      ratio: round(l.median / b.median),
      budget: '≤ +15 ms vs baseline (median)',
      met: delta <= 15,
      verdict: `Δ ${delta >= 0 ? '+' : ''}${delta.toFixed(1)} ms`,
      note: `baseline: the same form POST by fetch() from the page; webhook path this run: ${results.warm ? `${results.warm.control.median} ms` : 'not run'}`,
    });
    log(`  login control ${l.median} ms, page fetch ${b.median} ms (medians)`);
  }

  /* ---------------- 3. the same with the worker stopped first ---------------- */

  if (ONLY.includes('cold')) {
    log(`trigger → request, worker stopped: ${ROUNDS.cold} rounds`);
    const cold = [];
    const wakeups = [];
    for (let i = 0; i < ROUNDS.cold; i++) {
      await resetRound();
      await stopServiceWorkers(context, olPage, extensionId);
      await sleep(300);
      await takeClicks(olPage);
      await clickPinAllControl(olPage, olPage);
      const pin = await waitFor(() => pins()[0], 15_000, 'the pin request after a worker restart');
      const [click] = await takeClicks(olPage);
      cold.push(pin.at - /** @type {number} */ (click));
      await worker();
      await waitForOutcome();
      // How long the new worker took to start, from its own clock: its timeOrigin is when it was created.
      const sw = await worker();
      wakeups.push(
        await sw.evaluate(() => performance.timeOrigin).then((t) => t - /** @type {number} */ (click)),
      );
      await sleep(150);
    }
    const c = summary(cold);
    results.cold = { control: c, clickToWorkerTimeOrigin: summary(wakeups) };
    rows.push({
      id: 'trigger-to-request-cold',
      measure: 'click on control → pin POST, worker stopped first',
      unit: 'ms',
      stats: c,
      baseline: results.warm?.pageFetch,
      ratio: null,
      budget: '≤ 250 ms (median)',
      met: c.median <= 250,
      note: 'worker stopped with CDP ServiceWorker.stopAllWorkers before each click',
    });
    log(`  cold ${c.median} ms median, p95 ${c.p95} ms`);
  }

  /* ---------------- 4. Open Lines list rendered → control visible; timers ---------------- */

  await olPage.close();

  if (ONLY.includes('visible')) {
    log(`Open Lines list rendered → control visible: ${ROUNDS.visible} rounds`);
    const page = await openPortalPage(`${DEMO}/stream/`, false);
    await sleep(500); // document_idle: let the content script start
    const timers = await contentScriptWorld(page, extensionId);
    // In the page's world: note when the control's host element (light DOM) is inserted, and its box then.
    await page.evaluate(() => {
      const w = /** @type {any} */ (window);
      w.__benchSeen = null;
      new MutationObserver((records) => {
        for (const r of records) {
          for (const n of r.addedNodes) {
            if (n.nodeName === 'B24-PIN-ALL' && w.__benchResolve) {
              const t = performance.now();
              const box = /** @type {Element} */ (n).getBoundingClientRect();
              w.__benchResolve({ t, width: box.width, height: box.height });
              w.__benchResolve = null;
            }
          }
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await timers.take();
    const visible = [];
    const nextFrame = [];
    const kinds = [];
    let sliderOpen = false;
    for (let i = 0; i < ROUNDS.visible + 2; i++) {
      // Alternate: open the messenger slider straight on Open Lines, or switch an open slider from chats to
      // Open Lines; both insert the list at a known moment.
      const kind = sliderOpen ? 'switch layout chat → openlines' : 'open slider on openlines';
      const r = await page.evaluate(async (k) => {
        const w = /** @type {any} */ (window);
        const seen = new Promise((resolve) => {
          w.__benchResolve = resolve;
          setTimeout(() => resolve(null), 3_000);
        });
        const t0 = performance.now();
        if (k.startsWith('switch')) w.__emu.setLayout('openlines');
        else w.__emu.openSlider('openlines');
        const s = /** @type {any} */ (await seen);
        if (!s) return null;
        const frame = await new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
        return {
          visible: s.t - t0,
          nextFrame: /** @type {number} */ (frame) - t0,
          width: s.width,
          height: s.height,
        };
      }, kind);
      if (!r) throw new Error(`no control after "${kind}"`);
      if (!(r.width > 0 && r.height > 0)) throw new Error(`control has no box after "${kind}"`);
      if (i >= 2) {
        visible.push(r.visible);
        nextFrame.push(r.nextFrame);
        kinds.push(kind);
      }
      // Take the list away again: switch the slider to chats, or close it; wait until the control is gone.
      if (sliderOpen) await page.evaluate(() => /** @type {any} */ (window).__emu.closeSlider());
      else await page.evaluate(() => /** @type {any} */ (window).__emu.setLayout('chat'));
      sliderOpen = !sliderOpen;
      await waitFor(() => page.evaluate(() => !document.querySelector('b24-pin-all')), 5_000, 'unmount');
      await sleep(50);
    }
    const duringRounds = await timers.take();
    // No polling: over 3 s with the control mounted and a quiet page, the content script asks for nothing.
    await page.evaluate(() => /** @type {any} */ (window).__emu.openSlider('openlines'));
    await page.locator('b24-pin-all').waitFor({ state: 'attached' });
    await sleep(300);
    await timers.take();
    await sleep(3_000);
    const idle = await timers.take();
    // And under mutations: 2 s at the stress rate.
    await page.evaluate(
      (s) => /** @type {any} */ (window).__stressOpenLines(s.mutationsPerSecond, 2),
      STRESS,
    );
    const underStress = await timers.take();
    await timers.close();
    await page.close();
    const v = summary(visible);
    results.visible = {
      attached: v,
      nextFrame: summary(nextFrame),
      kinds,
      timers: { duringRounds, idle3s: idle, stress2s: underStress, rounds: ROUNDS.visible + 2 },
    };
    rows.push({
      id: 'control-visible',
      measure: 'Open Lines list inserted → control attached with a box',
      unit: 'ms',
      stats: v,
      budget: '≤ 100 ms (p95)',
      met: v.p95 <= 100,
      note: `next frame after that: median ${round(results.visible.nextFrame.median, 1)} ms`,
    });
    const idleCalls =
      idle.setTimeout + idle.setInterval + idle.requestAnimationFrame + idle.requestIdleCallback;
    const periodic = duringRounds.setInterval + idle.setInterval + underStress.setInterval;
    rows.push({
      id: 'no-polling',
      measure: 'content script timers/rAF calls, 3 s idle with control mounted',
      unit: 'calls',
      value: idleCalls,
      budget: '0, and no setInterval',
      met: idleCalls === 0 && periodic === 0,
      note: `setInterval calls overall: ${periodic}; rAF during ${ROUNDS.visible + 2} rounds: ${duringRounds.requestAnimationFrame}, during 2 s stress: ${underStress.requestAnimationFrame}; setTimeout during rounds: ${duringRounds.setTimeout}, stress: ${underStress.setTimeout}`,
    });
    log(`  p95 ${v.p95} ms; idle timer calls ${idleCalls}; setInterval ${periodic}`);
  }

  /* ---------------- 5. main-thread time under 5,000 mutations/s; 6. JS heap ---------------- */

  if (ONLY.includes('stress')) {
    log(
      `main-thread time: ${ROUNDS.stress} paired rounds × ${STRESS.seconds} s of ${STRESS.mutationsPerSecond} mutations/s, then ${ROUNDS.profile} profiled`,
    );
    // Paired rounds: each round runs the page with the extension and its twin without (the baseline) back to back,
    // in alternating order, so slow drift of the shared machine hits both alike; the figure is the median of the
    // per-round ratios. Every third round adds a diagnostic third page: the twin with one empty MutationObserver on
    // the document ({childList, subtree}), which shows what any document-wide subtree observer costs by itself.
    /** @type {Record<string, any[]>} */
    const runs = { extension: [], bare: [], emptyObserver: [] };
    /** @param {'extension' | 'bare' | 'emptyObserver'} variant */
    const stressRun = async (variant, profile = false) => {
      const ext = variant === 'extension';
      const page = await openPortalPage(`${ext ? DEMO : TWIN}/online/`, ext);
      await sleep(1_000);
      if (!ext && (await page.locator('b24-pin-all').count()) > 0)
        throw new Error('control on the twin host');
      if (variant === 'emptyObserver') {
        await page.evaluate(() => {
          /** @type {any} */ (window).__benchObserver = new MutationObserver(() => {});
          /** @type {any} */ (window).__benchObserver.observe(document, { childList: true, subtree: true });
        });
      }
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      if (profile) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
        await cdp.send('Profiler.start');
      }
      const m0 = await pageMetrics(cdp);
      const res = await page.evaluate(
        (s) => /** @type {any} */ (window).__stressOpenLines(s.mutationsPerSecond, s.seconds),
        STRESS,
      );
      const m1 = await pageMetrics(cdp);
      const d = (/** @type {string} */ k) => ((m1[k] ?? 0) - (m0[k] ?? 0)) * 1000;
      /** @type {any} */
      const run = {
        cpuMs: d('ThreadTime'),
        taskMs: d('TaskDuration'),
        scriptMs: d('ScriptDuration'),
        layoutMs: d('LayoutDuration'),
        styleMs: d('RecalcStyleDuration'),
        mutations: res.mutations,
        wallMs: res.ms,
      };
      if (profile) {
        const { profile: cpuProfile } = await cdp.send('Profiler.stop');
        const self = selfTimeByUrl(cpuProfile);
        const prefix = `chrome-extension://${extensionId}/content-scripts/`;
        let contentMs = 0;
        for (const [url, ms] of self) if (url.startsWith(prefix)) contentMs += ms;
        run.contentScriptSelfMs = contentMs;
        run.contentScriptPer10sMs = (contentMs * 10_000) / res.ms;
        run.profiledMs = [...self.values()].reduce((x, y) => x + y, 0);
        // Where the sampled time went, so a zero for the content script can be told from a profile that saw nothing.
        run.topUrls = [...self]
          .sort((x, y) => y[1] - x[1])
          .slice(0, 6)
          .map(([url, ms]) => ({ url: url || '(native, GC, idle)', ms: round(ms, 1) }));
      }
      await cdp.detach().catch(() => {});
      await page.close();
      return run;
    };
    for (let i = 0; i < ROUNDS.stress; i++) {
      const order = i % 2 === 0 ? ['extension', 'bare'] : ['bare', 'extension'];
      if (i % 3 === 0) order.splice(i % 2 === 0 ? 1 : 0, 0, 'emptyObserver');
      for (const variant of /** @type {('extension' | 'bare' | 'emptyObserver')[]} */ (order))
        runs[variant].push(await stressRun(variant));
    }
    // The extension's own share, attributed by the CPU profiler: self time of every frame whose script is the
    // extension's content script (its MutationObserver/ResizeObserver callbacks and the DOM calls they make), in
    // separate rounds because sampling at 250 µs costs main-thread time of its own.
    const profiled = [];
    for (let i = 0; i < ROUNDS.profile; i++) profiled.push(await stressRun('extension', true));
    // The same attribution over a page load (content script start, first check, the control's first render): a
    // positive control showing the profiler does see the content script's frames when they run.
    const startup = [];
    /** @type {{ where: string, ms: number }[]} */
    let startupTop = [];
    for (let i = 0; i < ROUNDS.profile; i++) {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
      await cdp.send('Profiler.start');
      await page.goto(`${DEMO}/online/`);
      await page.locator('b24-pin-all').waitFor({ state: 'attached', timeout: 10_000 });
      await sleep(500);
      const { profile: cpuProfile } = await cdp.send('Profiler.stop');
      const prefix = `chrome-extension://${extensionId}/content-scripts/`;
      let ms = 0;
      for (const [url, self] of selfTimeByUrl(cpuProfile)) if (url.startsWith(prefix)) ms += self;
      startup.push(ms);
      if (i === 0) {
        const byFunction = selfTimeByUrl(cpuProfile, (f) =>
          f.url.startsWith(prefix)
            ? `${f.functionName || '(anonymous)'}:${f.lineNumber}:${f.columnNumber}`
            : '',
        );
        byFunction.delete('');
        startupTop = [...byFunction]
          .sort((x, y) => y[1] - x[1])
          .slice(0, 8)
          .map(([where, self]) => ({ where, ms: round(self, 1) }));
      }
      await cdp.detach().catch(() => {});
      await page.close();
    }
    const pick = (/** @type {any[]} */ list, /** @type {string} */ k) => list.map((r) => r[k]);
    /** @param {any[]} list */
    const byMetric = (list) => ({
      cpu: summary(pick(list, 'cpuMs')),
      task: summary(pick(list, 'taskMs')),
      script: summary(pick(list, 'scriptMs')),
      layout: summary(pick(list, 'layoutMs')),
      style: summary(pick(list, 'styleMs')),
      runs: list,
    });
    results.stress = {
      ...STRESS,
      extension: byMetric(runs.extension),
      bare: byMetric(runs.bare),
      emptyObserver: byMetric(runs.emptyObserver),
      contentScript: {
        per10sMs: summary(pick(profiled, 'contentScriptPer10sMs')),
        runs: profiled,
        pageLoadMs: summary(startup),
        pageLoadTopFunctions: startupTop,
      },
    };
    const ext = results.stress.extension.cpu;
    const bare = results.stress.bare.cpu;
    const ratioOfMedians = ext.median / bare.median;
    const paired = runs.extension.map((r, i) => r.cpuMs / runs.bare[i].cpuMs);
    const pairedMedian = median(paired);
    const sortedPaired = [...paired].sort((x, y) => x - y);
    const taskRatio = results.stress.extension.task.median / results.stress.bare.task.median;
    const floor = results.stress.emptyObserver.cpu.median / bare.median;
    const scriptDelta = results.stress.extension.script.median - results.stress.bare.script.median;
    const own = results.stress.contentScript.per10sMs;
    results.stress.ratio = {
      cpuPairedMedian: round(pairedMedian),
      cpuPaired: paired.map((x) => round(x)),
      cpuPairedRange: [round(sortedPaired[0] ?? NaN), round(sortedPaired.at(-1) ?? NaN)],
      cpuOfMedians: round(ratioOfMedians),
      taskOfMedians: round(taskRatio),
      emptyObserverCpuOfMedians: round(floor),
    };
    rows.push({
      id: 'main-thread-stress',
      measure: `page main-thread CPU, ${STRESS.seconds} s × ${STRESS.mutationsPerSecond} mutations/s in OL list`,
      unit: 'ms',
      stats: ext,
      baseline: bare,
      ratio: round(pairedMedian),
      budget: 'paired ratio ≤ 1.05',
      met: pairedMedian <= 1.05,
      note: `median of ${paired.length} paired-round ratios (range ${sortedPaired.map((x) => x.toFixed(3)).join(', ')}); ratio of medians ${ratioOfMedians.toFixed(3)}; an empty document-wide subtree MutationObserver alone: ${floor.toFixed(3)}. CDP Performance ThreadTime delta (CPU time); wall-clock TaskDuration ratio ${taskRatio.toFixed(3)}; ScriptDuration ${scriptDelta >= 0 ? '+' : ''}${scriptDelta.toFixed(1)} ms`,
    });
    rows.push({
      id: 'main-thread-stress-own',
      measure: `content script's own main-thread time per ${STRESS.seconds} s of ${STRESS.mutationsPerSecond} mutations/s (CPU profiler)`,
      unit: 'ms',
      stats: own,
      baseline: null,
      ratio: null,
      budget: `≤ 1% of the baseline page (${round(bare.median / 100, 1)} ms)`,
      met: own.median <= bare.median / 100,
      note: `self time of frames in chrome-extension://…/content-scripts/ (CDP Profiler, 250 µs sampling), ${profiled.length} profiled rounds, scaled to ${STRESS.seconds} s of stress; the same attribution over loading /online/ until the control is attached: ${round(results.stress.contentScript.pageLoadMs.median, 1)} ms (median)`,
    });
    log(
      `  main-thread CPU ${ext.median} vs ${bare.median} ms → paired ${pairedMedian.toFixed(3)} (of medians ${ratioOfMedians.toFixed(3)}); content script ${own.median} ms / 10 s`,
    );
  }

  if (ONLY.includes('heap')) {
    log(`JS heap with the control mounted: ${ROUNDS.memory} rounds × 2 pages`);
    const heap = { extension: [], bare: [] };
    for (let i = 0; i < ROUNDS.memory; i++) {
      const order = i % 2 ? ['bare', 'extension'] : ['extension', 'bare'];
      for (const variant of order) {
        const isExt = variant === 'extension';
        const page = await openPortalPage(`${isExt ? DEMO : TWIN}/online/`, isExt);
        await sleep(1_000);
        const cdp = await context.newCDPSession(page);
        await cdp.send('HeapProfiler.enable');
        await cdp.send('HeapProfiler.collectGarbage');
        await cdp.send('HeapProfiler.collectGarbage');
        const usage = await cdp.send('Runtime.getHeapUsage');
        await cdp.send('Performance.enable');
        const m = await pageMetrics(cdp);
        heap[variant].push({ usedSize: usage.usedSize, jsHeapUsedSize: m.JSHeapUsedSize ?? Number.NaN });
        await cdp.detach().catch(() => {});
        await page.close();
      }
    }
    const mb = (/** @type {number} */ x) => x / 1024 / 1024;
    const e = summary(heap.extension.map((h) => mb(h.usedSize)));
    const b = summary(heap.bare.map((h) => mb(h.usedSize)));
    const eMetric = summary(heap.extension.map((h) => mb(h.jsHeapUsedSize)));
    const bMetric = summary(heap.bare.map((h) => mb(h.jsHeapUsedSize)));
    const added = e.median - b.median;
    results.heap = {
      runtimeGetHeapUsage: { extension: e, bare: b, addedMB: round(added) },
      performanceJSHeapUsedSize: {
        extension: eMetric,
        bare: bMetric,
        addedMB: round(eMetric.median - bMetric.median),
      },
      raw: heap,
    };
    rows.push({
      id: 'js-heap',
      measure: 'page JS heap (all worlds) with control mounted, after GC',
      unit: 'MB',
      stats: e,
      baseline: b,
      ratio: round(e.median / b.median),
      budget: '≤ +2 MB',
      met: added <= 2,
      verdict: `+${(added * 1024).toFixed(0)} kB`,
      note: `Runtime.getHeapUsage usedSize; Performance JSHeapUsedSize says +${((eMetric.median - bMetric.median) * 1024).toFixed(0)} kB`,
    });
    log(`  heap ${e.median.toFixed(2)} vs ${b.median.toFixed(2)} MB`);
  }

  /* ---------------- 7. a pin answering 10,000 IDs ---------------- */

  if (ONLY.includes('ids10k')) {
    log(`10,000 IDs: ${ROUNDS.tenK} rounds each of 10,000 and 2 IDs (answer → notification), then the popup`);
    const ids = Array.from({ length: 10_000 }, (_, i) => 100_000 + i);
    /** One pin by the shortcut; ms (worker clock) from the answer's headers to `notifications.create`. */
    const pinRound = async (/** @type {boolean} */ big) => {
      await resetRound();
      if (big) emulator.fault({ method: 'imopenlines.session.mode.pinAll', result: ids });
      await armWorkerProbes();
      await dispatchShortcut();
      const probes = await waitFor(
        async () => {
          const p = await workerProbes();
          return p.notes.length > 0 ? p : null;
        },
        10_000,
        'the notification',
      );
      const answer = probes.answers.find((a) => /pinall/i.test(a.method));
      const note = /** @type {any} */ (probes.notes[0]);
      if (!answer) throw new Error('no pin answer seen in the worker');
      const outcome = await waitForOutcome();
      if (storedIdCount(outcome) !== (big ? 10_000 : 2)) {
        throw new Error(`unexpected outcome: ${JSON.stringify(outcome).slice(0, 200)}`);
      }
      return { ms: note.at - answer.at, title: note.title, message: note.message };
    };
    /** Opens the popup on the history the last pin left; ms from navigation start to the outcome's IDs rendered. */
    const popupRound = async (/** @type {number} */ fullLength) => {
      const page = await context.newPage();
      await page.addInitScript((full) => {
        const w = /** @type {any} */ (window);
        /** @type {any} */
        const b = { longTasks: [], frames: [], rendered: null, complete: null, idsLength: 0 };
        w.__benchPopup = b;
        try {
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) b.longTasks.push({ start: e.startTime, duration: e.duration });
          }).observe({ type: 'longtask', buffered: true });
        } catch {}
        // The popup renders a long ID list in chunks: `rendered` is the first IDs on screen, `complete` all of them.
        new MutationObserver(() => {
          if (b.complete !== null) return;
          const region = document.querySelector('.outcome-ids');
          if (!region) return;
          const length = region.textContent?.length ?? 0;
          if (b.rendered === null) {
            b.rendered = performance.now();
            b.idsLength = length;
          }
          if (length >= full) b.complete = performance.now();
        }).observe(document, { childList: true, subtree: true, characterData: true });
        // Frame gaps over the first 1.5 s: a popup that stays responsive keeps producing frames.
        const tick = (/** @type {number} */ t) => {
          b.frames.push(t);
          if (t < 1_500) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }, fullLength);
      await page.goto(`chrome-extension://${extensionId}/popup.html`);
      const b = await waitFor(
        () =>
          page.evaluate(() => {
            const x = /** @type {any} */ (window).__benchPopup;
            return x.complete !== null && x.frames.at(-1) >= 1_500 ? x : null;
          }),
        10_000,
        'the popup to render the outcome',
      );
      // After it rendered: how long a click on the ID list waits for the next frame (input responsiveness).
      const region = page.locator('.outcome-ids');
      await region.evaluate((el) => {
        const w = /** @type {any} */ (window);
        w.__benchInput = new Promise((resolve) =>
          el.addEventListener(
            'click',
            (e) => {
              const t = e.timeStamp;
              requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t), 0));
            },
            { once: true },
          ),
        );
      });
      await region.click({ position: { x: 5, y: 5 } });
      const inputDelay = await page.evaluate(() => /** @type {any} */ (window).__benchInput);
      await page.close();
      const gaps = b.frames.slice(1).map((t, i) => t - b.frames[i]);
      return {
        renderedMs: b.rendered,
        completeMs: b.complete,
        idsLength: b.idsLength,
        longestTaskMs: Math.max(0, ...b.longTasks.map((t) => t.duration)),
        // When each long task started and how long it took, beside when the IDs first showed and all showed: tells
        // loading (before `renderedMs`) from rendering the list (after).
        longTasks: b.longTasks.map((/** @type {any} */ t) => ({
          start: round(t.start, 1),
          ms: round(t.duration, 1),
        })),
        maxFrameGapMs: Math.max(0, ...gaps),
        clickToFrameMs: inputDelay,
      };
    };
    await pinRound(false);
    await pinRound(true);
    const big = [];
    const small = [];
    const popupBig = [];
    const popupSmall = [];
    /** @type {any} */
    let sample = null;
    for (let i = 0; i < Math.max(ROUNDS.tenK, ROUNDS.popup); i++) {
      for (const isBig of i % 2 ? [false, true] : [true, false]) {
        const r = await pinRound(isBig);
        if (isBig) sample = { title: r.title, message: r.message };
        (isBig ? big : small).push(r.ms);
        if (i < ROUNDS.popup)
          (isBig ? popupBig : popupSmall).push(await popupRound(isBig ? ids.join(', ').length : 0));
      }
    }
    const nb = summary(big);
    const ns = summary(small);
    const pick = (/** @type {any[]} */ list, /** @type {string} */ k) => list.map((r) => r[k]);
    const pb = summary(pick(popupBig, 'renderedMs'));
    const ps = summary(pick(popupSmall, 'renderedMs'));
    results.tenK = {
      answerToNotification: { ids10k: nb, ids2: ns },
      notification: sample,
      popup: {
        ids10k: {
          rendered: pb,
          complete: summary(pick(popupBig, 'completeMs')),
          longestTask: summary(pick(popupBig, 'longestTaskMs')),
          maxFrameGap: summary(pick(popupBig, 'maxFrameGapMs')),
          clickToFrame: summary(pick(popupBig, 'clickToFrameMs')),
          idsLength: popupBig[0]?.idsLength,
          rounds: popupBig,
        },
        ids2: {
          rendered: ps,
          longestTask: summary(pick(popupSmall, 'longestTaskMs')),
          maxFrameGap: summary(pick(popupSmall, 'maxFrameGapMs')),
          clickToFrame: summary(pick(popupSmall, 'clickToFrameMs')),
        },
      },
    };
    rows.push({
      id: 'ids10k-notification',
      measure: '10,000-ID answer: headers → outcome recorded → notification',
      unit: 'ms',
      stats: nb,
      baseline: ns,
      ratio: round(nb.median / ns.median),
      budget: '≤ 50 ms',
      met: nb.p95 <= 50,
      note: 'worker clock; baseline: the same with a 2-ID answer; met judged on p95',
    });
    const popupDelta = pb.median - ps.median;
    rows.push({
      id: 'ids10k-popup',
      measure: '10,000-ID outcome: popup open → IDs rendered (from navigation)',
      unit: 'ms',
      stats: pb,
      baseline: ps,
      ratio: round(pb.median / ps.median),
      budget: '≤ +50 ms vs 2-ID popup',
      met: popupDelta <= 50,
      verdict: `Δ ${popupDelta >= 0 ? '+' : ''}${popupDelta.toFixed(1)} ms`,
      note: `baseline: the popup showing a 2-ID outcome; the first ${results.tenK.popup.ids10k.idsLength} characters of IDs; all 10,000 on screen at ${round(results.tenK.popup.ids10k.complete.median, 1)} ms (median)`,
    });
    const lt = results.tenK.popup.ids10k.longestTask;
    const gap = results.tenK.popup.ids10k.maxFrameGap;
    const input = results.tenK.popup.ids10k.clickToFrame;
    rows.push({
      id: 'ids10k-popup-responsive',
      measure: '10,000-ID popup: longest main-thread task while opening',
      unit: 'ms',
      stats: lt,
      baseline: results.tenK.popup.ids2.longestTask,
      ratio: null,
      budget: '≤ 50 ms (no long task)',
      met: lt.max <= 50,
      note: `max frame gap in first 1.5 s: ${round(gap.median, 1)} ms (2 IDs: ${round(results.tenK.popup.ids2.maxFrameGap.median, 1)}); click → next frame ${round(input.median, 1)} ms`,
    });
    log(`  notification ${nb.median} vs ${ns.median} ms; popup ${pb.median} vs ${ps.median} ms`);
  }

  /* ---------------- 8. 100 triggers in one second ---------------- */

  if (ONLY.includes('burst')) {
    log(
      '100 triggers in one second: shortcut (fast answer), shortcut (answer delayed 1.5 s), control clicks',
    );
    const page = await openPortalPage(`${DEMO}/online/`);
    await recordClicks(page);
    /** @type {Record<string, any>} */
    const burst = {};
    for (const variant of ['shortcut', 'shortcut, answer delayed 1.5 s', 'control clicks']) {
      await resetRound();
      if (variant.includes('delayed')) {
        emulator.fault({
          method: 'imopenlines.session.mode.pinAll',
          delayMs: 1_500,
          times: Number.POSITIVE_INFINITY,
        });
      }
      await armWorkerProbes();
      await takeClicks(page);
      const t0 = Date.now();
      let triggers = 0;
      if (variant.startsWith('shortcut')) {
        const sw = await worker();
        triggers = await sw.evaluate(async () => {
          const start = performance.now();
          let n = 0;
          while (n < 100) {
            // Evenly over one second: trigger k at k × 10 ms.
            const due = start + n * 10;
            const wait = due - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            chrome.commands.onCommand.dispatch('pin-all');
            n++;
          }
          return n;
        });
      } else {
        const host = page.locator('b24-pin-all');
        const box = await host.boundingBox();
        if (!box) throw new Error('control has no box');
        for (let k = 0; k < 100; k++) {
          const wait = t0 + k * 10 - Date.now();
          if (wait > 0) await sleep(wait);
          await page.mouse.click(box.x + 12, box.y + Math.min(box.height / 2, 15));
        }
        triggers = (await takeClicks(page)).length;
      }
      const spanMs = Date.now() - t0;
      await sleep(3_500); // the delayed answer, the join window, and anything that would follow
      const probes = await workerProbes();
      const times = pins().map((r) => r.at);
      burst[variant] = {
        triggers,
        triggerSpanMs: spanMs,
        pinRequests: times.length,
        maxPerSecond: maxInWindow(times, 1_000),
        maxInFlight: probes.maxInFlight,
        notifications: probes.notes.length,
      };
    }
    await page.close();
    results.burst = burst;
    for (const [variant, r] of Object.entries(burst)) {
      rows.push({
        id: `burst-${variant.replace(/[^a-z0-9]+/gi, '-')}`,
        measure: `100 triggers in ~1 s (${variant}): pin POSTs / max in flight`,
        unit: '',
        value: r.pinRequests,
        budget: '1 in flight, ≤ 2 per s',
        met: r.maxInFlight <= 1 && r.maxPerSecond <= 2 && r.pinRequests >= 1,
        verdict: `${r.pinRequests} POST, ${r.maxInFlight} in flight, ${r.maxPerSecond}/s max`,
        note: `${r.triggers} triggers over ${r.triggerSpanMs} ms; ${r.notifications} notification(s)`,
      });
    }
    log(`  ${JSON.stringify(burst)}`);
  }

  if (ONLY.includes('undo5k')) await benchUndo5k();

  /**
   * Undo of a 5,000-session pin (issue 12), on its own: Jane has 5,000 more accepted dialogs, the shortcut pins
   * them all, then the pin notification's Undo button takes the pin back through `batch` (25 sessions per
   * request). Measures the time from the click to the recorded Undo outcome, the number of batch requests, their
   * peak rate in any one-second window, refusals by the emulator's leaky bucket (standard cloud limits), and the
   * worker's responsiveness meanwhile (round trip of a trivial evaluate, worst case).
   */
  async function benchUndo5k() {
    log('undo5k: pin 5,002 sessions, then Undo them');
    await resetRound();
    const demo = emulator.portal('demo.bitrix24.com');
    if (!demo) throw new Error('no demo portal');
    for (let i = 0; i < 5_000; i++) {
      demo.sessions.push({
        id: 100_000 + i,
        chatId: 200_000 + i,
        operatorId: 7,
        pinned: false,
        active: true,
        group: 'work',
        title: `Bench ${i}`,
        chatType: 'lines',
        status: 20,
        formerOperatorIds: [],
      });
    }
    const sw = await worker();
    await sw.evaluate(() => chrome.commands.onCommand.dispatch('pin-all'));
    const pin = await waitForOutcome(30_000);
    const total = storedIdCount(pin);
    const batchAt = () => emulator.requests.filter((r) => r.restMethod === 'batch').map((r) => r.at);
    const t0 = performance.timeOrigin + performance.now();
    await sw.evaluate((id) => chrome.notifications.onButtonClicked.dispatch(id, 0), pin.id);
    let worstPingMs = 0;
    const undo = await waitFor(
      async () => {
        const p0 = performance.now();
        const { history } = await sw.evaluate(() => chrome.storage.local.get('history'));
        worstPingMs = Math.max(worstPingMs, performance.now() - p0);
        return history?.[0]?.action === 'undo' ? history[0] : null;
      },
      400_000,
      'the Undo outcome',
    );
    const ms = undo.at - t0;
    const times = batchAt();
    const refused = emulator.requests.filter((r) => r.restMethod === 'batch' && r.status === 503).length;
    const unpinned = undo.count ?? storedIdCount(undo);
    const stillPinned = demo.sessions.filter((x) => x.pinned).length;
    const peak = maxInWindow(times, 1_000);
    results.undo5k = { total, ms, requests: times.length, peak, refused, unpinned, stillPinned, worstPingMs };
    rows.push({
      id: 'undo-5k',
      measure: `Undo of a ${total.toLocaleString('en')}-session pin: time to the outcome`,
      unit: 's',
      value: Math.round(ms / 100) / 10,
      budget: 'no 503, ≤ 50 in any s, all unpinned',
      met: refused === 0 && peak <= 50 && unpinned === total && stillPinned === 0,
      verdict: `${times.length} requests, ${peak}/s peak, ${refused} refused`,
      note: `${unpinned} unpinned, ${stillPinned} left pinned; worker answered within ${Math.round(worstPingMs)} ms throughout`,
    });
    log(`  ${JSON.stringify(results.undo5k)}`);
  }
} finally {
  await browser.close();
  await emulator.close();
}

/* ---------------- report ---------------- */

const durationMs = Date.now() - started;
const table = textTable(
  ['measure', 'median', 'p95', 'baseline median', 'ratio', 'budget', 'met?'],
  rows.map((r) => [
    r.measure,
    r.stats ? fmt(r.stats.median, r.unit) : fmt(r.value, r.unit),
    r.stats ? fmt(r.stats.p95, r.unit) : '—',
    r.baseline ? fmt(r.baseline.median, r.unit) : '—',
    r.ratio === null || r.ratio === undefined ? '—' : fmt(r.ratio, 'x'),
    r.budget,
    `${r.met ? 'yes' : 'NO'}${r.verdict ? ` (${r.verdict})` : ''}`,
  ]),
);
console.log(`\n${table}\n`);
for (const r of rows) if (r.note) console.log(`  ${r.id}: ${r.note}`);

const report = {
  date: new Date(started).toISOString(),
  durationMs,
  quick: QUICK,
  environment: {
    node: process.version,
    chromium: chromiumVersion,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    platform: `${os.platform()} ${os.release()}`,
  },
  rounds: ROUNDS,
  rows,
  details: results,
};
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nWrote ${OUT} (${(durationMs / 1000).toFixed(1)} s in all)`);
const missed = rows.filter((r) => !r.met);
if (missed.length) console.log(`Budgets missed: ${missed.map((r) => r.id).join(', ')}`);
if (missed.length && process.env.BENCH_STRICT === '1') process.exitCode = 1;
