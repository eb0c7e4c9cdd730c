import { describe, expect, it, vi } from 'vitest';
import type { CallResult } from '@/utils/bitrix24/client';
import {
  createPinAll,
  JOIN_WINDOW_MS,
  JOIN_WINDOW_NOT_RUN_MS,
  type PinAllDeps,
  parseSessionIds,
  RATE_LIMIT_BACKOFF_MS,
} from '@/utils/bitrix24/pin-all';
import type { PinOutcome } from '@/utils/outcome';

const PORTAL = 'https://acme.bitrix24.com';
const BASE = `${PORTAL}/rest/7/abc/`;

function setup(answers: CallResult[], opts: { webhook?: string | null; last?: PinOutcome | null } = {}) {
  let clock = 1_000_000;
  const history: PinOutcome[] = opts.last ? [opts.last] : [];
  const resets: Record<string, number> = {};
  const call = vi.fn(async (): Promise<CallResult> => {
    const next = answers.shift();
    if (!next) throw new Error('unexpected call');
    return next;
  });
  const deps: PinAllDeps = {
    webhookOf: async () => (opts.webhook === undefined ? BASE : opts.webhook),
    call,
    lastOutcome: async (p) => history.find((o) => o.portal === p) ?? null,
    operatingResetAt: async (p) => resets[p],
    rememberOperatingResetAt: async (p, at) => {
      resets[p] = at;
    },
    now: () => clock,
    sleep: vi.fn(async (ms: number) => {
      clock += ms;
    }),
    record: vi.fn(async () => {}),
  };
  const pinAll = createPinAll(deps);
  return {
    pinAll,
    call,
    deps,
    history,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const ok = (result: unknown, operatingResetAt?: number): CallResult => ({
  ok: true,
  result,
  time: operatingResetAt ? { operatingResetAt } : {},
});
const fail = (kind: string, code?: string): CallResult => ({ ok: false, error: { kind, code } as never });

describe('parseSessionIds', () => {
  it.each([
    [
      [1652, 1653],
      [1652, 1653],
    ],
    [
      ['1652', '1653'],
      [1652, 1653],
    ],
    [{ 0: 1652, 2: 1653 }, [1652, 1653]],
    [[], []],
    [
      [5, 5, 6],
      [5, 6],
    ],
  ])('%j → %j', (result, ids) => {
    expect(parseSessionIds(result)).toEqual(ids);
  });
  it.each([[null], ['1652'], [true], [[1.5]], [[-1]], [['x']], [[{ id: 1 }]]])('%j → null', (result) => {
    expect(parseSessionIds(result)).toBeNull();
  });
});

describe('pinAll', () => {
  it('pins once and returns the IDs as a fresh outcome', async () => {
    const { pinAll, call } = setup([ok([1652, 1653])]);
    const { outcome, fresh } = await pinAll(PORTAL, 'shortcut');
    expect(fresh).toBe(true);
    expect(outcome).toMatchObject({
      ok: true,
      sessionIds: [1652, 1653],
      portal: PORTAL,
      trigger: 'shortcut',
    });
    expect(call).toHaveBeenCalledWith(BASE, 'imopenlines.session.mode.pinAll', expect.any(Function));
  });

  it('ten concurrent triggers send one request and all get its outcome', async () => {
    const { pinAll, call } = setup([ok([1])]);
    const results = await Promise.all(Array.from({ length: 10 }, () => pinAll(PORTAL, 'shortcut')));
    expect(call).toHaveBeenCalledTimes(1);
    expect(new Set(results.map((r) => r.outcome.id)).size).toBe(1);
    expect(results.filter((r) => r.fresh)).toHaveLength(1);
  });

  it('a trigger right after a finished pin joins it; after the window it pins again', async () => {
    const t = setup([ok([1]), ok([2])]);
    const first = await t.pinAll(PORTAL, 'popup');
    t.history.unshift(first.outcome);
    t.advance(JOIN_WINDOW_MS - 1);
    expect(await t.pinAll(PORTAL, 'popup')).toEqual({ outcome: first.outcome, fresh: false });
    t.advance(2);
    expect((await t.pinAll(PORTAL, 'popup')).outcome).toMatchObject({ ok: true, sessionIds: [2] });
    expect(t.call).toHaveBeenCalledTimes(2);
  });

  it('QUERY_LIMIT_EXCEEDED is retried once after a back-off', async () => {
    const t = setup([fail('rate-limited', 'QUERY_LIMIT_EXCEEDED'), ok([7])]);
    const { outcome } = await t.pinAll(PORTAL, 'control');
    expect(outcome).toMatchObject({ ok: true, sessionIds: [7] });
    expect(t.deps.sleep).toHaveBeenCalledWith(RATE_LIMIT_BACKOFF_MS);
    expect(t.call).toHaveBeenCalledTimes(2);
  });

  it('a second QUERY_LIMIT_EXCEEDED is reported, not retried again', async () => {
    const t = setup([fail('rate-limited'), fail('rate-limited')]);
    const { outcome } = await t.pinAll(PORTAL, 'control');
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'rate-limited' } });
    expect(t.call).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['operation-limit'],
    ['webhook-invalid'],
    ['no-reply'],
    ['network'],
    ['server-error'],
    ['bad-response'],
  ])('%s is not retried', async (kind) => {
    const t = setup([fail(kind)]);
    const { outcome } = await t.pinAll(PORTAL, 'control');
    expect(outcome).toMatchObject({ ok: false, error: { kind } });
    expect(t.call).toHaveBeenCalledTimes(1);
  });

  it('OPERATION_TIME_LIMIT says when it resets, from the last envelope', async () => {
    const t = setup([ok([1], 1_000_600), fail('operation-limit', 'OPERATION_TIME_LIMIT')]);
    await t.pinAll(PORTAL, 'control');
    t.advance(JOIN_WINDOW_MS);
    const { outcome } = await t.pinAll(PORTAL, 'control');
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'operation-limit', resetAt: 1_000_600_000 } });
  });

  it('no webhook → no-webhook, nothing sent', async () => {
    const t = setup([], { webhook: null });
    const { outcome } = await t.pinAll(PORTAL, 'shortcut');
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'no-webhook' } });
    expect(t.call).not.toHaveBeenCalled();
  });

  it('an unexpected result shape is a bad response, never a success', async () => {
    const t = setup([ok('done')]);
    expect((await t.pinAll(PORTAL, 'shortcut')).outcome).toMatchObject({
      ok: false,
      error: { kind: 'bad-response' },
    });
  });
});

describe('join window after a failure', () => {
  it('a failure that sent nothing the portal ran can be retried after a short pause', async () => {
    const t = setup([fail('webhook-invalid', 'INVALID_CREDENTIALS'), ok([3])]);
    const first = await t.pinAll(PORTAL, 'control');
    t.history.unshift(first.outcome);
    t.advance(100);
    expect((await t.pinAll(PORTAL, 'control')).fresh).toBe(false);
    t.advance(JOIN_WINDOW_NOT_RUN_MS);
    expect((await t.pinAll(PORTAL, 'control')).outcome).toMatchObject({ ok: true, sessionIds: [3] });
  });

  it.each(['no-reply', 'network'])(
    'a failure after which the pin may have happened (%s) keeps the full window',
    async (kind) => {
      const t = setup([fail(kind)]);
      const first = await t.pinAll(PORTAL, 'control');
      t.history.unshift(first.outcome);
      t.advance(JOIN_WINDOW_NOT_RUN_MS + 10);
      expect((await t.pinAll(PORTAL, 'control')).fresh).toBe(false);
      expect(t.call).toHaveBeenCalledTimes(1);
    },
  );

  it('a failure after which the pin may have happened keeps the full window', async () => {
    const t = setup([fail('no-reply')]);
    const first = await t.pinAll(PORTAL, 'control');
    t.history.unshift(first.outcome);
    t.advance(JOIN_WINDOW_NOT_RUN_MS + 100);
    expect(await t.pinAll(PORTAL, 'control')).toEqual({ outcome: first.outcome, fresh: false });
    expect(t.call).toHaveBeenCalledTimes(1);
  });
});

it('a fresh outcome is recorded before the pin leaves the single-flight', async () => {
  const t = setup([ok([1]), ok([2])]);
  let triggeredWhileRecording: Promise<{ fresh: boolean }> | undefined;
  t.deps.record = vi.fn(async (outcome: PinOutcome) => {
    // A trigger arriving while the outcome is being stored joins the pin instead of starting another.
    triggeredWhileRecording = pinAll(PORTAL, 'shortcut');
    t.history.unshift(outcome);
  });
  const pinAll = createPinAll(t.deps);
  const { outcome } = await pinAll(PORTAL, 'shortcut');
  expect(t.deps.record).toHaveBeenCalledWith(outcome, BASE);
  expect((await triggeredWhileRecording)?.fresh).toBe(false);
  t.advance(10);
  expect((await pinAll(PORTAL, 'shortcut')).fresh).toBe(false);
  expect(t.call).toHaveBeenCalledTimes(1);
});
