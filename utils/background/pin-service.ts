import { type B24Error, faultKind, WEBHOOK_BROKEN } from '../bitrix24/errors';
import type { TabTarget } from '../bitrix24/login-client';
import { createPinAll, PIN_ALL_METHOD, PIN_TIMEOUT_MS, type PinResult } from '../bitrix24/pin-all';
import { hasHostAccess } from '../host-access';
import {
  compactOutcome,
  newOutcomeId,
  type PinOutcome,
  type PinTrigger,
  parseHistory,
  storedHistory,
  withoutSessionIds,
} from '../outcome';
import { FULL_ID_OUTCOMES, HISTORY_LIMIT } from '../storage';
import type { BackgroundDeps, RestCall } from './deps';
import { STORAGE_LOCK } from './locks';
import type { LoginService } from './login-service';
import type { PortalQueue } from './portal-queue';
import { presentEverywhere } from './presentation';
import type { Settings } from './settings';

/** A pending mark older than this (ms) is dropped at recovery without an outcome: nobody waits for it any more. */
export const STALE_PENDING_MS = 10 * 60_000;

/** The pin side of the background: pin and present, and the recovery of pins lost with their worker. */
export interface PinService {
  /**
   * Runs Pin all for a portal and, when the outcome is new, records and presents it everywhere: history, last
   * portal, the portal's webhook status, notification, badge, and the portal's open tabs. Triggers without a
   * portal or without host access go through the same single-flight and join window as a pin.
   * @param portal portal origin, or null when none could be chosen (then the outcome is `no-webhook`, or
   *   `no-portal-tab` when the login path is on).
   * @param via the frame of the control that asked: a pin without a webhook is sent from there.
   */
  pinAndPresent(portal: string | null, trigger: PinTrigger, via?: TabTarget): Promise<PinOutcome>;
  /**
   * Turns the pins a dead worker left pending (killed mid-request, extension reloaded) into recorded and
   * presented "no reply" outcomes (history, notification, badge, open tabs), dated when their request left; a pin
   * whose outcome was recorded after all is left alone, and a mark older than {@link STALE_PENDING_MS} is dropped
   * quietly. Runs once per service (the first call does the work, later calls get the same promise); never
   * rejects.
   */
  recoverLostPins(): Promise<void>;
  /** Stores an outcome reached by another action (Unpin all, Undo) and presents it everywhere. */
  recordAndPresent(outcome: PinOutcome): Promise<void>;
  /** Marks an action's request as about to leave (see `pendingPinsItem`); cleared when its outcome is stored. */
  markPending(portal: string, entry: Omit<PendingPin, 'worker' | 'at'>): Promise<void>;
  /** The newest outcome of a portal (any portal when omitted), or null. */
  lastOutcome(portal?: string): Promise<PinOutcome | null>;
  /** Under the `hideHistory` policy, removes the session IDs the stored history still holds (keeps the counts). */
  applyHistoryPolicy(): Promise<void>;
}

/**
 * Creates the pin service. Every read-modify-write of storage runs under {@link STORAGE_LOCK}.
 * @param call the rate-limited REST call (one limiter per background).
 * @param login the login path, for portals without a webhook.
 * @param settings the settings in force: a webhook the `signIn` policy forbids is never used, and the
 *   `hideHistory` policy keeps session IDs out of the stored history.
 */
export function createPinService(
  deps: BackgroundDeps,
  call: RestCall,
  login: LoginService | undefined,
  settings: Settings,
  queue?: PortalQueue,
): PinService {
  const { storage, lock } = deps;

  async function readHistory(): Promise<PinOutcome[]> {
    return parseHistory(await storage.history.getValue());
  }

  /**
   * Stores an outcome, in one locked step: history (the newest {@link FULL_ID_OUTCOMES} with all their IDs, older
   * ones compacted), the pending mark, the fallback portal, and — when the webhook the pin used is still the one
   * stored — that webhook's broken status. A portal removed meanwhile is not brought back.
   */
  function storeOutcome(outcome: PinOutcome, usedWebhook: string | null): Promise<void> {
    return lock(STORAGE_LOCK, async () => {
      const { hideHistory, useLogin } = await settings();
      const history = [outcome, ...(await readHistory())].slice(0, HISTORY_LIMIT);
      await storage.history.setValue(
        storedHistory(
          // Under the `hideHistory` policy no outcome keeps its session IDs, only their count.
          history.map((o, i) =>
            hideHistory ? withoutSessionIds(o) : i < FULL_ID_OUTCOMES || !o.ok ? o : compactOutcome(o),
          ),
        ),
      );
      const { [outcome.portal]: _, ...pending } = await storage.pendingPins.getValue();
      await storage.pendingPins.setValue(pending);
      const portals = await storage.portals.getValue();
      const info = portals[outcome.portal];
      if (!info) {
        // Not configured (any more): no status. A pin through the login (no webhook used) still makes the portal
        // the fallback of the popup and the shortcut while that setting is on; a removed portal does not come back.
        if (outcome.portal && !usedWebhook && useLogin) await storage.lastPortal.setValue(outcome.portal);
        return;
      }
      await storage.lastPortal.setValue(outcome.portal);
      // The webhook's status follows its latest answer: refused → broken; answered again → working again.
      const broken = !outcome.ok && WEBHOOK_BROKEN.has(outcome.error.kind);
      const answered = outcome.ok && info.status === 'broken';
      if ((broken || answered) && usedWebhook) {
        const stored = (await storage.webhooks.getValue())[outcome.portal]?.base;
        if (stored === usedWebhook) {
          const status = broken ? 'broken' : 'ok';
          await storage.portals.setValue({ ...portals, [outcome.portal]: { ...info, status } });
        }
      }
    });
  }

  async function lastOutcome(portal?: string): Promise<PinOutcome | null> {
    const history = await readHistory();
    return (portal === undefined ? history[0] : history.find((o) => o.portal === portal)) ?? null;
  }

  function markPending(portal: string, entry: Omit<PendingPin, 'worker' | 'at'>): Promise<void> {
    return lock(STORAGE_LOCK, async () => {
      const pending = await storage.pendingPins.getValue();
      await storage.pendingPins.setValue({
        ...pending,
        [portal]: { ...entry, worker: deps.workerId, at: deps.now() },
      });
    });
  }

  const pinAll = createPinAll({
    // Under `signIn: "login"` a stored webhook is never used: the pin goes through the login or not at all.
    webhookOf: async (portal) =>
      (await settings()).webhooksAllowed ? ((await storage.webhooks.getValue())[portal]?.base ?? null) : null,
    call: (base, method, beforeSend) => call(base, method, {}, { timeoutMs: PIN_TIMEOUT_MS, beforeSend }),
    canReach: hasHostAccess,
    ...(login
      ? {
          login: {
            enabled: login.enabled,
            tabFor: login.tabFor,
            call: (portal: string, tab: TabTarget, _method: string, beforeSend: () => Promise<void>) =>
              login.call(portal, tab, PIN_ALL_METHOD, PIN_TIMEOUT_MS, beforeSend),
          },
        }
      : {}),
    // Only a Pin all is joined: an Unpin all or an Undo right before never stands in for a pin.
    lastOutcome: async (portal) =>
      (await readHistory()).find((o) => o.portal === portal && o.action === 'pin') ?? null,
    operatingResetAt: async (portal) => (await storage.operatingReset.getValue())[portal],
    rememberOperatingResetAt: (portal, at) =>
      lock(STORAGE_LOCK, async () => {
        await storage.operatingReset.setValue({ ...(await storage.operatingReset.getValue()), [portal]: at });
      }),
    now: deps.now,
    sleep: deps.sleep,
    beforeSend: (portal, trigger) => markPending(portal, { trigger, action: 'pin' }),
    record: storeOutcome,
    ...(queue ? { exclusive: queue.run } : {}),
  });

  let recovery: Promise<void> | undefined;
  function recoverLostPins(): Promise<void> {
    recovery ??= (async () => {
      const lost = await lock(STORAGE_LOCK, async () => {
        const pending = await storage.pendingPins.getValue();
        const mine = Object.entries(pending).filter(([, p]) => p.worker === deps.workerId);
        const others = Object.entries(pending).filter(([, p]) => p.worker !== deps.workerId);
        if (others.length > 0) await storage.pendingPins.setValue(Object.fromEntries(mine));
        return others;
      });
      if (lost.length === 0) return;
      const history = await readHistory();
      for (const [portal, p] of lost) {
        // Killed between recording the outcome and clearing its entry: the outcome is there already.
        if (history.some((o) => o.portal === portal && o.at >= p.at)) continue;
        // Days old (the browser was closed mid-pin): nobody waits for that answer any more.
        if (deps.now() - p.at > STALE_PENDING_MS) continue;
        const error = { kind: faultKind('timeout') };
        const outcome: PinOutcome = {
          id: newOutcomeId(p.at),
          portal,
          at: p.at,
          trigger: p.trigger,
          action: p.action ?? 'pin',
          ...(p.undoes ? { undoes: p.undoes } : {}),
          ok: false,
          error,
        };
        await storeOutcome(outcome, null);
        await presentEverywhere(outcome);
      }
    })().catch(() => {});
    return recovery;
  }

  async function pinAndPresent(
    portal: string | null,
    trigger: PinTrigger,
    via?: TabTarget,
  ): Promise<PinOutcome> {
    await recoverLostPins();
    const target = portal ?? '';
    let result: PinResult;
    try {
      result = await pinAll(target, trigger, via); // stores fresh outcomes itself, inside its single-flight
    } catch {
      const at = deps.now();
      const error: B24Error = { kind: 'bad-response' };
      result = {
        fresh: true,
        outcome: { id: newOutcomeId(at), portal: target, at, trigger, action: 'pin', ok: false, error },
      };
      await storeOutcome(result.outcome, null);
    }
    if (result.fresh) await presentEverywhere(result.outcome);
    return result.outcome;
  }

  function applyHistoryPolicy(): Promise<void> {
    return lock(STORAGE_LOCK, async () => {
      if (!(await settings()).hideHistory) return;
      const history = await readHistory();
      if (history.some((o) => o.ok && (o.sessionIds.length > 0 || o.failed || o.unsure)))
        await storage.history.setValue(storedHistory(history.map(withoutSessionIds)));
    });
  }

  async function recordAndPresent(outcome: PinOutcome): Promise<void> {
    await storeOutcome(outcome, null);
    await presentEverywhere(outcome);
  }

  return { pinAndPresent, recoverLostPins, lastOutcome, recordAndPresent, markPending, applyHistoryPolicy };
}
