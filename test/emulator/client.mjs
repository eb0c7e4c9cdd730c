// A tiny Node HTTPS client that reaches the emulator under a portal's real name (SNI and Host header) while
// connecting to the emulator's loopback port, trusting only the emulator's CA. For unit tests and scripts.
import https from 'node:https';

/**
 * Sends one request to the emulator.
 *
 * @param {{ port: number, caPem: string, host?: string }} emulator a started emulator.
 * @param {string} url absolute URL with the portal host, e.g. `https://demo.bitrix24.com/rest/7/x/profile`;
 *   a port in it is ignored (the emulator's port is used), but kept in the Host header.
 * @param {object} [init]
 * @param {string} [init.method] default GET, or POST when a body is given.
 * @param {Record<string, string>} [init.headers]
 * @param {string | Buffer} [init.body]
 * @param {number} [init.timeoutMs] abort after this many milliseconds (default 10000).
 * @returns {Promise<{ status: number, headers: import('node:http').IncomingHttpHeaders, text: string,
 *   json: () => any }>} rejects on network errors (reset, timeout).
 */
export function emulatorRequest(emulator, url, init = {}) {
  const u = new URL(url);
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: emulator.host && emulator.host !== '0.0.0.0' ? emulator.host : '127.0.0.1',
        port: emulator.port,
        servername: u.hostname,
        ca: emulator.caPem,
        method,
        path: `${u.pathname}${u.search}`,
        headers: { Host: u.host, ...init.headers },
        agent: false,
        timeout: init.timeoutMs ?? 10_000,
      },
      (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}
