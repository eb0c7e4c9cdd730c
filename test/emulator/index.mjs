// Bitrix24 emulator: an HTTPS stand-in for Bitrix24 portals (REST webhooks + fake portal pages) for unit,
// e2e and benchmark tests. Types: index.d.mts. Facts it reproduces: ../../docs/bitrix24.md.
export { DEFAULT_CERT_HOSTS, generateCerts, spkiFingerprint } from './certs.mjs';
export { emulatorRequest } from './client.mjs';
export { defaultPortals, ENTERPRISE_LIMITS, normaliseHost, STANDARD_LIMITS } from './portals.mjs';
export { BATCH_MAX_COMMANDS, ERROR_TEXT, parsePhpQuery, parseRestPath } from './rest.mjs';
export { chromiumArgs, firefoxPrefs, startEmulator } from './server.mjs';
export { SESSION_COOKIE } from './sessions.mjs';
