import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ControlLink,
  type ControlManaged,
  type ControlStatus,
  controlTexts,
  isTrustedEvent,
  PinAllControl,
  PinAllControlView,
} from '@/components/PinAllControl';
import type { PinOutcome } from '@/utils/outcome';
import { outcomeLine } from '@/utils/outcome-text';

/** What PinAllControl passes its view for an outcome. */
const statusOf = (o: PinOutcome | null): ControlStatus | null =>
  o ? { text: outcomeLine(o), ok: o.ok } : null;

const base = {
  id: 'pin-1',
  portal: 'https://acme.bitrix24.com',
  at: 1_700_000_000_000,
  trigger: 'control',
  action: 'pin',
} as const;
const pinned: PinOutcome = { ...base, ok: true, sessionIds: [1652, 1653] };
const nothing: PinOutcome = { ...base, ok: true, sessionIds: [] };
const failed: PinOutcome = {
  ...base,
  ok: false,
  error: { kind: 'webhook-invalid', code: 'INVALID_CREDENTIALS' },
};
const trusted = () => true;

afterEach(cleanup);

describe('PinAllControlView', () => {
  it('is a native button with an accessible name and a polite live region', () => {
    render(<PinAllControlView state="idle" texts={controlTexts()} status={null} onPin={() => {}} />);
    const button = screen.getByRole('button', { name: 'Pin all active Open Lines dialogs' });
    expect(button.tagName).toBe('BUTTON');
    expect(button.getAttribute('type')).toBe('button');
    expect(button.textContent).toBe('Pin all');
    expect((button as HTMLButtonElement).disabled).toBe(false);
    expect(button.hasAttribute('aria-busy')).toBe(false);
    const status = screen.getByRole('status');
    expect(status.getAttribute('aria-live')).toBe('polite');
    expect(status.textContent).toBe('');
  });

  it('shows the busy state: disabled, aria-busy, "Pinning…"', () => {
    render(<PinAllControlView state="busy" texts={controlTexts()} status={null} onPin={() => {}} />);
    const button = screen.getByRole('button') as HTMLButtonElement;
    expect(button.textContent).toBe('Pinning…');
    expect(button.disabled).toBe(true);
    expect(button.getAttribute('aria-busy')).toBe('true');
  });

  it.each<[string, PinOutcome, string, string]>([
    ['pinned dialogs', pinned, 'Pinned 2 dialogs: 1652, 1653', 'status--ok'],
    [
      'nothing to pin',
      nothing,
      'Nothing to pin — your accepted dialogs are already pinned; new ones are pinned once accepted',
      'status--ok',
    ],
    [
      'an error',
      failed,
      'The webhook is invalid or was deleted. Create a new inbound webhook and save it in the options.',
      'status--error',
    ],
  ])('shows the outcome text for %s', (_name, outcome, text, tone) => {
    render(
      <PinAllControlView state="idle" texts={controlTexts()} status={statusOf(outcome)} onPin={() => {}} />,
    );
    const status = screen.getByRole('status');
    expect(status.textContent).toBe(text);
    expect(status.classList.contains(tone)).toBe(true);
  });

  it('stale: disabled, says to reload the page, hides the old outcome', () => {
    render(
      <PinAllControlView state="stale" texts={controlTexts()} status={statusOf(pinned)} onPin={() => {}} />,
    );
    const button = screen.getByRole('button') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.textContent).toBe('Pin all');
    expect(screen.getByRole('status').textContent).toBe('Extension updated — reload the page');
  });

  it('ignores untrusted (synthetic) clicks with the default guard', () => {
    const onPin = vi.fn();
    render(<PinAllControlView state="idle" texts={controlTexts()} status={null} onPin={onPin} />);
    const button = screen.getByRole('button');
    fireEvent.click(button);
    button.click();
    button.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(onPin).not.toHaveBeenCalled();
  });

  it('calls onPin once for a trusted click', () => {
    const onPin = vi.fn();
    const guard = vi.fn(trusted);
    render(
      <PinAllControlView state="idle" texts={controlTexts()} status={null} onPin={onPin} isTrusted={guard} />,
    );
    fireEvent.click(screen.getByRole('button'));
    expect(onPin).toHaveBeenCalledTimes(1);
    expect(guard).toHaveBeenCalledWith(expect.any(MouseEvent));
  });

  it.each(['busy', 'stale'] as const)('does not pin while %s, even for a trusted event', (state) => {
    const onPin = vi.fn();
    render(
      <PinAllControlView
        state={state}
        texts={controlTexts()}
        status={null}
        onPin={onPin}
        isTrusted={trusted}
      />,
    );
    // A disabled button gets no click from the browser; dispatch anyway to prove the handler's own guard.
    screen.getByRole('button').removeAttribute('disabled');
    fireEvent.click(screen.getByRole('button'));
    expect(onPin).not.toHaveBeenCalled();
  });

  it('never moves focus', () => {
    const outside = document.createElement('input');
    document.body.append(outside);
    outside.focus();
    const { rerender } = render(
      <PinAllControlView state="idle" texts={controlTexts()} status={null} onPin={() => {}} />,
    );
    rerender(<PinAllControlView state="busy" texts={controlTexts()} status={null} onPin={() => {}} />);
    rerender(
      <PinAllControlView state="idle" texts={controlTexts()} status={statusOf(failed)} onPin={() => {}} />,
    );
    expect(document.activeElement).toBe(outside);
    outside.remove();
  });
});

/** A link whose answers the test settles by hand; `push` plays the background announcing an outcome. */
function fakeLink(
  last: PinOutcome | null | 'gone' = null,
  pinsAs: string | null = null,
  managed: ControlManaged = { allowUnpinAll: true, undoMinutes: 10 },
) {
  const listeners = new Set<(event: PinOutcome | 'gone') => void>();
  const pins: ((answer: PinOutcome | 'gone') => void)[] = [];
  const link: ControlLink = {
    pin: vi.fn(() => new Promise<PinOutcome | 'gone'>((resolve) => pins.push(resolve))),
    lastOutcome: vi.fn(async () => last),
    pinsAs: vi.fn(async () => pinsAs),
    unpinAll: vi.fn(async () => ({ note: 'unused' })),
    undo: vi.fn(async () => ({ note: 'This pin was already undone.' })),
    watchManaged: (listener) => {
      listener(managed);
      return () => {};
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const push = (event: PinOutcome | 'gone') => {
    for (const listener of listeners) listener(event);
  };
  return { link, pins, push, listeners };
}

/** Lets effects, promises and Preact's debounced re-renders run. */
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('PinAllControl (owns its state)', () => {
  const view = () => ({
    button: screen.getByRole('button', { name: /^Pin all/ }) as HTMLButtonElement,
    status: () => screen.getByRole('status').textContent,
  });

  it('shows the last stored outcome once mounted, then each announced one, never an older one', async () => {
    const { link, push } = fakeLink({ ...pinned, at: 10 });
    render(<PinAllControl link={link} texts={controlTexts()} />);
    await flush();
    expect(link.lastOutcome).toHaveBeenCalledTimes(1);
    expect(view().status()).toBe('Pinned 2 dialogs: 1652, 1653');
    push({ ...nothing, at: 20 });
    await flush();
    expect(view().status()).toBe(
      'Nothing to pin — your accepted dialogs are already pinned; new ones are pinned once accepted',
    );
    push({ ...pinned, at: 15 });
    await flush();
    expect(view().status()).toBe(
      'Nothing to pin — your accepted dialogs are already pinned; new ones are pinned once accepted',
    );
  });

  it('says whom a pin acts as in the button tooltip, read through the link once mounted', async () => {
    const { link } = fakeLink(null, 'Pins as John Roe (ID 12) — your Bitrix24 login');
    render(<PinAllControl link={link} texts={controlTexts()} />);
    await flush();
    expect(link.pinsAs).toHaveBeenCalledTimes(1);
    expect(view().button.title).toBe(
      "Pins as John Roe (ID 12) — your Bitrix24 login\nNew dialogs you haven't accepted yet are not pinned.",
    );
  });

  it('offers Undo after a fresh pin while its window lasts, and says why an Undo did nothing', async () => {
    const { link } = fakeLink({ ...pinned, at: Date.now() });
    render(<PinAllControl link={link} texts={controlTexts()} isTrusted={trusted} />);
    await flush();
    fireEvent.click(screen.getByRole('button', { name: /Undo/ }));
    await flush();
    expect(link.undo).toHaveBeenCalledWith(pinned.id);
    expect(view().status()).toBe('This pin was already undone.');
  });

  it('offers neither Undo for an old pin nor Unpin all when the organisation turns it off', async () => {
    const { link } = fakeLink({ ...pinned, at: Date.now() - 11 * 60_000 }, null, {
      allowUnpinAll: false,
      undoMinutes: 10,
    });
    render(<PinAllControl link={link} texts={controlTexts()} isTrusted={trusted} />);
    await flush();
    expect(screen.queryByRole('button', { name: /Undo/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Unpin all/ })).toBeNull();
  });

  it('idle → busy → idle: one pin however fast the clicks, then the answered outcome', async () => {
    const { link, pins } = fakeLink();
    render(<PinAllControl link={link} texts={controlTexts()} isTrusted={trusted} />);
    await flush();
    fireEvent.click(view().button);
    fireEvent.click(view().button);
    await flush();
    expect(link.pin).toHaveBeenCalledTimes(1);
    expect(view().button.disabled).toBe(true);
    expect(view().button.getAttribute('aria-busy')).toBe('true');
    expect(view().button.textContent).toBe('Pinning…');
    pins[0]!({ ...failed, at: Date.now() });
    await flush();
    expect(view().button.disabled).toBe(false);
    expect(view().status()).toMatch(/^The webhook is invalid/);
    fireEvent.click(view().button);
    expect(link.pin).toHaveBeenCalledTimes(2);
  });

  it('turns stale for good when the link says the extension is gone, from a pin or announced', async () => {
    const { link, pins } = fakeLink(pinned);
    render(<PinAllControl link={link} texts={controlTexts()} isTrusted={trusted} />);
    await flush();
    fireEvent.click(view().button);
    pins[0]!('gone');
    await flush();
    expect(view().button.disabled).toBe(true);
    expect(view().status()).toBe('Extension updated — reload the page');

    cleanup();
    const other = fakeLink();
    render(<PinAllControl link={other.link} texts={controlTexts()} isTrusted={trusted} />);
    await flush();
    other.push('gone');
    await flush();
    expect(view().button.disabled).toBe(true);
    expect(view().status()).toBe('Extension updated — reload the page');
    other.push(pinned);
    await flush();
    expect(view().status()).toBe('Extension updated — reload the page');
  });

  it('ignores synthetic clicks with the default guard', async () => {
    const { link } = fakeLink();
    render(<PinAllControl link={link} texts={controlTexts()} />);
    await flush();
    view().button.click();
    expect(link.pin).not.toHaveBeenCalled();
  });

  it('keeps its state across re-renders with a new layout, with one subscription', async () => {
    const { link, push, listeners } = fakeLink();
    const { rerender } = render(<PinAllControl link={link} texts={controlTexts()} compact />);
    await flush();
    push(pinned);
    await flush();
    rerender(<PinAllControl link={link} texts={controlTexts()} compact={false} />);
    await flush();
    expect(view().status()).toBe('Pinned 2 dialogs: 1652, 1653');
    expect(link.lastOutcome).toHaveBeenCalledTimes(1);
    expect(listeners.size).toBe(1);
  });
});

describe('isTrustedEvent', () => {
  it('reads the browser-set isTrusted flag', () => {
    expect(isTrustedEvent(new MouseEvent('click'))).toBe(false);
    expect(isTrustedEvent({ isTrusted: false } as Event)).toBe(false);
    expect(isTrustedEvent({ isTrusted: true } as Event)).toBe(true);
  });
});

describe('pin-all-control.css (page styles must not change the control)', () => {
  // Read from disk: Vitest does not process CSS imports, not even `?raw`.
  const css = readFileSync(resolve(process.cwd(), 'components/pin-all-control.css'), 'utf8');
  const rules = css.replace(/\/\*[\s\S]*?\*\//g, '');

  it('resets everything the host could inherit from the page', () => {
    expect(rules).toMatch(/:host\s*\{[^}]*all:\s*initial\s*!important/);
  });

  it('sizes in px only, never relative to the page root or parent font size', () => {
    expect(rules).not.toMatch(/\d(?:r?em|vh|vw)\b|\d%/);
    expect(rules).toMatch(/font-size:\s*12px/);
  });
});

describe('the control in every language (WCAG 2.5.3, label in name)', () => {
  const dir = resolve(process.cwd(), 'locales');
  /** Lower case, letters, digits and single spaces: how axe compares a visible label with an accessible name. */
  const curate = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s]/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));

  it.each(files)(
    '%s: the accessible name contains the visible text, so speech users can say what they see',
    async (file) => {
      const messages = generateChromeMessages(await parseMessagesFile(resolve(dir, file)));
      const visible = messages.pinAll!.message;
      const name = messages.pinAllLabel!.message;
      expect(curate(name)).toContain(curate(visible));
    },
  );
});
