import { browser } from 'wxt/browser';
import { portalOfUrl } from '../bitrix24/webhook';
import { isKnownPortal } from '../portal-hosts';
import type { BackgroundStorage } from './deps';
import type { Settings } from './settings';

/** What the portal choice looks at; every origin may be absent. */
export interface PortalChoiceInput {
  /** The portal the operator picked (the popup's selector), if any. */
  requested?: string | null;
  /** The origin of the active tab, if any. */
  active?: string | null;
  /** The portal pinned on last (`lastPortalItem`), if any. */
  last?: string | null;
  /** The configured portals' origins. */
  configured: readonly string[];
  /** The setting "Use my Bitrix24 login when no webhook is saved" (absent: off). */
  useLogin?: boolean;
  /** Portals open in tabs, most recently used first (counted only with `useLogin`). */
  openTabs?: readonly string[];
  /** Portals of the pin history, newest first (counted only with `useLogin`). */
  history?: readonly string[];
  /** The organisation's portals (the `portals` policy), counted only with `useLogin`. */
  organisation?: readonly string[];
}

/**
 * THE rule that picks the portal the popup shows and pins on, and the `pin-all` shortcut pins on. A portal is
 * usable when it is configured (has a webhook), or — with the login setting on — when it is open in a tab or in
 * the pin history (it pins through the operator's login). The first of these that is usable wins:
 *
 * | # | candidate                                                  |
 * |---|------------------------------------------------------------|
 * | 1 | the portal the operator picked                             |
 * | 2 | the active tab's portal                                    |
 * | 3 | the portal pinned on last                                  |
 * | 4 | the first configured portal, by origin                     |
 * | 5 | login only: the most recently used portal tab              |
 * | 6 | login only: the newest portal of the history               |
 * | 7 | login only: the first of the organisation's portals        |
 *
 * Nothing usable: null (the pin then says how to set one up, or to open the portal in a tab). Pure; table-tested
 * in `test/unit/choose-portal.test.ts` and `test/unit/login-background.test.ts`.
 */
export function pickPortal(input: PortalChoiceInput): string | null {
  const usable = new Set(input.configured);
  const openTabs = input.useLogin ? (input.openTabs ?? []) : [];
  const history = input.useLogin ? (input.history ?? []) : [];
  const organisation = input.useLogin ? (input.organisation ?? []) : [];
  for (const p of [...openTabs, ...history, ...organisation]) usable.add(p);
  const known = (p: string | null | undefined): p is string => !!p && usable.has(p);
  return (
    [input.requested, input.active, input.last].find(known) ??
    [...input.configured].sort()[0] ??
    openTabs[0] ??
    history[0] ??
    organisation[0] ??
    null
  );
}

/**
 * Creates the background's portal choice: {@link pickPortal} over the stored portals, the settings in force (the
 * login setting, the organisation's portals), the pin history and the browser's tabs.
 */
export function createChoosePortal(
  storage: Pick<BackgroundStorage, 'portals' | 'lastPortal' | 'history' | 'selfHostedPortals'>,
  settings: Settings,
) {
  return async function choosePortal(requested?: string): Promise<string | null> {
    const [
      stored,
      last,
      { useLogin, webhooksAllowed, portals: policyPortals },
      history,
      [activeTab],
      tabs,
      selfHostedPortals,
    ] = await Promise.all([
      storage.portals.getValue(),
      storage.lastPortal.getValue(),
      settings(),
      storage.history.getValue(),
      browser.tabs.query({ active: true, lastFocusedWindow: true }).catch(() => []),
      // Without the "tabs" permission only tabs of hosts the extension may reach (portals) show their address.
      browser.tabs.query({}).catch(() => []),
      storage.selfHostedPortals.getValue(),
    ]);
    // A portal with a webhook that the policy forbids counts as not configured.
    const portals = webhooksAllowed ? stored : {};
    // A tab, the last pin or a history entry counts only when it is a known portal (isKnownPortal): a
    // self-hosted portal removed since is not pinned on through the login.
    const known = {
      configured: Object.keys(stored),
      selfHosted: selfHostedPortals,
      organisation: policyPortals,
    };
    const portalOfTab = (url: string | undefined): string | null => {
      const p = portalOfUrl(url);
      return p && isKnownPortal(p, known) ? p : null;
    };
    const openTabs = [...tabs]
      .sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0))
      .map((tab) => portalOfTab(tab.url))
      .filter((p): p is string => !!p);
    return pickPortal({
      requested,
      active: portalOfUrl(activeTab?.url),
      last: last && isKnownPortal(last, known) ? last : null,
      configured: Object.keys(portals),
      useLogin,
      openTabs: [...new Set(openTabs)],
      history: [...new Set(history.map((o) => o.portal).filter((p) => p && isKnownPortal(p, known)))],
      organisation: policyPortals,
    });
  };
}
