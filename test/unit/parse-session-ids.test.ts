// Property tests of parseSessionIds, the reader of pinAll's `result` (bitrix24-rest.md, "Success envelope":
// a JSON array, or an object when PHP keys are not sequential, of integers or their decimal strings).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSessionIds } from '@/utils/bitrix24/pin-all';

const RUNS = 10_000;

/** First occurrences, in order. */
const dedupe = (ids: readonly number[]) => ids.filter((id, i) => ids.indexOf(id) === i);

const positiveId = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
/** IDs with many repeats, so that duplicates are common. */
const idsWithRepeats = fc.array(fc.oneof(positiveId, fc.integer({ min: 1, max: 20 })), { maxLength: 60 });

/** Anything JSON.parse can give, and more: odd JS values must not throw either. */
const anyResult = fc.oneof(
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
  }),
  fc.jsonValue(),
  fc.array(fc.oneof(fc.integer(), fc.double(), fc.string(), positiveId.map(String), fc.constant(null))),
);

describe('parseSessionIds (property)', () => {
  it('never throws; gives null or distinct positive safe integers', () => {
    fc.assert(
      fc.property(anyResult, (result) => {
        const ids = parseSessionIds(result);
        if (ids === null) return true;
        return (
          Array.isArray(ids) &&
          ids.every((id) => Number.isSafeInteger(id) && id > 0) &&
          new Set(ids).size === ids.length
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('arrays of positive integers: order kept, duplicates dropped', () => {
    fc.assert(
      fc.property(idsWithRepeats, (ids) => {
        expect(parseSessionIds(ids)).toEqual(dedupe(ids));
      }),
      { numRuns: RUNS },
    );
  });

  it('decimal strings and PHP-style objects read the same as the array of numbers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 999_999_999_999_999 }), { maxLength: 40 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        (ids, asString) => {
          const mixed = ids.map((id, i) => (asString[i] ? String(id) : id));
          const object = Object.fromEntries(mixed.map((v, i) => [String(i * 2 + 1), v]));
          expect(parseSessionIds(mixed)).toEqual(dedupe(ids));
          expect(parseSessionIds(object)).toEqual(dedupe(ids));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('one entry that is not a positive integer makes the whole result unreadable (never a partial success)', () => {
    const bad = fc.oneof(
      fc.integer({ max: 0 }),
      fc.double().filter((d) => !Number.isInteger(d)),
      fc.constant(Number.MAX_SAFE_INTEGER + 1),
      fc.string().filter((s) => !/^\s*\d{1,15}\s*$/.test(s)),
      fc.constant(null),
      fc.constant(true),
      fc.array(positiveId, { minLength: 1, maxLength: 2 }),
    );
    fc.assert(
      fc.property(fc.array(positiveId, { maxLength: 20 }), bad, fc.nat(), (ids, entry, at) => {
        const withBad = [...ids];
        withBad.splice(at % (ids.length + 1), 0, entry as number);
        expect(parseSessionIds(withBad)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });
});
