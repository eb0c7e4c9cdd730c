/**
 * Serializes the background's read-modify-writes of extension storage with the Web Locks API
 * (`navigator.locks.request(name, fn)`: exclusive, held until `fn` settles; present in both MV3 backgrounds,
 * Chrome 69+ and Firefox 96+). Held only around storage reads and writes, never around a network request, and
 * never nested (Web Locks are not re-entrant: a nested request for the same name would wait forever).
 */

/** The one lock of every background read-modify-write of `storage.local`/`storage.session`. */
export const STORAGE_LOCK = 'b24-pin-all:storage';

/** Runs `fn` while holding the exclusive lock `name`; resolves or rejects with `fn`'s result. */
export type WithLock = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/** The real lock: `navigator.locks` (unit tests install an in-process one in `test/unit/setup.ts`). */
export const webLock: WithLock = <T>(name: string, fn: () => Promise<T>) =>
  navigator.locks.request(name, fn) as Promise<T>;
