import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIREFOX_BUILD } from './support/firefox.mjs';
import { DEMO_WEBHOOK, startFirefoxSession, useFirefoxSession } from './support/firefox-session';
import {
  buildWithAddonId,
  FIREFOX_POLICY_FILE,
  isRoot,
  writeFirefoxPolicy,
} from './support/policy-files.mjs';

/**
 * Managed settings in real Firefox ESR, from a real policies.json (`3rdparty.Extensions.<add-on id>`, see
 * docs/admin.md), written for this test only and removed after it: `signIn: "login"` and an invalid value, for a
 * test build with an add-on ID of its own (another Firefox on the machine is not affected meanwhile). The
 * options page shows the lock and offers no webhook field; the background refuses a webhook sent to it anyway.
 */

if (!isRoot)
  console.log(`firefox-policy: skipped — writing ${FIREFOX_POLICY_FILE} needs root (CI runs as root)`);

describe.runIf(isRoot)('browser policy in Firefox ESR (managed storage from policies.json)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  let extensionDir = '';

  beforeAll(async () => {
    const build = await buildWithAddonId(FIREFOX_BUILD);
    cleanups.push(build.remove);
    extensionDir = build.dir;
    const policy = await writeFirefoxPolicy(build.addonId, { signIn: 'login', allowUnpinAll: 'no' });
    cleanups.push(policy.remove);
  });
  // Registered after the hook above, so the build and the policy exist when the session starts; it closes first.
  const s = useFirefoxSession(() => startFirefoxSession({}, { extensionDir }));

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  });

  it('the options page shows the lock and the ignored value, and offers no webhook field', async () => {
    const page = await s.openExtensionPage('options.html', 'section.policy');
    const text = await page.$eval('section.policy', (el) => (el as HTMLElement).innerText);
    expect(text).toMatch(/Sign-in: your Bitrix24 login only\s*Set by your organisation/);
    expect(text).toMatch(/Ignored the policy value allowUnpinAll: wrong type or not an allowed value/);
    expect(await page.$('#webhook-url')).toBeNull();
    expect(await page.$eval('#options-webhook-locked', (el) => (el as HTMLElement).innerText)).toMatch(
      /allows only your Bitrix24 login/,
    );
    expect(
      await page.$eval('#options-use-login', (el) => [
        (el as HTMLInputElement).checked,
        (el as HTMLInputElement).disabled,
      ]),
    ).toEqual([true, true]);
    await page.close();
  });

  it('the background refuses a webhook sent to it anyway: nothing reaches the portal, nothing is stored', async () => {
    s.emulator.reset();
    const page = await s.openExtensionPage('options.html', 'section.policy');
    const answer = await page.evaluate(
      (url) => browser.runtime.sendMessage({ type: 'saveWebhook', url }),
      DEMO_WEBHOOK,
    );
    expect(answer).toEqual({ ok: false, refusedBy: 'policy' });
    expect(s.emulator.restCalls()).toEqual([]);
    const stored = await page.evaluate(() => browser.storage.local.get(['webhooks', 'portals']));
    expect(stored.webhooks ?? {}).toEqual({});
    expect(stored.portals ?? {}).toEqual({});
    await page.close();
  });
});
