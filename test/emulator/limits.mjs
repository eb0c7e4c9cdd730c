// The two cloud limits of bitrix24-rest.md: the request-rate leaky bucket and the per-method operating time.

/**
 * Leaky buckets keyed by a string (portal + source IP). Each accepted request adds 1; the level drains at
 * `drainPerSecond`; a request that would lift the level above `bucketSize` is refused and adds nothing.
 */
export class LeakyBuckets {
  /** @param {() => number} now clock in milliseconds. */
  constructor(now) {
    this.now = now;
    /** @type {Map<string, { level: number, at: number }>} */
    this.buckets = new Map();
  }

  /**
   * Tries to let one request through.
   * @param {string} key bucket key, e.g. `acme.bitrix24.com|127.0.0.1`.
   * @param {{ bucketSize: number, drainPerSecond: number }} limits
   * @returns {{ allowed: boolean, level: number }} the level after the decision.
   */
  take(key, limits) {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { level: 0, at: now };
    const drained = (Math.max(0, now - bucket.at) / 1000) * limits.drainPerSecond;
    bucket.level = Math.max(0, bucket.level - drained);
    bucket.at = now;
    this.buckets.set(key, bucket);
    // A tiny epsilon keeps float drains (e.g. 0.1 s × 2/s) from refusing a request that should fit exactly.
    if (bucket.level + 1 > limits.bucketSize + 1e-9) return { allowed: false, level: bucket.level };
    bucket.level += 1;
    return { allowed: true, level: bucket.level };
  }

  /** Empties every bucket. */
  clear() {
    this.buckets.clear();
  }
}

/**
 * Operating time per (webhook, method) over a rolling window: the sum of the simulated execution costs of the
 * calls made in the last `operatingWindowSeconds`. Above `operatingLimitSeconds` the method is blocked until
 * enough old calls leave the window.
 */
export class OperatingLimits {
  /** @param {() => number} now clock in milliseconds. */
  constructor(now) {
    this.now = now;
    /** @type {Map<string, { at: number, cost: number }[]>} */
    this.entries = new Map();
  }

  /**
   * Drops entries older than the window and returns what is left.
   * @param {string} key
   * @param {number} windowMs
   */
  live(key, windowMs) {
    const now = this.now();
    const list = (this.entries.get(key) ?? []).filter((e) => now - e.at < windowMs);
    this.entries.set(key, list);
    return list;
  }

  /**
   * State of a (webhook, method) key before a call.
   * @param {string} key e.g. `acme.bitrix24.com|7|secret|imopenlines.session.mode.pinall`.
   * @param {{ operatingLimitSeconds: number, operatingWindowSeconds: number }} limits
   * @returns {{ blocked: boolean, operating: number, resetAt: number }} `operating` in seconds; `resetAt` in
   *   Unix seconds: when the oldest call in the window leaves it (now + window when there is none).
   */
  check(key, limits) {
    const windowMs = limits.operatingWindowSeconds * 1000;
    const list = this.live(key, windowMs);
    const operating = list.reduce((sum, e) => sum + e.cost, 0);
    const oldest = list.length ? list[0].at : this.now();
    return {
      blocked: operating > limits.operatingLimitSeconds,
      operating,
      resetAt: Math.floor((oldest + windowMs) / 1000),
    };
  }

  /**
   * Records one call's cost.
   * @param {string} key
   * @param {number} costSeconds simulated execution time in seconds.
   */
  add(key, costSeconds) {
    if (!(costSeconds > 0)) return;
    const list = this.entries.get(key) ?? [];
    list.push({ at: this.now(), cost: costSeconds });
    this.entries.set(key, list);
  }

  /** Forgets all recorded calls. */
  clear() {
    this.entries.clear();
  }
}
