import { isCloudPortalHost } from '../portal-hosts';
import type { WebhookParseErrorKind } from '../portals';

/**
 * An inbound webhook in canonical form. Source of the URL forms: `docs/bitrix24.md`, "Webhook URL forms"
 * (b24restdocs `local-integrations/local-webhooks.md`).
 */
export interface Webhook {
  /** Portal origin, lower-case punycode host, e.g. `https://acme.bitrix24.com` (a port only when not 443). */
  portal: string;
  /** The user who created the webhook: dialogs are pinned to this user. */
  userId: number;
  /** The webhook code. A password. */
  secret: string;
  /** `https://HOST/rest/USER_ID/SECRET/`: methods are appended to it. */
  base: string;
}

/** The shape operators are shown when a pasted text is refused. */
export const WEBHOOK_SHAPE = 'https://your-portal.bitrix24.com/rest/USER_ID/WEBHOOK_CODE/';

export type ParsedWebhook =
  | { ok: true; webhook: Webhook; upgradedToHttps: boolean }
  | { ok: false; error: WebhookParseErrorKind };

const USER_ID = /^[1-9]\d{0,9}$/;
const SECRET = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Parses whatever an operator pasted into a canonical webhook, or says why it is not one. Never throws.
 *
 * Accepts: spaces and newlines around it, no scheme, upper-case, Unicode or
 * punycode hosts, a trailing dot on the host, `http://` on cloud hosts (upgraded to https), the REST v3 form
 * `/rest/api/USER_ID/SECRET/`, a method already on the end (`…/profile.json`, `…/profile/`), query strings and
 * fragments. Refuses: no user ID (`/rest/SECRET/`), no secret, another path, credentials in the URL, and plain
 * http on a self-hosted host (HTTPS only: the secret would travel in clear text).
 */
export function parseWebhook(input: string): ParsedWebhook {
  const text = input.trim();
  if (!text) return { ok: false, error: 'empty' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, error: 'not-url' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, error: 'not-url' };
  if (url.username || url.password) return { ok: false, error: 'has-credentials' };
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (!host || host.includes('..')) return { ok: false, error: 'not-url' };

  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (segments[0]?.toLowerCase() !== 'rest') return { ok: false, error: 'not-rest-path' };
  let i = 1;
  if (segments[i]?.toLowerCase() === 'api' && USER_ID.test(segments[i + 1] ?? '')) i++;
  const userId = segments[i];
  const secret = segments[i + 1];
  if (!userId || !USER_ID.test(userId)) return { ok: false, error: 'no-user-id' };
  if (!secret || !SECRET.test(secret)) return { ok: false, error: 'no-secret' };

  let upgradedToHttps = false;
  if (url.protocol === 'http:') {
    if (!isCloudPortalHost(host)) return { ok: false, error: 'not-https' };
    upgradedToHttps = true;
  }
  const port = url.port && !(upgradedToHttps && url.port === '80') ? `:${url.port}` : '';
  const portal = `https://${host}${port}`;
  return {
    ok: true,
    upgradedToHttps,
    webhook: { portal, userId: Number(userId), secret, base: `${portal}/rest/${userId}/${secret}/` },
  };
}

/**
 * The webhook with its secret masked, for display: `https://acme.bitrix24.com/rest/7/ab••••yz/`.
 * Shows at most 4 of the secret's characters, none when it is shorter than 12.
 */
export function maskWebhook(webhook: Webhook): string {
  const s = webhook.secret;
  const masked = s.length >= 12 ? `${s.slice(0, 2)}${'•'.repeat(6)}${s.slice(-2)}` : '•'.repeat(8);
  return `${webhook.portal}/rest/${webhook.userId}/${masked}/`;
}

/**
 * Portal origin of a page URL (`https://acme.bitrix24.com/online/?IM_LINES=1` → `https://acme.bitrix24.com`), with
 * the host normalised like {@link parseWebhook} does; `null` for anything that is not an https URL.
 */
export function portalOfUrl(pageUrl: string | undefined): string | null {
  if (!pageUrl) return null;
  try {
    const url = new URL(pageUrl);
    if (url.protocol !== 'https:') return null;
    return `https://${url.hostname.toLowerCase().replace(/\.+$/, '')}${url.port ? `:${url.port}` : ''}`;
  } catch {
    return null;
  }
}

/** Why a typed portal address is not usable; nothing was sent. */
export type PortalAddressError = 'empty' | 'not-url' | 'not-https';

/**
 * Reads the address of a portal the operator typed (`crm.example.org`, `https://crm.example.org/online/`…) as the
 * portal's origin, `https://crm.example.org` (a port is kept). A missing scheme means HTTPS; `http://` is refused:
 * the login's cookie and token would travel in clear text. User and password parts are refused as not a portal
 * address.
 * @returns `{ ok: true, portal }` or `{ ok: false, kind }` ({@link PortalAddressError}).
 */
export function parsePortalAddress(
  input: string,
): { ok: true; portal: string } | { ok: false; kind: PortalAddressError } {
  const text = input.trim();
  if (!text) return { ok: false, kind: 'empty' };
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[^/:]+:\d+(\/|$)/.test(text);
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `https://${text}`);
  } catch {
    return { ok: false, kind: 'not-url' };
  }
  if (url.protocol === 'http:') return { ok: false, kind: 'not-https' };
  if (url.protocol !== 'https:' || url.username || url.password || /\s/.test(text))
    return { ok: false, kind: 'not-url' };
  // A host name of letters, digits, hyphens and underscores (IDN in punycode), or an IPv6 literal: engines differ
  // on others (Node keeps `*`, Chromium escapes it), and no portal has one.
  const host = url.hostname.toLowerCase().replace(/\.+$/, '');
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9_-]+(\.[a-z0-9_-]+)*)$/.test(host)) return { ok: false, kind: 'not-url' };
  const portal = portalOfUrl(url.href);
  return portal ? { ok: true, portal } : { ok: false, kind: 'not-url' };
}
