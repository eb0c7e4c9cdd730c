// The pure part of `scripts/prerequisites.mjs`: given what is on the machine, decide whether to go on, install the
// missing Debian packages (only as root with apt-get) or stop with the one command the user must run. No I/O here,
// so test/unit/prerequisites.test.ts can table-test every case.

/**
 * What the demo and the tests run, and the Debian package that provides each.
 * - chromium: Debian's Chromium at /usr/bin/chromium (test/e2e/support/chromium.mjs; CHROMIUM_PATH overrides);
 * - chromiumLocales: Chromium's translations, without which Chromium runs in English whatever locale it is given
 *   (the Russian screenshots and UI tests need them);
 * - firefox: Firefox ESR at /usr/bin/firefox-esr (test/e2e/support/firefox.mjs; FIREFOX_PATH overrides);
 * - certutil: trusts the emulator's test CA in a throw-away Firefox profile;
 * - openssl: the emulator makes its throw-away certificates with the `openssl` CLI (test/emulator/certs.mjs;
 *   OPENSSL_BIN overrides), which slim Debian images lack;
 * - python3: the packaging test unzips the store packages with Python's zipfile (test/package/).
 */
export const PACKAGES = /** @type {const} */ ({
  chromium: 'chromium',
  chromiumLocales: 'chromium-l10n',
  firefox: 'firefox-esr',
  certutil: 'libnss3-tools',
  openssl: 'openssl',
  python3: 'python3',
});

/** @typedef {keyof typeof PACKAGES} Tool */

/**
 * Which tools each command needs. The demo runs the emulator and drives Chromium in English, trusting the emulator
 * by its key hash; the tests use everything.
 * @type {Record<'demo' | 'test', readonly Tool[]>}
 */
export const NEEDED = {
  demo: ['chromium', 'openssl'],
  test: ['chromium', 'chromiumLocales', 'firefox', 'certutil', 'openssl', 'python3'],
};

/**
 * Decides what to do about missing tools.
 * @param {{ purpose: 'demo' | 'test', present: Record<Tool, boolean>, root: boolean, aptGet: boolean }} machine
 *   purpose: the command about to run; present: which tools were found; root: running as uid 0;
 *   aptGet: `apt-get` is on PATH.
 * @returns {{ action: 'ready' }
 *   | { action: 'install', packages: string[] }
 *   | { action: 'stop', packages: string[], command: string }}
 *   ready: nothing is missing; install: run apt-get for these packages (root with apt-get); stop: print `command`
 *   and exit 1 — the one command that installs what is missing.
 */
export function plan({ purpose, present, root, aptGet }) {
  const packages = NEEDED[purpose].filter((tool) => !present[tool]).map((tool) => PACKAGES[tool]);
  if (packages.length === 0) return { action: 'ready' };
  if (root && aptGet) return { action: 'install', packages };
  return { action: 'stop', packages, command: installCommand(packages, root) };
}

/**
 * The command line that installs `packages` on Debian or Ubuntu.
 * @param {string[]} packages Debian package names
 * @param {boolean} root whether the user is already root (then no `sudo`)
 */
export function installCommand(packages, root) {
  return `${root ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}`;
}

/**
 * The text printed when the run must stop: what is missing, for what, and the command on a line of its own.
 * @param {'demo' | 'test'} purpose
 * @param {{ packages: string[], command: string }} stop the `stop` decision of {@link plan}
 * @param {boolean} aptGet whether apt-get exists (without it the command is for a Debian or Ubuntu machine)
 */
export function stopMessage(purpose, stop, aptGet) {
  const what = `npm run ${purpose === 'demo' ? 'demo' : 'test'} needs ${stop.packages.join(', ')}`;
  const where = aptGet ? '' : ' (Debian or Ubuntu packages; elsewhere install the same tools by hand)';
  return `${what}, which ${stop.packages.length === 1 ? 'is' : 'are'} missing. Install with${where}:\n\n  ${stop.command}\n`;
}
