import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickPinAllControl, saveWebhookThroughOptions } from './support/chromium.mjs';
import { type ChromiumSession, DEMO, startChromiumSession } from './support/session';

/**
 * The webhook is a password: across onboarding, pinning, errors and portal switching, every request the browser
 * makes (the worker's included, from Chromium's net-log) and every message the background sends to content scripts
 * is recorded, and the secrets may appear only in HTTPS requests to their own portal.
 */
const SECRETS = { 'demo.bitrix24.com': 'demosecret123', 'acme.bitrix24.com': 'acmeoperator7' } as const;

let s: ChromiumSession;
let netLog: string;
beforeAll(async () => {
  netLog = join(await mkdtemp(join(tmpdir(), 'pin-all-netlog-')), 'net.json');
  s = await startChromiumSession({ netLog });
  const sw = await s.worker();
  await sw.evaluate(() => {
    const g = globalThis as unknown as { sent: unknown[] };
    g.sent = [];
    const original = chrome.tabs.sendMessage.bind(chrome.tabs);
    (chrome.tabs as unknown as { sendMessage: unknown }).sendMessage = (...args: unknown[]) => {
      g.sent.push(args[1]);
      return (original as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  });
});
afterAll(async () => {
  await s?.close();
  await rm(dirname(netLog), { recursive: true, force: true });
});

describe('the webhook secret (Chromium)', () => {
  it('goes only to its own portal over HTTPS, and nowhere else', async () => {
    // Onboarding a second portal, with a refused webhook first.
    await saveWebhookThroughOptions(
      (await s.newPage()).context(),
      s.extensionId,
      'https://acme.bitrix24.com/rest/7/acmenoscope7/',
    );
    await saveWebhookThroughOptions(
      (await s.newPage()).context(),
      s.extensionId,
      `https://acme.bitrix24.com/rest/7/${SECRETS['acme.bitrix24.com']}/`,
    );

    // Pinning from pages of both portals, with an error on one, and from the popup after switching portals.
    const demo = await s.newPage();
    await demo.goto(`${DEMO}/contact_center/`);
    await clickPinAllControl(demo, demo);
    await s.waitForNotes(1);
    s.emulator.fault({
      host: 'acme.bitrix24.com',
      method: 'imopenlines.session.mode.pinAll',
      error: 'INVALID_CREDENTIALS',
      status: 401,
    });
    const acme = await s.newPage();
    await acme.goto('https://acme.bitrix24.com/online/?ol=legacy');
    const frame = await (async () => {
      for (;;) {
        const f = acme.frames().find((x) => x.url().includes('/desktop_app/'));
        if (f) return f;
        await acme.waitForTimeout(100);
      }
    })();
    await frame.locator('b24-pin-all').waitFor({ state: 'attached' });
    await clickPinAllControl(frame, acme);
    await s.waitForNotes(2);
    await acme.waitForTimeout(2100);
    const popup = await s.newPage();
    await popup.goto(`chrome-extension://${s.extensionId}/popup.html`);
    await popup.locator('#popup-portal').selectOption('https://demo.bitrix24.com');
    await popup.getByRole('button', { name: 'Pin all', exact: true }).click();
    await s.waitForNotes(3);
    await (await s.worker()).evaluate(() =>
      (chrome.commands.onCommand as unknown as { dispatch(c: string): void }).dispatch('pin-all'),
    );
    await popup.waitForTimeout(500);

    const pageTexts = [
      await demo.content(),
      await acme.content(),
      await frame.content(),
      await popup.content(),
      (await s.notes()).map((n) => `${n.title} ${n.message}`).join('\n'),
      JSON.stringify(
        await (await s.worker()).evaluate(() => (globalThis as unknown as { sent: unknown[] }).sent),
      ),
      JSON.stringify(
        await (await s.worker()).evaluate(() =>
          chrome.storage.local.get(['history', 'portals', 'lastPortal']),
        ),
      ),
      acme.url(),
      demo.url(),
    ];
    for (const secret of Object.values(SECRETS)) {
      for (const text of pageTexts) expect(text).not.toContain(secret);
    }
    // The recorded messages to content scripts really were recorded (the check above is not vacuous).
    expect(pageTexts[5]).toContain('"type":"outcome"');

    await s.close();
    const urls = requestUrlsWithSecrets(readFileSync(netLog, 'utf8'));
    expect(urls.length).toBeGreaterThan(3);
    for (const { url, secret } of urls) {
      const host = Object.entries(SECRETS).find(([, v]) => v === secret)![0];
      expect(url.startsWith(`https://${host}/rest/`)).toBe(true);
    }
  });
});

/**
 * Every URL in a Chromium net-log that carries one of the secrets, with the secret found. Any event whose
 * parameters contain a secret must belong to a request whose URL is known; an unknown one fails the test.
 */
function requestUrlsWithSecrets(log: string): { url: string; secret: string }[] {
  // A net-log written by a browser that was killed may lack its closing brackets.
  const text = log.trimEnd().endsWith('}') ? log : `${log.replace(/,\s*$/, '')}]}`;
  const { events } = JSON.parse(text) as {
    events: { source: { id: number }; params?: Record<string, unknown> }[];
  };
  const urlOf = new Map<number, string>();
  for (const e of events) {
    const url = e.params?.url;
    if (typeof url === 'string' && !urlOf.has(e.source.id)) urlOf.set(e.source.id, url);
  }
  const found: { url: string; secret: string }[] = [];
  for (const e of events) {
    const params = JSON.stringify(e.params ?? {});
    for (const secret of Object.values(SECRETS)) {
      if (!params.includes(secret)) continue;
      const url = typeof e.params?.url === 'string' ? e.params.url : urlOf.get(e.source.id);
      found.push({ url: url ?? `unknown request (event params: ${params.slice(0, 200)})`, secret });
    }
  }
  return found;
}
