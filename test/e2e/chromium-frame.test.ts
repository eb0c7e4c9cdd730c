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

/** A page of another site (answered by the test itself, never the network) that frames the portal's contact center. */
const FOREIGN = 'https://foreign.example/';

describe('a portal page framed by another site', () => {
  it('the control click pins nothing and the control says it is not available here', async () => {
    const page = await s.newPage();
    await page.route(FOREIGN, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>Foreign</title><iframe src="${DEMO}/contact_center/" width="1000" height="700"></iframe>`,
      }),
    );
    await page.goto(FOREIGN);
    const frame = page.frames().find((f) => f.url().startsWith(DEMO));
    expect(frame).toBeDefined();
    await expectControls(frame!, 1);
    await clickPinAllControl(frame!, page);
    await expect
      .poll(async () => (await readControls(page, frame!))[0]?.status, { timeout: 10_000 })
      .toMatch(/Not available here/);
    expect(s.pins()).toEqual([]);
  });
});
