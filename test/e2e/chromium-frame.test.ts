// Only the portal's own documents pin: a portal page framed by a foreign site gets the control, but its click
// sends nothing to the portal and the control says "not available here".
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

/** A page of another host served by the emulator (not the configured portal), which frames the portal's page. */
const FOREIGN = 'https://acme.bitrix24.com/contact_center/';

describe('a portal page framed by another site', () => {
  it('the control click pins nothing and the control says it is not available here', async () => {
    const page = await s.newPage();
    await page.goto(FOREIGN);
    await page.evaluate((src) => {
      document.body.replaceChildren();
      const frame = document.createElement('iframe');
      frame.src = src;
      frame.width = '1000';
      frame.height = '700';
      document.body.append(frame);
    }, `${DEMO}/contact_center/`);
    await expect
      .poll(() => page.frames().map((f) => f.url()), { timeout: 10_000 })
      .toContainEqual(expect.stringMatching(/^https:\/\/demo\.bitrix24\.com\/contact_center\//));
    const frame = page.frames().find((f) => f.url().startsWith(DEMO));
    await expectControls(frame!, 1);
    await clickPinAllControl(frame!, page);
    await expect
      .poll(async () => (await readControls(page, frame!))[0]?.status, { timeout: 10_000 })
      .toMatch(/Not available here/);
    expect(s.pins()).toEqual([]);
  });
});
