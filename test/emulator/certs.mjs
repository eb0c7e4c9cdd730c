// Throw-away TLS material for the emulator: a private CA and one leaf certificate whose SANs cover every
// portal host, generated with the system `openssl` CLI so that the emulator needs no npm dependency.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Hosts every emulator certificate covers, whatever the configured portals: the cloud wildcards for the TLDs
 * confirmed in bitrix24-rest.md, a self-hosted example and loopback names.
 */
export const DEFAULT_CERT_HOSTS = Object.freeze([
  '*.bitrix24.com',
  '*.bitrix24.ru',
  '*.bitrix24.de',
  '*.bitrix24.eu',
  '*.bitrix24.es',
  '*.bitrix24.fr',
  '*.bitrix24.it',
  '*.bitrix24.pl',
  '*.bitrix24.com.br',
  '*.bitrix24.in',
  '*.bitrix24.jp',
  '*.bitrix24.cn',
  '*.bitrix24.vn',
  '*.bitrix24.com.tr',
  '*.bitrix24.id',
  '*.bitrix24.ua',
  '*.bitrix24.by',
  '*.bitrix24.kz',
  'crm.example.org',
  'localhost',
]);

const OPENSSL = process.env.OPENSSL_BIN || 'openssl';

/**
 * Runs the openssl CLI synchronously in `cwd`.
 * @param {string[]} args
 * @param {string} cwd
 */
function openssl(args, cwd) {
  execFileSync(OPENSSL, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Base64 SHA-256 of a certificate's SubjectPublicKeyInfo (DER): the value Chromium's
 * `--ignore-certificate-errors-spki-list` expects.
 * @param {string} certPem PEM of the certificate.
 * @returns {string} base64 digest (44 characters).
 */
export function spkiFingerprint(certPem) {
  const der = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/**
 * Sorted, de-duplicated, lower-case list of SAN entries for `hosts` (IP literals kept as IPs).
 * @param {string[]} hosts
 * @returns {string[]}
 */
function normaliseHosts(hosts) {
  return [...new Set(hosts.map((h) => h.trim().toLowerCase()).filter(Boolean))].sort();
}

/**
 * @param {string} host
 * @returns {boolean}
 */
function isIp(host) {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/**
 * Generates (or reuses from `dir`) a CA and a leaf certificate for `hosts`.
 *
 * Keys are ECDSA P-256; both certificates are valid for 30 days from now (real clock: TLS peers check it).
 * When `dir` already holds material made for the same host list that is still valid for a day, it is reused,
 * so a long-lived `dir` keeps the SPKI stable between runs.
 *
 * @param {object} [opts]
 * @param {string[]} [opts.hosts] extra SAN hosts (wildcards allowed), added to DEFAULT_CERT_HOSTS.
 * @param {string} [opts.dir] directory to write into; a fresh temp dir when omitted.
 * @returns {{ dir: string, caPath: string, caPem: string, caKeyPath: string, certPath: string, certPem: string,
 *   keyPath: string, keyPem: string, spki: string, hosts: string[], temporary: boolean }}
 */
export function generateCerts(opts = {}) {
  const hosts = normaliseHosts([...DEFAULT_CERT_HOSTS, '127.0.0.1', ...(opts.hosts ?? [])]);
  const temporary = !opts.dir;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'b24-emulator-'));
  mkdirSync(dir, { recursive: true });
  const paths = {
    caPath: join(dir, 'ca.pem'),
    caKeyPath: join(dir, 'ca.key'),
    certPath: join(dir, 'leaf.pem'),
    keyPath: join(dir, 'leaf.key'),
    hostsPath: join(dir, 'hosts.json'),
  };

  if (!temporary && canReuse(paths, hosts)) return load(dir, paths, hosts, temporary);

  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      paths.caKeyPath,
      '-out',
      paths.caPath,
      '-days',
      '30',
      '-subj',
      '/O=Bitrix24 Emulator/CN=Bitrix24 Emulator Test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-addext',
      'subjectKeyIdentifier=hash',
    ],
    dir,
  );
  const csrPath = join(dir, 'leaf.csr');
  openssl(
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      paths.keyPath,
      '-out',
      csrPath,
      '-subj',
      '/O=Bitrix24 Emulator/CN=bitrix24 emulator',
    ],
    dir,
  );
  const san = hosts.map((h) => (isIp(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  const extPath = join(dir, 'leaf.ext');
  writeFileSync(
    extPath,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${san}`,
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid,issuer',
      '',
    ].join('\n'),
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csrPath,
      '-CA',
      paths.caPath,
      '-CAkey',
      paths.caKeyPath,
      '-set_serial',
      `0x${randomBytes(12).toString('hex').replace(/^./, '1')}`,
      '-days',
      '30',
      '-sha256',
      '-extfile',
      extPath,
      '-out',
      paths.certPath,
    ],
    dir,
  );
  writeFileSync(paths.hostsPath, JSON.stringify(hosts));
  return load(dir, paths, hosts, temporary);
}

/**
 * @param {{ caPath: string, certPath: string, keyPath: string, hostsPath: string }} paths
 * @param {string[]} hosts
 */
function canReuse(paths, hosts) {
  if (![paths.caPath, paths.certPath, paths.keyPath, paths.hostsPath].every((p) => existsSync(p)))
    return false;
  try {
    if (readFileSync(paths.hostsPath, 'utf8') !== JSON.stringify(hosts)) return false;
    const cert = new X509Certificate(readFileSync(paths.certPath));
    return Date.parse(cert.validTo) - Date.now() > 24 * 3600 * 1000;
  } catch {
    return false;
  }
}

/**
 * @param {string} dir
 * @param {{ caPath: string, caKeyPath: string, certPath: string, keyPath: string }} paths
 * @param {string[]} hosts
 * @param {boolean} temporary
 */
function load(dir, paths, hosts, temporary) {
  const certPem = readFileSync(paths.certPath, 'utf8');
  return {
    dir,
    caPath: paths.caPath,
    caPem: readFileSync(paths.caPath, 'utf8'),
    caKeyPath: paths.caKeyPath,
    certPath: paths.certPath,
    certPem,
    keyPath: paths.keyPath,
    keyPem: readFileSync(paths.keyPath, 'utf8'),
    spki: spkiFingerprint(certPem),
    hosts,
    temporary,
  };
}
