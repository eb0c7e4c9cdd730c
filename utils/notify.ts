import { browser } from 'wxt/browser';
import { t } from './i18n';
import { type PinOutcome, pinnedCount } from './outcome';
import { badgeText, outcomeText } from './outcome-text';
import { effectiveSettings, readPolicy } from './policy';

/** Icon of every notification: Firefox shows none without one. */
const NOTIFICATION_ICON = '/icon/128.png' as const;

/**
 * Whether this build's browser shows notification buttons: Chromium does (`buttons`, `onButtonClicked`), Firefox
 * supports none and must never be passed `buttons`.
 */
export const NOTIFICATION_BUTTONS: boolean = import.meta.env.BROWSER !== 'firefox';

/**
 * Shows an outcome as an OS notification (id = outcome id) and on the toolbar badge.
 * Only `type`, `iconUrl`, `title` and `message` are passed (Firefox supports nothing else); in Chromium a pin
 * that pinned something also gets one button, "Undo" (its click: `onNotificationButton`), unless the organisation
 * turned Undo off. A failure of the
 * notification (OS or browser suppresses it) is swallowed: the outcome is still in the history, on the badge,
 * the control and the popup.
 */
export async function presentOutcome(outcome: PinOutcome): Promise<void> {
  const badge = badgeText(outcome);
  await Promise.allSettled([
    browser.action.setBadgeText({ text: badge.text }),
    browser.action.setBadgeBackgroundColor({ color: badge.color }),
  ]);
  const { title, message } = outcomeText(outcome);
  // No Undo button when the organisation turned Undo off (`undoMinutes: 0` or `hideHistory`, utils/policy.ts).
  const undoOn =
    NOTIFICATION_BUTTONS &&
    (await readPolicy().then((r) => effectiveSettings(r.policy, { useLogin: true }).undoMinutes > 0));
  try {
    await browser.notifications.create(outcome.id, {
      type: 'basic',
      iconUrl: browser.runtime.getURL(NOTIFICATION_ICON),
      title,
      message: outcome.ok && pinnedCount(outcome) === 0 ? new URL(outcome.portal).host : message,
      ...(undoOn && outcome.action === 'pin' && pinnedCount(outcome) > 0
        ? { buttons: [{ title: t('undoButton') }] }
        : {}),
    });
  } catch {
    // Notifications unavailable: the other surfaces still show the outcome.
  }
}

/** Says why an Undo from a notification button did nothing (a basic notification, no buttons). Never rejects. */
export async function notifyText(id: string, title: string, message: string): Promise<void> {
  try {
    await browser.notifications.create(id, {
      type: 'basic',
      iconUrl: browser.runtime.getURL(NOTIFICATION_ICON),
      title,
      message,
    });
  } catch {
    // Notifications unavailable: nothing else to say it with.
  }
}
