import * as v from 'valibot';
import { browser } from 'wxt/browser';
import type { B24Error } from '../bitrix24/errors';
import { PIN_ALL_METHOD } from '../bitrix24/pin-all';
import { maskWebhook, parsePortalAddress, parseWebhook, WEBHOOK_SHAPE } from '../bitrix24/webhook';
import { hasHostAccess, hostPattern } from '../host-access';
import { isCloudPortalHost } from '../portal-hosts';
import type { PortalInfo, SelfHostedPortalCheck, WebhookCheck, WebhookUser } from '../portals';
import { injectIntoOpenTabs, syncSelfHostedScripts } from '../self-hosted';
import type { BackgroundDeps, RestCall } from './deps';
import { readKnownPortals } from './known-portals';
import { STORAGE_LOCK } from './locks';
import type { Settings } from './settings';

/** Timeout of the cheap checks made when a webhook is saved (ms). */
const CHECK_TIMEOUT_MS = 10_000;

/**
 * The portals the background knows and how: check, save and remove a portal's webhook; add and remove a
 * self-hosted portal pinned through the login; keep the content script registered on every such portal.
 */
export interface WebhookService {
  /**
   * Checks a pasted webhook against its portal (`method.get` for `pinAll` and its scope, `profile` for the user)
   * and saves it when `save` is true and the check passed. Nothing is sent when the URL does not parse; nothing
   * is stored when the portal refuses it. Under `signIn: "login"` nothing is sent or stored at all.
   */
  checkWebhook(url: string, save: boolean): Promise<WebhookCheck>;
  /** Removes a portal's webhook and everything stored about it but the history. Returns the remaining portals. */
  removePortal(portal: string): Promise<PortalInfo[]>;
  /**
   * Adds a self-hosted portal to pin through the operator's login (no webhook): from a typed address, once the
   * browser grants access to it (the options page asks in the Add click). The portal then gets the content script,
   * in its open tabs too. A cloud portal is not stored: the manifest covers it. Nothing is sent to the portal.
   */
  addSelfHostedPortal(address: string): Promise<SelfHostedPortalCheck>;
  /**
   * Removes a portal added by {@link WebhookService.addSelfHostedPortal}, gives back its site access when no other
   * known portal on that host needs it (so its content script goes), and returns the remaining ones.
   */
  removeSelfHostedPortal(portal: string): Promise<string[]>;
  /**
   * Keeps the content-script registrations of self-hosted portals in step with the configured portals, the
   * organisation's portals (policy) and the browser's permissions: at install, start-up, policy changes, and
   * whenever the operator grants or revokes host access.
   */
  syncRegistrations(): Promise<void>;
}

/**
 * Creates the webhook service.
 * @param call the rate-limited REST call (one limiter per background).
 * @param settings the settings in force (the `signIn` policy may forbid webhooks; the `portals` policy names
 *   portals that get the content script).
 */
export function createWebhookService(
  deps: BackgroundDeps,
  call: RestCall,
  settings: Settings,
): WebhookService {
  const { storage } = deps;

  /** Origins that get the content script (see `readKnownPortals`); the lists just written stand in for storage. */
  const knownPortals = (configured?: string[], selfHosted?: string[]) =>
    readKnownPortals(storage, settings, { configured, selfHosted });

  async function checkWebhook(url: string, save: boolean): Promise<WebhookCheck> {
    // The organisation allows only the operator's login: a webhook is neither checked nor kept.
    if (!(await settings()).webhooksAllowed) return { ok: false, refusedBy: 'policy' };
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
    // Self-hosted portals are granted by the options page's Save click; Firefox users may withhold any host.
    if (!(await hasHostAccess(webhook.portal))) return fail({ kind: 'host-access' });

    const method = await call(
      webhook.base,
      'method.get',
      // The name in lower case: method.get looks it up among lower-cased names as given (docs/bitrix24.md).
      { name: PIN_ALL_METHOD.toLowerCase() },
      options,
    );
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

    const info: PortalInfo = {
      portal: webhook.portal,
      maskedWebhook,
      user,
      status: 'ok',
      savedAt: deps.now(),
    };
    if (save) {
      const configured = await deps.lock(STORAGE_LOCK, async () => {
        await storage.webhooks.setValue({
          ...(await storage.webhooks.getValue()),
          [webhook.portal]: { base: webhook.base },
        });
        const portals = { ...(await storage.portals.getValue()), [webhook.portal]: info };
        await storage.portals.setValue(portals);
        return Object.keys(portals);
      });
      // A self-hosted portal gets the control on its pages from now on, including the tabs already open.
      await syncSelfHostedScripts(await knownPortals(configured));
      await injectIntoOpenTabs(webhook.portal);
    }
    return { ok: true, portal: info, saved: save };
  }

  async function removePortal(portal: string): Promise<PortalInfo[]> {
    const portals = await deps.lock(STORAGE_LOCK, async () => {
      const { [portal]: _w, ...webhooks } = await storage.webhooks.getValue();
      const { [portal]: _p, ...rest } = await storage.portals.getValue();
      await storage.webhooks.setValue(webhooks);
      await storage.portals.setValue(rest);
      return rest;
    });
    await syncSelfHostedScripts(await knownPortals(Object.keys(portals)));
    return Object.values(portals);
  }

  async function syncRegistrations(): Promise<void> {
    await syncSelfHostedScripts(await knownPortals());
  }

  async function addSelfHostedPortal(address: string): Promise<SelfHostedPortalCheck> {
    const parsed = parsePortalAddress(address);
    if (!parsed.ok) return { ok: false, kind: parsed.kind };
    const { portal } = parsed;
    // Firefox lets the operator withhold even a cloud portal: "nothing to add" only when it is reachable.
    if (!(await hasHostAccess(portal))) return { ok: false, kind: 'host-access', portal };
    if (isCloudPortalHost(new URL(portal).hostname)) return { ok: true, portal, cloud: true };
    const added = await deps.lock(STORAGE_LOCK, async () => {
      const list = await storage.selfHostedPortals.getValue();
      const next = list.includes(portal) ? list : [...list, portal];
      if (next !== list) await storage.selfHostedPortals.setValue(next);
      return next;
    });
    await syncSelfHostedScripts(await knownPortals(undefined, added));
    await injectIntoOpenTabs(portal);
    return { ok: true, portal, cloud: false };
  }

  async function removeSelfHostedPortal(portal: string): Promise<string[]> {
    const rest = await deps.lock(STORAGE_LOCK, async () => {
      const next = (await storage.selfHostedPortals.getValue()).filter((p) => p !== portal);
      await storage.selfHostedPortals.setValue(next);
      return next;
    });
    const still = await knownPortals(undefined, rest);
    // The site access it was given for this is given back, unless another known portal on that host needs it (a
    // webhook, the organisation's list, another port).
    const host = new URL(portal).hostname;
    if (!still.some((p) => new URL(p).hostname === host))
      await browser.permissions.remove({ origins: [hostPattern(portal)] }).catch(() => false);
    await syncSelfHostedScripts(still);
    return rest;
  }

  return { checkWebhook, removePortal, addSelfHostedPortal, removeSelfHostedPortal, syncRegistrations };
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
