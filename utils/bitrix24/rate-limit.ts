import type { CallOptions, CallResult } from './client';
import { faultKind } from './errors';

/**
 * The extension's own copy of a portal's request-rate limit, so that the extension never causes
 * `QUERY_LIMIT_EXCEEDED` itself.
 *
 * Bitrix24 cloud keeps a leaky bucket per portal (and source IP): each request adds 1, the level drains
 * {@link DRAIN_PER_SECOND} per second, and a request that would lift it above {@link BUCKET_SIZE} is refused
 * with 503 `QUERY_LIMIT_EXCEEDED` (`docs/bitrix24.md`, "Limits (cloud)"; b24restdocs `limits.md`). This module
 * keeps the same bucket for the extension's requests: a call takes a token first; when the bucket is full it waits
 * for the drain if that is short ({@link MAX_WAIT_MS}), else it is refused without sending anything.
 *
 * The state lives in storage (the background passes a `session:` item), so a worker restart does not forget
 * recent requests. Other clients of the same portal and IP fill the server's bucket too; the client cannot see
 * them, and the one retry after `QUERY_LIMIT_EXCEEDED` (`pin-all.ts`) covers that.
 *
 * Why it is kept although one pin is one request: the unpin/undo work sends `batch` calls of up to 50 commands,
 * several requests in a row, and a webhook check sends two; without this bucket a burst of those plus a held-down
 * shortcut could make the portal refuse the operator's own next pin. Its read-modify-write of the stored buckets
 * is serialized by its own in-process queue (the background is the only writer, one worker at a time).
 */

/** Capacity of the bucket, requests (standard cloud plans; Enterprise has 250, so this is the safe value). */
export const BUCKET_SIZE = 50;
/** How fast the bucket drains, requests per second (standard plans; Enterprise drains 5). */
export const DRAIN_PER_SECOND = 2;
/** The longest a call waits for a token, ms; beyond that it is refused (`rate-limited`) without sending. */
export const MAX_WAIT_MS = 3_000;

/** One portal's bucket: its level (requests) at time `at` (ms since epoch). */
export interface BucketState {
  level: number;
  at: number;
}

/** Buckets by portal origin. */
export type BucketStates = Record<string, BucketState>;

/** What a limiter needs; the background passes storage and the real clock, unit tests fakes. */
export interface RateLimiterDeps {
  /** Reads every portal's bucket (e.g. a WXT storage item in the `session:` area). */
  load(): Promise<BucketStates>;
  /** Writes every portal's bucket. */
  save(states: BucketStates): Promise<void>;
  /** Clock, ms since epoch. */
  now(): number;
  /** Waits this many ms. */
  sleep(ms: number): Promise<void>;
  /** Defaults: {@link BUCKET_SIZE}, {@link DRAIN_PER_SECOND}, {@link MAX_WAIT_MS}. */
  bucketSize?: number;
  drainPerSecond?: number;
  maxWaitMs?: number;
}

/** A token: granted (after waiting `waitedMs`), or refused with the wait that would have been needed. */
export type Token = { ok: true; waitedMs: number } | { ok: false; retryInMs: number };

/** A per-portal leaky bucket. */
export interface RateLimiter {
  /**
   * Takes one token for a request to `portal`, waiting for it when the wait is at most the maximum.
   * @param portal portal origin, e.g. `https://acme.bitrix24.com`.
   * @returns `{ok: true, waitedMs}` once the request may be sent; `{ok: false, retryInMs}` (ms until a token
   *   would be free) when it must not be sent. Never rejects unless storage does.
   */
  take(portal: string): Promise<Token>;
}

/** Float drains (0.1 s × 2/s) must not refuse a request that fits exactly; the emulator uses the same slack. */
const EPSILON = 1e-9;

/**
 * Creates a limiter. Decisions are serialised inside the limiter (one read-modify-write of the stored buckets at
 * a time), so concurrent calls in one worker never both take the last token. A granted wait is reserved at once:
 * the level may exceed the size by the tokens promised to waiting calls, and drains back before they send.
 * @param deps storage of the buckets, clock (ms since epoch), sleep, and optionally other limits (requests,
 *   requests per second, ms).
 * @returns the limiter; its state is all in `deps`' storage, so a new limiter on the same storage (a restarted
 *   worker) continues where the old one stopped.
 */
export function createRateLimiter(deps: RateLimiterDeps): RateLimiter {
  const size = deps.bucketSize ?? BUCKET_SIZE;
  const drain = deps.drainPerSecond ?? DRAIN_PER_SECOND;
  const maxWait = deps.maxWaitMs ?? MAX_WAIT_MS;
  let queue: Promise<unknown> = Promise.resolve();

  async function decide(portal: string): Promise<Token> {
    const now = deps.now();
    const states = await deps.load();
    const next: BucketStates = {};
    // Drain every bucket to now and forget the empty ones, so storage holds only portals in use. A clock that
    // went back counts as no time passed.
    for (const [key, state] of Object.entries(states)) {
      const level = Math.max(0, state.level - (Math.max(0, now - state.at) / 1000) * drain);
      if (level > EPSILON) next[key] = { level, at: now };
    }
    const level = next[portal]?.level ?? 0;
    const over = level + 1 - size;
    const waitMs = over > EPSILON ? Math.ceil((over / drain) * 1000) : 0;
    if (waitMs > maxWait) {
      await deps.save(next);
      return { ok: false, retryInMs: waitMs };
    }
    next[portal] = { level: level + 1, at: now };
    await deps.save(next);
    return { ok: true, waitedMs: waitMs };
  }

  return {
    async take(portal) {
      const decision = queue.then(() => decide(portal));
      queue = decision.catch(() => undefined);
      const token = await decision;
      if (token.ok && token.waitedMs > 0) await deps.sleep(token.waitedMs);
      return token;
    },
  };
}

/**
 * Wraps `callMethod` so that every call takes a token of its portal's bucket first.
 * @param limiter the limiter (one per background).
 * @param call `callMethod` or a stand-in with its signature.
 * @returns a function with `callMethod`'s signature that answers `rate-limited` (no code, no status) without
 *   sending anything when the token is refused.
 */
export function rateLimitedCall(
  limiter: RateLimiter,
  call: (
    base: string,
    method: string,
    params: Record<string, unknown>,
    options: CallOptions,
  ) => Promise<CallResult>,
): (
  base: string,
  method: string,
  params: Record<string, unknown>,
  options: CallOptions,
) => Promise<CallResult> {
  return async (base, method, params, options) => {
    const token = await limiter.take(new URL(base).origin);
    if (!token.ok) return { ok: false, error: { kind: faultKind('client-rate-limit') } };
    return call(base, method, params, options);
  };
}
