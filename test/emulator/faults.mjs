// Per-test fault injection: a queue of one-shot (or n-shot) overrides matched by host, REST method or path.
import { normaliseHost } from './portals.mjs';

/**
 * Normalises a REST method name the way the server does: lower case, without `.json`/`.xml`.
 * @param {string} name
 */
export function normaliseMethod(name) {
  return String(name)
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.(json|xml)$/i, '')
    .toLowerCase();
}

const KINDS = ['error', 'html', 'body', 'noReply', 'drop', 'redirect', 'result', 'delayMs'];

/** Ordered queue of faults; the first one that matches a request is consumed. */
export class FaultQueue {
  constructor() {
    /** @type {(import('./index.d.mts').Fault & { remaining: number })[]} */
    this.items = [];
  }

  /**
   * Adds a fault. `times` defaults to 1 (`Infinity` for every matching request).
   * @param {import('./index.d.mts').Fault} fault
   */
  add(fault) {
    if (!fault || !KINDS.some((k) => fault[k] !== undefined)) {
      throw new TypeError(`fault needs one of: ${KINDS.join(', ')}`);
    }
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new TypeError('fault.times must be > 0');
    this.items.push({
      ...fault,
      host: fault.host === undefined ? undefined : normaliseHost(fault.host),
      method: fault.method === undefined ? undefined : normaliseMethod(fault.method),
      remaining: times,
    });
  }

  /**
   * Takes the first fault matching a request and decrements its count.
   * REST requests match on `host` and `method`; any request (pages too) matches a fault with `path` whose value
   * prefixes the request path. A fault without `path` applies to REST requests only.
   * @param {{ host: string, restMethod: string | null, path: string }} req
   * @returns {import('./index.d.mts').Fault | null}
   */
  take(req) {
    const index = this.items.findIndex((f) => {
      if (f.host !== undefined && f.host !== req.host) return false;
      if (f.path !== undefined) {
        if (!req.path.startsWith(f.path)) return false;
      } else if (req.restMethod === null) return false;
      if (f.method !== undefined && f.method !== req.restMethod) return false;
      return true;
    });
    if (index < 0) return null;
    const fault = this.items[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.items.splice(index, 1);
    return fault;
  }

  /** Removes every pending fault. */
  clear() {
    this.items.length = 0;
  }
}
