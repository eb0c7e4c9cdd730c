import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve('.');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const zip = (suffix: string) => join(root, '.output', `${pkg.name}-${pkg.version}-${suffix}.zip`);
const work = mkdtempSync(join(tmpdir(), 'pin-all-sources-'));

/** Every file under `dir`, as relative path → content. */
function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** Unzips with Python's standard library (present wherever npm builds native modules; no `unzip` needed). */
function unzip(archive: string, into: string): void {
  execFileSync('python3', ['-m', 'zipfile', '-e', archive, into]);
}

/** Runs a command as a person would: without the NODE_ENV=test that Vitest sets (it switches JSX to dev mode). */
function run(cmd: string, args: string[], cwd: string): void {
  const { NODE_ENV: _, VITEST: __, ...env } = process.env;
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env });
}

beforeAll(() => {
  run('npm', ['run', 'zip'], root);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('store packages', () => {
  it('npm run zip produces the Chrome zip, the Firefox zip and the Firefox sources zip', () => {
    for (const suffix of ['chrome', 'firefox', 'sources'])
      expect(statSync(zip(suffix)).size).toBeGreaterThan(1000);
  });

  it('the sources zip holds what a reviewer needs and nothing else', () => {
    unzip(zip('sources'), join(work, 'src'));
    const names = [...files(join(work, 'src')).keys()];
    expect(names).toContain('SOURCES.md');
    expect(names).toContain('package-lock.json');
    expect(names).toContain('wxt.config.ts');
    const stray = names.filter((n) =>
      /^(test|node_modules|\.output|artifacts|scripts|\.git)\/|\.(log|png)$/.test(n),
    );
    expect(stray.filter((n) => !n.startsWith('public/icon/'))).toEqual([]);
    expect(readFileSync(join(work, 'src', 'SOURCES.md'), 'utf8')).toMatch(
      /Node\.js 20\.\d+\.\d+[\s\S]*npm 11\.\d+\.\d+/,
    );
  });

  it('the packages carry no path of the build machine (a production build, not a dev one)', () => {
    for (const suffix of ['chrome', 'firefox']) {
      const into = join(work, `check-${suffix}`);
      unzip(zip(suffix), into);
      const leaks = [...files(into)].filter(([, bytes]) => bytes.includes(root) || bytes.includes('jsxDEV'));
      expect(leaks.map(([name]) => `${suffix}: ${name}`)).toEqual([]);
    }
  });

  it('building the sources zip as a reviewer does gives a byte-identical Firefox build', () => {
    const src = join(work, 'src');
    run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], src);
    run('npm', ['run', 'build:firefox'], src);
    unzip(zip('firefox'), join(work, 'submitted'));
    const rebuilt = files(join(src, '.output', 'firefox-mv3'));
    const submitted = files(join(work, 'submitted'));
    expect([...rebuilt.keys()].sort()).toEqual([...submitted.keys()].sort());
    const different = [...submitted]
      .filter(([name, bytes]) => !rebuilt.get(name)?.equals(bytes))
      .map(([n]) => n);
    expect(different).toEqual([]);
  });
});
