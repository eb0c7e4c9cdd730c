import { browser } from 'wxt/browser';
import type { CallResult } from '../bitrix24/client';
import { faultKind } from '../bitrix24/errors';
import { callThroughTab, type SendToTab, type TabTarget, wasNotDelivered } from '../bitrix24/login-client';
import { PIN_TIMEOUT_MS } from '../bitrix24/pin-all';
import type { RateLimiter } from '../bitrix24/rate-limit';
import { portalOfUrl } from '../bitrix24/webhook';
import { hostPattern } from '../host-access';
import type { LoginMethod } from '../messaging';
import type { PinsAs } from '../pins-as';
import { CONTENT_SCRIPT } from '../self-hosted';
import type { BackgroundDeps } from './deps';
import type { Settings } from './settings';
import { parseProfile } from './webhook-service';

/**
 * The login path, background side: which portal tab sends, the rate-limited call through it, and whom the login
 * acts as (`profile` through the login, cached per portal in storage: a name and an ID, nothing secret).
 */
export interface LoginService {
  /**
   * The setting "Use my Bitrix24 login when no webhook is saved", as in force: the `signIn` policy turns it on
   * (`login`) or off (`webhook`) whatever the operator chose.
   */
  enabled(): Promise<boolean>;
  /**
   * The frame a login call on `portal` is sent from: `via` (the control's own frame) when given; else the active
   * tab when it shows the portal; else the portal's most recently used open tab; frame 0 of the tab. Null when the
   * portal has no open tab.
   */
  tabFor(portal: string, via?: TabTarget): Promise<TabTarget | null>;
  /**
   * Calls a fixed method through a frame's login, after taking a token of the portal's rate bucket; awaits
   * `beforeSend` (the pending mark of an action) once the token is granted, right before the tab is asked. `cmd`
   * only for `batch` (an Undo batch, `undo-plan.ts`).
   */
  call(
    portal: string,
    tab: TabTarget,
    method: LoginMethod,
    timeoutMs?: number,
    beforeSend?: () => Promise<void>,
    cmd?: Record<string, string>,
  ): Promise<CallResult>;
  /**
   * Reads whom the login acts as on `portal` (`profile`) and stores it, unless a reading younger than
   * {@link LOGIN_USER_MAX_AGE_MS} is there. Needs an open portal tab (`via`, else {@link LoginService.tabFor}).
   * Never rejects; a failure leaves the stored reading as it was.
   */
  refreshUser(portal: string, via?: TabTarget): Promise<void>;
  /** What the popup, the options page and the control show about whom a pin on `portal` acts as. */
  pinsAs(portal: string): Promise<PinsAs>;
}

/** How long a stored reading of the login's user is trusted before it is read again, ms. */
export const LOGIN_USER_MAX_AGE_MS = 60 * 60 * 1000;
/** Timeout of the `profile` call through the login, ms. */
const PROFILE_TIMEOUT_MS = 10_000;

/**
 * Creates the login service.
 * @param limiter the background's one rate limiter (webhook and login calls of a portal share its bucket).
 * @param settings the settings in force (policy, operator's choice, default).
 */
export function createLoginService(
  deps: BackgroundDeps,
  limiter: RateLimiter,
  settings: Settings,
): LoginService {
  const { storage } = deps;

  const enabled = async () => (await settings()).useLogin;

  async function tabFor(portal: string, via?: TabTarget): Promise<TabTarget | null> {
    if (via) return via;
    const [active] = await browser.tabs.query({ active: true, lastFocusedWindow: true }).catch(() => []);
    if (active?.id !== undefined && portalOfUrl(active.url) === portal)
      return { tabId: active.id, frameId: 0 };
    const tabs = (await browser.tabs.query({ url: hostPattern(portal) }).catch(() => [])).filter(
      (tab) => tab.id !== undefined && portalOfUrl(tab.url) === portal,
    );
    tabs.sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0));
    const tab = tabs[0];
    return tab?.id !== undefined ? { tabId: tab.id, frameId: 0 } : null;
  }

  async function call(
    portal: string,
    tab: TabTarget,
    method: LoginMethod,
    timeoutMs = PIN_TIMEOUT_MS,
    beforeSend?: () => Promise<void>,
    cmd?: Record<string, string>,
  ): Promise<CallResult> {
    const token = await limiter.take(portal);
    if (!token.ok) return { ok: false, error: { kind: faultKind('client-rate-limit') } };
    await beforeSend?.();
    return callThroughTab(deps.sendToTab, tab, method, timeoutMs, cmd);
  }

  /** One `profile` read per portal at a time: many tabs opening at once ask once. */
  const refreshing = new Map<string, Promise<void>>();
  function refreshUser(portal: string, via?: TabTarget): Promise<void> {
    const running = refreshing.get(portal);
    if (running) return running;
    const next = readUser(portal, via).finally(() => refreshing.delete(portal));
    refreshing.set(portal, next);
    return next;
  }

  async function readUser(portal: string, via?: TabTarget): Promise<void> {
    try {
      const known = (await storage.loginUsers.getValue())[portal];
      if (known && deps.now() - known.at < LOGIN_USER_MAX_AGE_MS && known.at <= deps.now()) return;
      if (!(await enabled())) return;
      const tab = await tabFor(portal, via);
      if (!tab) return;
      const answer = await call(portal, tab, 'profile', PROFILE_TIMEOUT_MS);
      if (!answer.ok) return;
      const user = parseProfile(answer.result);
      if (!user) return;
      const users = await storage.loginUsers.getValue();
      const { admin: _, ...named } = user;
      await storage.loginUsers.setValue({ ...users, [portal]: { ...named, at: deps.now() } });
    } catch {
      // Whom the login acts as is a courtesy: a failure shows "Pins as you" rather than an error.
    }
  }

  async function pinsAs(portal: string): Promise<PinsAs> {
    const [portals, users, { useLogin, webhooksAllowed }] = await Promise.all([
      storage.portals.getValue(),
      storage.loginUsers.getValue(),
      settings(),
    ]);
    // A webhook the policy forbids is never used, so it is not whom a pin acts as.
    const info = webhooksAllowed ? portals[portal] : undefined;
    return {
      ...(info ? { webhookUser: info.user } : {}),
      loginUser: users[portal] ?? null,
      useLogin,
    };
  }

  return { enabled, tabFor, call, refreshUser, pinsAs };
}

/**
 * The real {@link SendToTab}: `tabs.sendMessage` to one frame. A frame without our content script (a page opened
 * before the extension was installed or reloaded) got nothing, so nothing was sent: the script is put into that
 * frame and the message sent once more.
 */
export const sendToPortalTab: SendToTab = async (target, message) => {
  const send = () => browser.tabs.sendMessage(target.tabId, message, { frameId: target.frameId });
  try {
    return await send();
  } catch (error) {
    if (!wasNotDelivered(error)) throw error;
    await browser.scripting.executeScript({
      target: { tabId: target.tabId, frameIds: [target.frameId] },
      files: [CONTENT_SCRIPT],
    });
    return await send();
  }
};
