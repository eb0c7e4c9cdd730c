import { type IDBPDatabase, openDB } from 'idb';
import { browser } from 'wxt/browser';

/**
 * Where the webhooks live: the extension origin's IndexedDB, not `storage.local`.
 *
 * Why: `storage.local` is readable by content scripts unless the browser can restrict it — Firefox has no
 * `StorageArea.setAccessLevel` for it, and Chrome applies it to `local` only from Chrome 140. A content script runs
 * in the page's origin (Firefox and Chrome hand it the page's `indexedDB`), so the database of the extension origin
 * (`chrome-extension://ID`, `moz-extension://UUID`) is out of its reach in both browsers
 * (test/e2e/chromium-storage.test.ts, test/e2e/firefox-storage.test.ts). `setAccessLevel` stays on as a second
 * wall for what remains in `storage.local` (portals without secrets, history); see
 * `restrictStorageToTrustedContexts` in `utils/storage.ts`.
 *
 * Not encrypted, on purpose: a WebCrypto AES-GCM key, even non-extractable, would sit in this same database, so
 * whatever can read the ciphertext (extension pages, the background) can also decrypt it, and the key material is
 * written to the same profile files as the ciphertext. Encryption would add code without adding a wall.
 *
 * Who can read it: code of the extension origin. Only the background calls this module; the options page and the
 * popup ask the background through messages and receive masked webhooks only.
 */

/** A stored webhook: the secret part of a portal's configuration. */
export interface StoredWebhook {
  /** Canonical base URL, `https://HOST/rest/USER_ID/SECRET/`. A password: background only. */
  base: string;
}

/** Webhooks by portal origin (`https://HOST[:PORT]`). */
export type Webhooks = Record<string, StoredWebhook>;

/** The IndexedDB database and object store holding the secrets in the extension origin. */
export const SECRET_DB = 'pin-all-secrets';
const STORE = 'secrets';
const WEBHOOKS_KEY = 'webhooks';

/** Where earlier versions kept the webhooks: `storage.local` key `webhooks` (WXT `local:webhooks`; meta `webhooks$`). */
export const LEGACY_WEBHOOKS_KEY = 'webhooks';
const LEGACY_KEYS = [LEGACY_WEBHOOKS_KEY, `${LEGACY_WEBHOOKS_KEY}$`];

/**
 * Web Lock held while moving legacy webhooks. Its own name, never one a caller may hold around
 * `getValue`/`setValue` (those wait for the migration, so sharing a name would deadlock).
 */
export const MIGRATION_LOCK = 'pin-all:webhooks-migration';

/** The store of webhooks, read and written whole (one IndexedDB transaction each). */
export interface WebhookStore {
  /** All webhooks; `{}` when none. Finishes any pending migration from `storage.local` first. Rejects when IndexedDB fails. */
  getValue(): Promise<Webhooks>;
  /** Replaces all webhooks. Finishes any pending migration from `storage.local` first. Rejects when IndexedDB fails. */
  setValue(value: Webhooks): Promise<void>;
  /**
   * Moves webhooks left in `storage.local` by an older version into the store, then deletes them from
   * `storage.local`. See {@link migrateLegacyWebhooks}. Resolves to the number of portals moved (0 when nothing
   * was left).
   */
  migrate(): Promise<number>;
}

function isWebhooks(value: unknown): value is Webhooks {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(
      (w) => typeof w === 'object' && w !== null && typeof (w as StoredWebhook).base === 'string',
    )
  );
}

/** Runs `task` under the Web Lock `name` where Web Locks exist (both MV3 backgrounds), directly elsewhere. */
function withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? (locks.request(name, task) as Promise<T>) : task();
}

/**
 * Creates a webhook store in the IndexedDB database `dbName` of the current origin. One connection per context,
 * opened at the first use and kept (a pin reads the webhooks on its way to the portal, and opening the database
 * for every read cost milliseconds); it is opened again when the browser closes it or another context upgrades
 * the database. It dies with the worker, as every connection does.
 * @param dbName database name; tests pass their own.
 */
export function createWebhookStore(dbName: string = SECRET_DB): WebhookStore {
  let connection: Promise<IDBPDatabase> | undefined;
  /** The IndexedDB the connection and the move belong to: another one (each unit test has its own) starts afresh. */
  let factory: IDBFactory | undefined;
  const current = () => {
    if (factory !== globalThis.indexedDB) {
      factory = globalThis.indexedDB;
      connection = undefined;
      moved = false;
    }
  };
  const open = (): Promise<IDBPDatabase> => {
    current();
    connection ??= openDB(dbName, 1, {
      upgrade(db) {
        db.createObjectStore(STORE);
      },
      blocking(_current, _next, event) {
        (event.target as IDBDatabase).close();
        connection = undefined;
      },
      terminated() {
        connection = undefined;
      },
    });
    return connection;
  };
  /** Runs `task` on the connection; a connection that failed is dropped, so the next call opens a new one. */
  async function withDb<T>(task: (db: IDBPDatabase) => Promise<T>): Promise<T> {
    const opening = open();
    try {
      return await task(await opening);
    } catch (error) {
      if (connection === opening) connection = undefined;
      throw error;
    }
  }

  const read = (): Promise<Webhooks> =>
    withDb(async (db) => {
      const value: unknown = await db.get(STORE, WEBHOOKS_KEY);
      return isWebhooks(value) ? value : {};
    });

  const write = (value: Webhooks): Promise<void> =>
    withDb(async (db) => {
      await db.put(STORE, value, WEBHOOKS_KEY);
    });

  let migrating: Promise<number> | undefined;
  /**
   * Set once a move finished in this context: only an older version writes the old key, so nothing is left to
   * move for the rest of this context's life (each read then skips the lock and the `storage.local` read).
   */
  let moved = false;
  /** One migration at a time in this context; the Web Lock covers other contexts of the extension. */
  function migrate(): Promise<number> {
    current();
    if (moved) return Promise.resolve(0);
    migrating ??= withLock(MIGRATION_LOCK, async () => {
      const legacy = (await browser.storage.local.get(LEGACY_WEBHOOKS_KEY))[LEGACY_WEBHOOKS_KEY];
      if (legacy === undefined) return 0;
      // Written first, deleted after: a worker killed in between finds the old copy again and repeats the move,
      // which writes the same value. The old copy replaces the store's content: while it exists it is the truth
      // (this worker has not written since, as getValue/setValue wait for the move).
      const legacyValue = isWebhooks(legacy) ? legacy : {};
      await write(legacyValue);
      await browser.storage.local.remove(LEGACY_KEYS);
      return Object.keys(legacyValue).length;
    })
      .then((count) => {
        moved = true;
        return count;
      })
      .finally(() => {
        migrating = undefined;
      });
    return migrating;
  }

  return {
    async getValue() {
      await migrate();
      return read();
    },
    async setValue(value) {
      await migrate();
      await write(value);
    },
    migrate,
  };
}

const defaultStore = createWebhookStore();

/**
 * Moves webhooks an older version left in `storage.local` (`local:webhooks`) into the extension origin's
 * IndexedDB, then removes them (and WXT's `webhooks$` meta key) from `storage.local`. Idempotent: with nothing
 * left it only reads one `storage.local` key. Safe when the worker dies half-way (the new copy is written before
 * the old one is deleted). Serialized with the Web Lock {@link MIGRATION_LOCK}. A malformed legacy value is
 * dropped (the portal then reports that its webhook is missing). Rejects when IndexedDB or storage fails; the
 * next call tries again.
 * @returns the number of portals moved.
 */
export function migrateLegacyWebhooks(): Promise<number> {
  return defaultStore.migrate();
}

/** The webhooks store of the extension (database {@link SECRET_DB}). */
export const webhookStore: WebhookStore = defaultStore;
