#!/usr/bin/env node
// Runs the Bitrix24 emulator until Ctrl-C and prints how to reach it.
//
//   node test/emulator/cli.mjs [--port 8443] [--host 127.0.0.1] [--http-port 8080] [--cert-dir DIR]
//                              [--portals portals.json]
//
// --port 0 (default) picks a free port. --cert-dir keeps the CA and leaf between runs (stable SPKI).
// --portals reads a JSON array of PortalConfig (see index.d.mts) instead of the default portals.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromiumArgs, startEmulator } from './index.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'http-port': { type: 'string' },
    'cert-dir': { type: 'string' },
    portals: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(
    readFileSync(new URL(import.meta.url), 'utf8')
      .split('\n')
      .slice(1, 8)
      .join('\n')
      .replace(/^\/\/ ?/gm, ''),
  );
  process.exit(0);
}

const emulator = await startEmulator({
  port: Number(values.port),
  host: values.host,
  httpPort: values['http-port'] === undefined ? undefined : Number(values['http-port']),
  certDir: values['cert-dir'],
  portals: values.portals ? JSON.parse(readFileSync(values.portals, 'utf8')) : undefined,
});

const lines = [`Bitrix24 emulator on https://${emulator.host}:${emulator.port}/`];
if (emulator.httpPort !== undefined)
  lines.push(`plain http (REST answers "Https required.") on port ${emulator.httpPort}`);
lines.push(
  '',
  'Portals (pages: /stream/ /online/ /contact_center/ /desktop_app/?IFRAME=Y&IM_LINES=Y&IM_MENU=N):',
);
for (const p of emulator.portals) {
  const note = p.movedTo ? ` → renamed, 302 to ${p.movedTo}` : p.cloud ? '' : ' (self-hosted)';
  lines.push(`  ${emulator.url(p.host, '/stream/')}${note}`);
  p.webhooks.forEach((w, i) => {
    const user = p.users.find((u) => u.id === w.userId);
    const who = user ? `${user.name} ${user.lastName}`.trim() : '?';
    const flags = [w.scopes.join(','), user && !user.active ? 'user deactivated' : '']
      .filter(Boolean)
      .join('; ');
    lines.push(`    webhook ${emulator.webhookUrl(p.host, i)}  (user ${w.userId} ${who}; ${flags})`);
  });
}
lines.push(
  '',
  `CA certificate: ${emulator.caPath}`,
  `SPKI (sha256, base64): ${emulator.spki}`,
  '',
  'Chromium flags:',
  ...chromiumArgs(emulator).map((a) => `  '${a}'`),
  '',
  'Firefox: pref network.dns.forceResolve=127.0.0.1 and import the CA into the profile (certutil);',
  'URLs then need the port unless the emulator listens on 443.',
  'Node: NODE_EXTRA_CA_CERTS=<CA path> and connect to 127.0.0.1 with the portal host as servername.',
  '',
  'Ctrl-C to stop.',
);
console.log(lines.join('\n'));

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await emulator.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
