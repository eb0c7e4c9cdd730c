import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { CallResult } from '@/utils/bitrix24/client';
import {
  BUCKET_SIZE,
  type BucketStates,
  createRateLimiter,
  DRAIN_PER_SECOND,
  MAX_WAIT_MS,
  rateLimitedCall,
} from '@/utils/bitrix24/rate-limit';
import { STANDARD_LIMITS } from '../emulator/index.mjs';
import { LeakyBuckets } from '../emulator/limits.mjs';

const ACME = 'https://acme.bitrix24.com';
const DEMO = 'https://demo.bitrix24.com';

/** A limiter on a fake clock; `sleep` advances the clock. `store` stands for the storage item. */
function setup(store: { states: BucketStates } = { states: {} }, opts: { maxWaitMs?: number } = {}) {
  let clock = 1_773_673_238_000;
  const sleeps: number[] = [];
  const limiter = createRateLimiter({
    load: async () => structuredClone(store.states),
    save: async (s) => {
      store.states = structuredClone(s);
    },
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    ...opts,
  });
  return {
    limiter,
    store,
    sleeps,
    now: () => clock,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('client-side leaky bucket (bitrix24-rest.md, "Limits")', () => {
  it('mirrors the server: 50 at once, then one every 500 ms', async () => {
    expect([BUCKET_SIZE, DRAIN_PER_SECOND]).toEqual([
      STANDARD_LIMITS.bucketSize,
      STANDARD_LIMITS.drainPerSecond,
    ]);
    const t = setup();
    for (let i = 0; i < 50; i++) expect(await t.limiter.take(ACME)).toEqual({ ok: true, waitedMs: 0 });
    expect(t.sleeps).toEqual([]);
    expect(await t.limiter.take(ACME)).toEqual({ ok: true, waitedMs: 500 });
    expect(t.sleeps).toEqual([500]);
  });

  it('drains 2 per second', async () => {
    const t = setup();
    for (let i = 0; i < 50; i++) await t.limiter.take(ACME);
    t.advance(1000);
    expect(await t.limiter.take(ACME)).toEqual({ ok: true, waitedMs: 0 });
    expect(await t.limiter.take(ACME)).toEqual({ ok: true, waitedMs: 0 });
    expect(await t.limiter.take(ACME)).toEqual({ ok: true, waitedMs: 500 });
  });

  it('a short wait is waited before the call goes on; a long one is refused and takes no token', async () => {
    const at = 1_773_673_238_000;
    const t = setup({ states: { [ACME]: { level: 52, at } } });
    // Level 52: a token frees up in 1.5 s, within MAX_WAIT_MS: the caller sleeps that long, then holds it.
    expect(await t.limiter.take(ACME)).toEqual({ ok: true, waitedMs: 1500 });
    expect(t.sleeps).toEqual([1500]);
    expect(t.now()).toBe(at + 1500);

    const full = setup({ states: { [ACME]: { level: 60, at } } });
    // Level 60: 5.5 s away, beyond MAX_WAIT_MS: refused at once, no sleep, the level only drains.
    expect(await full.limiter.take(ACME)).toEqual({ ok: false, retryInMs: 5500 });
    expect(full.sleeps).toEqual([]);
    expect(full.store.states[ACME]).toEqual({ level: 60, at });
  });

  it('concurrent callers reserve in turn: waits grow by 500 ms up to the limit, then refusals', async () => {
    const t = setup({ states: { [ACME]: { level: 50, at: 1_773_673_238_000 } } });
    // Sleeping must not move the clock here: all decisions are made at the same instant.
    const limiter = createRateLimiter({
      load: async () => structuredClone(t.store.states),
      save: async (s) => {
        t.store.states = structuredClone(s);
      },
      now: () => 1_773_673_238_000,
      sleep: async () => {},
    });
    const tokens = await Promise.all(Array.from({ length: 8 }, () => limiter.take(ACME)));
    expect(tokens).toEqual([
      { ok: true, waitedMs: 500 },
      { ok: true, waitedMs: 1000 },
      { ok: true, waitedMs: 1500 },
      { ok: true, waitedMs: 2000 },
      { ok: true, waitedMs: 2500 },
      { ok: true, waitedMs: MAX_WAIT_MS },
      { ok: false, retryInMs: 3500 },
      { ok: false, retryInMs: 3500 },
    ]);
    expect(t.store.states[ACME]!.level).toBe(56);
  });

  it('50 concurrent callers on an empty bucket all go at once; the 51st waits', async () => {
    const t = setup();
    const tokens = await Promise.all(Array.from({ length: 51 }, () => t.limiter.take(ACME)));
    expect(tokens.filter((x) => x.ok && x.waitedMs === 0)).toHaveLength(50);
    expect(tokens[50]).toEqual({ ok: true, waitedMs: 500 });
  });

  it('portals have separate buckets, and empty buckets are forgotten', async () => {
    const t = setup();
    for (let i = 0; i < 50; i++) await t.limiter.take(ACME);
    expect(await t.limiter.take(DEMO)).toEqual({ ok: true, waitedMs: 0 });
    expect(Object.keys(t.store.states).sort()).toEqual([ACME, DEMO]);
    t.advance(30_000);
    await t.limiter.take(DEMO);
    expect(Object.keys(t.store.states)).toEqual([DEMO]);
  });

  it('the state survives a worker restart (a new limiter on the same storage)', async () => {
    const first = setup();
    for (let i = 0; i < 50; i++) await first.limiter.take(ACME);
    const second = setup(first.store);
    expect(await second.limiter.take(ACME)).toEqual({ ok: true, waitedMs: 500 });
  });

  it('a clock that went back counts as no time passed, and drains again from then on', async () => {
    const t = setup();
    for (let i = 0; i < 50; i++) await t.limiter.take(ACME);
    t.advance(-3_600_000);
    expect(await t.limiter.take(ACME)).toEqual({ ok: true, waitedMs: 500 });
    t.advance(10_000);
    expect(await t.limiter.take(ACME)).toEqual({ ok: true, waitedMs: 0 });
  });

  it('property: the emulator’s bucket (the server model) never refuses a request the limiter let through', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ gap: fc.integer({ min: 0, max: 1500 }), burst: fc.integer({ min: 1, max: 12 }) }),
          { minLength: 1, maxLength: 40 },
        ),
        async (steps) => {
          let clock = 0;
          let states: BucketStates = {};
          const server = new LeakyBuckets(() => clock);
          const limiter = createRateLimiter({
            load: async () => states,
            save: async (s) => {
              states = s;
            },
            now: () => clock,
            // The request is sent when the wait ends; meanwhile time passes for everybody.
            sleep: async (ms) => {
              clock += ms;
            },
          });
          for (const { gap, burst } of steps) {
            clock += gap;
            for (let i = 0; i < burst; i++) {
              const token = await limiter.take(ACME);
              if (token.ok && !server.take('acme', STANDARD_LIMITS).allowed) return false;
            }
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('rateLimitedCall', () => {
  const answer: CallResult = { ok: true, result: [1], time: {} };

  it('takes a token of the URL’s portal, then calls', async () => {
    const take = vi.fn(async () => ({ ok: true as const, waitedMs: 0 }));
    const call = vi.fn(async () => answer);
    const limited = rateLimitedCall({ take }, call);
    expect(await limited(`${ACME}/rest/7/abc/`, 'profile', {}, { timeoutMs: 1 })).toBe(answer);
    expect(take).toHaveBeenCalledWith(ACME);
    expect(call).toHaveBeenCalledWith(`${ACME}/rest/7/abc/`, 'profile', {}, { timeoutMs: 1 });
  });

  it('a refused token is a rate-limited outcome and nothing is sent', async () => {
    const call = vi.fn(async () => answer);
    const limited = rateLimitedCall({ take: async () => ({ ok: false, retryInMs: 9000 }) }, call);
    expect(await limited(`${ACME}/rest/7/abc/`, 'profile', {}, { timeoutMs: 1 })).toEqual({
      ok: false,
      error: { kind: 'rate-limited' },
    });
    expect(call).not.toHaveBeenCalled();
  });
});
