import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ControlStatus, controlTexts, isTrustedEvent, PinAllControl } from '@/components/PinAllControl';
import type { PinOutcome } from '@/utils/outcome';
import { outcomeLine } from '@/utils/outcome-text';

/** What control-mount passes for an outcome. */
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

describe('PinAllControl', () => {
  it('is a native button with an accessible name and a polite live region', () => {
    render(<PinAllControl state="idle" texts={controlTexts()} status={null} onPin={() => {}} />);
    const button = screen.getByRole('button', { name: 'Pin all active Open Lines dialogs to me' });
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
    render(<PinAllControl state="busy" texts={controlTexts()} status={null} onPin={() => {}} />);
    const button = screen.getByRole('button') as HTMLButtonElement;
    expect(button.textContent).toBe('Pinning…');
    expect(button.disabled).toBe(true);
    expect(button.getAttribute('aria-busy')).toBe('true');
  });

  it.each<[string, PinOutcome, string, string]>([
    ['pinned dialogs', pinned, 'Pinned 2 dialogs: 1652, 1653', 'status--ok'],
    ['nothing to pin', nothing, 'Nothing to pin — no active Open Lines dialogs', 'status--ok'],
    [
      'an error',
      failed,
      'The webhook is invalid or was deleted. Create a new inbound webhook and save it in the options.',
      'status--error',
    ],
  ])('shows the outcome text for %s', (_name, outcome, text, tone) => {
    render(<PinAllControl state="idle" texts={controlTexts()} status={statusOf(outcome)} onPin={() => {}} />);
    const status = screen.getByRole('status');
    expect(status.textContent).toBe(text);
    expect(status.classList.contains(tone)).toBe(true);
  });

  it('stale: disabled, says to reload the page, hides the old outcome', () => {
    render(<PinAllControl state="stale" texts={controlTexts()} status={statusOf(pinned)} onPin={() => {}} />);
    const button = screen.getByRole('button') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.textContent).toBe('Pin all');
    expect(screen.getByRole('status').textContent).toBe('Extension updated — reload the page');
  });

  it('ignores untrusted (synthetic) clicks with the default guard (X12)', () => {
    const onPin = vi.fn();
    render(<PinAllControl state="idle" texts={controlTexts()} status={null} onPin={onPin} />);
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
      <PinAllControl state="idle" texts={controlTexts()} status={null} onPin={onPin} isTrusted={guard} />,
    );
    fireEvent.click(screen.getByRole('button'));
    expect(onPin).toHaveBeenCalledTimes(1);
    expect(guard).toHaveBeenCalledWith(expect.any(MouseEvent));
  });

  it.each(['busy', 'stale'] as const)('does not pin while %s, even for a trusted event', (state) => {
    const onPin = vi.fn();
    render(
      <PinAllControl state={state} texts={controlTexts()} status={null} onPin={onPin} isTrusted={trusted} />,
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
      <PinAllControl state="idle" texts={controlTexts()} status={null} onPin={() => {}} />,
    );
    rerender(<PinAllControl state="busy" texts={controlTexts()} status={null} onPin={() => {}} />);
    rerender(
      <PinAllControl state="idle" texts={controlTexts()} status={statusOf(failed)} onPin={() => {}} />,
    );
    expect(document.activeElement).toBe(outside);
    outside.remove();
  });
});

describe('isTrustedEvent', () => {
  it('reads the browser-set isTrusted flag', () => {
    expect(isTrustedEvent(new MouseEvent('click'))).toBe(false);
    expect(isTrustedEvent({ isTrusted: false } as Event)).toBe(false);
    expect(isTrustedEvent({ isTrusted: true } as Event)).toBe(true);
  });
});

describe('pin-all-control.css (X5: page styles must not change the control)', () => {
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
