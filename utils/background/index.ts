import { callMethod } from '../bitrix24/client';
import { createRateLimiter, rateLimitedCall } from '../bitrix24/rate-limit';
import { isUndoBatchCmd } from '../bitrix24/undo-plan';
import { t } from '../i18n';
import { notifyText } from '../notify';
import { parseHistory } from '../outcome';
import { undoRefusalText } from '../outcome-text';
import { readPolicy } from '../policy';
import {
  historyItem,
  lastPortalItem,
  loginUsersItem,
  operatingResetItem,
  pendingPinsItem,
  portalsItem,
  rateBucketsItem,
  selfHostedPortalsItem,
  useLoginItem,
  webhooksItem,
} from '../storage';
import { createChoosePortal } from './choose-portal';
import type { BackgroundDeps } from './deps';
import { webLock } from './locks';
import { createLoginService, sendToPortalTab } from './login-service';
import { createPinService } from './pin-service';
import { createPortalQueue } from './portal-queue';
import { askUnpinAll, createNotificationClick } from './presentation';
import { createRouter } from './router';
import { createSettings } from './settings';
import { createUnpinService } from './unpin-service';
import { createWebhookService } from './webhook-service';

export type { BackgroundDeps, BackgroundStorage, RestCall, StoredValue } from './deps';

/**
 * The background's behaviour: the handlers `entrypoints/background.ts` wires to browser events. Everything that
 * matters after a worker restart is in storage; the only memory is the in-flight pin per portal, which dies with
 * the worker together with its request (its pending entry then turns into a "no reply" outcome at the next start).
 */
export type Background = ReturnType<typeof createBackground>;

/** The real dependencies: WXT storage items, the REST client, the wall clock, a new worker ID. */
export function realDeps(): BackgroundDeps {
  return {
    storage: {
      webhooks: webhooksItem,
      portals: portalsItem,
      history: historyItem,
      lastPortal: lastPortalItem,
      operatingReset: operatingResetItem,
      pendingPins: pendingPinsItem,
      rateBuckets: rateBucketsItem,
      useLogin: useLoginItem,
      loginUsers: loginUsersItem,
      selfHostedPortals: selfHostedPortalsItem,
    },
    callMethod,
    sendToTab: sendToPortalTab,
    now: () => Date.now(),
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    workerId: crypto.randomUUID(),
    policy: readPolicy,
    lock: webLock,
  };
}

/**
 * Builds the background from its dependencies: the one place where the services are created and wired together.
 * One instance per worker; a second instance with another `workerId` behaves like the next worker.
 */
export function createBackground(deps: BackgroundDeps) {
  const { storage } = deps;
  /** Every REST call of the background takes a token of its portal's leaky bucket first (never 503 by us). */
  const limiter = createRateLimiter({
    load: () => storage.rateBuckets.getValue(),
    save: (states) => storage.rateBuckets.setValue(states),
    now: deps.now,
    sleep: deps.sleep,
  });
  const call = rateLimitedCall(limiter, deps.callMethod);
  const settings = createSettings(deps);
  const login = createLoginService(deps, limiter, settings);
  /** One action at a time per portal: Pin all, Unpin all and Undo queue behind each other, never join. */
  const queue = createPortalQueue();
  const pins = createPinService(deps, call, login, settings, queue);
  const unpins = createUnpinService(
    deps,
    call,
    pins,
    queue,
    {
      enabled: login.enabled,
      tabFor: login.tabFor,
      call: (portal, tab, method, params, timeoutMs, beforeSend) =>
        login.call(
          portal,
          tab,
          method,
          timeoutMs,
          beforeSend,
          isUndoBatchCmd(params.cmd) ? params.cmd : undefined,
        ),
    },
    settings,
  );
  const webhooks = createWebhookService(deps, call, settings);
  const choosePortal = createChoosePortal(storage, settings);
  const handleMessage = createRouter({
    storage,
    pins,
    unpins,
    webhooks,
    login,
    choosePortal,
    settings,
    now: deps.now,
  });

  /**
   * The keyboard commands. `pin-all` pins on the chosen portal with no UI but the notification and badge.
   * `unpin-all` never unpins by itself: it opens the popup's confirmation in a small window (a command has no UI to
   * ask in, and Unpin all always asks first).
   */
  async function onCommand(command: string): Promise<void> {
    if (command === 'pin-all') await pins.pinAndPresent(await choosePortal(), 'shortcut');
    else if (command === 'unpin-all' && (await settings()).allowUnpinAll)
      await askUnpinAll(await choosePortal());
  }

  /**
   * The managed settings changed (Chrome applies policy without a restart): the organisation's portals get their
   * content scripts, and a history that may keep no session IDs loses the ones it has.
   */
  async function onPolicyChanged(): Promise<void> {
    await webhooks.syncRegistrations();
    await pins.applyHistoryPolicy();
  }

  /**
   * A notification's button (Chromium only; Firefox shows none): "Undo" on a pin's notification takes that pin
   * back, if it is still the portal's newest and within its window; otherwise a notification says why not.
   */
  async function onNotificationButton(notificationId: string, buttonIndex: number): Promise<void> {
    if (buttonIndex !== 0) return;
    const pin = await historyOutcome(notificationId);
    if (pin?.action !== 'pin') return;
    const answer = await unpins.undoAndPresent(pin.portal, 'notification', pin.id);
    if ('refused' in answer)
      await notifyText(`${pin.id}-undo`, t('undo.failed'), undoRefusalText(answer.refused));
  }

  async function historyOutcome(id: string) {
    return parseHistory(await storage.history.getValue()).find((o) => o.id === id) ?? null;
  }

  return {
    handleMessage,
    onPolicyChanged,
    onCommand,
    onNotificationButton,
    unpinAllAndPresent: unpins.unpinAllAndPresent,
    undoAndPresent: unpins.undoAndPresent,
    onNotificationClicked: createNotificationClick(storage),
    choosePortal,
    pinAndPresent: pins.pinAndPresent,
    recoverLostPins: pins.recoverLostPins,
    checkWebhook: webhooks.checkWebhook,
    removePortal: webhooks.removePortal,
    syncRegistrations: webhooks.syncRegistrations,
  };
}
