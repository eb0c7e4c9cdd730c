import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clickPinAllControl } from './support/chromium.mjs';
import { expectControls, readControls } from './support/control';
import { type ChromiumSession, DEMO, startChromiumSession } from './support/session';

// The emulator's page modes (test/emulator/README.md, "Page modes"): in each, the operator sees one Pin all
// control where the Open Lines list is, and a click pins once.

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

/** Clicks the one control of `where`, then expects one pinAll request and the outcome on the control. */
async function pinsOnce(page: Page, where: Page | Frame): Promise<void> {
  await clickPinAllControl(where, page);
  await s.waitForNotes();
  const frame = where === page ? undefined : (where as Frame);
  await expect
    .poll(async () => (await readControls(page, frame))[0]?.status, { timeout: 10_000 })
    .toBe('Pinned 2 dialogs: 1652, 1653');
  expect(s.pins().map((r) => r.host)).toEqual(['demo.bitrix24.com']);
}

describe('page modes (Chromium)', () => {
  it.each([
    ['classic design, new list', '/online/?ol=new', '.bx-imol-list-container-recent__container b24-pin-all'],
    [
      'new list without its header container',
      '/online/?ol=headerless',
      '.bx-imol-list-container-recent__container > b24-pin-all:first-child',
    ],
    [
      'Air design, new list',
      '/online/?ol=new&design=air',
      '.bx-im-messenger__container.--air .bx-imol-list-container-recent__header_container + b24-pin-all',
    ],
    ['contact center', '/contact_center/', '#uiToolbarContainer .ui-toolbar-right-buttons > b24-pin-all'],
  ])('%s: one control in place, a click pins once', async (_name, path, where) => {
    const page = await s.newPage();
    await page.goto(`${DEMO}${path}`);
    await expectControls(page, 1);
    expect(await page.locator(where).count()).toBe(1);
    await pinsOnce(page, page);
  });

  it('legacy frame (the default of most portals): the control in the frame, none in the page', async () => {
    const page = await s.newPage();
    await page.goto(`${DEMO}/online/?ol=legacy`);
    const frame = await legacyFrame(page);
    await expectControls(frame, 1);
    await expectControls(page, 0);
    expect(await frame.locator('.bx-messenger-box-contact > b24-pin-all').count()).toBe(1);
    await pinsOnce(page, frame);
  });

  it('?IMOPENLINES_V2=N|Y switches the list and the choice stays for later pages', async () => {
    const page = await s.newPage();
    await page.goto(`${DEMO}/online/?IMOPENLINES_V2=N`);
    await expectControls(await legacyFrame(page), 1);
    await page.goto(`${DEMO}/online/`);
    await expectControls(await legacyFrame(page), 1);
    await expectControls(page, 0);
    await page.goto(`${DEMO}/online/?IMOPENLINES_V2=Y`);
    await expectControls(page, 1);
    await page.goto(`${DEMO}/online/`);
    await expectControls(page, 1);
    expect(page.frames().some((f) => f.url().includes('/desktop_app/'))).toBe(false);
    await pinsOnce(page, page);
  });

  it('leaving the legacy frame for the new list: the hidden frame keeps no control, the list gets one', async () => {
    const page = await s.newPage();
    await page.goto(`${DEMO}/online/?ol=legacy`);
    const frame = await legacyFrame(page);
    await expectControls(frame, 1);
    await page.click('#layout-openlines');
    await expectControls(page, 1);
    expect(await page.locator('iframe.bx-im-content-openlines__iframe').isHidden()).toBe(true);
    await expectControls(frame, 0);
    await page.click('#layout-openlines-legacy');
    await expectControls(frame, 1);
    await expectControls(page, 0);
  });
});
