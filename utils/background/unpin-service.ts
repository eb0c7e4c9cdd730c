import type { CallResult } from '../bitrix24/client';
import { type B24Error, faultKind } from '../bitrix24/errors';
import type { TabTarget } from '../bitrix24/login-client';
import {
  type ActionBody,
  type ActionSend,
  runUndo,
  runUnpinAll,
  type UndoRefusal,
  undoTarget,
} from '../bitrix24/unpin';
import { hasHostAccess } from '../host-access';
import { newOutcomeId, type PinAction, type PinOutcome, type PinTrigger, parseHistory } from '../outcome';
import type { BackgroundDeps, RestCall } from './deps';
import type { PinService } from './pin-service';
import type { PortalQueue } from './portal-queue';
import type { Settings } from './settings';

/** What an Undo answers: its outcome, or why it did nothing (nothing was sent). */
export type UndoAnswer = { outcome: PinOutcome } | { refused: UndoRefusal };

/**
 * The operator's login as a transport for Unpin all and Undo (the login service of the background): absent, or
 * `enabled()` false, means a portal without a webhook gets `no-webhook`.
 */
export interface ActionLogin {
  /** The setting "Use my Bitrix24 login when no webhook is saved". */
  enabled(): Promise<boolean>;
  /** The frame that sends: `via` (the control's own frame) when given, else a tab of the portal; null: none. */
  tabFor(portal: string, via?: TabTarget): Promise<TabTarget | null>;
  /** Sends one request through that frame's login, rate-limited (Unpin all, or one Undo batch). */
  call(
    portal: string,
    tab: TabTarget,
    method: Parameters<ActionSend>[0],
    params: Record<string, unknown>,
    timeoutMs: number,
    beforeSend?: () => Promise<void>,
  ): Promise<CallResult>;
}

/** Unpin all and Undo, recorded and presented like a pin. */
export interface UnpinService {
  /**
   * Unpins every pinned dialog of the operator on `portal` (after the operator confirmed), in the portal's
   * one-action queue; records and presents the outcome.
   */
  unpinAllAndPresent(portal: string | null, trigger: PinTrigger, via?: TabTarget): Promise<PinOutcome>;
  /**
   * Takes back the newest pin of `portal` ({@link undoTarget}); when it can't (already undone, expired, nothing
   * pinned…) nothing is sent and the answer says why.
   * @param pinId the pin the operator saw the Undo for, when known.
   */
  undoAndPresent(
    portal: string | null,
    trigger: PinTrigger,
    pinId?: string,
    via?: TabTarget,
  ): Promise<UndoAnswer>;
}

/**
 * Creates the service.
 * @param call the background's rate-limited REST call (webhook path).
 * @param pins the pin service: records, presents and marks pending for these actions too.
 * @param queue the portal queue shared with Pin all.
 * @param settings the settings in force: no stored webhook under `signIn: "login"`, and the Undo window of
 *   `undoMinutes` (`utils/policy.ts`); without it the defaults apply.
 */
export function createUnpinService(
  deps: BackgroundDeps,
  call: RestCall,
  pins: Pick<PinService, 'recordAndPresent' | 'markPending' | 'recoverLostPins'>,
  queue: PortalQueue,
  login?: ActionLogin,
  settings?: Settings,
): UnpinService {
  const { storage } = deps;

  /** How requests leave for `portal`: its webhook, else the operator's login from a portal tab, else nothing. */
  async function transport(
    portal: string,
    via?: TabTarget,
  ): Promise<{ send: ActionSend } | { error: B24Error }> {
    if (!(await hasHostAccess(portal))) return { error: { kind: faultKind('host-access-withheld') } };
    // Under `signIn: "login"` a stored webhook is never used (`utils/policy.ts`).
    const webhooksAllowed = settings ? (await settings()).webhooksAllowed : true;
    const base = webhooksAllowed ? (await storage.webhooks.getValue())[portal]?.base : undefined;
    if (base)
      return {
        send: (method, params, timeoutMs, beforeSend) =>
          call(base, method, params, { timeoutMs, ...(beforeSend ? { beforeSend } : {}) }),
      };
    if (!login || !(await login.enabled())) return { error: { kind: faultKind('no-webhook-stored') } };
    const tab = await login.tabFor(portal, via);
    if (!tab) return { error: { kind: faultKind('no-portal-tab') } };
    return {
      send: (method, params, timeoutMs, beforeSend) =>
        login.call(portal, tab, method, params, timeoutMs, beforeSend),
    };
  }

  function outcomeOf(
    portal: string,
    trigger: PinTrigger,
    action: PinAction,
    body: ActionBody,
    undoes?: string,
  ): PinOutcome {
    const at = deps.now();
    return { id: newOutcomeId(at), portal, at, trigger, action, ...(undoes ? { undoes } : {}), ...body };
  }

  async function runAction(
    portal: string | null,
    trigger: PinTrigger,
    action: PinAction,
    via: TabTarget | undefined,
    work: (send: ActionSend) => Promise<ActionBody>,
    undoes?: string,
  ): Promise<PinOutcome> {
    await pins.recoverLostPins();
    if (!portal) {
      const outcome = outcomeOf('', trigger, action, { ok: false, error: { kind: 'no-webhook' } });
      await pins.recordAndPresent(outcome);
      return outcome;
    }
    const how = await transport(portal, via);
    let body: ActionBody;
    if ('error' in how) body = { ok: false, error: how.error };
    else {
      try {
        body = await work(how.send);
      } catch {
        body = { ok: false, error: { kind: 'bad-response' } };
      }
    }
    const outcome = outcomeOf(portal, trigger, action, body, undoes);
    await pins.recordAndPresent(outcome);
    return outcome;
  }

  function unpinAllAndPresent(
    portal: string | null,
    trigger: PinTrigger,
    via?: TabTarget,
  ): Promise<PinOutcome> {
    const action = () =>
      runAction(portal, trigger, 'unpin-all', via, (send) =>
        runUnpinAll({
          send,
          sleep: deps.sleep,
          beforeSend: () => pins.markPending(portal!, { trigger, action: 'unpin-all' }),
        }),
      );
    return portal ? queue.run(portal, action) : action();
  }

  function undoAndPresent(
    portal: string | null,
    trigger: PinTrigger,
    pinId?: string,
    via?: TabTarget,
  ): Promise<UndoAnswer> {
    if (!portal) return Promise.resolve({ refused: 'no-pin' });
    // Decided inside the queue: a second Undo waiting behind the first sees the first's outcome and refuses.
    return queue.run(portal, async (): Promise<UndoAnswer> => {
      await pins.recoverLostPins();
      const windowMs = settings ? (await settings()).undoMinutes * 60_000 : undefined;
      const target = undoTarget(
        parseHistory(await storage.history.getValue()),
        portal,
        deps.now(),
        pinId,
        windowMs,
      );
      if ('refused' in target) return target;
      const { pin } = target;
      const outcome = await runAction(
        portal,
        trigger,
        'undo',
        via,
        (send) =>
          runUndo(pin.sessionIds, {
            send,
            sleep: deps.sleep,
            beforeSend: () => pins.markPending(portal, { trigger, action: 'undo', undoes: pin.id }),
          }),
        pin.id,
      );
      return { outcome };
    });
  }

  return { unpinAllAndPresent, undoAndPresent };
}
