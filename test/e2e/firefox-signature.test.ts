import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { DEMO, useFirefoxSession } from './support/firefox-session';

// Issue 14, "a miss is visible", in Firefox ESR: the popup's question reaches the portal tab's top frame, which
// answers for its same-origin legacy frame too (its document read through the frame element from the content
// script), and only when asked by an extension page.

describe('page report in Firefox ESR', () => {
  const s = useFirefoxSession();

  /** Asks the portal tab's top frame from an extension page, as the popup does. */
  async function ask(extensionPage: Page, url: string): Promise<unknown> {
    return extensionPage.evaluate(async (u) => {
      const [tab] = await browser.tabs.query({ url: u });
      return browser.tabs.sendMessage(tab!.id!, { type: 'pageReport' }, { frameId: 0 });
    }, url);
  }

  it('a page with the control in the legacy frame: hasControl, two documents', async () => {
    const portal = await s.browser.newPage();
    await portal.goto(`${DEMO}/online/?ol=legacy`);
    const frame = await (async () => {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
        const f = portal.frames().find((x) => x.url().includes('/desktop_app/'));
        if (f) return f;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('no legacy frame');
    })();
    await frame.waitForSelector('b24-pin-all', { timeout: 10_000 });
    const ext = await s.openExtensionPage('popup.html', 'main');
    const report = (await ask(ext, `${DEMO}/online/*`)) as {
      hasControl: boolean;
      documents: { legacyLinesDocument: boolean }[];
    };
    expect(report.hasControl).toBe(true);
    expect(report.documents.map((d) => d.legacyLinesDocument)).toEqual([false, true]);
    await ext.close();
    await portal.close();
  });

  it('an unknown list: no control, the signature names the messenger containers', async () => {
    const portal = await s.browser.newPage();
    await portal.goto(`${DEMO}/online/?ol=unknown`);
    await portal.waitForSelector('.bx-imol-list-base-recent__scroll-container');
    await new Promise((r) => setTimeout(r, 500));
    expect(await portal.$('b24-pin-all')).toBeNull();
    const ext = await s.openExtensionPage('popup.html', 'main');
    const report = (await ask(ext, `${DEMO}/online/*`)) as {
      hasControl: boolean;
      documents: { containerClasses: string[]; anchor: unknown }[];
    };
    expect(report.hasControl).toBe(false);
    expect(report.documents[0]!.anchor).toBeNull();
    expect(report.documents[0]!.containerClasses).toEqual(
      expect.arrayContaining(['bx-im-messenger__container', 'bx-imol-list-base-recent__scroll-container']),
    );
    expect(JSON.stringify(report)).not.toMatch(/\d|John Smith|Maria/);
    await ext.close();
    await portal.close();
  });
});
