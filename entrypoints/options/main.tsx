import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { i18n } from '#i18n';
import { Options } from '@/components/Options';
import '@/components/options.css';
import { sendToBackground } from '@/utils/messaging';
import { isCloudPortalHost } from '@/utils/portal-hosts';
import type { PortalInfo, WebhookCheck } from '@/utils/portals';
import { portalsItem } from '@/utils/storage';

/**
 * The https origin of a pasted self-hosted portal address, or null (cloud portals have static host access;
 * anything else the background refuses with a parse error).
 */
function selfHostedOrigin(text: string): string | null {
  try {
    const url = new URL(text.trim());
    return url.protocol === 'https:' && !isCloudPortalHost(url.hostname) ? url.origin : null;
  } catch {
    return null;
  }
}

function save(url: string): Promise<WebhookCheck> {
  // The permission request must be the handler's first await: browsers honour it only within the click (X11, W11).
  const origin = selfHostedOrigin(url);
  const access = origin ? browser.permissions.request({ origins: [`${origin}/*`] }).catch(() => false) : null;
  return (async () => {
    await access; // refused access comes back from the background as a `host-access` error
    try {
      return await sendToBackground({ type: 'saveWebhook', url });
    } catch {
      return { ok: false, error: { kind: 'no-reply' }, portal: origin ?? '', maskedWebhook: '' } as const;
    }
  })();
}

async function remove(portal: string): Promise<PortalInfo[]> {
  return sendToBackground({ type: 'removeWebhook', portal });
}

function App() {
  const [portals, setPortals] = useState<Record<string, PortalInfo>>({});
  useEffect(() => {
    const unwatch = portalsItem.watch(setPortals);
    portalsItem.getValue().then(setPortals);
    return unwatch;
  }, []);
  const list = Object.values(portals).sort((a, b) => a.portal.localeCompare(b.portal));
  return <Options portals={list} onSave={save} onRemove={remove} />;
}

document.title = i18n.t('options.title');
render(<App />, document.getElementById('app')!);
