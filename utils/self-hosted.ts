import { browser } from 'wxt/browser';
import { hasHostAccess, hostPattern, portalTabs } from './host-access';
import { isCloudPortalHost } from './portal-hosts';

/**
 * Self-hosted ("box") Bitrix24 portals live on any domain, so the manifest can't name them: the Pin all content
 * script is registered for each such portal at run time, once the browser grants access to its origin, and
 * unregistered when the portal is removed or access is revoked. Cloud portals are in the manifest.
 */

/** The built content script (WXT names it after `entrypoints/content/`). */
export const CONTENT_SCRIPT = '/content-scripts/content.js';
/** Prefix of the registration IDs this module owns: `portal:crm.example.org`. */
const ID_PREFIX = 'portal:';

const idOf = (portal: string) => `${ID_PREFIX}${new URL(portal).host}`;
const isSelfHosted = (portal: string) => !isCloudPortalHost(new URL(portal).hostname);

/**
 * Brings the registered content scripts in step with the configured self-hosted portals the browser lets the
 * extension reach. Safe to call any time (install, start-up, save, remove, permission changes); never throws.
 * @param portals origins of every configured portal (cloud ones are ignored).
 * @returns the origins that have a registration after the call.
 */
export async function syncSelfHostedScripts(portals: string[]): Promise<string[]> {
  try {
    const wanted: string[] = [];
    for (const portal of portals.filter(isSelfHosted)) if (await hasHostAccess(portal)) wanted.push(portal);
    const registered = (await browser.scripting.getRegisteredContentScripts())
      .map((s) => s.id)
      .filter((id) => id.startsWith(ID_PREFIX));
    const wantedIds = new Set(wanted.map(idOf));
    const stale = registered.filter((id) => !wantedIds.has(id));
    if (stale.length > 0) await browser.scripting.unregisterContentScripts({ ids: stale });
    const missing = wanted.filter((portal) => !registered.includes(idOf(portal)));
    if (missing.length > 0) {
      await browser.scripting.registerContentScripts(
        missing.map((portal) => ({
          id: idOf(portal),
          matches: [hostPattern(portal)],
          js: [CONTENT_SCRIPT],
          allFrames: true,
          runAt: 'document_idle' as const,
          persistAcrossSessions: true,
        })),
      );
    }
    return wanted;
  } catch {
    return [];
  }
}

/**
 * Puts the content script into tabs of a portal that were open before it was added (a registration only applies
 * to pages loaded after it). The script itself keeps one control per document, so a second run is harmless.
 */
export async function injectIntoOpenTabs(portal: string): Promise<void> {
  try {
    const tabs = await portalTabs(portal);
    await Promise.allSettled(
      tabs
        .filter((tab) => tab.id !== undefined)
        .map((tab) =>
          browser.scripting.executeScript({
            target: { tabId: tab.id!, allFrames: true },
            files: [CONTENT_SCRIPT],
          }),
        ),
    );
  } catch {
    // No access any more: nothing to inject into.
  }
}
