// The compact text form of session IDs (utils/session-ids.ts) and the outcome schema that reads it: what the
// history stores and what messages carry. A round trip must give back exactly the IDs the portal answered (Undo
// unpins exactly those), and anything that is not the format must be refused, never read as other IDs.
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { type PinOutcome, PinOutcomeSchema, parseHistory, storedOutcome } from '@/utils/outcome';
import { decodeSessionIds, encodeSessionIds, SESSION_IDS_MAX } from '@/utils/session-ids';

const positiveId = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
/** Lists with long consecutive runs, repeats, descending steps and huge IDs mixed. */
const idList = fc
  .array(
    fc.oneof(
      positiveId.map((id) => [id]),
      fc.integer({ min: 1, max: 30 }).map((id) => [id]),
      fc
        .tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 40 }))
        .map(([first, n]) => Array.from({ length: n }, (_, i) => first + i)),
      fc.constant([Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER]),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.flat());

const pin = (sessionIds: number[]): PinOutcome => ({
  id: 'pin-1',
  portal: 'https://acme.bitrix24.com',
  at: 1_700_000_000_000,
  trigger: 'shortcut',
  action: 'pin',
  ok: true,
  sessionIds,
});

describe('encodeSessionIds / decodeSessionIds', () => {
  it('decoding the encoding gives back exactly the list: order, repeats and runs kept', () => {
    fc.assert(
      fc.property(idList, (ids) => {
        expect(decodeSessionIds(encodeSessionIds(ids))).toEqual(ids);
      }),
      { numRuns: 5_000 },
    );
  });

  it('the encoding is the one text for its list (encoding a decoded text gives the same text)', () => {
    fc.assert(
      fc.property(idList, (ids) => {
        const text = encodeSessionIds(ids);
        expect(encodeSessionIds(decodeSessionIds(text)!)).toBe(text);
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes consecutive IDs as runs: 10,000 IDs from 100000 are one short item', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => 100_000 + i);
    expect(encodeSessionIds(ids)).toBe('100000-109999');
    expect(encodeSessionIds([1652, 1653, 1660, 7, 8, 9, 9])).toBe('1652-1653,1660,7-9,9');
    expect(encodeSessionIds([])).toBe('');
    expect(decodeSessionIds('')).toEqual([]);
  });

  it.each([
    ['a space', '1, 2'],
    ['an empty item', '1,,2'],
    ['a trailing comma', '1,'],
    ['a leading zero', '01'],
    ['zero', '0'],
    ['a negative number', '-5'],
    ['a run going down', '9-7'],
    ['a run of one', '7-7'],
    ['a run without an end', '7-'],
    ['two dashes', '1-2-3'],
    ['a decimal point', '1.5'],
    ['beyond safe integers', '9007199254740992'],
    ['seventeen digits', '10000000000000000'],
    ['letters', '12a'],
  ])('refuses %s (%j)', (_what, text) => {
    expect(decodeSessionIds(text)).toBeNull();
  });

  it(`refuses a text standing for more than ${SESSION_IDS_MAX.toLocaleString('en')} IDs without expanding it`, () => {
    expect(decodeSessionIds(`1-${Number.MAX_SAFE_INTEGER}`)).toBeNull();
    expect(decodeSessionIds('1-10', 9)).toBeNull();
    expect(decodeSessionIds('1-9,10', 9)).toBeNull();
    expect(decodeSessionIds('1-9', 9)).toHaveLength(9);
  });

  it('never throws and never returns anything but positive safe integers, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9,-]{0,30}$/)), (text) => {
        const ids = decodeSessionIds(text, 1_000);
        if (ids) for (const id of ids) expect(Number.isSafeInteger(id) && id > 0).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('PinOutcomeSchema reads the stored form', () => {
  it('an outcome stored in the compact form reads back as the same outcome', () => {
    fc.assert(
      fc.property(idList, (ids) => {
        const outcome = pin(ids);
        const stored = storedOutcome(outcome);
        expect(stored).not.toHaveProperty('sessionIds');
        expect(v.parse(PinOutcomeSchema, stored)).toEqual(outcome);
      }),
      { numRuns: 1_000 },
    );
  });

  it('stores 10,000 IDs as one string and reads them back', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => 100_000 + i * 3);
    const stored = storedOutcome(pin(ids));
    expect(typeof (stored as { ids: unknown }).ids).toBe('string');
    expect(parseHistory([stored])).toEqual([pin(ids)]);
  });

  it('still reads what older versions stored: a sessionIds array, no action', () => {
    const { action: _, ...old } = pin([1652, 1653]);
    expect(parseHistory([old])).toEqual([pin([1652, 1653])]);
  });

  it('a failure is stored as it is', () => {
    const { sessionIds: _, ...rest } = pin([]) as PinOutcome & { ok: true };
    const failure: PinOutcome = { ...rest, ok: false, error: { kind: 'network' } };
    expect(storedOutcome(failure)).toEqual(failure);
    expect(parseHistory([failure])).toEqual([failure]);
  });

  it.each([
    ['both forms', { ids: '1', sessionIds: [1] }],
    ['neither form', {}],
    ['a text not in the format', { ids: '1,,2' }],
    ['a list with a zero', { sessionIds: [1, 0] }],
    ['a list with a string', { sessionIds: [1, '2'] }],
    ['a list with a fraction', { sessionIds: [1.5] }],
    ['unsure IDs that are not IDs', { ids: '1', unsure: [-1] }],
  ])('drops a stored success with %s', (_what, ids) => {
    const { sessionIds: _, ...rest } = pin([]) as PinOutcome & { ok: true };
    expect(parseHistory([{ ...rest, ...ids }])).toEqual([]);
  });
});
