import * as v from 'valibot';
import { type Browser, browser } from 'wxt/browser';
import { portalOfUrl } from '../bitrix24/webhook';
import { BackgroundMessage, type BackgroundResponses } from '../messaging';
import { newOutcomeId, type PinOutcome, storedOutcome } from '../outcome';
import { isCloudPortalHost } from '../portal-hosts';
import { classifySender, type SenderKind } from '../sender';
import type { BackgroundStorage } from './deps';
import { readKnownPortals } from './known-portals';
import type { LoginService } from './login-service';
import type { PinService } from './pin-service';
import type { Settings } from './settings';
import type { UnpinService } from './unpin-service';
import type { WebhookService } from './webhook-service';

/** A message of one type. */
type MessageOf<K extends BackgroundMessage['type']> = Extract<BackgroundMessage, { type: K }>;

/**
 * Handlers of one kind of sender, keyed by message type; a missing key means that sender may not send it. Each
 * handler answers with the protocol's response type for its message (`BackgroundResponses`), or undefined to
 * refuse.
 */
export type HandlerMap<S extends SenderKind> = {
  [K in BackgroundMessage['type']]?: (
    message: MessageOf<K>,
    from: S,
  ) => Promise<BackgroundResponses[K] | undefined>;
};

/** The answer to any accepted message; undefined means refused (no answer). */
export type RouterAnswer = BackgroundResponses[keyof BackgroundResponses] | undefined;

const isOutcome = (x: unknown): x is PinOutcome =>
  typeof x === 'object' && x !== null && 'ok' in x && 'trigger' in x && 'action' in x && 'at' in x;

/**
 * An answer as it is sent back to the asking page or content script: an outcome, or the `outcome` of an Undo's
 * answer, in its stored form (`storedOutcome`: the session IDs as one string, serialized once); anything else as
 * it is. The receiver reads it with the answer's schema (`sendToBackground`).
 */
export function wireAnswer(answer: RouterAnswer): unknown {
  if (isOutcome(answer)) return storedOutcome(answer);
  if (typeof answer === 'object' && answer !== null && 'outcome' in answer && isOutcome(answer.outcome))
    return { ...answer, outcome: storedOutcome(answer.outcome) };
  return answer;
}

/** What the router dispatches to. */
export interface RouterDeps {
  storage: Pick<BackgroundStorage, 'portals' | 'selfHostedPortals'>;
  pins: PinService;
  unpins: UnpinService;
  webhooks: WebhookService;
  login: LoginService;
  choosePortal(requested?: string): Promise<string | null>;
  settings: Settings;
  /** Wall clock, ms since epoch. */
  now(): number;
}

/**
 * Creates the runtime message handler: checks the sender first, validates the message against the protocol,
 * then dispatches through the handler map of that kind of sender. Returns undefined (no answer) for anything
 * refused, so a forged message learns nothing.
 */
export function createRouter(deps: RouterDeps) {
  const { storage, pins, unpins, webhooks, login, choosePortal, settings } = deps;

  const fromContentScript: HandlerMap<Extract<SenderKind, { kind: 'content-script' }>> = {
    pinAll: async (message, from) =>
      message.trigger === 'control' && message.portal === undefined
        ? // Without a webhook the pin is sent from the control's own frame, with that page's login.
          pins.pinAndPresent(from.portal, 'control', { tabId: from.tabId, frameId: from.frameId })
        : undefined,
    // Unpin all is refused outright when the organisation turned it off (`allowUnpinAll`, `utils/policy.ts`).
    unpinAll: async (message, from) =>
      message.trigger === 'control' && message.portal === undefined && (await settings()).allowUnpinAll
        ? unpins.unpinAllAndPresent(from.portal, 'control', { tabId: from.tabId, frameId: from.frameId })
        : undefined,
    undoPin: async (message, from) =>
      message.trigger === 'control' && message.portal === undefined
        ? unpins.undoAndPresent(from.portal, 'control', message.pinId, {
            tabId: from.tabId,
            frameId: from.frameId,
          })
        : undefined,
    getLastOutcome: (_message, from) => pins.lastOutcome(from.portal),
    getPinsAs: async (message, from) => {
      if (message.portal !== undefined) return undefined;
      await login.refreshUser(from.portal, { tabId: from.tabId, frameId: from.frameId });
      return login.pinsAs(from.portal);
    },
  };

  /** A document that may not pin learns only that: an outcome that is neither recorded nor presented. */
  const fromForeignDocument: HandlerMap<Extract<SenderKind, { kind: 'foreign-document' }>> = {
    pinAll: async (message) => {
      if (message.trigger !== 'control') return undefined;
      const at = deps.now();
      const error = { kind: 'not-available-here' as const };
      return { id: newOutcomeId(at), portal: '', at, trigger: 'control', action: 'pin', ok: false, error };
    },
    getLastOutcome: async () => null,
  };

  const fromExtensionPage: HandlerMap<Extract<SenderKind, { kind: 'extension-page' }>> = {
    pinAll: async (message) =>
      message.trigger === 'popup'
        ? pins.pinAndPresent(await choosePortal(message.portal), 'popup')
        : undefined,
    unpinAll: async (message) =>
      message.trigger === 'popup' && (await settings()).allowUnpinAll
        ? unpins.unpinAllAndPresent(await choosePortal(message.portal), 'popup')
        : undefined,
    undoPin: async (message) =>
      message.trigger === 'popup'
        ? unpins.undoAndPresent(await choosePortal(message.portal), 'popup', message.pinId)
        : undefined,
    checkWebhook: (message) => webhooks.checkWebhook(message.url, false),
    saveWebhook: (message) => webhooks.checkWebhook(message.url, true),
    removeWebhook: (message) => webhooks.removePortal(message.portal),
    addSelfHostedPortal: (message) => webhooks.addSelfHostedPortal(message.portal),
    removeSelfHostedPortal: (message) => webhooks.removeSelfHostedPortal(message.portal),
    getLastOutcome: () => pins.lastOutcome(),
    getPinsAs: async (message) => {
      const portal = message.portal ?? (await choosePortal());
      if (!portal) return undefined;
      await login.refreshUser(portal);
      return login.pinsAs(portal);
    },
  };

  /**
   * The self-hosted portals a sender's page may belong to: those with a webhook, those added for the login and the
   * organisation's. Read only for a page that is neither an extension page nor a cloud portal: those two are told
   * apart without the stored lists, and a click's pin does not wait for them.
   */
  async function knownPortalsFor(url: string | undefined): Promise<string[]> {
    const portal = portalOfUrl(url);
    if (!portal || isCloudPortalHost(new URL(portal).hostname)) return [];
    return readKnownPortals(storage, settings);
  }

  return async function handleMessage(
    raw: unknown,
    sender: Browser.runtime.MessageSender,
  ): Promise<RouterAnswer> {
    const known = await knownPortalsFor(sender.url);
    const hosts = new Set(known.map((origin) => new URL(origin).hostname));
    const from = classifySender(
      sender,
      browser.runtime.id,
      browser.runtime.getURL('/').replace(/\/$/, ''),
      (origin) => known.includes(origin),
      (host) => hosts.has(host),
    );
    if (!from) return undefined;
    const parsed = v.safeParse(BackgroundMessage, raw);
    if (!parsed.success) return undefined;
    const message = parsed.output;
    await pins.recoverLostPins();
    const map =
      from.kind === 'content-script'
        ? fromContentScript
        : from.kind === 'foreign-document'
          ? fromForeignDocument
          : fromExtensionPage;
    const handler = map[message.type] as
      | ((m: BackgroundMessage, f: SenderKind) => Promise<RouterAnswer>)
      | undefined;
    return handler ? handler(message, from) : undefined;
  };
}
