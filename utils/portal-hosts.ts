/**
 * Top-level domains of Bitrix24 cloud portals (`NAME.bitrix24.TLD`), as confirmed by first-party sources
 * (`shared/bitrix24-rest.md`, "Webhook URL forms").
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
