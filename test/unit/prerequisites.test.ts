import { describe, expect, it } from 'vitest';
import { plan, stopMessage } from '../../scripts/prerequisites-plan.mjs';

const all = {
  chromium: true,
  chromiumLocales: true,
  firefox: true,
  certutil: true,
  openssl: true,
  python3: true,
};
const none = {
  chromium: false,
  chromiumLocales: false,
  firefox: false,
  certutil: false,
  openssl: false,
  python3: false,
};

describe('prerequisites plan (first step of npm run demo / npm test)', () => {
  it('goes on when everything the command needs is there', () => {
    expect(plan({ purpose: 'test', present: all, root: false, aptGet: true })).toEqual({ action: 'ready' });
    // The demo runs the emulator and drives only Chromium in English: no Firefox, certutil, locales or Python.
    expect(
      plan({
        purpose: 'demo',
        present: { ...none, chromium: true, openssl: true },
        root: false,
        aptGet: false,
      }),
    ).toEqual({ action: 'ready' });
  });

  it('as root with apt-get installs exactly the missing packages', () => {
    expect(plan({ purpose: 'test', present: none, root: true, aptGet: true })).toEqual({
      action: 'install',
      packages: ['chromium', 'chromium-l10n', 'firefox-esr', 'libnss3-tools', 'openssl', 'python3'],
    });
    expect(
      plan({ purpose: 'test', present: { ...all, chromiumLocales: false }, root: true, aptGet: true }),
    ).toEqual({ action: 'install', packages: ['chromium-l10n'] });
    expect(plan({ purpose: 'demo', present: none, root: true, aptGet: true })).toEqual({
      action: 'install',
      packages: ['chromium', 'openssl'],
    });
  });

  it('without root stops with the one sudo command that installs what is missing', () => {
    const decision = plan({
      purpose: 'test',
      present: { ...none, openssl: true, python3: true },
      root: false,
      aptGet: true,
    });
    expect(decision).toEqual({
      action: 'stop',
      packages: ['chromium', 'chromium-l10n', 'firefox-esr', 'libnss3-tools'],
      command: 'sudo apt-get install -y chromium chromium-l10n firefox-esr libnss3-tools',
    });
    if (decision.action !== 'stop') throw new Error('expected stop');
    const text = stopMessage('test', decision, true);
    expect(text).toContain('npm run test needs chromium, chromium-l10n, firefox-esr, libnss3-tools');
    expect(text.split('\n').filter((line) => line.includes('apt-get'))).toEqual([
      '  sudo apt-get install -y chromium chromium-l10n firefox-esr libnss3-tools',
    ]);
  });

  it('as root without apt-get stops with the command, no sudo, and says it is for Debian or Ubuntu', () => {
    const decision = plan({
      purpose: 'test',
      present: { ...all, certutil: false },
      root: true,
      aptGet: false,
    });
    expect(decision).toEqual({
      action: 'stop',
      packages: ['libnss3-tools'],
      command: 'apt-get install -y libnss3-tools',
    });
    if (decision.action !== 'stop') throw new Error('expected stop');
    expect(stopMessage('test', decision, false)).toMatch(/is missing\. Install with \(Debian or Ubuntu/);
  });

  it('a non-root demo without Chromium names only Chromium', () => {
    expect(
      plan({ purpose: 'demo', present: { ...none, openssl: true }, root: false, aptGet: true }),
    ).toMatchObject({
      action: 'stop',
      command: 'sudo apt-get install -y chromium',
    });
  });
});
