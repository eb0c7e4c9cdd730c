import { type B24Error, faultKind, WEBHOOK_BROKEN } from '../bitrix24/errors';
import type { TabTarget } from '../bitrix24/login-client';
import { createPinAll, PIN_ALL_METHOD, PIN_TIMEOUT_MS, type PinResult } from '../bitrix24/pin-all';
import { hasHostAccess } from '../host-access';
import { newOutcomeId, type PinOutcome, type PinTrigger } from '../outcome';
import { HISTORY_LIMIT, type PendingPin } from '../storage';
import type { BackgroundDeps, RestCall } from './deps';
import type { LoginService } from './login-service';
import type { PortalQueue } from './portal-queue';
import { presentEverywhere } from './presentation';

/** The pin side of the background: pin and present, and the recovery of pins lost with their worker. */
export interface PinService {
  /**
   * Runs Pin all for a portal and, when the outcome is new, records and presents it everywhere: history, last
   * portal, the portal's webhook status, notification, badge, and the portal's open tabs.
   * @param portal portal origin, or null when none could be chosen (then the outcome is `no-webhook`, or
   *   `no-portal-tab` when the login path is on).
   * @param via the frame of the control that asked: a pin without a webhook is sent from there.
   */
  pinAndPresent(portal: string | null, trigger: PinTrigger, via?: TabTarget): Promise<PinOutcome>;
  /**
   * Turns the pins a dead worker left pending (killed mid-request, extension reloaded) into recorded and
   * presented "no reply" outcomes (history, notification, badge, open tabs), dated when their request left; a pin
   * whose outcome was recorded after all is left alone. Runs once per service (the first call does the work,
   * later calls get the same promise); never rejects.
   */
  recoverLostPins(): Promise<void>;
  /** Stores an outcome reached by another action (Unpin all, Undo) and presents it everywhere. */
  recordAndPresent(outcome: PinOutcome): Promise<void>;
  /** Marks an action's request as about to leave (see `pendingPinsItem`); cleared when its outcome is stored. */
  markPending(portal: string, entry: Omit<PendingPin, 'worker' | 'at'>): Promise<void>;
}

type PendingPins = Record<string, PendingPin>;

/**
 * Creates the pin service.
 * @param call the rate-limited REST call (one limiter per background).
 * @param login the login path, for portals without a webhook.
 */
export function createPinService(
  deps: BackgroundDeps,
  call: RestCall,
  login?: LoginService,
  queue?: PortalQueue,
): PinService {
  const { storage } = deps;

  let pendingQueue: Promise<unknown> = Promise.resolve();
  /** Read-modify-write of the pending pins, one at a time (pins on two portals may overlap). */
  function updatePending(change: (pending: PendingPins) => PendingPins): Promise<void> {
    const next = pendingQueue.then(async () =>
      storage.pendingPins.setValue(change(await storage.pendingPins.getValue())),
    );
    pendingQueue = next.catch(() => undefined);
    return next;
  }

  /** Stores an outcome: history, the pending mark, the fallback portal, and a broken webhook's status. */
  async function storeOutcome(outcome: PinOutcome): Promise<void> {
    const history = await storage.history.getValue();
    await storage.history.setValue([outcome, ...history].slice(0, HISTORY_LIMIT));
    await updatePending(({ [outcome.portal]: _, ...others }) => others);
    const portals = await storage.portals.getValue();
    // Only a portal that can pin becomes the popup's and the shortcut's fallback: configured, or any portal
    // while the login path is on.
    if (outcome.portal && (portals[outcome.portal] || (await storage.useLogin.getValue())))
      await storage.lastPortal.setValue(outcome.portal);
    if (!outcome.ok && WEBHOOK_BROKEN.has(outcome.error.kind)) {
      const info = portals[outcome.portal];
      if (info)
        await storage.portals.setValue({ ...portals, [outcome.portal]: { ...info, status: 'broken' } });
    }
  }

  /** Records and presents an outcome reached outside the pin use case (no portal, no access, a crash). */
  async function recordOutcome(outcome: PinOutcome): Promise<void> {
    await storeOutcome(outcome);
    await presentEverywhere(outcome);
  }

  function markPending(portal: string, entry: Omit<PendingPin, 'worker' | 'at'>): Promise<void> {
    return updatePending((pending) => ({
      ...pending,
      [portal]: { ...entry, worker: deps.workerId, at: deps.now() },
    }));
  }

  const pinAll = createPinAll({
    webhookOf: async (portal) => (await storage.webhooks.getValue())[portal]?.base ?? null,
    call: (base, method) => call(base, method, {}, { timeoutMs: PIN_TIMEOUT_MS }),
    ...(login
      ? {
          login: {
            enabled: login.enabled,
            tabFor: login.tabFor,
            call: (portal: string, tab: TabTarget) => login.call(portal, tab, PIN_ALL_METHOD, PIN_TIMEOUT_MS),
          },
        }
      : {}),
    lastOutcome: async (portal) =>
      (await storage.history.getValue()).find((o) => o.portal === portal && o.action === 'pin') ?? null,
    operatingResetAt: async (portal) => (await storage.operatingReset.getValue())[portal],
    rememberOperatingResetAt: async (portal, at) => {
      await storage.operatingReset.setValue({ ...(await storage.operatingReset.getValue()), [portal]: at });
    },
    now: deps.now,
    sleep: deps.sleep,
    beforeSend: (portal, trigger) => markPending(portal, { trigger, action: 'pin' }),
    record: storeOutcome,
    ...(queue ? { exclusive: queue.run } : {}),
  });

  let recovery: Promise<void> | undefined;
  function recoverLostPins(): Promise<void> {
    recovery ??= (async () => {
      const lost = Object.entries(await storage.pendingPins.getValue()).filter(
        ([, p]) => p.worker !== deps.workerId,
      );
      if (lost.length === 0) return;
      await updatePending((pending) =>
        Object.fromEntries(Object.entries(pending).filter(([, p]) => p.worker === deps.workerId)),
      );
      const history = await storage.history.getValue();
      for (const [portal, p] of lost) {
        // Killed between recording the outcome and clearing its entry: the outcome is there already.
        if (history.some((o) => o.portal === portal && o.at >= p.at)) continue;
        const error = { kind: faultKind('timeout') };
        await recordOutcome({
          id: newOutcomeId(p.at),
          portal,
          at: p.at,
          trigger: p.trigger,
          action: p.action ?? 'pin',
          ...(p.undoes ? { undoes: p.undoes } : {}),
          ok: false,
          error,
        });
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
    const local = (p: string, error: B24Error): PinOutcome => {
      const at = deps.now();
      return { id: newOutcomeId(at), portal: p, at, trigger, action: 'pin', ok: false, error };
    };
    let outcome: PinOutcome;
    if (!portal) {
      // Nothing to pin on: with the login path on, what is missing is a portal tab.
      const kind = login && (await login.enabled()) ? faultKind('no-portal-tab') : 'no-webhook';
      outcome = local('', { kind });
    } else if (!(await hasHostAccess(portal))) {
      // Firefox lets users withhold host access: say so instead of failing as a network error.
      outcome = local(portal, { kind: 'host-access' });
    } else {
      let result: PinResult;
      try {
        result = await pinAll(portal, trigger, via); // stores fresh outcomes itself, inside its single-flight
      } catch {
        result = { fresh: true, outcome: local(portal, { kind: 'bad-response' }) };
        await storeOutcome(result.outcome);
      }
      if (result.fresh) await presentEverywhere(result.outcome);
      return result.outcome;
    }
    await recordOutcome(outcome);
    return outcome;
  }

  return { pinAndPresent, recoverLostPins, recordAndPresent: recordOutcome, markPending };
}
