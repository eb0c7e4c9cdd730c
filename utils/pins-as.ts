import { t } from './i18n';
import type { LoginUser, WebhookUser } from './portals';

/**
 * Whom a pin on a portal acts as, in one line, for the popup, the options page and the control's tooltip: the
 * webhook's creator when a webhook is saved (it is used), else the operator's own login.
 */
export interface PinsAs {
  /** The saved webhook's user; null when the last check could not tell; undefined when no webhook is saved. */
  webhookUser?: WebhookUser | null;
  /** The user the login acts as, when read (from `profile` through the login); null/undefined when not known. */
  loginUser?: LoginUser | null;
  /** The setting "Use my Bitrix24 login when no webhook is saved". */
  useLogin: boolean;
}

const fullName = (u: { name: string; lastName: string; id: number }) =>
  `${u.name} ${u.lastName}`.trim() || `#${u.id}`;

/**
 * "Pins as Jane Doe (ID 7) — your webhook; you are logged in as John Roe (ID 12)", "Pins as John Roe (ID 12) —
 * your Bitrix24 login", or "Pins as you — your Bitrix24 login" before the login's user is known.
 * @returns the line, or null when nothing can be said (a webhook whose user is unknown; login path switched off).
 */
export function pinsAsText({ webhookUser, loginUser, useLogin }: PinsAs): string | null {
  if (webhookUser !== undefined) {
    if (!webhookUser) return null;
    if (loginUser && loginUser.id !== webhookUser.id) {
      return t('login.pins_as_both', [
        fullName(webhookUser),
        webhookUser.id,
        fullName(loginUser),
        loginUser.id,
      ]);
    }
    return t('login.pins_as_webhook', [fullName(webhookUser), webhookUser.id]);
  }
  if (!useLogin) return null;
  return loginUser ? t('login.pins_as_login', [fullName(loginUser), loginUser.id]) : t('login.pins_as_you');
}
