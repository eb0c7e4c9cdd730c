/**
 * Top-level domains of Bitrix24 cloud portals (`NAME.bitrix24.TLD`), as confirmed by first-party sources
 * (`docs/bitrix24.md`, "Webhook URL forms").
 */
export const CLOUD_TLDS = [
  'com',
  'ru',
  'de',
  'eu',
  'es',
  'fr',
  'it',
  'pl',
  'com.br',
  'in',
  'jp',
  'cn',
  'vn',
  'com.tr',
  'id',
  'ua',
  'by',
  'kz',
] as const;

/** Match patterns for every page of every cloud portal, e.g. `https://*.bitrix24.com/*`. */
export const CLOUD_PORTAL_MATCHES: string[] = CLOUD_TLDS.map((tld) => `https://*.bitrix24.${tld}/*`);

/**
 * Whether a host name (lower-case, punycode, no port) is a Bitrix24 cloud portal: `NAME.bitrix24.TLD`
 * with one of {@link CLOUD_TLDS}.
 */
export function isCloudPortalHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return CLOUD_TLDS.some((tld) => {
    const suffix = `.bitrix24.${tld}`;
    return h.endsWith(suffix) && h.length > suffix.length && !h.slice(0, -suffix.length).includes('..');
  });
}

/** The self-hosted portals the extension knows, by origin, from each place that names them. */
export interface KnownSelfHosted {
  /** Portals with a saved webhook. */
  configured: readonly string[];
  /** Portals the operator added to pin through the login. */
  selfHosted: readonly string[];
  /** The organisation's portals (the `portals` policy). */
  organisation: readonly string[];
}

/**
 * Whether an origin is a portal the extension knows: a cloud portal, or a self-hosted one that has a webhook, was
 * added for the login or is named by the organisation. Other origins are never pinned on, even when the history
 * or the last pin names them (a self-hosted portal removed since).
 */
export function isKnownPortal(origin: string, known: KnownSelfHosted): boolean {
  return (
    isCloudPortalHost(new URL(origin).hostname) ||
    known.configured.includes(origin) ||
    known.selfHosted.includes(origin) ||
    known.organisation.includes(origin)
  );
}

/**
 * Labels that name a Bitrix24 or web service, never a customer's portal: a redirect to `auth.bitrix24.com` is a
 * login page, not a renamed portal.
 */
export const SERVICE_LABELS: ReadonlySet<string> = new Set([
  'www',
  'auth',
  'auth2',
  'login',
  'oauth',
  'sso',
  'id',
  'api',
  'rest',
  'my',
  'account',
  'accounts',
  'admin',
  'help',
  'helpdesk',
  'support',
  'docs',
  'dev',
  'apps',
  'market',
  'marketplace',
  'cdn',
  'static',
  'mail',
  'store',
  'status',
  'blog',
]);

/**
 * Whether a redirect from one portal origin to another is a plausible rename of a cloud portal, the only case the
 * options page offers "Use NEW-HOST" (one click that resends the webhook's secret to the new host): both are
 * `NAME.bitrix24.TLD` of the same TLD, without a port, over https, and the new NAME is one label that is not a
 * service name ({@link SERVICE_LABELS}). Anything else is shown as "the portal redirects to X — check the address".
 */
export function isPlausibleMove(from: string, to: string): boolean {
  let a: URL;
  let b: URL;
  try {
    a = new URL(from);
    b = new URL(to);
  } catch {
    return false;
  }
  if (a.protocol !== 'https:' || b.protocol !== 'https:' || a.port || b.port || a.origin === b.origin)
    return false;
  const family = (host: string) => {
    const h = host.toLowerCase().replace(/\.$/, '');
    if (!isCloudPortalHost(h)) return null;
    const tld = CLOUD_TLDS.filter((t) => h.endsWith(`.bitrix24.${t}`)).sort(
      (x, y) => y.length - x.length,
    )[0]!;
    return { name: h.slice(0, -`.bitrix24.${tld}`.length), tld };
  };
  const old = family(a.hostname);
  const next = family(b.hostname);
  if (!old || !next || old.tld !== next.tld) return false;
  return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(next.name) && !SERVICE_LABELS.has(next.name);
}
