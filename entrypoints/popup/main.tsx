import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { i18n } from '#i18n';
import { Popup } from '@/components/Popup';
import '@/components/popup.css';
import { pickPortal } from '@/utils/background/choose-portal';
import { ASK_UNPIN_ALL } from '@/utils/background/presentation';
import type { UndoAnswer } from '@/utils/background/unpin-service';
import { portalOfUrl } from '@/utils/bitrix24/webhook';
import { requestHostAccess, watchHostAccess } from '@/utils/host-access';
import { sendToBackground } from '@/utils/messaging';
import { noReplyOutcome, type PinOutcome, parseHistory } from '@/utils/outcome';
import { askPageReport, signatureText } from '@/utils/page-report';
import { pinsAsText } from '@/utils/pins-as';
import { effectiveSettings } from '@/utils/policy';
import { usePolicy } from '@/utils/policy-hook';
import { isKnownPortal } from '@/utils/portal-hosts';
import {
  historyItem,
  lastPortalItem,
  loginUsersItem,
  portalsItem,
  selfHostedPortalsItem,
  useLoginItem,
} from '@/utils/storage';

/** A storage item's value, kept current while the popup is open (the background records outcomes meanwhile). */
function useItem<T>(
  item: { getValue(): Promise<T>; watch(cb: (value: T) => void): () => void },
  initial: T,
): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    let live = true;
    const unwatch = item.watch((v) => setValue(v));
    item.getValue().then((v) => live && setValue(v));
    return () => {
      live = false;
      unwatch();
    };
  }, [item]);
  return value;
}

/** Origin of the active tab; only visible for hosts we have access to, which are exactly the portals. */
async function activeTabOrigin(): Promise<string | null> {
  try {
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    return tab?.url ? new URL(tab.url).origin : null;
  } catch {
    return null;
  }
}

/**
 * Origins of the HTTPS tabs whose address the popup can see, most recently used first: only hosts the extension
 * may reach show theirs (cloud portals, and self-hosted ones the operator granted). Which of them are portals is
 * decided with the stored lists ({@link App}).
 */
async function openHttpsTabs(): Promise<string[]> {
  try {
    const tabs = await browser.tabs.query({});
    const origins = tabs
      .sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0))
      .map((tab) => portalOfUrl(tab.url))
      .filter((p): p is string => !!p);
    return [...new Set(origins)];
  } catch {
    return [];
  }
}

/**
 * The active portal tab's page signature when that page shows no Pin all control (in no frame), else `null`.
 * Its top frame answers for its same-origin frames too (`utils/page-report.ts`).
 */
async function missingControlSignature(): Promise<string | null> {
  const report = await askPageReport({
    activeTab: async () => (await browser.tabs.query({ active: true, currentWindow: true }))[0],
    sendToFrame: (tabId, message, frameId) => browser.tabs.sendMessage(tabId, message, { frameId }),
  });
  return report && !report.hasControl ? signatureText(report, browser.runtime.getManifest().version) : null;
}

async function pinAllShortcut(): Promise<string> {
  const commands = await browser.commands.getAll();
  return commands.find((c) => c.name === 'pin-all')?.shortcut ?? '';
}

async function pin(portal: string | undefined): Promise<PinOutcome> {
  try {
    return await sendToBackground({ type: 'pinAll', trigger: 'popup', ...(portal ? { portal } : {}) });
  } catch {
    // The background did not answer: whether it ran is unknown, so say exactly that.
    return noReplyOutcome(portal ?? '', 'popup', 'pin');
  }
}

async function unpinAll(portal: string | undefined): Promise<PinOutcome> {
  try {
    return await sendToBackground({ type: 'unpinAll', trigger: 'popup', ...(portal ? { portal } : {}) });
  } catch {
    // The background did not answer: whether it ran is unknown, so say exactly that.
    return noReplyOutcome(portal ?? '', 'popup', 'unpin-all');
  }
}

async function undo(portal: string | undefined, pinId: string): Promise<UndoAnswer> {
  try {
    return await sendToBackground({
      type: 'undoPin',
      trigger: 'popup',
      pinId,
      ...(portal ? { portal } : {}),
    });
  } catch {
    return { outcome: { ...noReplyOutcome(portal ?? '', 'popup', 'undo'), undoes: pinId } };
  }
}

/**
 * `popup.html?ask=unpin-all&portal=…`: the `unpin-all` command opened this page in a small window to ask first
 * (`askUnpinAll` in `utils/background/presentation.ts`).
 */
const query = new URLSearchParams(location.search);
const askUnpinAll = query.get('ask') === ASK_UNPIN_ALL;
const askedPortal = askUnpinAll ? query.get('portal') : null;

function openOptions() {
  browser.runtime.openOptionsPage().then(() => window.close());
}

/** Firefox 137+ opens its shortcut page itself; Chromium browsers let an extension open their shortcuts page. */
function openShortcutSettings() {
  const commands = browser.commands as typeof browser.commands & {
    openShortcutSettings?: () => Promise<void>;
  };
  if (import.meta.env.BROWSER === 'firefox') commands.openShortcutSettings?.();
  else browser.tabs.create({ url: 'chrome://extensions/shortcuts' });
}

/** "Copy IDs": the popup is the focused document of the click, which the Clipboard API asks for. */
function copy(text: string): Promise<void> {
  return navigator.clipboard.writeText(text);
}

/**
 * The toolbar badge shows the newest outcome (its count, or "!") until the operator has seen it: opening the popup,
 * which shows that outcome, clears it. Outcomes reached while the popup is open set it again (the background does
 * not know the popup is open), so the badge never hides an outcome nobody has looked at.
 */
function clearBadge(): void {
  browser.action.setBadgeText({ text: '' }).catch(() => {});
}

function App() {
  const storedPortals = useItem(portalsItem, {});
  const rawHistory = useItem(historyItem, []);
  const history = useMemo(() => parseHistory(rawHistory), [rawHistory]);
  const lastPortal = useItem(lastPortalItem, null);
  const settings = effectiveSettings(usePolicy().policy, { useLogin: useItem(useLoginItem, true) });
  const { useLogin } = settings;
  // Under a login-only policy a saved webhook is never used: its portal counts as one without a webhook.
  const portalMap = settings.webhooksAllowed ? storedPortals : {};
  const loginUsers = useItem(loginUsersItem, {});
  const [httpsTabs, setHttpsTabs] = useState<string[]>([]);
  const selfHostedPortals = useItem(selfHostedPortalsItem, []);
  const [tabOrigin, setTabOrigin] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string | null>(askedPortal);
  const [shortcut, setShortcut] = useState<string | null | undefined>(undefined);
  const [missingSignature, setMissingSignature] = useState<string | null>(null);

  useEffect(() => {
    activeTabOrigin().then(setTabOrigin);
    openHttpsTabs().then(setHttpsTabs);
    pinAllShortcut().then(setShortcut, () => setShortcut(undefined));
    missingControlSignature().then(setMissingSignature);
  }, []);

  const portals = Object.values(portalMap).sort((a, b) => a.portal.localeCompare(b.portal));
  // Only known portals count (isKnownPortal): a self-hosted portal removed since is no longer offered.
  const known = {
    configured: Object.keys(storedPortals),
    selfHosted: selfHostedPortals,
    organisation: settings.portals,
  };
  // Portal tabs: the same known portals as the background's portal choice.
  const openTabs = httpsTabs.filter((p) => isKnownPortal(p, known));
  const historyPortals = [
    ...new Set(history.map((o) => o.portal).filter((p) => p && isKnownPortal(p, known))),
  ];
  // Without a webhook, portals open in a tab or pinned on before are reached through the operator's login.
  // The organisation's portals (policy) are listed whatever the setting.
  const loginPortals = [
    ...new Set([
      ...settings.portals,
      ...(useLogin
        ? [...openTabs, ...historyPortals, ...Object.keys(storedPortals), ...selfHostedPortals]
        : []),
    ]),
  ].filter((p) => !(p in portalMap));
  // The one rule the shortcut follows too.
  const selected = pickPortal({
    requested: chosen,
    active: tabOrigin,
    last: lastPortal && isKnownPortal(lastPortal, known) ? lastPortal : null,
    configured: Object.keys(portalMap),
    useLogin,
    openTabs,
    history: historyPortals,
    organisation: settings.portals,
  });

  // Whom a pin acts as: the background reads the login's user through a portal tab when it can.
  const [pinsAs, setPinsAs] = useState<string | null>(null);
  useEffect(() => {
    if (!selected) return;
    let live = true;
    sendToBackground({ type: 'getPinsAs', portal: selected })
      .then((who) => live && setPinsAs(who ? pinsAsText(who) : null))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [selected, portalMap, loginUsers, useLogin]);

  const [hasAccess, setHasAccess] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    if (selected) return watchHostAccess([selected], (access) => setHasAccess(access[selected]));
  }, [selected]);
  // The request is the first thing the click does; the popup may close while the prompt is open.
  const grantAccess = () => {
    if (selected) void requestHostAccess(selected).then(setHasAccess);
  };

  return (
    <Popup
      portals={portals}
      loginPortals={loginPortals}
      useLogin={useLogin}
      pinsAs={pinsAs}
      selectedPortal={selected}
      onSelectPortal={setChosen}
      onPin={pin}
      // What the organisation turned off is not offered (the background refuses it anyway).
      {...(settings.allowUnpinAll ? { onUnpinAll: unpinAll } : {})}
      {...(settings.undoMinutes > 0 ? { onUndo: undo } : {})}
      undoWindowMs={settings.undoMinutes * 60_000}
      askUnpinAll={askUnpinAll}
      onAskCancelled={() => window.close()}
      history={history}
      shortcut={shortcut}
      browserName={import.meta.env.BROWSER}
      hasAccess={hasAccess}
      accessRequiredByOrganisation={!!selected && settings.portals.includes(selected)}
      hideHistory={settings.hideHistory}
      onGrantAccess={grantAccess}
      onOpenOptions={openOptions}
      onOpenShortcutSettings={openShortcutSettings}
      onCopy={copy}
      missingControlSignature={missingSignature}
    />
  );
}

document.documentElement.lang = i18n.t('locale');
clearBadge();
render(<App />, document.getElementById('app')!);
