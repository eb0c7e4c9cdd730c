import type { B24Error } from './bitrix24/errors';

/** The Bitrix24 user a webhook acts as (the user who created it), from the `profile` method. */
export interface WebhookUser {
  id: number;
  name: string;
  lastName: string;
  /** `ADMIN` from `profile`: a portal administrator. */
  admin: boolean;
}

/** The user the operator's login acts as on a portal (from `profile` called through the login). */
export interface LoginUser {
  id: number;
  name: string;
  lastName: string;
  /** When it was read, ms since epoch. */
  at: number;
}

/** What the extension knows about a configured portal, without the secret. Safe for any extension page. */
export interface PortalInfo {
  /** Portal origin, e.g. `https://acme.bitrix24.com`. */
  portal: string;
  /** The webhook with its secret masked, e.g. `https://acme.bitrix24.com/rest/7/abc…xyz/`. */
  maskedWebhook: string;
  /** Who the webhook acts as, when the last check could tell. */
  user: WebhookUser | null;
  /** `broken` after the portal refused the webhook (wrong, deleted, scope missing); fixed by saving again. */
  status: 'ok' | 'broken';
  /** When the webhook was saved, ms since epoch. */
  savedAt: number;
}

/**
 * The answer to checking (and possibly saving) a pasted webhook URL.
 * `parse` errors come from the URL itself (nothing was sent); `error` from the portal's answer; `refusedBy:
 * 'policy'` when the organisation allows no webhooks (`signIn: "login"`, `utils/policy.ts`): nothing was sent or
 * saved.
 */
export type WebhookCheck =
  | { ok: true; portal: PortalInfo; saved: boolean }
  | { ok: false; refusedBy: 'policy' }
  | { ok: false; parseError: WebhookParseErrorKind; expected: string }
  | { ok: false; error: B24Error; portal: string; maskedWebhook: string };

/** Why a pasted text is not a usable webhook URL, found without sending anything. */
export type WebhookParseErrorKind =
  | 'empty'
  | 'not-url'
  | 'not-rest-path'
  | 'no-user-id'
  | 'no-secret'
  | 'not-https'
  | 'has-credentials';

/**
 * The answer to adding a self-hosted portal for the login (`addSelfHostedPortal`): `cloud` when the address is a cloud
 * portal, which needs nothing added; `host-access` when the browser does not let the extension reach it; the
 * address errors of `parsePortalAddress` (`utils/bitrix24/webhook.ts`); `no-reply` when the background did not
 * answer the options page.
 */
export type SelfHostedPortalCheck =
  | { ok: true; portal: string; cloud: boolean }
  | { ok: false; kind: 'host-access'; portal: string }
  | { ok: false; kind: 'empty' | 'not-url' | 'not-https' | 'no-reply' };
