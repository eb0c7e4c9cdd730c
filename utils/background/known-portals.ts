import type { BackgroundStorage } from './deps';
import type { Settings } from './settings';

/**
 * The origins of every portal the background knows besides the cloud ones the manifest covers: those with a saved
 * webhook, the self-hosted ones added for the login, and the organisation's (the `portals` policy). Each appears
 * once. `configured` and `selfHosted` stand in for the stored lists when the caller has just written them.
 * @returns origins such as `https://crm.example.org`.
 */
export async function readKnownPortals(
  storage: Pick<BackgroundStorage, 'portals' | 'selfHostedPortals'>,
  settings: Settings,
  fresh: { configured?: string[]; selfHosted?: string[] } = {},
): Promise<string[]> {
  const [configured, selfHosted, { portals: organisation }] = await Promise.all([
    fresh.configured ?? storage.portals.getValue().then(Object.keys),
    fresh.selfHosted ?? storage.selfHostedPortals.getValue(),
    settings(),
  ]);
  return [...new Set([...configured, ...selfHosted, ...organisation])];
}
