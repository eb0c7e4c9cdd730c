import * as v from 'valibot';
import { type Browser, browser } from 'wxt/browser';
import { callMethod } from './bitrix24/client';
import { type B24Error, faultKind, WEBHOOK_BROKEN } from './bitrix24/errors';
import { createPinAll, PIN_TIMEOUT_MS, type PinResult } from './bitrix24/pin-all';
import { createRateLimiter, rateLimitedCall } from './bitrix24/rate-limit';
import { maskWebhook, parseWebhook, portalOfUrl, WEBHOOK_SHAPE } from './bitrix24/webhook';
import { hasHostAccess } from './host-access';
import { BackgroundMessage, type BackgroundResponses, type ContentMessage } from './messaging';
import { presentOutcome } from './notify';
import type { PinOutcome, PinTrigger } from './outcome';
import { newOutcomeId } from './outcome';
import type { PortalInfo, WebhookCheck, WebhookUser } from './portals';
import { injectIntoOpenTabs, syncSelfHostedScripts } from './self-hosted';
import { classifySender } from './sender';
import {
  HISTORY_LIMIT,
  historyItem,
  lastPortalItem,
  operatingResetItem,
  type PendingPin,
  pendingPinsItem,
  portalsItem,
  rateBucketsItem,
  webhooksItem,
} from './storage';

/**
 * The background's behaviour: the handlers `entrypoints/background.ts` wires to browser events. Everything that
 * matters after a worker restart is in storage; the only memory is the in-flight pin per portal, which dies with
 * the worker together with its request (its pending entry then turns into a "no reply" outcome, see
 * {@link recoverLostPins}).
 */

/** Timeout of the cheap checks made when a webhook is saved (ms). */
const CHECK_TIMEOUT_MS = 10_000;

/** This worker instance; a pending pin marked by another instance died with its worker. */
const WORKER = crypto.randomUUID();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every REST call of the background takes a token of its portal's leaky bucket first (never 503 by us). */
const call = rateLimitedCall(
  createRateLimiter({
    load: () => rateBucketsItem.getValue(),
    save: (states) => rateBucketsItem.setValue(states),
    now: () => Date.now(),
    sleep,
  }),
  callMethod,
);

const pinAll = createPinAll({
  webhookOf: async (portal) => (await webhooksItem.getValue())[portal]?.base ?? null,
  call: (base, method) => call(base, method, {}, { timeoutMs: PIN_TIMEOUT_MS }),
  lastOutcome: async (portal) => (await historyItem.getValue()).find((o) => o.portal === portal) ?? null,
  operatingResetAt: async (portal) => (await operatingResetItem.getValue())[portal],
  rememberOperatingResetAt: async (portal, at) => {
    await operatingResetItem.setValue({ ...(await operatingResetItem.getValue()), [portal]: at });
  },
  now: () => Date.now(),
  sleep,
  beforeSend: (portal, trigger) =>
    updatePending((pending) => ({ ...pending, [portal]: { worker: WORKER, trigger, at: Date.now() } })),
  record: storeOutcome,
});

type PendingPins = Record<string, PendingPin>;
let pendingQueue: Promise<unknown> = Promise.resolve();
/** Read-modify-write of the pending pins, one at a time (pins on two portals may overlap). */
function updatePending(change: (pending: PendingPins) => PendingPins): Promise<void> {
  const next = pendingQueue.then(async () =>
    pendingPinsItem.setValue(change(await pendingPinsItem.getValue())),
  );
  pendingQueue = next.catch(() => undefined);
  return next;
}

let recovery: Promise<void> | undefined;
/**
 * Turns the pins a dead worker left pending (killed mid-request, extension reloaded: X6) into recorded and
 * presented "no reply" outcomes (history, notification, badge, open tabs), dated when their request left; a pin
 * whose outcome was recorded after all is left alone. Runs once per worker, before this worker pins or answers
 * anything (the first call does the work, later calls get the same promise); never rejects.
 */
export function recoverLostPins(): Promise<void> {
  recovery ??= (async () => {
    const lost = Object.entries(await pendingPinsItem.getValue()).filter(([, p]) => p.worker !== WORKER);
    if (lost.length === 0) return;
    await updatePending((pending) =>
      Object.fromEntries(Object.entries(pending).filter(([, p]) => p.worker === WORKER)),
    );
    const history = await historyItem.getValue();
    for (const [portal, p] of lost) {
      // Killed between recording the outcome and clearing its entry: the outcome is there already.
      if (history.some((o) => o.portal === portal && o.at >= p.at)) continue;
      const error = { kind: faultKind('timeout') };
      await recordOutcome({ id: newOutcomeId(p.at), portal, at: p.at, trigger: p.trigger, ok: false, error });
    }
  })().catch(() => {});
  return recovery;
}

/**
 * Runs Pin all for a portal and, when the outcome is new, records and presents it everywhere: history, last
 * portal, the portal's webhook status, notification, badge, and the portal's open tabs.
 * @param portal portal origin, or null when none could be chosen (then the outcome is `no-webhook`).
 */
export async function pinAndPresent(portal: string | null, trigger: PinTrigger): Promise<PinOutcome> {
  await recoverLostPins();
  const local = (p: string, error: B24Error): PinOutcome => {
    const at = Date.now();
    return { id: newOutcomeId(at), portal: p, at, trigger, ok: false, error };
  };
  let outcome: PinOutcome;
  if (!portal) {
    outcome = local('', { kind: 'no-webhook' });
  } else if (!(await hasHostAccess(portal))) {
    // Firefox lets users withhold host access (X10): say so instead of failing as a network error.
    outcome = local(portal, { kind: 'host-access' });
  } else {
    let result: PinResult;
    try {
      result = await pinAll(portal, trigger); // stores fresh outcomes itself, inside its single-flight
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

/** Records and presents an outcome reached outside the pin use case (no portal, no access, a crash). */
async function recordOutcome(outcome: PinOutcome): Promise<void> {
  await storeOutcome(outcome);
  await presentEverywhere(outcome);
}

/** Stores an outcome: history, the pending mark, the fallback portal, and a broken webhook's status. */
async function storeOutcome(outcome: PinOutcome): Promise<void> {
  const history = await historyItem.getValue();
  await historyItem.setValue([outcome, ...history].slice(0, HISTORY_LIMIT));
  await updatePending(({ [outcome.portal]: _, ...others }) => others);
  const portals = await portalsItem.getValue();
  // Only a configured portal becomes the popup's and the shortcut's fallback.
  if (portals[outcome.portal]) await lastPortalItem.setValue(outcome.portal);
  if (!outcome.ok && WEBHOOK_BROKEN.has(outcome.error.kind)) {
    const info = portals[outcome.portal];
    if (info) await portalsItem.setValue({ ...portals, [outcome.portal]: { ...info, status: 'broken' } });
  }
}

/** Shows an outcome: notification, badge, and the control on the portal's open tabs. */
async function presentEverywhere(outcome: PinOutcome): Promise<void> {
  await Promise.allSettled([presentOutcome(outcome), broadcastOutcome(outcome)]);
}

/** Sends a new outcome to the content scripts of the portal's open tabs (every frame). */
async function broadcastOutcome(outcome: PinOutcome): Promise<void> {
  if (!outcome.portal) return;
  const message: ContentMessage = { type: 'outcome', outcome };
  const tabs = await browser.tabs.query({ url: `${outcome.portal}/*` }).catch(() => []);
  await Promise.allSettled(
    tabs.filter((tab) => tab.id !== undefined).map((tab) => browser.tabs.sendMessage(tab.id!, message)),
  );
}

/**
 * The portal the popup and the shortcut act on: the active tab's portal when it is configured, else the portal
 * pinned on last, else the only configured one; null when there is none.
 */
export async function choosePortal(requested?: string): Promise<string | null> {
  const portals = await portalsItem.getValue();
  if (requested && portals[requested]) return requested;
  const [tab] = await browser.tabs.query({ active: true, lastFocusedWindow: true }).catch(() => []);
  const active = portalOfUrl(tab?.url);
  if (active && portals[active]) return active;
  const last = await lastPortalItem.getValue();
  if (last && portals[last]) return last;
  const configured = Object.keys(portals);
  if (configured.length === 1) return configured[0]!;
  return active ?? last ?? configured[0] ?? null;
}

/** The `pin-all` keyboard command: pins on the chosen portal with no UI but the notification and badge. */
export async function onCommand(command: string): Promise<void> {
  if (command !== 'pin-all') return;
  await pinAndPresent(await choosePortal(), 'shortcut');
}

/**
 * Checks a pasted webhook against its portal (`method.get` for `pinAll` and its scope, `profile` for the user)
 * and saves it when `save` is true and the check passed. Nothing is sent when the URL does not parse; nothing is
 * stored when the portal refuses it.
 */
export async function checkWebhook(url: string, save: boolean): Promise<WebhookCheck> {
  const parsed = parseWebhook(url);
  if (!parsed.ok) return { ok: false, parseError: parsed.error, expected: WEBHOOK_SHAPE };
  const { webhook } = parsed;
  const maskedWebhook = maskWebhook(webhook);
  const fail = (error: B24Error): WebhookCheck => ({
    ok: false,
    error,
    portal: webhook.portal,
    maskedWebhook,
  });
  const options = { timeoutMs: CHECK_TIMEOUT_MS };
  // Self-hosted portals are granted by the options page's Save click; Firefox users may withhold any host (X10).
  if (!(await hasHostAccess(webhook.portal))) return fail({ kind: 'host-access' });

  const method = await call(webhook.base, 'method.get', { name: 'imopenlines.session.mode.pinAll' }, options);
  if (!method.ok) return fail(method.error);
  const availability = v.safeParse(
    v.object({ isExisting: v.boolean(), isAvailable: v.boolean() }),
    method.result,
  );
  if (!availability.success) return fail({ kind: 'bad-response' });
  if (!availability.output.isExisting) return fail({ kind: 'method-not-found' });
  if (!availability.output.isAvailable) return fail({ kind: 'missing-scope' });

  const profile = await call(webhook.base, 'profile', {}, options);
  if (!profile.ok) return fail(profile.error);
  const user = parseProfile(profile.result);

  const info: PortalInfo = { portal: webhook.portal, maskedWebhook, user, status: 'ok', savedAt: Date.now() };
  if (save) {
    await webhooksItem.setValue({
      ...(await webhooksItem.getValue()),
      [webhook.portal]: { base: webhook.base },
    });
    await portalsItem.setValue({ ...(await portalsItem.getValue()), [webhook.portal]: info });
    // A self-hosted portal gets the control on its pages from now on, including the tabs already open (W11).
    await syncSelfHostedScripts(Object.keys(await portalsItem.getValue()));
    await injectIntoOpenTabs(webhook.portal);
  }
  return { ok: true, portal: info, saved: save };
}

const Profile = v.object({
  ID: v.union([v.string(), v.number()]),
  ADMIN: v.optional(v.unknown()),
  NAME: v.optional(v.nullable(v.string())),
  LAST_NAME: v.optional(v.nullable(v.string())),
});

/**
 * Reads the answer of `profile` (`{"ID":"7","ADMIN":false,"NAME":"Jane","LAST_NAME":"Doe",…}`, ID as a string,
 * ADMIN a boolean or "Y"/"N" depending on version). Null when the shape is not recognised.
 */
export function parseProfile(result: unknown): WebhookUser | null {
  const p = v.safeParse(Profile, result);
  if (!p.success) return null;
  const id = Number(p.output.ID);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const admin = p.output.ADMIN === true || p.output.ADMIN === 'Y' || p.output.ADMIN === 'true';
  return { id, name: p.output.NAME ?? '', lastName: p.output.LAST_NAME ?? '', admin };
}

/** Removes a portal's webhook and everything stored about it but the history. Returns the remaining portals. */
export async function removePortal(portal: string): Promise<PortalInfo[]> {
  const { [portal]: _w, ...webhooks } = await webhooksItem.getValue();
  const { [portal]: _p, ...portals } = await portalsItem.getValue();
  await webhooksItem.setValue(webhooks);
  await portalsItem.setValue(portals);
  await syncSelfHostedScripts(Object.keys(portals));
  return Object.values(portals);
}

/**
 * Keeps the content-script registrations of self-hosted portals in step with the configured portals and the
 * browser's permissions: at install, start-up, and whenever the operator grants or revokes host access.
 */
export async function syncRegistrations(): Promise<void> {
  await syncSelfHostedScripts(Object.keys(await portalsItem.getValue()));
}

/**
 * The runtime message handler: checks the sender, validates the message against the protocol, and answers.
 * Returns undefined (no answer) for anything refused, so a forged message learns nothing.
 */
export async function handleMessage(
  raw: unknown,
  sender: Browser.runtime.MessageSender,
): Promise<BackgroundResponses[keyof BackgroundResponses] | undefined> {
  const parsed = v.safeParse(BackgroundMessage, raw);
  if (!parsed.success) return undefined;
  const message = parsed.output;
  const portals = await portalsItem.getValue();
  const from = classifySender(
    sender,
    browser.runtime.id,
    browser.runtime.getURL('/').replace(/\/$/, ''),
    (origin) => Object.hasOwn(portals, origin),
  );
  if (!from) return undefined;
  await recoverLostPins();

  if (from.kind === 'content-script') {
    if (message.type === 'pinAll' && message.trigger === 'control' && message.portal === undefined) {
      return pinAndPresent(from.portal, 'control');
    }
    if (message.type === 'getLastOutcome') {
      return (await historyItem.getValue()).find((o) => o.portal === from.portal) ?? null;
    }
    return undefined;
  }

  switch (message.type) {
    case 'pinAll':
      return message.trigger === 'popup'
        ? pinAndPresent(await choosePortal(message.portal), 'popup')
        : undefined;
    case 'checkWebhook':
      return checkWebhook(message.url, false);
    case 'saveWebhook':
      return checkWebhook(message.url, true);
    case 'removeWebhook':
      return removePortal(message.portal);
    case 'getLastOutcome':
      return (await historyItem.getValue())[0] ?? null;
  }
}

/**
 * A click on a notification: a success opens (or focuses) the portal's Open Lines; a failure that needs the
 * options page opens it; other failures open the portal.
 */
export async function onNotificationClicked(notificationId: string): Promise<void> {
  const outcome = (await historyItem.getValue()).find((o) => o.id === notificationId);
  await browser.notifications.clear(notificationId).catch(() => false);
  if (!outcome) return;
  const needsOptions =
    !outcome.portal ||
    (!outcome.ok &&
      (WEBHOOK_BROKEN.has(outcome.error.kind) ||
        ['no-webhook', 'portal-moved', 'host-access'].includes(outcome.error.kind)));
  if (needsOptions) {
    await browser.runtime.openOptionsPage();
    return;
  }
  const [existing] = await browser.tabs.query({ url: `${outcome.portal}/online/*` }).catch(() => []);
  if (existing?.id !== undefined) {
    await browser.tabs.update(existing.id, { active: true });
    if (existing.windowId !== undefined)
      await browser.windows.update(existing.windowId, { focused: true }).catch(() => {});
  } else {
    await browser.tabs.create({ url: `${outcome.portal}/online/?IM_LINES=Y` });
  }
}
