import { storage } from 'wxt/utils/storage';
import type { BucketStates } from './bitrix24/rate-limit';
import type { PinAction, PinTrigger, StoredOutcome } from './outcome';
import type { LoginUser, PortalInfo } from './portals';
import { type WebhookStore, webhookStore } from './secret-store';

/** How many outcomes the history keeps (newest first). */
export const HISTORY_LIMIT = 50;

/**
 * How many of the newest outcomes keep their full list of session IDs in the history; older ones keep the first
 * IDs and the count (`compactOutcome`), so 50 outcomes of 10,000 IDs each cannot fill the storage.
 */
export const FULL_ID_OUTCOMES = 5;

/**
 * Webhooks by portal origin. **Secret**: kept in the extension origin's IndexedDB, which content scripts cannot
 * open in either browser, not in `storage.local` (see `utils/secret-store.ts`); read only by the background.
 * Same `getValue`/`setValue` as the WXT items below; each call first moves webhooks an older version left in
 * `storage.local`.
 */
export const webhooksItem: Pick<WebhookStore, 'getValue' | 'setValue'> = webhookStore;

/** Configured portals by origin, without secrets: what the popup and options page show. */
export const portalsItem = storage.defineItem<Record<string, PortalInfo>>('local:portals', {
  fallback: {},
  version: 1,
});

/**
 * Outcomes of Pin all, Unpin all and Undo, newest first, at most {@link HISTORY_LIMIT}; only the newest
 * {@link FULL_ID_OUTCOMES} with all their session IDs. Stored in the compact form (`storedHistory`: each outcome's
 * session IDs as one string) and read with `parseHistory` (`utils/outcome.ts`), which also reads what older
 * versions stored: a `sessionIds` array, and no `action` (a pin).
 */
export const historyItem = storage.defineItem<StoredOutcome[]>('local:history', {
  fallback: [],
  version: 1,
});

/** Origin of the portal the operator pinned on last; the popup and the shortcut fall back to it. */
export const lastPortalItem = storage.defineItem<string | null>('local:lastPortal', {
  fallback: null,
});

/**
 * When each portal's operating limit for `pinAll` clears, ms since epoch, from the last envelope's
 * `time.operating_reset_at`; used to tell the operator when to retry after `OPERATION_TIME_LIMIT`.
 */
export const operatingResetItem = storage.defineItem<Record<string, number>>('local:operatingResetAt', {
  fallback: {},
});

/**
 * The extension's copy of each portal's request-rate bucket (`utils/bitrix24/rate-limit.ts`). `session:` (both
 * browsers, background only): it outlives worker restarts and ends with the browser session; the server's
 * bucket drains in under half a minute anyway.
 */
export const rateBucketsItem = storage.defineItem<BucketStates>('session:rateBuckets', { fallback: {} });

/** A request of an action (Pin all, Unpin all, Undo) that left and whose outcome is not recorded yet. */
export interface PendingPin {
  /** The worker instance that sent it: another instance's entry died with its worker. */
  worker: string;
  trigger: PinTrigger;
  /** Which action; absent in entries written before Unpin all and Undo existed (a Pin all). */
  action?: PinAction;
  /** For an Undo: the pin outcome it takes back. */
  undoes?: string;
  /** When the request left, ms since epoch. */
  at: number;
}

/**
 * Pin requests in flight by portal, written before the request leaves and removed when its outcome is recorded.
 * An entry left by a dead worker (killed mid-request, extension reloaded) becomes a "no reply" outcome at the next
 * start, so the operator is never left without one. `local:` so that a reload does not erase it.
 */
export const pendingPinsItem = storage.defineItem<Record<string, PendingPin>>('local:pendingPins', {
  fallback: {},
});

/**
 * Restricts `storage.local` to trusted contexts (extension pages and the background), a second wall: it holds no
 * secret (the webhooks are in IndexedDB, `utils/secret-store.ts`), but the portals, the operator's name and the
 * pin history are nobody else's business. Chrome has `StorageArea.setAccessLevel` from 102 but applies it to
 * `local` only from 140 (before that the call fails or has no effect; a rejection is caught here); Firefox has no
 * such switch for `local`, so there any content script of the extension can read `storage.local`. Safe to call at
 * every worker start.
 */
export async function restrictStorageToTrustedContexts(): Promise<void> {
  const local = (
    globalThis as { chrome?: { storage?: { local?: { setAccessLevel?: (o: object) => Promise<void> } } } }
  ).chrome?.storage?.local;
  try {
    await local?.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' });
  } catch {
    // Chrome before 140 (local cannot be restricted) and Firefox: nothing secret is there anyway.
  }
}

/**
 * The setting "Use my Bitrix24 login when no webhook is saved" (on by default): a portal without a webhook is
 * pinned through the operator's own login, from a tab of that portal. Not secret.
 */
export const useLoginItem = storage.defineItem<boolean>('local:useLogin', { fallback: true });

/**
 * Whom the login acts as on each portal, by portal origin: the `profile` answer as last read through the login
 * (a user's name and ID, not secret; no token, no cookie). Refreshed when a portal tab asks; shown by the popup,
 * the options page and the control's tooltip.
 */
export const loginUsersItem = storage.defineItem<Record<string, LoginUser>>('local:loginUsers', {
  fallback: {},
});

/**
 * Self-hosted portals the operator added to pin through the login, with no webhook (origins such as
 * `https://crm.example.org`). Each needs the browser's host access; it then gets the content script like a portal
 * with a webhook. Cloud portals are never listed: the manifest covers them. Not secret.
 */
export const selfHostedPortalsItem = storage.defineItem<string[]>('local:selfHostedPortals', {
  fallback: [],
});
