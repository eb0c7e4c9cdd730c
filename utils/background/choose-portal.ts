import { browser } from 'wxt/browser';
import { portalOfUrl } from '../bitrix24/webhook';
import type { BackgroundStorage } from './deps';

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
}

/**
 * THE rule that picks the portal the popup shows and pins on, and the `pin-all` shortcut pins on. The first of
 * these that is a configured portal wins:
 *
 * | # | candidate                              |
 * |---|----------------------------------------|
 * | 1 | the portal the operator picked         |
 * | 2 | the active tab's portal                |
 * | 3 | the portal pinned on last              |
 * | 4 | the first configured portal, by origin |
 *
 * An unconfigured origin is never chosen: with no portal configured the answer is null (the pin then says how to
 * set one up). Pure; table-tested in `test/unit/choose-portal.test.ts`.
 */
export function pickPortal(input: PortalChoiceInput): string | null {
  const configured = new Set(input.configured);
  const known = (p: string | null | undefined): p is string => !!p && configured.has(p);
  return [input.requested, input.active, input.last].find(known) ?? [...configured].sort()[0] ?? null;
}

/** Creates the background's portal choice: {@link pickPortal} over the stored portals and the active tab. */
export function createChoosePortal(storage: Pick<BackgroundStorage, 'portals' | 'lastPortal'>) {
  return async function choosePortal(requested?: string): Promise<string | null> {
    const configured = Object.keys(await storage.portals.getValue());
    const [tab] = await browser.tabs.query({ active: true, lastFocusedWindow: true }).catch(() => []);
    const last = await storage.lastPortal.getValue();
    return pickPortal({ requested, active: portalOfUrl(tab?.url), last, configured });
  };
}
