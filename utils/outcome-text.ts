import type { B24Error } from './bitrix24/errors';
import type { UndoRefusal } from './bitrix24/unpin';
import { messageLocale, plural, t } from './i18n';
import { type PinAction, type PinOutcome, pinnedCount, type SessionFailure } from './outcome';
import { isPlausibleMove } from './portal-hosts';

/** Longest notification message that no platform cuts (about 120 characters). */
export const NOTIFICATION_MESSAGE_MAX = 120;

/** The operator-facing text of one outcome, as every surface shows it. */
export interface OutcomeText {
  /** Short headline: "Pinned 2 dialogs", "Nothing to pin…", "Pin all failed". */
  title: string;
  /** One line: the IDs (shortened to fit {@link NOTIFICATION_MESSAGE_MAX}) or what to do about the error. */
  message: string;
}

/**
 * The localized, actionable message for an error kind; what every surface shows for a failure.
 * @param movedFrom the portal that answered, for `portal-moved`: a redirect that is not a plausible rename of it
 *   (`isPlausibleMove`) is shown as "the portal redirects to X — check the address".
 */
export function errorMessage(error: B24Error, movedFrom?: string): string {
  if (error.kind === 'operation-limit') {
    return error.resetAt
      ? t('error.operation_limit', [
          new Date(error.resetAt).toLocaleTimeString(messageLocale(), { hour: '2-digit', minute: '2-digit' }),
        ])
      : t('error.operation_limit_unknown');
  }
  if (error.kind === 'unknown-error')
    return t('error.unknown_error', [error.code ?? String(error.status ?? '?')]);
  if (error.kind === 'portal-moved') {
    if (!error.movedTo) return t('error.portal_moved_unknown');
    return movedFrom && !isPlausibleMove(movedFrom, error.movedTo)
      ? t('error.portal_redirects', [new URL(error.movedTo).host])
      : t('error.portal_moved', [error.movedTo]);
  }
  return t(`error.${error.kind.replaceAll('-', '_')}`);
}

/**
 * Lists session IDs in at most `max` characters: "1652, 1653" or "1, 2, 3 +497 more".
 * Always shows at least the first ID when there is one. Only the IDs that can fit are joined, so 10,000 IDs cost
 * no more than 10.
 * @param total how many IDs there are in all, when `ids` holds only the first ones (a compacted outcome).
 */
export function idList(ids: readonly number[], max: number, total = ids.length): string {
  const head = ids.slice(0, Math.ceil(max / 2));
  const all = head.join(', ');
  if (head.length === total && all.length <= max) return all;
  let shown = 1;
  const fits = (n: number) => `${head.slice(0, n).join(', ')} ${t('pinned.more', [total - n])}`.length <= max;
  while (shown + 1 < head.length && fits(shown + 1)) shown++;
  return `${head.slice(0, shown).join(', ')} ${t('pinned.more', [total - shown])}`;
}

/** Message keys of each action: headline with plural forms, the "nothing done" line, the failure headline. */
const ACTION_KEYS: Record<PinAction, { title: string; zero: string; failed: string }> = {
  pin: { title: 'pinned.title', zero: 'pinned.zero', failed: 'failedTitle' },
  'unpin-all': { title: 'unpinned.title', zero: 'unpinned.zero', failed: 'unpinned.failed' },
  undo: { title: 'undo.title', zero: 'undo.zero', failed: 'undo.failed' },
};

/**
 * Why some sessions of an Undo were not unpinned, as the end of "3 of 40 could not be unpinned: …": the
 * one-dialog kinds have their own words, every other kind its error message.
 */
export function sessionReason(failure: SessionFailure): string {
  const kind = failure.error.kind;
  if (kind === 'not-your-dialog' || kind === 'dialog-gone' || kind === 'access-denied')
    return t(`undo.reason.${kind.replaceAll('-', '_')}`);
  return errorMessage(failure.error);
}

/**
 * The failures and unknowns of an Undo, one line per reason: "3 of 40 could not be unpinned: they now belong to
 * another operator", "25 of 40 may or may not be unpinned: no reply". Empty for a complete success.
 */
export function partialLines(outcome: PinOutcome): string[] {
  if (!outcome.ok) return [];
  const failed = outcome.failed ?? [];
  const unsure = outcome.unsure ?? [];
  const total = pinnedCount(outcome) + failed.length + unsure.length;
  const byReason = new Map<string, number>();
  for (const f of failed) {
    const reason = sessionReason(f);
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }
  const lines = [...byReason].map(([reason, n]) => plural('undo.not_unpinned', n, [n, total, reason]));
  if (unsure.length) lines.push(plural('undo.unsure', unsure.length, [unsure.length, total]));
  return lines;
}

/**
 * Title and message of an outcome, with the message kept within {@link NOTIFICATION_MESSAGE_MAX} characters.
 * Success: "Pinned 2 dialogs" / "Unpinned 2 dialogs" / "Undone: unpinned 2 dialogs" and the IDs; nothing done: the
 * action's "Nothing to …" line; an Undo with failures: the first reason line; failure: "Pin all failed" (or the
 * action's) and the error's message.
 */
export function outcomeText(outcome: PinOutcome): OutcomeText {
  const keys = ACTION_KEYS[outcome.action] ?? ACTION_KEYS.pin;
  if (!outcome.ok) {
    // A shortcut pressed before any portal is configured has no portal to name.
    const nothingSetUp = outcome.error.kind === 'no-webhook' && !outcome.portal;
    return {
      title: t(keys.failed),
      message: nothingSetUp ? t('error.no_webhook_any') : errorMessage(outcome.error, outcome.portal),
    };
  }
  const n = pinnedCount(outcome);
  const partial = partialLines(outcome);
  if (partial.length) {
    return { title: plural(keys.title, n), message: cut(partial.join(' '), NOTIFICATION_MESSAGE_MAX) };
  }
  if (n === 0) return { title: t(keys.zero), message: t(keys.zero) };
  // IDs withheld by the organisation's policy (hideHistory): the count is all there is.
  if (outcome.sessionIds.length === 0)
    return { title: plural(keys.title, n), message: t('policy.ids_not_kept') };
  return { title: plural(keys.title, n), message: idList(outcome.sessionIds, NOTIFICATION_MESSAGE_MAX, n) };
}

/** Cuts a text to `max` characters with an ellipsis. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** One line for a notification or a control: "Pinned 2 dialogs: 1652, 1653" (cut to the message budget). */
export function outcomeLine(outcome: PinOutcome): string {
  const { title, message } = outcomeText(outcome);
  if (outcome.ok && partialLines(outcome).length) return `${title}. ${message}`;
  if (outcome.ok && outcome.sessionIds.length > 0) {
    const max = Math.max(20, NOTIFICATION_MESSAGE_MAX - title.length - 2);
    return `${title}: ${idList(outcome.sessionIds, max, pinnedCount(outcome))}`;
  }
  return outcome.ok ? title : message;
}

/** Why an Undo did nothing, in the operator's words. */
export function undoRefusalText(refusal: UndoRefusal): string {
  return t(`undo.refused.${refusal.replaceAll('-', '_')}`);
}

/**
 * Toolbar badge for an outcome: the pinned count ("999+" above), "0", or "!" for a failure; the count of unpinned
 * dialogs with a minus ("-12") for Unpin all and Undo, and "!" for an Undo that left some pinned or unknown.
 */
export function badgeText(outcome: PinOutcome): { text: string; color: string } {
  if (!outcome.ok || partialLines(outcome).length) return { text: '!', color: '#d0021b' };
  const n = pinnedCount(outcome);
  if (outcome.action !== 'pin') return { text: n > 999 ? '-999' : n ? `-${n}` : '0', color: '#828b95' };
  return { text: n > 999 ? '999+' : String(n), color: n > 0 ? '#2fc6f6' : '#828b95' };
}
