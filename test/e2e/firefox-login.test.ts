import { describe, expect, it } from 'vitest';
import { pressShortcut } from './support/firefox-command';
import { clickControl, DEMO, useFirefoxSession } from './support/firefox-session';

/**
 * Zero setup in Firefox ESR: a fresh profile with no webhook pins with the operator's own Bitrix24 login, from
 * the control, the popup and the shortcut. The request leaves from the portal tab's content script (a same-origin request
 * of the page, with its cookie and a form `sessid`).
 */
describe('Pin all with the operator’s login, no webhook (Firefox ESR)', () => {
  const s = useFirefoxSession();

  it('from the injected control: one POST to /rest/…pinAll.json with the page’s cookie and a form sessid', async () => {
    const page = await s.browser.newPage();
    await page.goto(`${DEMO}/contact_center/`);
    await page.waitForSelector('b24-pin-all');
    await clickControl(page);
    const deadline = Date.now() + 15_000;
    let history = await s.storedHistory();
    while (history.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      history = await s.storedHistory();
    }
    expect(history[0]).toMatchObject({
      trigger: 'control',
      ok: true,
      // The stored form: the session IDs 1652 and 1653 as one compact text (utils/session-ids.ts).
      ids: '1652-1653',
      portal: DEMO,
    });
    const pins = s.pins();
    expect(pins.map((r) => `${r.method} ${r.host}${r.path}`)).toEqual([
      'POST demo.bitrix24.com/rest/imopenlines.session.mode.pinAll.json',
    ]);
    expect(pins[0]!.sessionAuth).toMatchObject({ sessid: 'form', cookie: true, userId: 7, result: 'ok' });
    await page.close();
  });

  it('from the popup, with the portal open in a tab', async () => {
    s.emulator.reset();
    const page = await s.browser.newPage();
    await page.goto(`${DEMO}/online/`);
    await new Promise((r) => setTimeout(r, 2100)); // past the join window of the previous pin
    const popup = await s.openExtensionPage('popup.html', 'button.pin-all');
    await popup.click('button.pin-all');
    await popup.waitForFunction(
      () =>
        /Pinned 2 dialogs[\s\S]*1652[\s\S]*1653/.test(
          document.querySelector('.popup-last')?.textContent ?? '',
        ),
      { timeout: 20_000 }, // a loaded 2-core machine: the first login call of a fresh tab can be slow
    );
    expect(s.pins()).toHaveLength(1);
    expect(s.pins()[0]!.sessionAuth).toMatchObject({ sessid: 'form', cookie: true, result: 'ok' });
    await popup.close();
    await page.close();
  });
  it('from the shortcut, with the portal open in a tab', async () => {
    s.emulator.reset();
    const page = await s.browser.newPage();
    await page.goto(`${DEMO}/online/`);
    await page.waitForSelector('b24-pin-all'); // the tab's content script, which sends the login request, is there
    await new Promise((r) => setTimeout(r, 2100)); // past the join window of the previous pin
    await pressShortcut(s.browser, 'pin-all');
    const deadline = Date.now() + 20_000;
    while (s.pins().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(s.pins()).toHaveLength(1);
    expect(s.pins()[0]!.sessionAuth).toMatchObject({ sessid: 'form', cookie: true, userId: 7, result: 'ok' });
    let history = await s.storedHistory();
    while (history[0]?.trigger !== 'shortcut' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      history = await s.storedHistory();
    }
    expect(history[0]).toMatchObject({ trigger: 'shortcut', ok: true, ids: '1652-1653', portal: DEMO });
    await page.close();
  });

  it('the shortcut with no portal tab open says to open the portal or add a webhook; nothing sent', async () => {
    for (const page of await s.browser.pages()) if (page.url().startsWith(DEMO)) await page.close();
    s.emulator.reset();
    await new Promise((r) => setTimeout(r, 2100)); // past the join window of the previous pin
    await pressShortcut(s.browser, 'pin-all');
    const popup = await s.openExtensionPage('popup.html', 'main');
    await popup.waitForFunction(
      () =>
        (document.querySelector('.popup-last')?.textContent ?? '').includes(
          'Open your Bitrix24 in a tab, or add a webhook in the options.',
        ),
      { timeout: 20_000 },
    );
    expect(s.pins()).toEqual([]);
    await popup.close();
  });
});

describe('a self-hosted portal with no webhook, through the login (Firefox ESR)', () => {
  const s = useFirefoxSession();
  const BOX = 'https://crm.example.org';

  it('added by its address in the options, its pages get the control, which pins with the page’s login', async () => {
    const options = await s.openExtensionPage('options.html', '#self-hosted-address');
    await options.type('#self-hosted-address', 'crm.example.org');
    // A trusted click: the browser's host-access request needs the user gesture (granted: prompts are off here).
    await options.click('.self-hosted-portals button[type=submit]');
    await options.waitForFunction(
      () => /Added crm\.example\.org/.test(document.querySelector('.self-hosted-portals')?.textContent ?? ''),
      { timeout: 15_000 },
    );
    s.emulator.reset();
    const page = await s.browser.newPage();
    await page.goto(`${BOX}/services/contact_center/`);
    await page.waitForSelector('b24-pin-all', { timeout: 10_000 });
    await clickControl(page);
    const deadline = Date.now() + 15_000;
    while (s.pins().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(s.pins().map((r) => `${r.method} ${r.host}${r.path}`)).toEqual([
      'POST crm.example.org/rest/imopenlines.session.mode.pinAll.json',
    ]);
    expect(s.pins()[0]!.sessionAuth).toMatchObject({ sessid: 'form', cookie: true, result: 'ok' });
    await options.close();
  });

  it('the popup offers the added portal while its tab is open, and pins there with the login', async () => {
    // The portal's tab from the test before is still open.
    await new Promise((r) => setTimeout(r, 2100)); // past the join window of the control's pin
    s.emulator.reset();
    const popup = await s.openExtensionPage('popup.html', 'button.pin-all');
    await popup.click('button.pin-all');
    await popup.waitForFunction(
      () => /Pinned \d+ dialog/.test(document.querySelector('.popup-last')?.textContent ?? ''),
      { timeout: 20_000 },
    );
    expect(s.pins().map((r) => `${r.host}${r.path}`)).toEqual([
      'crm.example.org/rest/imopenlines.session.mode.pinAll.json',
    ]);
    expect(s.pins()[0]!.sessionAuth).toMatchObject({ sessid: 'form', result: 'ok' });
    await popup.close();
  });

  it('Remove forgets it and gives the site access back: new pages of it get no control', async () => {
    const options = await s.openExtensionPage('options.html', '.self-hosted-portals h3');
    options.on('dialog', (dialog) => void dialog.accept());
    await options.click('.self-hosted-portals li button[aria-label="Remove crm.example.org"]');
    await options.waitForFunction(() => !document.querySelector('.self-hosted-portals li'), {
      timeout: 10_000,
    });
    await options.waitForFunction(
      async () => !(await browser.permissions.contains({ origins: ['https://crm.example.org/*'] })),
      { timeout: 10_000 },
    );
    const page = await s.browser.newPage();
    await page.goto(`${BOX}/services/contact_center/`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.evaluate(() => document.querySelectorAll('b24-pin-all').length)).toBe(0);
    await page.close();
    await options.close();
  });
});
