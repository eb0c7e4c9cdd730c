#!/usr/bin/env node
// First step of `npm run demo` and `npm test` (`node scripts/prerequisites.mjs --for demo|test`): checks that the
// browsers and tools they drive are installed. As root with apt-get it installs what is missing (one line of
// output); otherwise it stops at once with exit code 1 and the one command to run, instead of a test failing deep
// in the run. The decision itself is in prerequisites-plan.mjs.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { plan, stopMessage } from './prerequisites-plan.mjs';

const purpose = process.argv[process.argv.indexOf('--for') + 1];
if (purpose !== 'demo' && purpose !== 'test') {
  console.error('usage: node scripts/prerequisites.mjs --for demo|test');
  process.exit(2);
}

/** @param {string} path */
function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** @param {string} name a command name; true when it is an executable file on PATH */
function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && executable(join(dir, name)));
}

/** The same paths and commands the launchers, the emulator and the packaging test use. */
function present() {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const firefox = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
  // Debian's /usr/bin/chromium is a wrapper script; the binary and its locales/ are in /usr/lib/chromium.
  const localeDirs = ['/usr/lib/chromium/locales'];
  if (process.env.CHROMIUM_PATH && existsSync(chromium)) {
    localeDirs.unshift(join(dirname(realpathSync(chromium)), 'locales'));
  }
  return {
    chromium: executable(chromium),
    chromiumLocales: localeDirs.some((dir) => existsSync(join(dir, 'ru.pak'))),
    firefox: executable(firefox),
    certutil: onPath('certutil'),
    openssl: process.env.OPENSSL_BIN
      ? executable(process.env.OPENSSL_BIN) || onPath(process.env.OPENSSL_BIN)
      : onPath('openssl'),
    python3: onPath('python3'),
  };
}

for (const name of ['CHROMIUM_PATH', 'FIREFOX_PATH']) {
  const path = process.env[name];
  if (path !== undefined && !executable(path)) {
    console.error(`${name}=${path} is not an executable file: fix or unset it.`);
    process.exit(1);
  }
}

const root = process.getuid?.() === 0;
const aptGet = onPath('apt-get');
const decision = plan({ purpose, present: present(), root, aptGet });

if (decision.action === 'install') {
  console.log(`Installing what npm run ${purpose} needs: apt-get install ${decision.packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const quiet = { env, stdio: /** @type {const} */ (['ignore', 'ignore', 'inherit']) };
  const update = spawnSync('apt-get', ['update', '-qq'], quiet);
  const install =
    update.status === 0
      ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...decision.packages], quiet)
      : update;
  const after = plan({ purpose, present: present(), root, aptGet: false });
  if (install.status !== 0 || after.action !== 'ready') {
    console.error(`apt-get could not install ${decision.packages.join(' ')}.`);
    if (after.action === 'stop') console.error(stopMessage(purpose, after, aptGet));
    process.exit(1);
  }
} else if (decision.action === 'stop') {
  console.error(stopMessage(purpose, decision, aptGet));
  process.exit(1);
}
