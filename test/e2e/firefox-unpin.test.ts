// Undo and Unpin all in Firefox ESR (MV3, the built extension) against the emulator, checked on the emulator's
// pin state: Undo leaves the dialog pinned by hand before pinned; Unpin all asks first and Cancel sends nothing.
import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO_WEBHOOK, saveWebhook, startFirefoxSession, useFirefoxSession } from './support/firefox-session';

describe('Undo and Unpin all in Firefox ESR', () => {
  const s = useFirefoxSession(async () => {
    const session = await startFirefoxSession();
    const { page } = await saveWebhook(session, DEMO_WEBHOOK);
    await page.close();
    return session;
  });
  beforeEach(async () => {
    s.emulator.reset();
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
    await new Promise((r) => setTimeout(r, 2100)); // past the join window of the previous pin
  });

  const pinnedNow = () =>
    s.emulator
      .portal('demo.bitrix24.com')!
      .sessions.filter((x) => x.pinned)
      .map((x) => x.id)
      .sort();

  it('pin, then Undo: exactly the previous pin state again', async () => {
    const popup = await s.openExtensionPage('popup.html', 'button.pin-all');
    await popup.click('button.pin-all');
    await popup.waitForSelector('button.undo', { timeout: 10_000 });
    expect(pinnedNow()).toEqual([1652, 1653, 1660]);
    await popup.click('button.undo');
    await popup.waitForFunction(
      () => /Undone: unpinned 2 dialogs/.test(document.querySelector('.popup-last')?.textContent ?? ''),
      { timeout: 10_000 },
    );
    expect(pinnedNow()).toEqual([1660]);
    expect(s.emulator.restCalls('batch')).toHaveLength(1);
    await popup.close();
  });

  it('Unpin all asks first; Cancel sends nothing; confirmed, every pinned dialog is unpinned', async () => {
    const popup = await s.openExtensionPage('popup.html', 'button.unpin-all');
    await popup.click('button.unpin-all');
    await popup.waitForSelector('.confirm', { timeout: 5_000 });
    await popup.click('.confirm .button-secondary');
    expect(s.emulator.restCalls('imopenlines.session.mode.unpinAll')).toHaveLength(0);
    expect(pinnedNow()).toEqual([1660]);
    await popup.click('button.unpin-all');
    await popup.waitForSelector('.confirm .button-danger', { timeout: 5_000 });
    await popup.click('.confirm .button-danger');
    await popup.waitForFunction(
      () => /Unpinned 1 dialog/.test(document.querySelector('.popup-last')?.textContent ?? ''),
      { timeout: 10_000 },
    );
    expect(pinnedNow()).toEqual([]);
    await popup.close();
  });
});
