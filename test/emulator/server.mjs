// The HTTPS server: routes by Host header, records every request, applies injected faults, and hands REST
// requests to rest.mjs and page requests to pages.mjs.
import { rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { generateCerts } from './certs.mjs';
import { emulatorRequest } from './client.mjs';
import { FaultQueue, normaliseMethod } from './faults.mjs';
import { LeakyBuckets, OperatingLimits } from './limits.mjs';
import { renderLegacyOpenLines, renderPortalPage, renderUnknownPortal, withSessionToken } from './pages.mjs';
import { createPortalState, defaultPortals, normaliseHost } from './portals.mjs';
import { parseParams, parseRestPath, RestApi, toXml } from './rest.mjs';
import { redact, requestSecrets, SessionStore } from './sessions.mjs';

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
const MAX_BODY_BYTES = 1024 * 1024;

/** @typedef {import('./index.d.mts').RecordedRequest} RecordedRequest */
/** @typedef {import('./index.d.mts').PortalState} PortalState */

/**
 * Starts the Bitrix24 emulator: one HTTPS listener for every configured portal host (routing by the Host
 * header, so SNI and ports do not matter), with a freshly generated CA and leaf certificate.
 *
 * @param {import('./index.d.mts').EmulatorOptions} [opts]
 *   - `port`: TCP port, 0 (default) for a random free one;
 *   - `host`: listen address, `127.0.0.1` by default (only loopback addresses are allowed by the project);
 *   - `portals`: portal configurations (default: `defaultPortals()`);
 *   - `hosts`: extra certificate SANs;
 *   - `now`: clock in milliseconds (default `Date.now`), drives both limits and the envelope times;
 *   - `httpPort`: also listen for plain http on this port (0 = random) — REST answers "Https required.";
 *   - `certDir`: keep the certificates there (reused while valid) instead of a temp dir removed on close.
 * @returns {Promise<import('./index.d.mts').Emulator>}
 */
export async function startEmulator(opts = {}) {
  const now = opts.now ?? Date.now;
  const configs = opts.portals ?? defaultPortals();
  /** @type {Map<string, PortalState>} */
  const portalMap = new Map();
  // Restores every portal from its configuration, in place: references from `portal(host)` stay valid.
  const loadPortals = () => {
    for (const c of configs) {
      const state = createPortalState(c);
      const existing = portalMap.get(state.host);
      if (existing) Object.assign(existing, state);
      else portalMap.set(state.host, state);
    }
  };
  loadPortals();

  const certs = generateCerts({ hosts: [...portalMap.keys(), ...(opts.hosts ?? [])], dir: opts.certDir });
  const buckets = new LeakyBuckets(now);
  const operating = new OperatingLimits(now);
  const rest = new RestApi({ now, buckets, operating });
  const faults = new FaultQueue();
  const sessions = new SessionStore(now);
  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {Set<import('node:http').ServerResponse>} */
  const held = new Set();
  /** Delayed answers: their timer, and how to let the handler go on. @type {Set<{ timer: NodeJS.Timeout, done: () => void }>} */
  const delays = new Set();
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  let closed = false;

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {boolean} secure
   */
  const onRequest = (req, res, secure) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      handle(req, res, secure, Buffer.concat(chunks).toString('utf8')).catch((e) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(`emulator error: ${e instanceof Error ? e.stack : e}`);
        }
      });
    });
  };

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {boolean} secure
   * @param {string} body
   */
  async function handle(req, res, secure, body) {
    const host = normaliseHost(req.headers.host ?? '');
    const url = new URL(req.url ?? '/', `https://${host || 'unknown.invalid'}`);
    const route = parseRestPath(url.pathname);
    const contentType = req.headers['content-type'];
    const params = route ? parseParams(url.search, body, contentType) : {};
    // Session tokens and cookie values never reach the log (tests print it; leaks are what they hunt).
    const secrets = requestSecrets(url.search, body, contentType, req.headers);
    /** @type {RecordedRequest} */
    const record = {
      at: now(),
      method: req.method ?? 'GET',
      host,
      path: url.pathname,
      url: redact(`${secure ? 'https' : 'http'}://${host}${url.pathname}${url.search}`, secrets),
      headers: redact({ ...req.headers }, secrets),
      body: redact(body, secrets),
      restMethod: route ? route.method : null,
      userId: route ? route.userId : null,
      secret: route ? route.secret : null,
      apiVersion: route ? route.apiVersion : null,
      params: redact(params, secrets),
      secure,
      remoteAddress: req.socket.remoteAddress ?? '',
      status: null,
      fault: null,
      sessionAuth: null,
    };
    requests.push(record);

    // The session provider's verdict on `/rest/METHOD.json` (no webhook segment): recorded on arrival (so faulted
    // requests show it too) and taken again when the method would run (a delayed request may see a rotation).
    const target = portalMap.get(host);
    const sessionAuth = () => {
      const verdict =
        route && (route.userId === null || !route.secret) && target && !target.movedTo
          ? sessions.restAuth(target, { search: url.search, body, contentType, headers: req.headers })
          : null;
      if (verdict) {
        const { sessid, cookie, userId, result } = verdict;
        record.sessionAuth = { sessid, cookie, userId, result };
      }
      return verdict;
    };
    sessionAuth();

    /**
     * @param {number} status
     * @param {Record<string, string>} headers
     * @param {string} [text]
     */
    const send = (status, headers, text = '') => {
      record.status = status;
      const h = route ? { 'Access-Control-Allow-Origin': '*', ...headers } : headers;
      res.writeHead(status, { 'Cache-Control': 'no-store', ...h });
      res.end(req.method === 'HEAD' ? undefined : text);
    };

    if (route && req.method === 'OPTIONS') {
      send(204, {
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type',
        'Access-Control-Max-Age': '600',
      });
      return;
    }

    const fault = faults.take({ host, restMethod: route ? route.method : null, path: url.pathname });
    if (fault) {
      record.fault = fault;
      if (fault.delayMs) {
        held.add(res);
        await new Promise((resolve) => {
          const delay = {
            timer: setTimeout(() => delay.done(), fault.delayMs),
            done: () => {
              clearTimeout(delay.timer);
              delays.delete(delay);
              resolve(undefined);
            },
          };
          delays.add(delay);
        });
        held.delete(res);
        if (closed || res.destroyed) return;
      }
      if (applyFault(fault, req, res, send)) return;
    }

    const portal = portalMap.get(host);
    if (!portal) {
      send(404, { 'Content-Type': HTML_TYPE }, renderUnknownPortal(host));
      return;
    }
    if (portal.movedTo) {
      send(302, {
        Location: `https://${portal.movedTo}${url.pathname}${url.search}`,
        'Content-Type': HTML_TYPE,
      });
      return;
    }
    if (route) {
      const override = fault && 'result' in fault ? { result: fault.result } : undefined;
      const remoteAddress = req.socket.remoteAddress ?? '';
      const answer = rest.handle({
        portal,
        route,
        params,
        secure,
        remoteAddress,
        override,
        session: sessionAuth(),
      });
      if (route.format === 'xml') {
        send(answer.status, { 'Content-Type': 'text/xml; charset=utf-8' }, toXml(answer.payload));
      } else {
        send(answer.status, { 'Content-Type': JSON_TYPE }, JSON.stringify(answer.payload));
      }
      return;
    }
    servePage(portal, url, req, send);
  }

  /**
   * Applies the answer-changing part of a fault.
   * @param {import('./index.d.mts').Fault} fault
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {(status: number, headers: Record<string, string>, text?: string) => void} send
   * @returns {boolean} true when the fault produced (or suppressed) the answer.
   */
  function applyFault(fault, req, res, send) {
    const extra = fault.headers ?? {};
    if (fault.drop) {
      req.socket.destroy();
      return true;
    }
    if (fault.noReply) {
      held.add(res);
      res.on('close', () => held.delete(res));
      return true;
    }
    if (fault.redirect !== undefined) {
      send(fault.status ?? 302, { Location: fault.redirect, 'Content-Type': HTML_TYPE, ...extra });
      return true;
    }
    if (fault.html !== undefined) {
      send(fault.status ?? 200, { 'Content-Type': HTML_TYPE, ...extra }, fault.html);
      return true;
    }
    if (fault.body !== undefined) {
      send(fault.status ?? 200, { 'Content-Type': fault.contentType ?? JSON_TYPE, ...extra }, fault.body);
      return true;
    }
    if (fault.error !== undefined) {
      /** @type {Record<string, unknown>} */
      const payload = { error: fault.error };
      if (fault.description !== undefined) payload.error_description = fault.description;
      send(fault.status ?? 400, { 'Content-Type': JSON_TYPE, ...extra }, JSON.stringify(payload));
      return true;
    }
    return false;
  }

  /**
   * @param {PortalState} portal
   * @param {URL} url
   * @param {import('node:http').IncomingMessage} req
   * @param {(status: number, headers: Record<string, string>, text?: string) => void} send
   */
  function servePage(portal, url, req, send) {
    const p = url.pathname;
    if (p === '/') {
      send(302, { Location: '/stream/', 'Content-Type': HTML_TYPE });
      return;
    }
    if (p === '/favicon.ico') {
      send(204, {});
      return;
    }
    const html = /^\/desktop_app\/?/i.test(p) ? renderLegacyOpenLines(portal) : renderPortalPage(portal, url);
    // Every page logs the browser in (a PHP session of the page user) and prints that session's token.
    const { session, setCookie } = sessions.pageLogin(portal, req.headers.cookie);
    /** @type {Record<string, string>} */
    const headers = { 'Content-Type': HTML_TYPE };
    if (setCookie) headers['Set-Cookie'] = setCookie;
    send(200, headers, withSessionToken(html, session.token, session.userId));
  }

  /** @param {import('node:net').Socket} socket */
  const track = (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };

  const server = https.createServer({ key: certs.keyPem, cert: certs.certPem }, (req, res) =>
    onRequest(req, res, true),
  );
  server.on('connection', track);
  const listenHost = opts.host ?? '127.0.0.1';
  await listen(server, opts.port ?? 0, listenHost);
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;

  /** @type {import('node:http').Server | undefined} */
  let httpServer;
  let httpPort;
  if (opts.httpPort !== undefined) {
    httpServer = http.createServer((req, res) => onRequest(req, res, false));
    httpServer.on('connection', track);
    await listen(httpServer, opts.httpPort, listenHost);
    httpPort = /** @type {import('node:net').AddressInfo} */ (httpServer.address()).port;
  }

  // Destroys held and delayed answers (the client sees the connection reset), then releases their handlers.
  const dropHeld = () => {
    for (const res of held) res.destroy();
    held.clear();
    for (const delay of [...delays]) delay.done();
  };

  /** @param {string} host @returns {PortalState} */
  const portalOf = (host) => {
    const portal = portalMap.get(normaliseHost(host));
    if (!portal) throw new Error(`no portal ${host}`);
    return portal;
  };

  /** @type {import('./index.d.mts').Emulator} */
  const emulator = {
    port,
    httpPort,
    host: listenHost,
    caPem: certs.caPem,
    caPath: certs.caPath,
    certDir: certs.dir,
    spki: certs.spki,
    get portals() {
      return [...portalMap.values()];
    },
    portal(host) {
      return portalMap.get(normaliseHost(host));
    },
    requests,
    restCalls(name) {
      const wanted = name === undefined ? undefined : normaliseMethod(name);
      return requests.filter(
        (r) => r.restMethod !== null && (wanted === undefined || r.restMethod === wanted),
      );
    },
    fault(fault) {
      faults.add(fault);
      return emulator;
    },
    clearFaults() {
      faults.clear();
    },
    get pendingFaults() {
      return faults.items.length;
    },
    reset() {
      requests.length = 0;
      faults.clear();
      buckets.clear();
      operating.clear();
      // Browser sessions survive (the browser keeps its cookie and open tabs their token); page-user choices go.
      sessions.clearPageUsers();
      dropHeld();
      loadPortals();
    },
    url(host, path = '/', urlOpts = {}) {
      const withPort = urlOpts.port ?? port !== 443;
      const h = new URL(`https://${host}`).host;
      return `https://${h}${withPort ? `:${port}` : ''}${path.startsWith('/') ? path : `/${path}`}`;
    },
    webhookUrl(host, index = 0) {
      const portal = portalMap.get(normaliseHost(host));
      const w = portal?.webhooks[index];
      if (!portal || !w) throw new Error(`no webhook #${index} on ${host}`);
      return `https://${portal.host}/rest/${w.userId}/${w.secret}/`;
    },
    request(url, init) {
      return emulatorRequest(emulator, url, init);
    },
    clearBrowserSessions() {
      sessions.clear();
    },
    browserSessions(host) {
      return sessions.list(host === undefined ? undefined : portalOf(host).host);
    },
    loginAs(host, userId) {
      sessions.setPageUser(portalOf(host), userId);
    },
    pageUserId(host) {
      return sessions.pageUserId(portalOf(host));
    },
    rotateSessionToken(host, userId) {
      return sessions.rotate(portalOf(host).host, userId);
    },
    logout(host, userId) {
      return sessions.logout(portalOf(host).host, userId);
    },
    setExternalUser(host, userId, external = true) {
      const user = portalOf(host).users.find((u) => u.id === userId);
      if (!user) throw new Error(`no user ${userId} on ${host}`);
      user.external = external;
    },
    async close() {
      if (closed) return;
      closed = true;
      dropHeld();
      for (const s of sockets) s.destroy();
      await Promise.all([closeServer(server), httpServer ? closeServer(httpServer) : undefined]);
      if (certs.temporary) rmSync(certs.dir, { recursive: true, force: true });
    },
  };
  return emulator;
}

/**
 * @param {import('node:net').Server} server
 * @param {number} port
 * @param {string} host
 */
function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
}

/** @param {import('node:net').Server} server */
function closeServer(server) {
  return new Promise((resolve) => server.close(() => resolve(undefined)));
}

/**
 * Chromium flags that send the given hosts to the emulator and trust its leaf certificate (by SPKI pin; needs
 * a user data dir, which Playwright's persistent context provides). Every other host fails to resolve.
 * URLs, Host header and SNI stay port-less: `https://demo.bitrix24.com/` reaches `127.0.0.1:PORT`.
 *
 * @param {{ port: number, spki: string, portals?: { host: string }[] }} emulator a started emulator.
 * @param {string[]} [hosts] hosts (patterns like `*.bitrix24.com` allowed) to map; default: every portal.
 * @returns {string[]} `['--host-resolver-rules=MAP h1 127.0.0.1:PORT, …, MAP * ~NOTFOUND',
 *   '--ignore-certificate-errors-spki-list=SPKI']`
 */
export function chromiumArgs(emulator, hosts) {
  const list = hosts ?? (emulator.portals ?? []).map((p) => p.host);
  const rules = [...list.map((h) => `MAP ${h} 127.0.0.1:${emulator.port}`), 'MAP * ~NOTFOUND'];
  return [
    `--host-resolver-rules=${rules.join(', ')}`,
    `--ignore-certificate-errors-spki-list=${emulator.spki}`,
  ];
}

/**
 * Firefox preferences that send every host name to 127.0.0.1 (URLs must then carry the emulator's port unless
 * it listens on 443). Trust for the CA is separate: import `caPath` into the profile with `certutil`.
 * @returns {Record<string, string | boolean>}
 */
export function firefoxPrefs() {
  return { 'network.dns.forceResolve': '127.0.0.1' };
}
