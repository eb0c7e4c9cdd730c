// Real browser policy files for the e2e tests of the managed settings (docs/admin.md): a JSON policy in Chromium's
// Linux policy directory, and Firefox's policies.json. They are system files, so only root can write them (CI
// runs as root); every file written is removed afterwards — by the test's cleanup, and by a process exit handler
// should the test die first. A policies.json that was there before is put back as it was.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Whether this process may write the browsers' system policy files. */
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Debian's Chromium reads every *.json here as mandatory policy. */
export const CHROMIUM_POLICY_DIR = '/etc/chromium/policies/managed';
/**
 * Debian's Firefox ESR reads enterprise policies from the application's distribution directory (a link to
 * /usr/share/firefox-esr/distribution); `FIREFOX_POLICIES` overrides it.
 */
export const FIREFOX_POLICY_FILE =
  process.env.FIREFOX_POLICIES ?? '/usr/lib/firefox-esr/distribution/policies.json';

/** Undo actions for the files written, run on normal cleanup or, as a backstop, when the process exits. */
const pending = new Map();
process.on('exit', () => {
  for (const undo of pending.values()) undo();
});

/** The directories `mkdir -p dir` would create, outermost first. */
function missingDirs(dir) {
  const missing = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) missing.unshift(d);
  return missing;
}

/** Removes directories this module created, innermost first, each only if empty (never anyone else's files). */
function removeEmptyDirs(created) {
  for (const d of [...created].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      // not empty, or already gone
    }
  }
}

/** Registers a synchronous undo and returns the async cleanup that runs it once. */
function track(undo) {
  const token = Symbol('policy-file');
  pending.set(token, undo);
  return async () => {
    if (!pending.has(token)) return;
    pending.delete(token);
    undo();
  };
}

/**
 * A key pair made for this test run, and the Chromium extension ID it gives: the manifest `key` is the public key
 * (SubjectPublicKeyInfo, base64 DER); the ID is the first 128 bits of its SHA-256 written with the letters a–p.
 * The private key is never needed (unpacked extensions are not signed) and is thrown away.
 * @returns {{ key: string, id: string }}
 */
export function testExtensionKey() {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const hex = createHash('sha256').update(der).digest('hex').slice(0, 32);
  const id = [...hex].map((c) => String.fromCharCode(97 + Number.parseInt(c, 16))).join('');
  return { key: der.toString('base64'), id };
}

/**
 * Copies a Chrome build into a temporary directory and puts `key` into the copy's manifest, so Chromium gives the
 * unpacked extension a known ID (a TEST build only: the shipped build has no key, the store assigns the ID).
 * @returns {Promise<{ dir: string, remove: () => Promise<void> }>}
 */
export async function buildWithKey(buildDir, key) {
  const dir = await mkdtemp(join(tmpdir(), 'pin-all-keyed-'));
  await cp(buildDir, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  await writeFile(manifestPath, JSON.stringify({ ...manifest, key }));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Copies a Firefox build into a temporary directory and gives the copy an add-on ID of its own, so that a
 * policies.json written for it applies to this test's Firefox only, never to another Firefox on the machine that
 * runs the shipped ID (a TEST build only).
 * @returns {Promise<{ dir: string, addonId: string, remove: () => Promise<void> }>}
 */
export async function buildWithAddonId(buildDir) {
  const dir = await mkdtemp(join(tmpdir(), 'pin-all-ff-id-'));
  await cp(buildDir, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  const addonId = `pin-all-e2e-${process.pid}-${Date.now()}@b24-pin-all.example`;
  manifest.browser_specific_settings.gecko.id = addonId;
  await writeFile(manifestPath, JSON.stringify(manifest));
  return { dir, addonId, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Writes a Chromium policy giving the extension `values` as managed settings
 * (`{"3rdparty":{"extensions":{ID:values}}}`), in a file of its own in {@link CHROMIUM_POLICY_DIR}.
 * @returns {Promise<{ file: string, update: (values: object) => void, remove: () => Promise<void> }>}
 */
export async function writeChromiumPolicy(extensionId, values) {
  const created = missingDirs(CHROMIUM_POLICY_DIR);
  mkdirSync(CHROMIUM_POLICY_DIR, { recursive: true });
  const file = join(CHROMIUM_POLICY_DIR, `pin-all-e2e-${process.pid}.json`);
  const write = (v) =>
    writeFileSync(file, JSON.stringify({ '3rdparty': { extensions: { [extensionId]: v } } }, null, 2));
  write(values);
  const remove = track(() => {
    rmSync(file, { force: true });
    removeEmptyDirs(created);
  });
  return { file, update: write, remove };
}

/**
 * Writes Firefox's policies.json giving the add-on `values` as managed settings
 * (`{"policies":{"3rdparty":{"Extensions":{ADDON_ID:values}}}}`). A policies.json already there is kept aside and
 * restored by `remove`.
 * @returns {Promise<{ file: string, remove: () => Promise<void> }>}
 */
export async function writeFirefoxPolicy(addonId, values, file = FIREFOX_POLICY_FILE) {
  const before = existsSync(file) ? readFileSync(file) : null;
  const dir = dirname(file);
  const created = missingDirs(dir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({ policies: { '3rdparty': { Extensions: { [addonId]: values } } } }, null, 2),
  );
  const remove = track(() => {
    if (before) writeFileSync(file, before);
    else rmSync(file, { force: true });
    removeEmptyDirs(created);
  });
  return { file, remove };
}
