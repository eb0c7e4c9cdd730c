import type { CallOptions, CallResult } from '../bitrix24/client';
import type { SendToTab } from '../bitrix24/login-client';
import type { BucketStates } from '../bitrix24/rate-limit';
import type { StoredOutcome } from '../outcome';
import type { PolicyReading } from '../policy';
import type { LoginUser, PortalInfo } from '../portals';
import type { StoredWebhook } from '../secret-store';
import type { PendingPin } from '../storage';
import type { WithLock } from './locks';

/** One stored value as the background uses it: WXT storage items in the extension, plain fakes in unit tests. */
export interface StoredValue<T> {
  getValue(): Promise<T>;
  setValue(value: T): Promise<void>;
}

/** Every stored value the background reads or writes (see `utils/storage.ts` for what each holds). */
export interface BackgroundStorage {
  webhooks: StoredValue<Record<string, StoredWebhook>>;
  portals: StoredValue<Record<string, PortalInfo>>;
  /** In the stored form: read it with `parseHistory`, write it with `storedHistory` (`utils/outcome.ts`). */
  history: StoredValue<StoredOutcome[]>;
  lastPortal: StoredValue<string | null>;
  operatingReset: StoredValue<Record<string, number>>;
  pendingPins: StoredValue<Record<string, PendingPin>>;
  rateBuckets: StoredValue<BucketStates>;
  /** The setting "Use my Bitrix24 login when no webhook is saved". */
  useLogin: StoredValue<boolean>;
  /** Whom the login acts as, by portal. */
  loginUsers: StoredValue<Record<string, LoginUser>>;
  /** Self-hosted portals added to pin through the login, with no webhook (origins). */
  selfHostedPortals: StoredValue<string[]>;
}

/** A REST call with `callMethod`'s signature (`utils/bitrix24/client.ts`). */
export type RestCall = (
  base: string,
  method: string,
  params: Record<string, unknown>,
  options: CallOptions,
) => Promise<CallResult>;

/**
 * What the background is built from. `utils/background/index.ts` creates the real ones ({@link realDeps} there);
 * unit tests pass fakes (a fixed clock, an instant sleep, a fetch stub behind the real client).
 */
export interface BackgroundDeps {
  storage: BackgroundStorage;
  /** The REST client, without the rate limit (the background puts its limiter in front). */
  callMethod: RestCall;
  /** Wall clock, ms since epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Sends a login call to one frame of a portal tab (`tabs.sendMessage` with `frameId`). */
  sendToTab: SendToTab;
  /** This worker instance; a pending pin marked by another instance died with its worker. */
  workerId: string;
  /** The administrator's managed settings, read afresh on every call (`readPolicy` in `utils/policy.ts`). */
  policy(): Promise<PolicyReading>;
  /** The exclusive lock around every storage read-modify-write (`webLock`: Web Locks). */
  lock: WithLock;
}
