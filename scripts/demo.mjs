#!/usr/bin/env node
// `npm run demo`: builds the extension, starts the Bitrix24 emulator for demo.bitrix24.com (mapped to 127.0.0.1
// inside the browser only), launches Chromium with the extension on a fresh profile, opens the contact-center page
// (the emulator logs the browser in, as a portal does) and clicks Pin all: with nothing set up, the pin goes
// through the operator's own Bitrix24 login. `DEMO_WEBHOOK=1` saves the demo webhook through the options page
// first, the optional way. With a display the browser stays open for you to try; without one it runs headless,
// prints the outcome and saves artifacts/demo.png.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  clickPinAllControl,
  launchChromium,
  notifications,
  recordNotifications,
  saveWebhookThroughOptions,
} from '../test/e2e/support/chromium.mjs';
import { startEmulator } from '../test/emulator/index.mjs';

const PORTAL = 'demo.bitrix24.com';
const WEBHOOK = `https://${PORTAL}/rest/7/demosecret123/`;
const headless = !process.env.DISPLAY || process.env.HEADLESS === '1';
const withWebhook = process.env.DEMO_WEBHOOK === '1';

function step(text) {
  console.log(`• ${text}`);
}

step('Building the extension (wxt build)…');
const build = spawnSync('npx', ['wxt', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) {
  console.error('Build failed.');
  process.exit(1);
}

const emulator = await startEmulator({ port: 0 });
step(`Bitrix24 emulator listening on 127.0.0.1:${emulator.port} for ${PORTAL}`);
const browser = await launchChromium(emulator, { hosts: [PORTAL], headless });
step(`Chromium started ${headless ? 'headless' : 'with a window'}, extension ${browser.extensionId}`);

let failed = false;
try {
  if (withWebhook) {
    const { page: options, text } = await saveWebhookThroughOptions(
      browser.context,
      browser.extensionId,
      WEBHOOK,
    );
    step(`Options page: ${text.replace(/\s+/g, ' ').trim()}`);
    await options.close();
  } else {
    step('Nothing set up: no webhook — Pin all uses your Bitrix24 login on the portal page');
  }

  await recordNotifications(await browser.worker());
  const page = await browser.context.newPage();
  await page.goto(`https://${PORTAL}/contact_center/`);
  step(`Opened https://${PORTAL}/contact_center/ — clicking Pin all`);
  await clickPinAllControl(page, page);

  const deadline = Date.now() + 15_000;
  let notes = [];
  while (Date.now() < deadline && notes.length === 0) {
    await page.waitForTimeout(100);
    notes = await notifications(await browser.worker());
  }
  const pins = emulator.requests.filter((r) => r.restMethod === 'imopenlines.session.mode.pinall');
  if (notes.length === 0) {
    failed = true;
    console.error('No outcome within 15 s.');
  } else {
    step(`Notification: ${notes[0].title} — ${notes[0].message}`);
    step(
      `The emulator received ${pins.length} pin request(s): ${pins.map((r) => `${r.method} ${r.path.replace(/\/rest\/7\/[^/]+\//, '/rest/7/…/')}${r.sessionAuth ? ` (your login: user ${r.sessionAuth.userId}, sessid as a ${r.sessionAuth.sessid} field)` : ' (webhook)'}`).join(', ')}`,
    );
    if (pins.length !== 1 || notes[0].title.startsWith('Pin all failed')) failed = true;
  }
  await page.waitForTimeout(300);
  mkdirSync('artifacts', { recursive: true });
  const shot = resolve('artifacts/demo.png');
  await page.screenshot({ path: shot });
  step(`Screenshot: ${shot}`);

  if (!headless) {
    step('The browser stays open: try the popup, the shortcut (Alt+Shift+P) and /online/. Close it to stop.');
    await new Promise((done) => browser.context.on('close', done));
  }
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await browser.close();
  await emulator.close();
}
process.exit(failed ? 1 : 0);
