import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clickPinAllControl } from './support/chromium.mjs';
import { expectControls, readControls } from './support/control';
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

const legacyFrame = async (page: Page): Promise<Frame> => {
  await expect
    .poll(() => page.frames().some((f) => f.url().includes('/desktop_app/')), { timeout: 5000 })
    .toBe(true);
  const frame = page.frames().find((f) => f.url().includes('/desktop_app/'))!;
  await frame.waitForLoadState();
  return frame;
};

describe('where the control appears (Chromium)', () => {
  it('follows in-app navigation /stream/ → /online/?IM_LINES=chat… → /contact_center/ → back', async () => {
    const page = await s.newPage();
    await page.goto(`${DEMO}/stream/`);
    await page.waitForTimeout(300);
    await expectControls(page, 0);
    await page.click('#nav-online-chat');
    await expect.poll(() => page.url()).toContain('/online/?IM_LINES=chat');
    await expectControls(page, 1);
    await page.click('#nav-contact-center');
    await expect.poll(() => page.url()).toContain('/contact_center/');
    await expectControls(page, 1);
    await page.goBack();
    await expect.poll(() => page.url()).toContain('/online/');
    await expectControls(page, 1);
    await page.goBack();
    await expect.poll(() => page.url()).toContain('/stream/');
    await expectControls(page, 0);
  });

  it('appears with the Open Lines list in the messenger slider over /stream/ and leaves with it', async () => {
    const page = await s.newPage();
    await page.goto(`${DEMO}/stream/`);
    await page.click('#open-messenger');
    await page.locator('.bx-im-messenger__slider').waitFor();
    await page.click('#layout-chat');
    await page.waitForTimeout(300);
    await expectControls(page, 0);
    await page.click('#layout-openlines');
    await expectControls(page, 1);
    expect(new URL(page.url()).pathname).toBe('/stream/');
    const control = page.locator('.bx-imol-list-container-recent__container b24-pin-all');
    expect(await control.count()).toBe(1);
    await page.click('#layout-chat');
    await expectControls(page, 0);
    await page.click('#layout-openlines');
    await expectControls(page, 1);
    await page.click('#close-slider');
    await expectControls(page, 0);
  });

  it('in the legacy Open Lines frame, one control next to the list, pinning the frame portal', async () => {
    const page = await s.newPage();
    await page.goto(`${DEMO}/online/?ol=legacy`);
    const frame = await legacyFrame(page);
    await expectControls(frame, 1);
    await expectControls(page, 0);
    expect(await frame.locator('.bx-messenger-box-contact b24-pin-all').count()).toBe(1);
    await clickPinAllControl(frame, page);
    const [note] = await s.waitForNotes();
    expect(note).toMatchObject({ title: 'Pinned 2 dialogs', message: '1652, 1653' });
    expect(s.pins().map((r) => r.host)).toEqual(['demo.bitrix24.com']);
    await expect
      .poll(async () => (await readControls(page, frame))[0]?.status)
      .toBe('Pinned 2 dialogs: 1652, 1653');
  });

  it('the content script injected a second time still gives one control, and one click one request', async () => {
    const page = await s.newPage();
    await page.goto(`${DEMO}/contact_center/`);
    await expectControls(page, 1);
    const sw = await s.worker();
    await sw.evaluate(async () => {
      const [tab] = await chrome.tabs.query({ url: 'https://demo.bitrix24.com/*' });
      await chrome.scripting.executeScript({
        target: { tabId: tab!.id!, allFrames: true },
        files: ['/content-scripts/content.js'],
      });
    });
    await page.waitForTimeout(500);
    await expectControls(page, 1);
    await clickPinAllControl(page, page);
    await s.waitForNotes();
    await page.waitForTimeout(500);
    expect(s.pins()).toHaveLength(1);
    expect(await s.notes()).toHaveLength(1);
  });

  it('clicks by page scripts (.click(), synthetic events, keyboard events) pin nothing', async () => {
    const page = await s.newPage();
    await page.goto(`${DEMO}/contact_center/`);
    await expectControls(page, 1);
    await page.evaluate(() => {
      const host = document.querySelector('b24-pin-all') as HTMLElement;
      host.click();
      host.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
      host.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      const root = host.shadowRoot;
      root?.querySelector('button')?.click();
      for (const el of document.querySelectorAll('b24-pin-all, b24-pin-all *')) (el as HTMLElement).click();
      document
        .elementFromPoint(host.getBoundingClientRect().x + 12, host.getBoundingClientRect().y + 12)
        ?.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    });
    await page.waitForTimeout(1500);
    expect(s.pins()).toEqual([]);
    expect(await s.notes()).toEqual([]);
    expect((await readControls(page))[0]).toMatchObject({ disabled: false, busy: false, status: '' });
  });

  it('shows busy state while the pin is in flight, then the outcome', async () => {
    s.emulator.fault({ method: 'imopenlines.session.mode.pinAll', delayMs: 1500 });
    const page = await s.newPage();
    await page.goto(`${DEMO}/contact_center/`);
    await expectControls(page, 1);
    await clickPinAllControl(page, page);
    await expect.poll(async () => (await readControls(page))[0]?.busy, { timeout: 1000 }).toBe(true);
    await expect
      .poll(async () => (await readControls(page))[0], { timeout: 5000 })
      .toMatchObject({
        busy: false,
        disabled: false,
        status: 'Pinned 2 dialogs: 1652, 1653',
      });
  });

  it('an outcome reached from the shortcut shows on the control of an open page', async () => {
    const page = await s.newPage();
    await page.goto(`${DEMO}/online/`);
    await expectControls(page, 1);
    await (await s.worker()).evaluate(() =>
      (chrome.commands.onCommand as unknown as { dispatch(c: string): void }).dispatch('pin-all'),
    );
    await expect.poll(async () => (await readControls(page))[0]?.status).toBe('Pinned 2 dialogs: 1652, 1653');
  });

  it('page styles do not change the control', async () => {
    const page = await s.newPage();
    await page.goto(`${DEMO}/contact_center/`);
    await expectControls(page, 1);
    const host = page.locator('b24-pin-all');
    const before = { box: await host.boundingBox(), shot: await host.screenshot() };
    await page.addStyleTag({
      content:
        'html{font-size:10px!important} body{color:red!important;line-height:3!important} button{all:unset;font:30px serif;background:lime}',
    });
    await page.waitForTimeout(200);
    const after = { box: await host.boundingBox(), shot: await host.screenshot() };
    expect(after.box?.width).toBe(before.box?.width);
    expect(after.box?.height).toBe(before.box?.height);
    expect(after.shot.equals(before.shot)).toBe(true);
  });

  it('after the extension is reloaded, the old control, once clicked, disables itself and says to reload the page', async () => {
    const page = await s.newPage();
    await page.goto(`${DEMO}/contact_center/`);
    await expectControls(page, 1);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await (await s.worker()).evaluate(() => {
      setTimeout(() => chrome.runtime.reload(), 50);
    });
    await page.waitForTimeout(1500);
    await clickPinAllControl(page, page);
    await expect
      .poll(async () => (await readControls(page))[0], { timeout: 5000 })
      .toMatchObject({
        disabled: true,
        status: 'Extension updated — reload the page',
      });
    await clickPinAllControl(page, page);
    await page.waitForTimeout(500);
    expect(s.pins()).toEqual([]);
    expect(errors).toEqual([]);
  });
});
