// Launches real Firefox ESR (puppeteer-core over WebDriver BiDi) with the built extension installed as a temporary
// add-on, every host name resolved to 127.0.0.1, port 443 forwarded to the emulator, and the emulator's CA
// trusted through a prepared NSS profile (no `acceptInsecureCerts`: real TLS checks stay on).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer from 'puppeteer-core';

/** Where `wxt build -b firefox` puts the Firefox build. */
export const FIREFOX_BUILD = resolve('.output/firefox-mv3');
/** Debian's Firefox ESR. */
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** The fixed moz-extension UUID the tests give the add-on, so its pages have a known address. */
export const FIREFOX_UUID = 'a5e1c6b2-7f7d-4d1e-9c11-6f1f3b0c2d10';

/**
 * Starts Firefox with the extension installed.
 * @param {{ port: number, caPem: string }} emulator a running emulator (see test/emulator)
 * @param {{ headless?: boolean, extensionDir?: string, prefs?: Record<string, unknown> }} [opts]
 * @returns {Promise<{ browser: import('puppeteer-core').Browser, addonId: string, extensionUrl: (path: string) => string,
 *   close: () => Promise<void> }>}
 */
export async function launchFirefox(emulator, opts = {}) {
  const extensionDir = opts.extensionDir ?? FIREFOX_BUILD;
  const manifestPath = join(extensionDir, 'manifest.json');
  if (!existsSync(manifestPath))
    throw new Error(`No built extension in ${extensionDir}: run \`npm run build\` first.`);
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  const addonId = manifest.browser_specific_settings.gecko.id;

  const profile = await mkdtemp(join(tmpdir(), 'pin-all-firefox-'));
  const caFile = join(profile, 'emulator-ca.pem');
  await writeFile(caFile, emulator.caPem);
  execFileSync('certutil', ['-N', '-d', `sql:${profile}`, '--empty-password']);
  execFileSync('certutil', [
    '-A',
    '-n',
    'pin-all-emulator-ca',
    '-t',
    'C,,',
    '-i',
    caFile,
    '-d',
    `sql:${profile}`,
  ]);

  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: opts.headless ?? true,
    userDataDir: profile,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [addonId]: FIREFOX_UUID }),
      'network.dns.forceResolve': '127.0.0.1',
      'network.socket.forcePort': `443=${emulator.port}`,
      'extensions.webextOptionalPermissionPrompts': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'browser.shell.checkDefaultBrowser': false,
      'app.update.enabled': false,
      ...(opts.prefs ?? {}),
    },
  });
  await browser.installExtension(resolve(extensionDir));
  return {
    browser,
    addonId,
    extensionUrl: (path) => `moz-extension://${FIREFOX_UUID}/${path.replace(/^\//, '')}`,
    // A Firefox that stopped answering over BiDi never finishes `browser.close()`: after 5 s its process is killed.
    close: async () => {
      const closed = browser.close().then(
        () => true,
        () => false,
      );
      const timeout = new Promise((r) => setTimeout(() => r(false), 5_000));
      if (!(await Promise.race([closed, timeout]))) browser.process()?.kill('SIGKILL');
      await rm(profile, { recursive: true, force: true }).catch(() => {});
    },
  };
}
