import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { i18n } from '#i18n';
import { Options } from '@/components/Options';
import '@/components/options.css';
import { parsePortalAddress, parseWebhook } from '@/utils/bitrix24/webhook';
import { requestHostAccess, watchHostAccess } from '@/utils/host-access';
import { sendToBackground } from '@/utils/messaging';
import { pinsAsText } from '@/utils/pins-as';
import { effectiveSettings } from '@/utils/policy';
import { usePolicy } from '@/utils/policy-hook';
import type { PortalInfo, SelfHostedPortalCheck, WebhookCheck } from '@/utils/portals';
import {
  historyItem,
  loginUsersItem,
  portalsItem,
  selfHostedPortalsItem,
  useLoginItem,
} from '@/utils/storage';

function save(url: string): Promise<WebhookCheck> {
  // Host access for the pasted portal is requested first thing in the click, or browsers refuse.
  // Cloud portals in Chrome are granted at install and resolve at once; self-hosted portals and Firefox users who
  // withheld access get the browser's prompt.
  const parsed = parseWebhook(url);
  const access = parsed.ok ? requestHostAccess(parsed.webhook.portal) : null;
  return (async () => {
    await access; // refused access comes back from the background as a `host-access` error
    try {
      const check = await sendToBackground({ type: 'saveWebhook', url });
      if (check.ok && check.saved) await clearFixedBadge(check.portal.portal);
      return check;
    } catch {
      const portal = parsed.ok ? parsed.webhook.portal : '';
      return { ok: false, error: { kind: 'no-reply' }, portal, maskedWebhook: '' } as const;
    }
  })();
}

/**
 * Adds a self-hosted portal for the login. The typed address is read here (`parsePortalAddress`): a bad one is
 * answered at once, with nothing asked or sent; a good one gets the host-access request first thing in the Add
 * click, then only its origin goes to the background.
 */
function addSelfHostedPortal(address: string): Promise<SelfHostedPortalCheck> {
  const parsed = parsePortalAddress(address);
  if (!parsed.ok) return Promise.resolve({ ok: false, kind: parsed.kind });
  const { portal } = parsed;
  const access = requestHostAccess(portal);
  return (async () => {
    await access; // refused access comes back from the background as `host-access`
    try {
      // No answer (a background that refused the message) is no reply, like a failed send.
      return (
        (await sendToBackground({ type: 'addSelfHostedPortal', portal })) ?? { ok: false, kind: 'no-reply' }
      );
    } catch {
      return { ok: false, kind: 'no-reply' } as const;
    }
  })();
}

/** Forgets a portal added for the login after the operator confirms. */
async function removeSelfHostedPortal(portal: string): Promise<void> {
  if (!window.confirm(i18n.t('login.portal_remove_confirm', [new URL(portal).host]))) return;
  await sendToBackground({ type: 'removeSelfHostedPortal', portal });
}

/**
 * A "!" on the toolbar badge for a failure on this portal is stale once a webhook for it passed the check: the
 * operator fixed what the failure asked for. Anything else on the badge stays (see the popup's rule).
 */
async function clearFixedBadge(portal: string): Promise<void> {
  try {
    const [latest] = await historyItem.getValue();
    if (latest && !latest.ok && latest.portal === portal && (await browser.action.getBadgeText({})) === '!') {
      await browser.action.setBadgeText({ text: '' });
    }
  } catch {
    // The badge is a hint; saving worked either way.
  }
}

/** Whether each portal is reachable, kept current as the browser's permissions change. */
function useAccess(portals: string[]): Record<string, boolean> {
  const [access, setAccess] = useState<Record<string, boolean>>({});
  const key = portals.join(' ');
  useEffect(() => watchHostAccess(portals, setAccess), [key]);
  return access;
}

/** Forgets a portal's webhook after the operator confirms: it can't be recovered, only pasted again. */
async function remove(portal: string): Promise<PortalInfo[] | undefined> {
  if (!window.confirm(i18n.t('options.remove_confirm', [new URL(portal).host]))) return undefined;
  return sendToBackground({ type: 'removeWebhook', portal });
}

function App() {
  const [portals, setPortals] = useState<Record<string, PortalInfo>>({});
  useEffect(() => {
    const unwatch = portalsItem.watch(setPortals);
    portalsItem.getValue().then(setPortals);
    return unwatch;
  }, []);
  const [useLogin, setUseLogin] = useState<boolean | undefined>(undefined);
  const [loginUsers, setLoginUsers] = useState<Awaited<ReturnType<typeof loginUsersItem.getValue>>>({});
  useEffect(() => {
    const unwatch = [useLoginItem.watch(setUseLogin), loginUsersItem.watch(setLoginUsers)];
    useLoginItem.getValue().then(setUseLogin);
    loginUsersItem.getValue().then(setLoginUsers);
    return () => {
      for (const u of unwatch) u();
    };
  }, []);
  const [selfHostedPortals, setSelfHostedPortals] = useState<string[]>([]);
  useEffect(() => {
    const unwatch = selfHostedPortalsItem.watch(setSelfHostedPortals);
    selfHostedPortalsItem.getValue().then(setSelfHostedPortals);
    return unwatch;
  }, []);
  const reading = usePolicy();
  const settings = effectiveSettings(reading.policy, { useLogin: useLogin ?? true });
  const list = Object.values(portals).sort((a, b) => a.portal.localeCompare(b.portal));
  // The organisation's portals need host access too (a self-hosted one is asked for once).
  const access = useAccess([
    ...new Set([...list.map((p) => p.portal), ...selfHostedPortals, ...settings.portals]),
  ]);
  const grant = (portal: string) => void requestHostAccess(portal);
  // Whom pins act as, for every portal whose login user is known (webhook or not).
  const pinsAs: Record<string, string> = {};
  for (const [portal, loginUser] of Object.entries(loginUsers)) {
    const info = portals[portal];
    const text = pinsAsText({
      ...(info ? { webhookUser: info.user } : {}),
      loginUser,
      useLogin: settings.useLogin,
    });
    if (text) pinsAs[portal] = text;
  }
  return (
    <Options
      portals={list}
      onSave={save}
      onRemove={remove}
      access={access}
      onGrantAccess={grant}
      useLogin={useLogin}
      onUseLoginChange={(on) => void useLoginItem.setValue(on)}
      pinsAs={pinsAs}
      selfHostedPortals={selfHostedPortals}
      onAddSelfHostedPortal={addSelfHostedPortal}
      onRemoveSelfHostedPortal={removeSelfHostedPortal}
      policy={{ reading, settings }}
    />
  );
}

document.title = i18n.t('options.title');
document.documentElement.lang = i18n.t('locale');
render(<App />, document.getElementById('app')!);
