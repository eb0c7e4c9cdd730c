import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clickPinAllControl, saveWebhookThroughOptions } from './support/chromium.mjs';
import { expectControls } from './support/control';
import { type ChromiumSession, DEMO, startChromiumSession } from './support/session';

/**
 * Zero setup in real Chromium: a fresh profile with no webhook pins with the operator's own Bitrix24 login (the
 * emulator logs the browser in when it serves a page). The request leaves from the portal tab's content script;
 * the background keeps the single-flight, the pending mark and the outcome. The token (`bitrix_sessid`) and the
 * `PHPSESSID` cookie never leave the portal's origin: checked in storage, notifications, URLs, messages and
 * Chromium's net-log.
 */

const DEMO_HOST = 'demo.bitrix24.com';
const PIN_PATH = '/rest/imopenlines.session.mode.pinAll.json';

let s: ChromiumSession;
let netLog: string;
beforeAll(async () => {
  netLog = join(await mkdtemp(join(tmpdir(), 'pin-all-login-netlog-')), 'net.json');
  s = await startChromiumSession({ webhook: false, netLog });
});
afterAll(async () => {
  await s?.close();
  await rm(dirname(netLog), { recursive: true, force: true });
});
beforeEach(async () => {
  await s.reset();
  s.emulator.clearBrowserSessions();
});

async function openContactCenter(): Promise<Page> {
  const page = await s.newPage();
  await page.goto(`${DEMO}/contact_center/`);
  await expectControls(page, 1);
  return page;
}

const dispatchShortcut = async () =>
  (await s.worker()).evaluate(() =>
    (chrome.commands.onCommand as unknown as { dispatch(c: string): void }).dispatch('pin-all'),
  );

/** Every token the emulator handed to this browser so far (current and rotated ones). */
const tokensSeen = new Set<string>();
const cookiesSeen = new Set<string>();
function rememberSecrets() {
  for (const b of s.emulator.browserSessions()) {
    tokensSeen.add(b.token);
    cookiesSeen.add(b.id);
  }
}

describe('Pin all with the operator’s login, no webhook (Chromium)', () => {
  it('from the control: one POST to /rest/…pinAll.json with the page’s cookie and a form sessid; pinned to the page user', async () => {
    const page = await openContactCenter();
    rememberSecrets();
    await clickPinAllControl(page, page);
    const [note] = await s.waitForNotes();
    expect(note).toMatchObject({ title: 'Pinned 2 dialogs', message: '1652, 1653' });
    const pins = s.pins();
    expect(pins.map((r) => `${r.method} ${r.host}${r.path}`)).toEqual([`POST ${DEMO_HOST}${PIN_PATH}`]);
    expect(pins[0]!.sessionAuth).toMatchObject({ sessid: 'form', cookie: true, userId: 7, result: 'ok' });
    // Sent by the page's content script: a same-origin request of the page.
    expect(pins[0]!.headers.origin).toBe(DEMO);
    await expect
      .poll(() =>
        (s.worker() as Promise<{ evaluate: (f: () => unknown) => Promise<unknown> }>).then((w) =>
          w.evaluate(() => chrome.action.getBadgeText({})),
        ),
      )
      .toBe('2');
    rememberSecrets();
  });

  it('the control’s tooltip says whom the pin acts as (profile through the login)', async () => {
    const page = await openContactCenter();
    await expect
      .poll(
        () =>
          (s.worker() as Promise<{ evaluate: (f: () => unknown) => Promise<unknown> }>).then((w) =>
            w.evaluate(() => chrome.storage.local.get('loginUsers')),
          ),
        { timeout: 10_000 },
      )
      .toMatchObject({ loginUsers: { [DEMO]: { id: 7 } } });
    rememberSecrets();
    await page.close();
  });

  it('from the popup, with the portal open in another tab', async () => {
    await openContactCenter();
    rememberSecrets();
    const popup = await s.newPage();
    await popup.goto(`chrome-extension://${s.extensionId}/popup.html`);
    await popup.getByRole('button', { name: 'Pin all', exact: true }).click();
    await expect
      .poll(() => popup.locator('.popup-last').innerText(), { timeout: 10_000 })
      .toMatch(/Pinned 2 dialogs/);
    expect(s.pins()).toHaveLength(1);
    expect(s.pins()[0]!.sessionAuth).toMatchObject({ sessid: 'form', cookie: true, result: 'ok' });
  });

  it('from the shortcut, with the portal open in a tab', async () => {
    await openContactCenter();
    rememberSecrets();
    await dispatchShortcut();
    const [note] = await s.waitForNotes();
    expect(note).toMatchObject({ title: 'Pinned 2 dialogs', message: '1652, 1653' });
    expect(s.pins()).toHaveLength(1);
    expect(s.pins()[0]!.sessionAuth).toMatchObject({ result: 'ok' });
  });

  it('the shortcut with no portal tab open says to open the portal or add a webhook; nothing sent', async () => {
    await dispatchShortcut();
    const [note] = await s.waitForNotes();
    expect(note!.message).toBe('Open your Bitrix24 in a tab, or add a webhook in the options.');
    expect(s.pins()).toEqual([]);
  });

  it('a stale token: one refused call, one accepted, one notification', async () => {
    const page = await openContactCenter();
    rememberSecrets();
    const [fresh] = s.emulator.rotateSessionToken(DEMO_HOST);
    if (fresh) tokensSeen.add(fresh);
    await clickPinAllControl(page, page);
    const notes = await s.waitForNotes();
    await page.waitForTimeout(300);
    expect((await s.notes()).map((n) => n.title)).toEqual(['Pinned 2 dialogs']);
    expect(notes).toHaveLength(1);
    expect(s.pins().map((r) => r.sessionAuth?.result)).toEqual(['session_failed', 'ok']);
  });

  it('logged out → "Log in to Bitrix24 on this portal", one request, no retry', async () => {
    const page = await openContactCenter();
    rememberSecrets();
    s.emulator.logout(DEMO_HOST);
    await clickPinAllControl(page, page);
    const [note] = await s.waitForNotes();
    expect(note).toMatchObject({
      title: 'Pin all failed',
      message: 'Log in to Bitrix24 on this portal, then try again.',
    });
    expect(s.pins().map((r) => r.sessionAuth?.result)).toEqual(['access_denied']);
  });

  it('an external account → a clear message, no retry', async () => {
    const page = await openContactCenter();
    rememberSecrets();
    s.emulator.setExternalUser(DEMO_HOST, 7);
    await clickPinAllControl(page, page);
    const [note] = await s.waitForNotes();
    expect(note!.message).toMatch(/external accounts cannot pin/);
    expect(s.pins()).toHaveLength(1);
  });

  it('two tabs of the portal clicked together → one pin request', async () => {
    s.emulator.fault({ method: 'imopenlines.session.mode.pinAll', delayMs: 600 });
    const a = await openContactCenter();
    const b = await openContactCenter();
    rememberSecrets();
    await Promise.all([clickPinAllControl(a, a), clickPinAllControl(b, b)]);
    await s.waitForNotes();
    await a.waitForTimeout(1000);
    expect(s.pins()).toHaveLength(1);
    expect(await s.notes()).toHaveLength(1);
  });
});

describe('a saved webhook takes precedence (Chromium)', () => {
  it('pins through the webhook, not the login, once one is saved', async () => {
    const { page: options } = await saveWebhookThroughOptions(
      (await s.newPage()).context(),
      s.extensionId,
      `${DEMO}/rest/7/demosecret123/`,
    );
    await options.close();
    const page = await openContactCenter();
    rememberSecrets();
    await clickPinAllControl(page, page);
    await s.waitForNotes();
    expect(s.pins().map((r) => r.path)).toEqual([
      '/rest/7/demosecret123/imopenlines.session.mode.pinAll.json',
    ]);
    expect(s.pins()[0]!.sessionAuth).toBeNull();
    // Back to the zero-setup profile for what follows.
    await (await s.worker()).evaluate(() => chrome.storage.local.remove(['webhooks', 'portals']));
  });
});

describe('the login’s token and cookie (Chromium)', () => {
  it('appear in no storage, no notification, no URL, no message, and go to no other host', async () => {
    const sw = await s.worker();
    await sw.evaluate(() => {
      const g = globalThis as unknown as { sent: unknown[] };
      g.sent = [];
      const original = chrome.tabs.sendMessage.bind(chrome.tabs);
      (chrome.tabs as unknown as { sendMessage: unknown }).sendMessage = (...args: unknown[]) => {
        g.sent.push(args);
        return (original as (...a: unknown[]) => Promise<unknown>)(...args);
      };
    });
    const page = await openContactCenter();
    rememberSecrets(); // the token printed in the page
    s.emulator.rotateSessionToken(DEMO_HOST); // the retry path gets a fresh token back from the portal
    rememberSecrets();
    await clickPinAllControl(page, page);
    await s.waitForNotes();
    await page.waitForTimeout(500);
    rememberSecrets();
    const texts = [
      JSON.stringify(await sw.evaluate(() => chrome.storage.local.get(null))),
      JSON.stringify(await sw.evaluate(() => chrome.storage.session.get(null))),
      (await s.notes()).map((n) => `${n.title} ${n.message}`).join('\n'),
      JSON.stringify(await sw.evaluate(() => (globalThis as unknown as { sent: unknown[] }).sent)),
      page.url(),
      ...s.emulator.requests.map((r) => r.url),
    ];
    expect(texts[3]).toContain('loginCall');
    expect(tokensSeen.size).toBeGreaterThan(1);
    for (const secret of [...tokensSeen, ...cookiesSeen]) {
      for (const text of texts) expect(text).not.toContain(secret);
    }

    await s.close();
    const found = requestsWithSecrets(readFileSync(netLog, 'utf8'), [...tokensSeen]);
    expect(found.length).toBeGreaterThan(0); // the form bodies are in the log: the check is not vacuous
    for (const { url } of found) expect(url.startsWith(`${DEMO}/`), url).toBe(true);
    for (const { url } of found) expect(url).not.toMatch(/sessid=/);
  });
});

/**
 * Every place in a Chromium net-log (capture mode Everything: headers, cookies and the bytes sent, base64) that
 * carries one of the secrets, with the origin it went to: the request's URL, else the host of the socket that
 * sent the bytes. A secret that can't be attributed to an origin reads "unknown" and fails the test.
 */
function requestsWithSecrets(log: string, secrets: string[]): { url: string }[] {
  const text = log.trimEnd().endsWith('}') ? log : `${log.replace(/,\s*$/, '')}]}`;
  const { events } = JSON.parse(text) as {
    events: { source: { id: number }; params?: Record<string, unknown> }[];
  };
  const placeOf = new Map<number, string>();
  const links = new Map<number, Set<number>>(); // sources linked by a source_dependency (socket ↔ job ↔ request)
  const link = (a: number, b: number) => {
    if (!links.has(a)) links.set(a, new Set());
    links.get(a)!.add(b);
  };
  for (const e of events) {
    const p = e.params ?? {};
    const url = typeof p.url === 'string' ? p.url : undefined;
    const host =
      typeof p.host === 'string'
        ? `https://${p.host.replace(/:443$/, '')}/`
        : typeof p.group_name === 'string'
          ? `https://${p.group_name
              .replace(/^.*?\/\//, '')
              .replace(/^ssl\//, '')
              .replace(/:\d+$/, '')}/`
          : undefined;
    const place = url ?? host;
    if (place && !placeOf.has(e.source.id)) placeOf.set(e.source.id, place);
    const dep = p.source_dependency as { id?: number } | undefined;
    if (dep?.id !== undefined) {
      link(dep.id, e.source.id);
      link(e.source.id, dep.id);
    }
  }
  /** The nearest known place through the links (a socket's connect job names the host). */
  const resolve = (id: number): string | undefined => {
    const seen = new Set([id]);
    let frontier = [id];
    while (frontier.length > 0) {
      for (const x of frontier) if (placeOf.has(x)) return placeOf.get(x);
      frontier = frontier
        .flatMap((x) => [...(links.get(x) ?? [])])
        .filter((x) => !seen.has(x) && seen.add(x));
    }
    return undefined;
  };
  const found: { url: string }[] = [];
  for (const e of events) {
    const p = e.params ?? {};
    let haystack = JSON.stringify(p);
    if (typeof p.bytes === 'string') haystack += Buffer.from(p.bytes, 'base64').toString('latin1');
    if (!secrets.some((secret) => haystack.includes(secret))) continue;
    const hostHeader = /\r\nHost: ([^\r]+)/i.exec(haystack)?.[1];
    const url =
      resolve(e.source.id) ?? (hostHeader ? `https://${hostHeader.replace(/:\d+$/, '')}/` : undefined);
    found.push({ url: url ?? `unknown (${e.source.id}: ${haystack.slice(0, 200)})` });
  }
  return found;
}
