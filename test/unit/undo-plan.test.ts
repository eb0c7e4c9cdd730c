import { describe, expect, it } from 'vitest';
import type { CallResult } from '@/utils/bitrix24/client';
import { isUndoBatchCmd, planUndo, readUndoBatch } from '@/utils/bitrix24/undo-plan';
import {
  type ActionSend,
  runUndo,
  UNDO_BURST,
  UNDO_SPACING_MS,
  UNDO_WINDOW_MS,
  undoTarget,
} from '@/utils/bitrix24/unpin';
import type { PinOutcome } from '@/utils/outcome';

const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

describe('planUndo: two batch commands per session, 25 sessions per request', () => {
  it.each([
    [0, []],
    [1, [1]],
    [25, [25]],
    [26, [25, 1]],
    [5000, Array.from({ length: 200 }, () => 25)],
  ])('%i sessions → one batch per 25 (last one shorter)', (n, sizes) => {
    const batches = planUndo(ids(n, 1000));
    expect(batches.map((b) => b.sessionIds.length)).toEqual(sizes);
    expect(batches.flatMap((b) => b.sessionIds)).toEqual(ids(n, 1000));
    for (const batch of batches) {
      expect(Object.keys(batch.cmd).length).toBeLessThanOrEqual(50);
      expect(isUndoBatchCmd(batch.cmd)).toBe(true);
    }
  });

  it('chains the lookup and the unpin of each session through $result, ACTIVATE=N sent explicitly', () => {
    const [batch] = planUndo([1652, 1653]);
    expect(batch!.cmd).toEqual({
      d0: 'imopenlines.dialog.get?SESSION_ID=1652',
      u0: 'imopenlines.session.mode.pin?CHAT_ID=$result[d0][id]&ACTIVATE=N',
      d1: 'imopenlines.dialog.get?SESSION_ID=1653',
      u1: 'imopenlines.session.mode.pin?CHAT_ID=$result[d1][id]&ACTIVATE=N',
    });
  });

  it('drops duplicates and anything but positive integers', () => {
    expect(planUndo([5, 5, 0, -1, 1.5, 6]).flatMap((b) => b.sessionIds)).toEqual([5, 6]);
  });
});

describe('isUndoBatchCmd: what a portal tab accepts to send with the login', () => {
  const good = planUndo(ids(3))[0]!.cmd;
  it.each([
    ['another method', { ...good, d0: 'imopenlines.session.mode.pinAll' }],
    [
      'a pin instead of an unpin',
      { ...good, u0: 'imopenlines.session.mode.pin?CHAT_ID=$result[d0][id]&ACTIVATE=Y' },
    ],
    ['an extra parameter', { ...good, d1: 'imopenlines.dialog.get?SESSION_ID=2&USER_ID=1' }],
    ['a non-integer ID', { ...good, d1: 'imopenlines.dialog.get?SESSION_ID=2x' }],
    [
      'a crossed reference',
      { ...good, u1: 'imopenlines.session.mode.pin?CHAT_ID=$result[d0][id]&ACTIVATE=N' },
    ],
    ['an extra command', { ...good, x: 'profile' }],
    ['nothing', {}],
    ['a list', ['imopenlines.dialog.get?SESSION_ID=1']],
    ['51 commands', Object.fromEntries(Array.from({ length: 52 }, (_, i) => [`d${i}`, 'x']))],
  ])('refuses %s', (_, cmd) => {
    expect(isUndoBatchCmd(cmd)).toBe(false);
  });
});

describe('readUndoBatch: the answer session by session', () => {
  const batch = planUndo([10, 11, 12, 13])[0]!;
  it('unpinned, another operator, gone, unknown', () => {
    const reading = readUndoBatch(
      {
        result: { d0: { id: 1 }, u0: true, d1: { id: 2 }, d3: { id: 4 } },
        result_error: {
          u1: { error: 'ERROR_USER_NOT_OPERATOR', error_description: '' },
          d2: { error: 'ACCESS_DENIED', error_description: '' },
          u2: { error: 'CHAT_ID', error_description: '' },
        },
      },
      batch,
    );
    expect(reading).toEqual({
      unpinned: [10],
      failed: [
        { sessionId: 11, error: { kind: 'not-your-dialog', code: 'ERROR_USER_NOT_OPERATOR' } },
        { sessionId: 12, error: { kind: 'access-denied', code: 'ACCESS_DENIED' } },
      ],
      unsure: [13],
    });
  });

  it('PHP sends an empty result_error as a list; anything without a result object is not a batch answer', () => {
    const all = { d0: {}, u0: true, d1: {}, u1: true, d2: {}, u2: true, d3: {}, u3: true };
    expect(readUndoBatch({ result: all, result_error: [] }, batch)?.unpinned).toEqual([10, 11, 12, 13]);
    expect(readUndoBatch(true, batch)).toBeNull();
    expect(readUndoBatch({ result_error: {} }, batch)).toBeNull();
  });
});

/** A fake portal: answers each batch by unpinning every session except those in `refuse`. */
function fakePortal(refuse: Record<number, string> = {}, faults: (CallResult | null)[] = []) {
  const sent: Record<string, string>[] = [];
  const send: ActionSend = async (_method, params) => {
    const cmd = params.cmd as Record<string, string>;
    sent.push(cmd);
    const fault = faults.shift();
    if (fault) return fault;
    const result: Record<string, unknown> = {};
    const result_error: Record<string, unknown> = {};
    for (const [key, command] of Object.entries(cmd)) {
      if (!key.startsWith('d')) continue;
      const id = Number(/SESSION_ID=(\d+)/.exec(command)![1]);
      const i = key.slice(1);
      if (refuse[id]) result_error[`u${i}`] = { error: refuse[id] };
      else {
        result[key] = { id: id + 100000 };
        result[`u${i}`] = true;
      }
    }
    return { ok: true, result: { result, result_error }, time: {} };
  };
  return { send, sent };
}

describe('runUndo', () => {
  const noSleep = { slept: [] as number[] };
  const sleep = async (ms: number) => {
    noSleep.slept.push(ms);
  };

  it('partial failures are listed by session; the rest counted as unpinned; nothing re-sent', async () => {
    const portal = fakePortal({ 5: 'ERROR_USER_NOT_OPERATOR', 6: 'ERROR_USER_NOT_OPERATOR', 7: 'CHAT_ID' });
    const body = await runUndo(ids(40), { send: portal.send, sleep });
    expect(portal.sent).toHaveLength(2);
    expect(body).toMatchObject({ ok: true });
    if (!body.ok) throw new Error('unreachable');
    expect(body.sessionIds).toHaveLength(37);
    expect(body.failed?.map((f) => [f.sessionId, f.error.kind])).toEqual([
      [5, 'not-your-dialog'],
      [6, 'not-your-dialog'],
      [7, 'dialog-gone'],
    ]);
    expect(body.unsure).toBeUndefined();
  });

  it('5,000 sessions: 200 requests, the first few back to back, then spaced below the drain rate', async () => {
    noSleep.slept = [];
    const portal = fakePortal();
    const body = await runUndo(ids(5000), { send: portal.send, sleep });
    expect(portal.sent).toHaveLength(200);
    expect(body.ok && body.sessionIds.length).toBe(5000);
    expect(noSleep.slept).toEqual(Array.from({ length: 200 - UNDO_BURST }, () => UNDO_SPACING_MS));
    expect(1000 / UNDO_SPACING_MS).toBeLessThan(2);
  });

  it('a batch with no reply: its sessions may or may not be unpinned, the later ones are not sent', async () => {
    const portal = fakePortal({}, [null, { ok: false, error: { kind: 'no-reply' } }]);
    const body = await runUndo(ids(60), { send: portal.send, sleep });
    expect(portal.sent).toHaveLength(2);
    if (!body.ok) throw new Error('unreachable');
    expect(body.sessionIds).toEqual(ids(25));
    expect(body.unsure).toEqual(ids(25, 26));
    expect(body.failed?.map((f) => f.sessionId)).toEqual(ids(10, 51));
  });

  it('refused before anything ran: an error outcome; a rate limit is retried a bounded number of times', async () => {
    const refused = fakePortal({}, [{ ok: false, error: { kind: 'login-required' } }]);
    expect(await runUndo(ids(3), { send: refused.send, sleep })).toEqual({
      ok: false,
      error: { kind: 'login-required' },
    });
    const limited = fakePortal({}, [
      { ok: false, error: { kind: 'rate-limited', code: 'QUERY_LIMIT_EXCEEDED' } },
      null,
    ]);
    const body = await runUndo(ids(3), { send: limited.send, sleep });
    expect(limited.sent).toHaveLength(2);
    expect(body.ok && body.sessionIds).toEqual([1, 2, 3]);
    const always = fakePortal(
      {},
      Array.from({ length: 10 }, () => ({ ok: false, error: { kind: 'rate-limited' } }) as CallResult),
    );
    expect((await runUndo(ids(3), { send: always.send, sleep })).ok).toBe(false);
    expect(always.sent).toHaveLength(4);
  });
});

describe('undoTarget: only the newest pin of the portal, for 10 minutes, once', () => {
  const P = 'https://acme.bitrix24.com';
  const at = 1_000_000;
  const pin = (id: string, sessionIds: number[], when = at): PinOutcome => ({
    id,
    portal: P,
    at: when,
    trigger: 'popup',
    action: 'pin',
    ok: true,
    sessionIds,
  });
  const undo = (undoes: string, ok = true): PinOutcome =>
    ok
      ? {
          id: `u-${undoes}`,
          portal: P,
          at: at + 1,
          trigger: 'popup',
          action: 'undo',
          undoes,
          ok,
          sessionIds: [1],
        }
      : {
          id: `u-${undoes}`,
          portal: P,
          at: at + 1,
          trigger: 'popup',
          action: 'undo',
          undoes,
          ok,
          error: { kind: 'login-required' },
        };

  it('offers the newest pin', () => {
    expect(undoTarget([pin('b', [3]), pin('a', [1])], P, at + 1000)).toEqual({ pin: pin('b', [3]) });
  });
  it.each([
    ['no pin', [], undefined, 'no-pin'],
    ['after the window', [pin('a', [1])], undefined, 'expired', at + UNDO_WINDOW_MS],
    ['a second time', [undo('a'), pin('a', [1])], undefined, 'already-undone'],
    ['an older pin', [pin('b', [2]), pin('a', [1])], 'a', 'expired'],
    ['a pin of nothing', [pin('a', [])], undefined, 'nothing-pinned'],
  ] as const)('refuses %s', (_, history, pinId, refused, now = at + 1) => {
    expect(undoTarget([...history], P, now, pinId)).toEqual({ refused });
  });
  it('an Undo that certainly sent nothing (logged out) may be tried again', () => {
    expect(undoTarget([undo('a', false), pin('a', [1])], P, at + 2)).toEqual({ pin: pin('a', [1]) });
  });
});
