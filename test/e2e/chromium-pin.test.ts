import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clickPinAllControl } from './support/chromium.mjs';
import { expectControls } from './support/control';
import { type ChromiumSession, DEMO, startChromiumSession } from './support/session';

let s: ChromiumSession;
beforeAll(async () => {
  s = await startChromiumSession();
});
afterAll(async () => {
  await s?.close();
});
beforeEach(async () => {
  await s.reset();
});

/** Number of Pin all controls in a page or frame (hosts of the closed shadow roots). */

async function openContactCenter(): Promise<Page> {
  const page = await s.newPage();
  await page.goto(`${DEMO}/contact_center/`);
  await expectControls(page, 1);
  return page;
}

describe('Pin all in Chromium', () => {
  it('from the injected control: one POST to the pinAll path, notification with the IDs, result on the control', async () => {
    const page = await openContactCenter();
    await clickPinAllControl(page, page);
    const [note] = await s.waitForNotes();
    expect(note).toMatchObject({ title: 'Pinned 2 dialogs', message: '1652, 1653' });
    expect(s.pins().map((r) => `${r.method} ${r.host}${r.path}`)).toEqual([
      'POST demo.bitrix24.com/rest/7/demosecret123/imopenlines.session.mode.pinAll.json',
    ]);
    const badge = await (await s.worker()).evaluate(() => chrome.action.getBadgeText({}));
    expect(badge).toBe('2');
  });

  it('from the popup in one click, showing every pinned ID', async () => {
    const popup = await s.newPage();
    await popup.goto(`chrome-extension://${s.extensionId}/popup.html`);
    await popup.getByRole('button', { name: 'Pin all', exact: true }).click();
    await expect
      .poll(() => popup.locator('.popup-last').innerText(), { timeout: 10_000 })
      .toMatch(/Pinned 2 dialogs/);
    expect(await popup.locator('.popup-last').innerText()).toMatch(/1652[\s\S]*1653/);
    expect(s.pins()).toHaveLength(1);
    expect((await s.waitForNotes())[0]).toMatchObject({ title: 'Pinned 2 dialogs' });
  });

  it('from the pin-all command, with no page open', async () => {
    await (await s.worker()).evaluate(() =>
      (chrome.commands.onCommand as unknown as { dispatch(c: string): void }).dispatch('pin-all'),
    );
    const [note] = await s.waitForNotes();
    expect(note).toMatchObject({ title: 'Pinned 2 dialogs', message: '1652, 1653' });
    expect(s.pins()).toHaveLength(1);
  });

  it('the shortcut pressed 10 times in one second sends one pin', async () => {
    const sw = await s.worker();
    await sw.evaluate(async () => {
      const onCommand = chrome.commands.onCommand as unknown as { dispatch(c: string): void };
      for (let i = 0; i < 10; i++) {
        onCommand.dispatch('pin-all');
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    await s.waitForNotes();
    await new Promise((r) => setTimeout(r, 500));
    expect(s.pins()).toHaveLength(1);
    expect(await s.notes()).toHaveLength(1);
  });

  it('QUERY_LIMIT_EXCEEDED is retried once after a back-off, one message', async () => {
    s.emulator.fault({
      method: 'imopenlines.session.mode.pinAll',
      error: 'QUERY_LIMIT_EXCEEDED',
      status: 503,
      description: 'Too many requests',
    });
    const page = await openContactCenter();
    await clickPinAllControl(page, page);
    const notes = await s.waitForNotes();
    expect(notes.map((n) => n.title)).toEqual(['Pinned 2 dialogs']);
    const pins = s.pins();
    expect(pins.map((r) => r.status)).toEqual([503, 200]);
    expect(pins[1]!.at - pins[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it.each([
    [
      'INVALID_CREDENTIALS',
      { error: 'INVALID_CREDENTIALS', status: 401, description: 'Invalid request credentials' },
      /invalid or was deleted/,
    ],
    [
      'NO_AUTH_FOUND',
      { error: 'NO_AUTH_FOUND', status: 401, description: 'Wrong authorization data' },
      /invalid or was deleted/,
    ],
    [
      'insufficient_scope with an empty description',
      { error: 'insufficient_scope', status: 401, description: '' },
      /imopenlines/,
    ],
    ['insufficient_scope as 403', { error: 'insufficient_scope', status: 403 }, /imopenlines/],
    [
      'a login page with 200',
      { html: '<!DOCTYPE html><html><body><form>Login</form></body></html>', status: 200 },
      /web page, not REST/,
    ],
    ['a 404 web page', { html: '<html><body>Not found</body></html>', status: 404 }, /web page, not REST/],
    ['500 INTERNAL_SERVER_ERROR', { error: 'INTERNAL_SERVER_ERROR', status: 500 }, /server error/],
    ['502 HTML from a proxy', { html: '<html><h1>502 Bad Gateway</h1></html>', status: 502 }, /server error/],
  ])('%s → one request, no retry, a message that says what to do', async (_name, fault, text) => {
    s.emulator.fault({ method: 'imopenlines.session.mode.pinAll', ...fault } as never);
    const page = await openContactCenter();
    await clickPinAllControl(page, page);
    const [note] = await s.waitForNotes();
    expect(note!.title).toBe('Pin all failed');
    expect(note!.message).toMatch(text);
    expect(note!.message.length).toBeLessThanOrEqual(120);
    expect(s.pins()).toHaveLength(1);
    expect(await (await s.worker()).evaluate(() => chrome.action.getBadgeText({}))).toBe('!');
  });

  it('the options page then shows the webhook needs replacing', async () => {
    s.emulator.fault({
      method: 'imopenlines.session.mode.pinAll',
      error: 'INVALID_CREDENTIALS',
      status: 401,
    });
    await (await s.worker()).evaluate(() =>
      (chrome.commands.onCommand as unknown as { dispatch(c: string): void }).dispatch('pin-all'),
    );
    await s.waitForNotes();
    const options = await s.newPage();
    await options.goto(`chrome-extension://${s.extensionId}/options.html`);
    await expect.poll(() => options.locator('body').innerText()).toMatch(/Needs a new webhook/);
    // Put the working webhook back for the next tests.
    await options.getByLabel('Webhook URL').fill('https://demo.bitrix24.com/rest/7/demosecret123/');
    await options.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => options.locator('body').innerText()).toMatch(/acts as Jane Doe/);
  });

  it('nothing to pin', async () => {
    s.emulator.fault({ method: 'imopenlines.session.mode.pinAll', result: [] });
    const page = await openContactCenter();
    await clickPinAllControl(page, page);
    const [note] = await s.waitForNotes();
    expect(note!.title).toMatch(/^Nothing to pin/);
  });

  it('500 IDs: count, first IDs and "+N more" in the notification, the full list in the popup', async () => {
    const ids = Array.from({ length: 500 }, (_, i) => 10_001 + i);
    s.emulator.fault({ method: 'imopenlines.session.mode.pinAll', result: ids });
    const page = await openContactCenter();
    await clickPinAllControl(page, page);
    const [note] = await s.waitForNotes();
    expect(note!.title).toBe('Pinned 500 dialogs');
    expect(note!.message.length).toBeLessThanOrEqual(120);
    expect(note!.message).toMatch(/^10001, 10002, .* \+\d+ more$/);
    const popup = await s.newPage();
    await popup.goto(`chrome-extension://${s.extensionId}/popup.html`);
    await expect.poll(() => popup.locator('.popup-last').innerText()).toContain('10500');
  });

  it('no reply within 20 s → "may or may not be pinned", busy ends, no re-POST', async () => {
    s.emulator.fault({ method: 'imopenlines.session.mode.pinAll', noReply: true });
    const page = await openContactCenter();
    await clickPinAllControl(page, page);
    const started = Date.now();
    await expect.poll(() => s.notes().then((n) => n.length), { timeout: 30_000 }).toBe(1);
    const [note] = await s.notes();
    expect(Date.now() - started).toBeGreaterThanOrEqual(15_000);
    expect(note!.message).toMatch(/may or may not be pinned/);
    expect(s.pins()).toHaveLength(1);
    // Busy state has ended: a trusted click on the control sends a new pin (after the join window).
    await page.waitForTimeout(2100);
    await clickPinAllControl(page, page);
    await expect.poll(() => s.pins().length, { timeout: 10_000 }).toBe(2);
  }, 60_000);
});
