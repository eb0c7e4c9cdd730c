import type { PinOutcome, PinTrigger } from '../outcome';
import { newOutcomeId } from '../outcome';
import type { CallResult } from './client';
import { type B24Error, faultKind, REQUEST_NOT_RUN } from './errors';
import type { TabTarget } from './login-client';

/**
 * The Pin all use case: one call of `imopenlines.session.mode.pinAll` (no parameters; answers the pinned session
 * IDs — b24restdocs `api-reference/imopenlines/openlines/sessions/imopenlines-session-mode-pin-all.md`), made at
 * most once at a time per portal, retried at most once and only when the portal certainly did not run it.
 */

/** The REST method. */
export const PIN_ALL_METHOD = 'imopenlines.session.mode.pinAll';
/** Abort a pin that got no reply after this long (ms). Bitrix24 itself stops a request at 60 s. */
export const PIN_TIMEOUT_MS = 20_000;
/** Wait before the one retry after `QUERY_LIMIT_EXCEEDED` (ms): the server's bucket drains 2 requests per s. */
export const RATE_LIMIT_BACKOFF_MS = 1_500;
/**
 * A trigger arriving within this many ms after a pin on the same portal finished gets that pin's outcome instead
 * of a new request: ten presses of the shortcut in a second pin once.
 */
export const JOIN_WINDOW_MS = 2_000;
/**
 * The shorter window after a failure that certainly sent nothing the portal ran (network down, webhook refused…):
 * it still absorbs a key held down, yet lets the operator retry at once after fixing the cause.
 */
export const JOIN_WINDOW_NOT_RUN_MS = 500;

/**
 * Reads `result` of `pinAll` defensively: a JSON array, or an object with arbitrary keys (PHP arrays with
 * non-sequential keys), of positive integers or their decimal strings. Duplicates are dropped, order kept.
 * @returns the session IDs, or `null` when the shape is anything else.
 */
export function parseSessionIds(result: unknown): number[] | null {
  let values: unknown[];
  if (Array.isArray(result)) values = result;
  else if (typeof result === 'object' && result !== null) values = Object.values(result);
  else return null;
  const ids: number[] = [];
  const seen = new Set<number>();
  for (const value of values) {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value)
          ? Number(value)
          : Number.NaN;
    if (!Number.isSafeInteger(n) || n <= 0) return null;
    if (!seen.has(n)) {
      seen.add(n);
      ids.push(n);
    }
  }
  return ids;
}

/** What the use case needs; the background passes the real ones, unit tests fakes. */
export interface PinAllDeps {
  /** The canonical webhook base of a portal, or null when none is stored. */
  webhookOf(portal: string): Promise<string | null>;
  /**
   * Calls a method (see `callMethod`), already bound to a timeout and the rate limit; awaits `beforeSend` right
   * before the request leaves (after any limiter wait), not when a token is refused.
   */
  call(webhookBase: string, method: string, beforeSend: () => Promise<void>): Promise<CallResult>;
  /**
   * Whether the extension may reach the portal at all (host access); when false the outcome is `host-access` and
   * nothing is sent. Asked inside the join window, so a storm of triggers without access gets one outcome.
   * Optional: reachable when absent.
   */
  canReach?(portal: string): Promise<boolean>;
  /**
   * The login path, used for a portal without a webhook: absent, or `enabled()` false, means "no webhook" ends
   * the pin.
   */
  login?: PinAllLogin;
  /** The newest Pin all outcome recorded for the portal, if any (other actions' outcomes are never joined). */
  lastOutcome(portal: string): Promise<PinOutcome | null>;
  /** When the portal's operating limit for `pinAll` clears (ms since epoch), as last seen in an envelope. */
  operatingResetAt(portal: string): Promise<number | undefined>;
  /** Remembers the `operating_reset_at` of the last envelope (ms since epoch). */
  rememberOperatingResetAt(portal: string, at: number): Promise<void>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /**
   * Called right before each request leaves (the first one and the retry, after any rate-limit wait), so that a
   * worker killed before the answer leaves a trace the next worker can turn into a "no reply" outcome. Optional.
   */
  beforeSend?(portal: string, trigger: PinTrigger): Promise<void>;
  /**
   * Stores a new outcome where {@link PinAllDeps.lastOutcome} will find it. Called before the pin leaves the
   * single-flight, so a trigger arriving right after it joins it instead of pinning again.
   * @param webhookBase the webhook the pin used (null when none was stored), so that a failure marks that
   *   webhook broken and not one saved meanwhile.
   */
  record(outcome: PinOutcome, webhookBase: string | null): Promise<void>;
  /**
   * Runs the pin in the portal's one-action-at-a-time queue (`utils/background/portal-queue.ts`), so it never
   * overlaps an Unpin all or an Undo on the same portal. Optional: without it pins are only single-flight.
   */
  exclusive?<T>(portal: string, action: () => Promise<T>): Promise<T>;
}

/** How the use case reaches the operator's login on a portal (`login-client.ts`). */
export interface PinAllLogin {
  /** The setting "Use my Bitrix24 login when no webhook is saved". */
  enabled(): Promise<boolean>;
  /**
   * The frame to send from: `via` (the control's own frame) when given, else a tab of the portal the background
   * picks; null when the portal has no open tab.
   */
  tabFor(portal: string, via?: TabTarget): Promise<TabTarget | null>;
  /**
   * Calls a method through that frame's login, bound to a timeout and the rate limit; awaits `beforeSend` right
   * before the tab is asked (after any limiter wait).
   */
  call(portal: string, tab: TabTarget, method: string, beforeSend: () => Promise<void>): Promise<CallResult>;
}

/** A pin's outcome, and whether it is new (`fresh`) or joined an earlier or concurrent one. */
export interface PinResult {
  outcome: PinOutcome;
  fresh: boolean;
  /** The webhook base a fresh pin used (null when none was stored or none was needed). */
  webhookBase?: string | null;
}

/**
 * Creates the `pinAll(portal, trigger)` function. Concurrent calls for one portal share one request
 * (single-flight); calls within {@link JOIN_WINDOW_MS} of a finished pin get its outcome. The portal `''` stands
 * for "no portal could be chosen": it goes through the same single-flight and join window and ends `no-webhook`,
 * so a storm of shortcut presses before any setup gives one outcome. Never rejects: every failure is an outcome.
 */
export function createPinAll(
  deps: PinAllDeps,
): (portal: string, trigger: PinTrigger, via?: TabTarget) => Promise<PinResult> {
  const inFlight = new Map<string, Promise<PinOutcome>>();

  async function run(portal: string, trigger: PinTrigger, via?: TabTarget): Promise<PinResult> {
    // Read together: what joins, whether the portal is reachable, which credential (each is a storage or browser
    // call, and a pin waits for all of them before its request leaves).
    const [last, reachable, storedBase, loginEnabled] = await Promise.all([
      deps.lastOutcome(portal),
      portal && deps.canReach ? deps.canReach(portal) : true,
      portal ? deps.webhookOf(portal) : null,
      deps.login ? deps.login.enabled() : false,
    ]);
    if (last) {
      const age = deps.now() - last.at;
      const window =
        !last.ok && REQUEST_NOT_RUN.has(last.error.kind) ? JOIN_WINDOW_NOT_RUN_MS : JOIN_WINDOW_MS;
      if (age >= 0 && age < window) return { outcome: last, fresh: false };
    }
    let base: string | null = null;
    const finish = (body: { ok: true; sessionIds: number[] } | { ok: false; error: B24Error }): PinResult => {
      const at = deps.now();
      return {
        outcome: { id: newOutcomeId(at), portal, at, trigger, action: 'pin', ...body },
        fresh: true,
        webhookBase: base,
      };
    };
    // Firefox lets users withhold host access: say so instead of failing as a network error.
    if (!reachable) return finish({ ok: false, error: { kind: 'host-access' } });
    base = storedBase;
    const beforeSend = async () => {
      await deps.beforeSend?.(portal, trigger);
    };
    // The credential: the saved webhook, else the operator's login from a portal tab (when allowed).
    let send: () => Promise<CallResult>;
    if (base) {
      const sendTo = base;
      send = () => deps.call(sendTo, PIN_ALL_METHOD, beforeSend);
    } else if (deps.login && loginEnabled) {
      const login = deps.login;
      const tab = portal ? await login.tabFor(portal, via) : null;
      if (!tab) return finish({ ok: false, error: { kind: faultKind('no-portal-tab') } });
      send = () => login.call(portal, tab, PIN_ALL_METHOD, beforeSend);
    } else {
      return finish({ ok: false, error: { kind: faultKind('no-webhook-stored') } });
    }
    let answer = await send();
    if (!answer.ok && answer.error.kind === 'rate-limited') {
      await deps.sleep(RATE_LIMIT_BACKOFF_MS);
      answer = await send();
    }
    if (!answer.ok) {
      if (answer.error.kind === 'operation-limit') {
        const resetAt = await deps.operatingResetAt(portal);
        if (resetAt && resetAt > deps.now())
          return finish({ ok: false, error: { ...answer.error, resetAt } });
      }
      return finish({ ok: false, error: answer.error });
    }
    if (answer.time.operatingResetAt)
      await deps.rememberOperatingResetAt(portal, answer.time.operatingResetAt * 1000);
    const sessionIds = parseSessionIds(answer.result);
    if (!sessionIds)
      return finish({ ok: false, error: { kind: faultKind('unexpected-result', 200), status: 200 } });
    return finish({ ok: true, sessionIds });
  }

  const runAndRecord = async (portal: string, trigger: PinTrigger, via?: TabTarget): Promise<PinResult> => {
    const result = await run(portal, trigger, via);
    if (result.fresh) await deps.record(result.outcome, result.webhookBase ?? null);
    return result;
  };

  return (portal, trigger, via) => {
    const joined = inFlight.get(portal);
    if (joined) return joined.then((outcome) => ({ outcome, fresh: false }));
    // Leave the in-flight map once the outcome is recorded and before anyone sees it: a trigger after that joins
    // the recorded outcome (join window) or starts a new pin, never a second concurrent one.
    const exclusive = deps.exclusive ?? ((_: string, action: () => Promise<PinResult>) => action());
    const result = exclusive(portal, () => runAndRecord(portal, trigger, via)).finally(() =>
      inFlight.delete(portal),
    );
    inFlight.set(
      portal,
      result.then((r) => r.outcome),
    );
    return result;
  };
}
