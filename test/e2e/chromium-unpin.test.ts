// Unpin all and Undo in real Chromium against the emulator, checked on the emulator's pin state (not only on the
// requests): an Undo takes back exactly the pin's sessions, a dialog pinned by hand before stays pinned.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe';
import { type ChromiumSession, startChromiumSession } from './support/session';

let s: ChromiumSession;
beforeAll(async () => {
  s = await startChromiumSession();
});
afterAll(async () => {
  await s?.close();
});
beforeEach(async () => {
  await s.reset();
  // Jane's dialog 1660 was pinned by hand before any of this (reset() brings the configured sessions back).
  s.emulator.portal('demo.bitrix24.com')!.sessions.push({
    id: 1660,
    chatId: 3010,
    operatorId: 7,
    pinned: true,
    active: true,
    group: 'work',
    title: 'Pinned by hand',
    chatType: 'lines',
    status: 40,
    formerOperatorIds: [],
  });
});

/** The demo portal's pinned session IDs, as the emulator holds them. */
const pinnedNow = () =>
  s.emulator
    .portal('demo.bitrix24.com')!
    .sessions.filter((x) => x.pinned)
    .map((x) => x.id)
    .sort();

async function popup(query = ''): Promise<Page> {
  const page = await s.newPage();
  await page.goto(`chrome-extension://${s.extensionId}/popup.html${query}`);
  return page;
}

async function pinFromPopup(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Pin all', exact: true }).click();
  await expect
    .poll(() => page.locator('.popup-last').innerText(), { timeout: 10_000 })
    .toMatch(/Pinned 2 dialogs/);
}

describe('Undo of the last pin (Chromium)', () => {
  it('restores the exact pin state from before: the dialog pinned by hand stays pinned', async () => {
    expect(pinnedNow()).toEqual([1660]);
    const page = await popup();
    await pinFromPopup(page);
    expect(pinnedNow()).toEqual([1652, 1653, 1660]);
    await page.getByRole('button', { name: /Undo the last pin/ }).click();
    await expect
      .poll(() => page.locator('.popup-last').innerText(), { timeout: 10_000 })
      .toMatch(/Undone: unpinned 2 dialogs/);
    expect(pinnedNow()).toEqual([1660]);
    // One batch, two commands per session; never unpinAll.
    expect(s.emulator.restCalls('batch')).toHaveLength(1);
    expect(s.emulator.restCalls('imopenlines.session.mode.unpinAll')).toHaveLength(0);
    const notes = await s.waitForNotes(2);
    expect(notes[1]).toMatchObject({ title: 'Undone: unpinned 2 dialogs', message: '1652, 1653' });
    expect(await (await s.worker()).evaluate(() => chrome.action.getBadgeText({}))).toBe('-2');
    // Offered once: the button is gone.
    expect(await page.getByRole('button', { name: /Undo the last pin/ }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('a partial failure is shown by session: one dialog now belongs to another operator', async () => {
    const page = await popup();
    await pinFromPopup(page);
    // The admin takes 1653 over: the pin moves with it, and Jane may no longer unpin it.
    const taken = s.emulator.portal('demo.bitrix24.com')!.sessions.find((x) => x.id === 1653)!;
    Object.assign(taken, { operatorId: 1, formerOperatorIds: [7], pinned: true });
    await page.getByRole('button', { name: /Undo the last pin/ }).click();
    const last = page.locator('.popup-last');
    await expect.poll(() => last.innerText(), { timeout: 10_000 }).toMatch(/Undone: unpinned 1 dialog/);
    expect(await last.innerText()).toContain(
      '1 of 2 could not be unpinned: they now belong to another operator',
    );
    expect(await last.innerText()).toMatch(/Not unpinned\s+1653/);
    expect(pinnedNow()).toEqual([1653, 1660]);
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('Undo from the notification (Chromium: buttons)', () => {
  it("a pin's notification has an Undo button; its click takes that pin back, a second click says why not", async () => {
    const page = await popup();
    await pinFromPopup(page);
    const [note] = await s.waitForNotes();
    expect(note).toMatchObject({ title: 'Pinned 2 dialogs', buttons: [{ title: 'Undo' }] });
    const click = (id: string) =>
      s
        .worker()
        .then((sw) =>
          sw.evaluate(
            (nid) =>
              (
                chrome.notifications.onButtonClicked as unknown as { dispatch(id: string, i: number): void }
              ).dispatch(nid, 0),
            id,
          ),
        );
    await click(note!.id);
    const notes = await s.waitForNotes(2);
    expect(notes[1]).toMatchObject({ title: 'Undone: unpinned 2 dialogs' });
    expect(pinnedNow()).toEqual([1660]);
    await click(note!.id);
    expect((await s.waitForNotes(3))[2]).toMatchObject({
      title: 'Undo failed',
      message: 'This pin was already undone.',
    });
    expect(s.emulator.restCalls('batch')).toHaveLength(1);
  });
});

describe('Unpin all (Chromium)', () => {
  it('asks first; Cancel sends nothing; confirmed, it unpins every pinned dialog of the operator', async () => {
    const page = await popup();
    await pinFromPopup(page);
    await page.getByRole('button', { name: /Unpin all my pinned/ }).click();
    await expect
      .poll(() => page.locator('.confirm').innerText())
      .toContain('Dialogs waiting for your answer may go back to the queue');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(s.emulator.restCalls('imopenlines.session.mode.unpinAll')).toHaveLength(0);
    expect(pinnedNow()).toEqual([1652, 1653, 1660]);

    await page.getByRole('button', { name: /Unpin all my pinned/ }).click();
    await page.getByRole('button', { name: 'Unpin all', exact: true }).click();
    await expect
      .poll(() => page.locator('.popup-last').innerText(), { timeout: 10_000 })
      .toMatch(/Unpinned 3 dialogs/);
    expect(s.emulator.restCalls('imopenlines.session.mode.unpinAll')).toHaveLength(1);
    expect(pinnedNow()).toEqual([]);
    // Unpin all after the pin: the pin's Undo is no longer offered.
    expect(await page.getByRole('button', { name: /Undo the last pin/ }).count()).toBe(0);
  });

  it('the unpin-all command asks in a small window and unpins only once confirmed there', async () => {
    const sw = await s.worker();
    const context = (await s.newPage()).context();
    const opened = context.waitForEvent('page', {
      predicate: (p) => p.url().includes('ask=unpin-all'),
      timeout: 10_000,
    });
    await sw.evaluate(() =>
      (chrome.commands.onCommand as unknown as { dispatch(c: string): void }).dispatch('unpin-all'),
    );
    const ask = await opened;
    await expect.poll(() => ask.locator('.confirm').count(), { timeout: 10_000 }).toBe(1);
    expect(s.emulator.restCalls('imopenlines.session.mode.unpinAll')).toHaveLength(0);
    await ask.getByRole('button', { name: 'Unpin all', exact: true }).click();
    await expect
      .poll(() => ask.locator('.popup-last').innerText(), { timeout: 10_000 })
      .toMatch(/Unpinned 1 dialog/);
    expect(pinnedNow()).toEqual([]);
    expect((await s.waitForNotes())[0]).toMatchObject({ title: 'Unpinned 1 dialog', message: '1660' });
  });
});
