import { openDB } from 'idb';
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
 * Creates a webhook store in the IndexedDB database `dbName` of the current origin. The database is opened for
 * each operation and closed after it (the background worker may die at any moment; no connection outlives a call).
 * @param dbName database name; tests pass their own.
 */
export function createWebhookStore(dbName: string = SECRET_DB): WebhookStore {
  const open = () =>
    openDB(dbName, 1, {
      upgrade(db) {
        db.createObjectStore(STORE);
      },
    });

  async function read(): Promise<Webhooks> {
    const db = await open();
    try {
      const value: unknown = await db.get(STORE, WEBHOOKS_KEY);
      return isWebhooks(value) ? value : {};
    } finally {
      db.close();
    }
  }

  async function write(value: Webhooks): Promise<void> {
    const db = await open();
    try {
      await db.put(STORE, value, WEBHOOKS_KEY);
    } finally {
      db.close();
    }
  }

  let migrating: Promise<number> | undefined;
  /** One migration at a time in this context; the Web Lock covers other contexts of the extension. */
  function migrate(): Promise<number> {
    migrating ??= withLock(MIGRATION_LOCK, async () => {
      const legacy = (await browser.storage.local.get(LEGACY_WEBHOOKS_KEY))[LEGACY_WEBHOOKS_KEY];
      if (legacy === undefined) return 0;
      // Written first, deleted after: a worker killed in between finds the old copy again and repeats the move,
      // which writes the same value. The old copy replaces the store's content: while it exists it is the truth
      // (this worker has not written since, as getValue/setValue wait for the move).
      const moved = isWebhooks(legacy) ? legacy : {};
      await write(moved);
      await browser.storage.local.remove(LEGACY_KEYS);
      return Object.keys(moved).length;
    }).finally(() => {
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
