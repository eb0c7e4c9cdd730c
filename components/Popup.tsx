import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { i18n } from '#i18n';
import type { UndoAnswer } from '@/utils/background/unpin-service';
import { type ErrorKind, WEBHOOK_BROKEN } from '@/utils/bitrix24/errors';
import { undoTarget } from '@/utils/bitrix24/unpin';
import { messageLocale, plural } from '@/utils/i18n';
import { type PinOutcome, pinnedCount, withoutSessionIds } from '@/utils/outcome';
import { errorMessage, outcomeText, partialLines, undoRefusalText } from '@/utils/outcome-text';
import type { PortalInfo } from '@/utils/portals';

/** How many earlier outcomes the popup lists under the last one. */
export const POPUP_HISTORY_SIZE = 5;

/** Error kinds the operator fixes in the options page; the popup offers "Open options" next to them. */
const FIXED_IN_OPTIONS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  ...WEBHOOK_BROKEN,
  'no-webhook',
  'portal-moved',
  'host-access',
]);

/** Props of {@link Popup}. */
export interface PopupProps {
  /** Configured portals (no secrets), in display order. */
  portals: PortalInfo[];
  /**
   * Portals without a webhook that Pin all can reach through the operator's login (open in a tab, or pinned on
   * before), when that setting is on. Listed after the configured ones.
   */
  loginPortals?: string[];
  /** The setting "Use my Bitrix24 login when no webhook is saved" (decides what the popup says with no portal). */
  useLogin?: boolean;
  /** Whom a pin on the selected portal acts as ("Pins as Jane Doe (ID 7) — your Bitrix24 login"). */
  pinsAs?: string | null;
  /** Origin of the portal Pin all acts on; `null` only when no portal is known. */
  selectedPortal: string | null;
  /** The operator picked another portal in the select (shown when several portals are configured). */
  onSelectPortal: (portal: string) => void;
  /**
   * Pins all dialogs on `portal`. Resolves with the outcome; must not reject (turn failures into an outcome).
   * The popup shows a busy state until it settles and ignores further clicks meanwhile.
   */
  onPin: (portal: string | undefined) => Promise<PinOutcome>;
  /**
   * Unpins every pinned dialog on `portal`; called only after the operator confirmed. Resolves with the outcome;
   * must not reject. The Unpin all button is hidden when absent.
   */
  onUnpinAll?: (portal: string | undefined) => Promise<PinOutcome>;
  /**
   * Takes back the pin `pinId` on `portal` (the newest pin, within its window). Resolves with the Undo's outcome
   * or why it did nothing; must not reject. The Undo button is hidden when absent.
   */
  onUndo?: (portal: string | undefined, pinId: string) => Promise<UndoAnswer>;
  /** Open straight on the Unpin all confirmation (the `unpin-all` command opens the popup so). */
  askUnpinAll?: boolean;
  /** Called when the confirmation opened by {@link PopupProps.askUnpinAll} is cancelled. */
  onAskCancelled?: () => void;
  /** Wall clock, ms since epoch (decides whether Undo is still offered); defaults to `Date.now`. */
  now?: () => number;
  /** Stored outcomes, newest first (the background's history). */
  history: PinOutcome[];
  /**
   * The shortcut bound to the `pin-all` command, e.g. `Alt+Shift+P`; `''` or `null` when none is bound;
   * `undefined` while not known yet (nothing is shown).
   */
  shortcut: string | null | undefined;
  /** `'firefox'` or a Chromium browser name; decides how to explain setting a shortcut. */
  browserName: string;
  /**
   * Whether the browser lets the extension reach the selected portal (Firefox lets users withhold host access);
   * `undefined` while unknown. When false the popup offers "Grant access".
   */
  hasAccess?: boolean;
  /** The selected portal is one the organisation names by policy: missing access is "required by your organisation". */
  accessRequiredByOrganisation?: boolean;
  /**
   * The organisation keeps no history of session IDs (policy `hideHistory`): the popup shows only the last
   * outcome's count, no IDs and no earlier outcomes.
   */
  hideHistory?: boolean;
  /** How long Undo is offered after a pin, ms (the `undoMinutes` policy); the default window when absent. */
  undoWindowMs?: number;
  /** Asks the browser for access to the selected portal (the handler's first call must be the request). */
  onGrantAccess?: () => void;
  /** Opens the options page. */
  onOpenOptions: () => void;
  /** Opens the browser's shortcut settings, where the browser allows it; the button is hidden when absent. */
  onOpenShortcutSettings?: () => void;
  /**
   * Puts text on the clipboard (the "Copy IDs" buttons); rejects when the browser refuses. The buttons are hidden
   * when absent.
   */
  onCopy?: (text: string) => Promise<void>;
  /**
   * The signature of the active portal tab's page (`signatureText`) when that page shows no Pin all control: the
   * popup then offers "The Pin all button is missing on this page" with a button to copy it. `null` or absent
   * when the page shows the control, or is not a portal page the extension can ask.
   */
  missingControlSignature?: string | null;
}

/** The text "Copy IDs" puts on the clipboard: the IDs as the popup shows them, comma-separated. */
export function idsText(ids: readonly number[]): string {
  return ids.join(', ');
}

/** How many IDs an ID list renders at first, and then per idle callback until all are shown. */
export const IDS_PER_CHUNK = 1_000;

/** Runs `callback` when the browser is idle (a timeout where `requestIdleCallback` is missing); returns a canceller. */
function whenIdle(callback: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(callback, { timeout: 100 });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(callback, 0);
  return () => clearTimeout(id);
}

/**
 * Every ID, as one comma-separated text, however many (the notification shows "+N more", the popup the whole
 * list). Rendered in blocks of {@link IDS_PER_CHUNK} IDs, the first at once and each next one in an idle callback,
 * each block's text built once: what the popup renders before its first paint does not grow with the number of
 * IDs. Ten thousand IDs laid out as one text made a 64–85 ms long task while the popup opened (bench row
 * "10,000-ID popup: longest task"), during which a click waited. The text is the same as {@link idsText}, which
 * "Copy IDs" copies.
 */
function IdList(props: { ids: readonly number[]; class: string }) {
  const { ids } = props;
  const [shown, setShown] = useState(() => Math.min(ids.length, IDS_PER_CHUNK));
  useEffect(() => {
    if (shown >= ids.length) return;
    return whenIdle(() => setShown((n) => Math.min(ids.length, n + IDS_PER_CHUNK)));
  }, [shown, ids]);
  const texts = useMemo<string[]>(() => [], [ids]);
  const chunks: string[] = [];
  for (let start = 0, i = 0; start < shown; start += IDS_PER_CHUNK, i++) {
    const end = Math.min(ids.length, start + IDS_PER_CHUNK);
    // The separator ends a block rather than starting the next, so no line starts with a comma.
    texts[i] ??= idsText(ids.slice(start, end)) + (end < ids.length ? ', ' : '');
    chunks.push(texts[i] as string);
  }
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex lint/a11y/useSemanticElements: a scrollable list must be reachable by keyboard; a group, not a fieldset (no form, and a fieldset breaks overflow wrapping)
    <div class={props.class} role="group" tabIndex={0} aria-label={i18n.t('popup.ids_label')}>
      {chunks.map((text, i) => (
        <span key={i} class="id-chunk">
          {text}
        </span>
      ))}
    </div>
  );
}

/** The live region's line for an outcome: its headline, and for a failure what to do (the IDs are on screen). */
function announce(outcome: PinOutcome): string {
  const { title, message } = outcomeText(outcome);
  return outcome.ok ? title : `${title}. ${message}`;
}

/** `https://acme.bitrix24.com` → `acme.bitrix24.com`. */
export function portalHost(portal: string): string {
  try {
    return new URL(portal).host;
  } catch {
    return portal;
  }
}

/** "14:05" today, otherwise a short date and time. */
function formatTime(at: number): string {
  const date = new Date(at);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString(messageLocale(), { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(messageLocale(), {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      });
}

/**
 * The toolbar popup: a big Pin all button for the selected portal, the last outcome with every pinned ID,
 * recent outcomes, the `pin-all` shortcut or how to set one, and the way to the options page.
 * Pure: all browser access happens through the props.
 */
export function Popup(props: PopupProps) {
  const { selectedPortal, history } = props;
  const configured = props.portals.map((p) => p.portal);
  const portals = [...configured, ...(props.loginPortals ?? []).filter((p) => !configured.includes(p))];
  const [busyWith, setBusyWith] = useState<'pin' | 'unpin' | 'undo' | null>(null);
  const busy = busyWith !== null;
  const [latest, setLatest] = useState<PinOutcome | null>(null);
  const [confirming, setConfirming] = useState(Boolean(props.askUnpinAll));
  const [undoNote, setUndoNote] = useState('');
  const inFlight = useRef(false);
  const unpinButton = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const now = props.now ?? Date.now;

  /** Runs one action at a time from this popup; the background also queues them per portal. */
  const run = async (which: 'pin' | 'unpin' | 'undo', action: () => Promise<void>) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusyWith(which);
    setUndoNote('');
    try {
      await action();
    } finally {
      inFlight.current = false;
      setBusyWith(null);
    }
  };
  const portalArg = selectedPortal ?? undefined;
  const pin = () =>
    run('pin', async () => {
      setLatest(await props.onPin(portalArg));
    });
  const unpinAll = () => {
    setConfirming(false);
    const onUnpinAll = props.onUnpinAll;
    if (onUnpinAll)
      void run('unpin', async () => {
        setLatest(await onUnpinAll(portalArg));
      });
  };
  const cancelUnpinAll = () => {
    setConfirming(false);
    if (props.askUnpinAll) props.onAskCancelled?.();
    unpinButton.current?.focus();
  };
  const undo = (pinId: string) => {
    const onUndo = props.onUndo;
    if (onUndo)
      void run('undo', async () => {
        const answer = await onUndo(portalArg, pinId);
        if ('outcome' in answer) setLatest(answer.outcome);
        else setUndoNote(undoRefusalText(answer.refused));
      });
  };
  // The safe choice has the focus when the question appears; Escape cancels.
  useEffect(() => {
    if (confirming) cancelButton.current?.focus();
  }, [confirming]);

  // The answer to our own click may arrive before or after the background's history write.
  const newest = history[0];
  const answered = latest && (!newest || latest.at >= newest.at) ? latest : (newest ?? null);
  // Without a history of IDs the answer to our own click shows no IDs either: the popup shows the count.
  const last = answered && props.hideHistory ? withoutSessionIds(answered) : answered;
  const earlier = props.hideHistory
    ? []
    : history.filter((o) => o.id !== last?.id).slice(0, POPUP_HISTORY_SIZE);
  // What a screen reader hears: one short line, not the card with hundreds of IDs (the card is not live).
  const busyText = { pin: i18n.t('pinAllBusy'), unpin: i18n.t('unpinAllBusy'), undo: i18n.t('undoBusy') };
  const announcement = busyWith ? busyText[busyWith] : undoNote || (last ? announce(last) : '');
  // Undo is offered on the last outcome when it is the portal's newest pin, within its window, not undone yet.
  const undoable =
    props.onUndo &&
    last?.action === 'pin' &&
    'pin' in undoTarget(history, last.portal, now(), last.id, props.undoWindowMs)
      ? last.id
      : null;

  return (
    <main class="popup">
      {portals.length === 0 ? (
        <section class="popup-setup" aria-labelledby="popup-setup-title">
          <h1 id="popup-setup-title">{i18n.t('popup.no_portal_title')}</h1>
          <p>{props.useLogin ? i18n.t('login.popup_no_portal') : i18n.t('popup.no_portal_text')}</p>
          <button type="button" class="button button-primary" onClick={props.onOpenOptions}>
            {i18n.t('popup.add_webhook')}
          </button>
        </section>
      ) : (
        <section class="popup-pin" aria-labelledby="popup-title">
          <h1 id="popup-title" class="visually-hidden">
            {i18n.t('extName')}
          </h1>
          <PortalPicker portals={portals} selected={selectedPortal} onSelect={props.onSelectPortal} />
          {props.pinsAs && <p class="pins-as">{props.pinsAs}</p>}
          {props.hasAccess === false && selectedPortal && (
            <div class="notice notice-warning" role="alert">
              <p>
                {props.accessRequiredByOrganisation
                  ? i18n.t('policy.access_required', [portalHost(selectedPortal)])
                  : i18n.t('access.missing', [portalHost(selectedPortal)])}
              </p>
              <button type="button" class="button button-secondary" onClick={props.onGrantAccess}>
                {i18n.t('access.grant')}
              </button>
            </div>
          )}
          <button
            type="button"
            class="button button-primary pin-all"
            aria-disabled={busy}
            aria-busy={busy}
            aria-describedby="popup-pin-hint"
            onClick={pin}
          >
            {busyWith === 'pin' ? i18n.t('pinAllBusy') : i18n.t('pinAll')}
          </button>
          <p id="popup-pin-hint" class="hint">
            {i18n.t('pinAllLabel')}. {i18n.t('pinHint')}
          </p>
          {props.onUnpinAll &&
            (confirming ? (
              <section
                class="confirm"
                aria-labelledby="popup-unpin-ask"
                onKeyDown={(e) => e.key === 'Escape' && cancelUnpinAll()}
              >
                <p id="popup-unpin-ask">{i18n.t('unpinAllAsk')}</p>
                <div class="confirm-buttons">
                  <button type="button" class="button button-danger" onClick={unpinAll}>
                    {i18n.t('unpinAllConfirm')}
                  </button>
                  <button
                    ref={cancelButton}
                    type="button"
                    class="button button-secondary"
                    onClick={cancelUnpinAll}
                  >
                    {i18n.t('cancel')}
                  </button>
                </div>
              </section>
            ) : (
              <button
                ref={unpinButton}
                type="button"
                class="button button-link unpin-all"
                aria-label={i18n.t('unpinAllLabel')}
                aria-disabled={busy}
                onClick={() => !busy && setConfirming(true)}
              >
                {busyWith === 'unpin' ? i18n.t('unpinAllBusy') : i18n.t('unpinAll')}
              </button>
            ))}
        </section>
      )}

      {props.missingControlSignature && (
        <MissingControl signature={props.missingControlSignature} onCopy={props.onCopy} />
      )}

      <p id="popup-announcer" class="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>

      <section class="popup-last" aria-label={i18n.t('popup.last')}>
        {last && (
          <LastOutcome
            key={last.id}
            outcome={last}
            showHost={portals.length !== 1}
            onOpenOptions={props.onOpenOptions}
            onCopy={props.onCopy}
            {...(undoable ? { onUndo: () => undo(undoable), undoBusy: busyWith === 'undo' } : {})}
          />
        )}
        {undoNote && <p class="undo-note">{undoNote}</p>}
      </section>

      {earlier.length > 0 && (
        <section class="popup-history" aria-labelledby="popup-history-title">
          <h2 id="popup-history-title">{i18n.t('popup.history')}</h2>
          <ul>
            {earlier.map((o) => (
              <HistoryRow key={o.id} outcome={o} onCopy={props.onCopy} />
            ))}
          </ul>
        </section>
      )}

      <footer class="popup-footer">
        <Shortcut
          shortcut={props.shortcut}
          browserName={props.browserName}
          onOpenShortcutSettings={props.onOpenShortcutSettings}
        />
        <button type="button" class="button button-link" onClick={props.onOpenOptions}>
          {i18n.t('popup.options')}
        </button>
      </footer>
    </main>
  );
}

function PortalPicker(props: {
  portals: string[];
  selected: string | null;
  onSelect: (portal: string) => void;
}) {
  if (props.portals.length === 1) {
    return <p class="portal-name">{i18n.t('popup.acts_on', [portalHost(props.portals[0]!)])}</p>;
  }
  return (
    <div class="portal-picker">
      <label for="popup-portal">{i18n.t('popup.portal')}</label>
      <select
        id="popup-portal"
        value={props.selected ?? undefined}
        onChange={(e) => props.onSelect((e.currentTarget as HTMLSelectElement).value)}
      >
        {props.portals.map((p) => (
          <option key={p} value={p}>
            {portalHost(p)}
          </option>
        ))}
      </select>
    </div>
  );
}

function LastOutcome(props: {
  outcome: PinOutcome;
  showHost: boolean;
  onOpenOptions: () => void;
  onCopy?: (text: string) => Promise<void>;
  /** Offered right after a pin: takes it back. */
  onUndo?: () => void;
  undoBusy?: boolean;
}) {
  const { outcome } = props;
  const { title } = outcomeText(outcome);
  const partial = partialLines(outcome);
  return (
    <article class={`outcome ${outcome.ok ? 'outcome-ok' : 'outcome-error'}`}>
      <p class="outcome-meta">
        <time dateTime={new Date(outcome.at).toISOString()}>{formatTime(outcome.at)}</time>
        {props.showHost && outcome.portal && <span> · {portalHost(outcome.portal)}</span>}
      </p>
      <h2 class="outcome-title">{title}</h2>
      {outcome.ok
        ? outcome.sessionIds.length > 0 && (
            <>
              <IdList key={outcome.id} class="outcome-ids" ids={outcome.sessionIds} />
              {props.onCopy && <CopyIds ids={outcome.sessionIds} onCopy={props.onCopy} />}
              {props.onUndo && (
                <button
                  type="button"
                  class="button button-secondary button-small undo"
                  aria-label={i18n.t('undoLabel')}
                  aria-busy={props.undoBusy}
                  onClick={props.onUndo}
                >
                  {props.undoBusy ? i18n.t('undoBusy') : i18n.t('undoButton')}
                </button>
              )}
            </>
          )
        : null}
      {outcome.ok && outcome.sessionIds.length === 0 && pinnedCount(outcome) > 0 && (
        // The organisation keeps no session IDs (policy hideHistory): the count in the title is all there is.
        <p class="outcome-message">{i18n.t('policy.ids_not_kept')}</p>
      )}
      {outcome.ok && partial.length > 0 && <PartialUndo outcome={outcome} lines={partial} />}
      {!outcome.ok && (
        <div class="outcome-error-body">
          <p class="outcome-message">{errorMessage(outcome.error, outcome.portal)}</p>
          {FIXED_IN_OPTIONS.has(outcome.error.kind) && (
            <button type="button" class="button button-secondary" onClick={props.onOpenOptions}>
              {i18n.t('openOptions')}
            </button>
          )}
        </div>
      )}
    </article>
  );
}

/** An Undo's failures and unknowns: one line per reason, then the session IDs of each group. */
function PartialUndo(props: { outcome: PinOutcome & { ok: true }; lines: string[] }) {
  const failed = (props.outcome.failed ?? []).map((f) => f.sessionId);
  const unsure = props.outcome.unsure ?? [];
  return (
    <div class="outcome-partial">
      {props.lines.map((line) => (
        <p key={line} class="outcome-message">
          {line}
        </p>
      ))}
      {failed.length > 0 && (
        <>
          <h3 class="outcome-subtitle">{i18n.t('undo.failed_heading')}</h3>
          <p class="outcome-ids">{idsText(failed)}</p>
        </>
      )}
      {unsure.length > 0 && (
        <>
          <h3 class="outcome-subtitle">{i18n.t('undo.unsure_heading')}</h3>
          <p class="outcome-ids">{idsText(unsure)}</p>
        </>
      )}
    </div>
  );
}

/** "Copy IDs" and, in its own polite live region next to it, "Copied 2 IDs" or why copying failed. */
function CopyIds(props: { ids: readonly number[]; onCopy: (text: string) => Promise<void> }) {
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const copy = async () => {
    try {
      await props.onCopy(idsText(props.ids));
      setNote({ ok: true, text: plural('popup.copied', props.ids.length) });
    } catch {
      setNote({ ok: false, text: i18n.t('popup.copy_failed') });
    }
  };
  return (
    <div class="copy-ids">
      <button type="button" class="button button-secondary button-small" onClick={copy}>
        {i18n.t('popup.copy_ids')}
      </button>
      <span class={`copy-note ${note?.ok === false ? 'copy-note-error' : ''}`} role="status">
        {note?.text ?? ''}
      </span>
    </div>
  );
}

/**
 * "The Pin all button is missing on this page", closed by default: what it means for the operator (Pin all in the
 * popup still works) and "Copy page signature" with its own polite live region.
 */
function MissingControl(props: { signature: string; onCopy?: (text: string) => Promise<void> }) {
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const copy = async () => {
    try {
      await props.onCopy?.(props.signature);
      setNote({ ok: true, text: i18n.t('missing.copied') });
    } catch {
      setNote({ ok: false, text: i18n.t('missing.copy_failed') });
    }
  };
  return (
    <details class="missing-control">
      <summary>{i18n.t('missing.summary')}</summary>
      <p>{i18n.t('missing.text')}</p>
      {props.onCopy && (
        <div class="copy-ids">
          <button type="button" class="button button-secondary button-small" onClick={copy}>
            {i18n.t('missing.copy')}
          </button>
          <span class={`copy-note ${note?.ok === false ? 'copy-note-error' : ''}`} role="status">
            {note?.text ?? ''}
          </span>
        </div>
      )}
    </details>
  );
}

function HistoryRow(props: { outcome: PinOutcome; onCopy?: (text: string) => Promise<void> }) {
  const { outcome } = props;
  let summary: string;
  if (!outcome.ok) summary = `${outcomeText(outcome).title}: ${errorMessage(outcome.error, outcome.portal)}`;
  else if (outcome.action === 'pin' && pinnedCount(outcome) === 0) summary = i18n.t('popup.history_zero');
  else summary = outcomeText(outcome).title;
  // Older outcomes keep only their first IDs (`compactOutcome`): say how many more there were, copy none.
  const more = outcome.ok ? pinnedCount(outcome) - outcome.sessionIds.length : 0;
  // The IDs are rendered once the row is opened: five closed rows of 10,000 IDs each cost nothing at open.
  const [open, setOpen] = useState(false);
  return (
    <li class={outcome.ok ? 'history-ok' : 'history-error'}>
      <time dateTime={new Date(outcome.at).toISOString()}>{formatTime(outcome.at)}</time>
      <span class="history-host">{portalHost(outcome.portal)}</span>
      <span class="history-summary">{summary}</span>
      {outcome.ok && outcome.sessionIds.length > 0 && (
        <details class="history-ids" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
          <summary>{i18n.t('popup.show_ids')}</summary>
          {open && <IdList key={outcome.id} class="history-id-list" ids={outcome.sessionIds} />}
          {more > 0 && <p class="history-more">{i18n.t('pinned.more', [more])}</p>}
          {open && props.onCopy && more === 0 && <CopyIds ids={outcome.sessionIds} onCopy={props.onCopy} />}
        </details>
      )}
    </li>
  );
}

function Shortcut(props: {
  shortcut: string | null | undefined;
  browserName: string;
  onOpenShortcutSettings?: () => void;
}) {
  if (props.shortcut === undefined) return null;
  if (props.shortcut) {
    return <p class="shortcut">{i18n.t('popup.shortcut', [props.shortcut])}</p>;
  }
  return (
    <div class="shortcut shortcut-missing">
      <p>
        {i18n.t('popup.no_shortcut')}{' '}
        {props.browserName === 'firefox'
          ? i18n.t('popup.shortcut_how_firefox')
          : i18n.t('popup.shortcut_how_chrome')}
      </p>
      {props.onOpenShortcutSettings && (
        <button type="button" class="button button-link" onClick={props.onOpenShortcutSettings}>
          {i18n.t('popup.set_shortcut')}
        </button>
      )}
    </div>
  );
}
