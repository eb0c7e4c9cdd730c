import { openDB } from 'idb';
import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createWebhookStore, SECRET_DB } from '@/utils/secret-store';
import { webhooksItem } from '@/utils/storage';

const ACME = 'https://acme.bitrix24.com';
const DEMO = 'https://demo.bitrix24.com';
const acme = { base: `${ACME}/rest/7/acmesecret77/` };
const demo = { base: `${DEMO}/rest/1/demosecret11/` };

/** What an older version left: WXT's `local:webhooks` item with its version meta. */
async function leaveLegacy(value: unknown = { [ACME]: acme }) {
  await fakeBrowser.storage.local.set({ webhooks: value, webhooks$: { v: 1 }, portals: { [ACME]: {} } });
}

/** The raw content of the extension's IndexedDB store, read without the module under test. */
async function rawSecrets(): Promise<unknown> {
  const db = await openDB(SECRET_DB);
  try {
    return db.objectStoreNames.contains('secrets') ? await db.get('secrets', 'webhooks') : undefined;
  } finally {
    db.close();
  }
}

describe('webhooksItem (IndexedDB)', () => {
  it('starts empty and keeps what is set, in IndexedDB and not in any storage area', async () => {
    expect(await webhooksItem.getValue()).toEqual({});
    await webhooksItem.setValue({ [ACME]: acme, [DEMO]: demo });
    expect(await webhooksItem.getValue()).toEqual({ [ACME]: acme, [DEMO]: demo });
    expect(await rawSecrets()).toEqual({ [ACME]: acme, [DEMO]: demo });
    for (const area of [fakeBrowser.storage.local, fakeBrowser.storage.session, fakeBrowser.storage.sync]) {
      expect(JSON.stringify(await area.get(null))).not.toContain('acmesecret77');
    }
  });

  it('replaces the whole record on set (a removed portal is gone)', async () => {
    await webhooksItem.setValue({ [ACME]: acme, [DEMO]: demo });
    await webhooksItem.setValue({ [DEMO]: demo });
    expect(await webhooksItem.getValue()).toEqual({ [DEMO]: demo });
  });
});

describe('migration from storage.local', () => {
  it('moves the webhooks of an older version on the first read and deletes them from storage.local', async () => {
    await leaveLegacy({ [ACME]: acme, [DEMO]: demo });
    expect(await webhooksItem.getValue()).toEqual({ [ACME]: acme, [DEMO]: demo });
    const local = await fakeBrowser.storage.local.get(null);
    expect(local).not.toHaveProperty('webhooks');
    expect(local).not.toHaveProperty('webhooks$');
    // Only the webhooks move; the rest of storage.local stays.
    expect(local).toHaveProperty('portals');
  });

  it('is idempotent: a second run moves nothing and keeps the moved webhooks', async () => {
    const store = createWebhookStore();
    await leaveLegacy();
    expect(await store.migrate()).toBe(1);
    expect(await store.migrate()).toBe(0);
    expect(await store.getValue()).toEqual({ [ACME]: acme });
  });

  it('a write waits for the move, so it is not overwritten by the old copy', async () => {
    await leaveLegacy();
    await webhooksItem.setValue({ [DEMO]: demo });
    expect(await webhooksItem.getValue()).toEqual({ [DEMO]: demo });
    expect(await fakeBrowser.storage.local.get('webhooks')).toEqual({});
  });

  it('a worker killed after writing the new copy but before deleting the old one repeats the move at the next start', async () => {
    await leaveLegacy();
    const remove = vi
      .spyOn(fakeBrowser.storage.local, 'remove')
      .mockRejectedValueOnce(new Error('worker died'));
    const dying = createWebhookStore();
    await expect(dying.migrate()).rejects.toThrow('worker died');
    expect(await rawSecrets()).toEqual({ [ACME]: acme });
    expect(await fakeBrowser.storage.local.get('webhooks')).toEqual({ webhooks: { [ACME]: acme } });
    remove.mockRestore();

    const next = createWebhookStore();
    expect(await next.getValue()).toEqual({ [ACME]: acme });
    expect(await fakeBrowser.storage.local.get('webhooks')).toEqual({});
  });

  it('a worker killed before writing the new copy loses nothing: the old copy is still there', async () => {
    await leaveLegacy();
    vi.spyOn(globalThis.indexedDB, 'open').mockImplementationOnce(() => {
      throw new Error('worker died');
    });
    const dying = createWebhookStore();
    await expect(dying.getValue()).rejects.toThrow('worker died');
    expect(await fakeBrowser.storage.local.get('webhooks')).toEqual({ webhooks: { [ACME]: acme } });
    expect(await createWebhookStore().getValue()).toEqual({ [ACME]: acme });
  });

  it('concurrent first reads and writes run one move and lose no write', async () => {
    await leaveLegacy();
    const store = createWebhookStore();
    const [moved, movedAgain] = await Promise.all([
      store.migrate(),
      store.migrate(),
      store.setValue({ [ACME]: acme, [DEMO]: demo }),
      store.getValue(),
    ]);
    // Both callers get the one move's result.
    expect([moved, movedAgain]).toEqual([1, 1]);
    expect(await store.getValue()).toEqual({ [ACME]: acme, [DEMO]: demo });
  });

  it('holds a Web Lock of its own while moving, where Web Locks exist', async () => {
    await leaveLegacy();
    const names: string[] = [];
    vi.stubGlobal('navigator', {
      ...globalThis.navigator,
      locks: {
        request: async (name: string, task: () => Promise<unknown>) => {
          names.push(name);
          return task();
        },
      },
    });
    try {
      expect(await createWebhookStore().migrate()).toBe(1);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(names).toEqual(['pin-all:webhooks-migration']);
  });

  it('drops a malformed old value instead of storing it', async () => {
    await leaveLegacy('not a record');
    expect(await webhooksItem.getValue()).toEqual({});
    expect(await fakeBrowser.storage.local.get('webhooks')).toEqual({});
  });
});
