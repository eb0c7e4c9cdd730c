import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDS_PER_CHUNK, Popup, type PopupProps } from '@/components/Popup';
import type { ErrorKind } from '@/utils/bitrix24/errors';
import type { PinOutcome } from '@/utils/outcome';
import type { PortalInfo } from '@/utils/portals';

const ACME = 'https://acme.bitrix24.com';
const BOX = 'https://crm.example.org';

function portal(origin: string, status: PortalInfo['status'] = 'ok'): PortalInfo {
  return {
    portal: origin,
    maskedWebhook: `${origin}/rest/7/abc…xyz/`,
    user: { id: 7, name: 'Jane', lastName: 'Doe', admin: false },
    status,
    savedAt: 1,
  };
}

function pinned(ids: number[], extra: Partial<PinOutcome> = {}): PinOutcome {
  return {
    id: `pin-${ids.length}-${Math.random()}`,
    portal: ACME,
    at: Date.now(),
    trigger: 'popup',
    ok: true,
    sessionIds: ids,
    ...extra,
  } as PinOutcome;
}

function failed(kind: ErrorKind, extra: Partial<PinOutcome> = {}): PinOutcome {
  return {
    id: `err-${kind}`,
    portal: ACME,
    at: Date.now(),
    trigger: 'popup',
    ok: false,
    error: { kind },
    ...extra,
  } as PinOutcome;
}

function renderPopup(overrides: Partial<PopupProps> = {}) {
  const props: PopupProps = {
    portals: [portal(ACME)],
    selectedPortal: ACME,
    onSelectPortal: vi.fn(),
    onPin: vi.fn(async () => pinned([1652, 1653])),
    history: [],
    shortcut: 'Alt+Shift+P',
    browserName: 'chrome',
    onOpenOptions: vi.fn(),
    ...overrides,
  };
  return { props, ...render(<Popup {...props} />) };
}

// Vitest runs without globals, so Testing Library cannot register its own cleanup.
afterEach(cleanup);

/** The card of the last outcome (the live announcer repeats its headline, so texts are looked up in here). */
const lastCard = () => screen.getByRole('region', { name: 'Last result' });
/** The popup's polite live region for pin results. */
const announcer = () => document.getElementById('popup-announcer')!;

describe('Popup', () => {
  it('pins the selected portal on one click, shows the busy state, then the outcome with its IDs', async () => {
    let finish!: (o: PinOutcome) => void;
    const onPin = vi.fn(() => new Promise<PinOutcome>((r) => (finish = r)));
    renderPopup({ onPin });

    fireEvent.click(screen.getByRole('button', { name: 'Pin all' }));
    expect(onPin).toHaveBeenCalledWith(ACME);
    const busy = await screen.findByRole('button', { name: 'Pinning…' });
    expect(busy.getAttribute('aria-busy')).toBe('true');

    // A second click while the first is in flight sends nothing more.
    fireEvent.click(busy);
    expect(onPin).toHaveBeenCalledTimes(1);

    finish(pinned([1652, 1653]));
    expect(await within(lastCard()).findByText('Pinned 2 dialogs')).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Pinned session IDs' }).textContent).toBe('1652, 1653');
    expect(screen.getByRole('button', { name: 'Pin all' })).toBeTruthy();
  });

  it('shows every pinned ID in a scrollable area, never "+N more"', () => {
    const ids = Array.from({ length: 500 }, (_, i) => i + 1);
    renderPopup({ history: [pinned(ids)] });

    expect(within(lastCard()).getByText('Pinned 500 dialogs')).toBeTruthy();
    const list = screen.getByRole('group', { name: 'Pinned session IDs' });
    expect(list.textContent).toBe(ids.join(', '));
    expect(list.getAttribute('tabindex')).toBe('0');
    expect(document.body.textContent).not.toMatch(/more/);
  });

  it('ten thousand IDs: the first thousand at once, the rest added while idle, all copied at once', async () => {
    const onCopy = vi.fn(async () => {});
    const ids = Array.from({ length: 10_000 }, (_, i) => 100_000 + i);
    renderPopup({ history: [pinned(ids)], onCopy });
    const list = within(lastCard()).getByRole('group', { name: 'Pinned session IDs' });
    expect(list.textContent).toBe(`${ids.slice(0, IDS_PER_CHUNK).join(', ')}, `);
    await waitFor(() => expect(list.textContent).toBe(ids.join(', ')), { timeout: 5_000 });
    expect(list.children).toHaveLength(10_000 / IDS_PER_CHUNK);
    fireEvent.click(within(lastCard()).getByRole('button', { name: 'Copy IDs' }));
    expect(onCopy).toHaveBeenCalledWith(ids.join(', '));
  });

  it('an empty result says there is nothing to pin', () => {
    renderPopup({ history: [pinned([])] });
    expect(
      within(lastCard()).getByText(
        'Nothing to pin — your accepted dialogs are already pinned; new ones are pinned once accepted',
      ),
    ).toBeTruthy();
    expect(screen.queryByRole('group', { name: 'Pinned session IDs' })).toBeNull();
  });

  it('an outcome recorded by the background (e.g. from the shortcut) shows up on re-render', () => {
    const { props, rerender } = renderPopup();
    expect(screen.queryByText(/Pinned/)).toBeNull();
    rerender(<Popup {...props} history={[pinned([9], { trigger: 'shortcut' })]} />);
    expect(within(lastCard()).getByText('Pinned 1 dialog')).toBeTruthy();
    expect(announcer().textContent).toBe('Pinned 1 dialog');
  });

  it.each<ErrorKind>(['webhook-invalid', 'missing-scope', 'no-webhook', 'portal-moved', 'host-access'])(
    'a %s failure shows its message and an "Open options" action',
    (kind) => {
      const { props } = renderPopup({ history: [failed(kind)] });
      expect(within(lastCard()).getByText('Pin all failed')).toBeTruthy();
      fireEvent.click(screen.getByRole('button', { name: 'Open options' }));
      expect(props.onOpenOptions).toHaveBeenCalledTimes(1);
    },
  );

  it('the invalid-webhook message names the cause', () => {
    renderPopup({ history: [failed('webhook-invalid')] });
    expect(within(lastCard()).getByText(/The webhook is invalid or was deleted/)).toBeTruthy();
  });

  it('a failure not fixed in the options shows its message without the options action', () => {
    renderPopup({ history: [failed('no-reply')] });
    expect(within(lastCard()).getByText(/the dialogs may or may not be pinned/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Open options' })).toBeNull();
  });

  it('with no shortcut bound, says so and how to set one in Chrome', () => {
    const onOpenShortcutSettings = vi.fn();
    renderPopup({ shortcut: '', onOpenShortcutSettings });
    expect(screen.getByText(/No keyboard shortcut is set for Pin all/)).toBeTruthy();
    expect(screen.getByText(/chrome:\/\/extensions\/shortcuts/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Set a shortcut' }));
    expect(onOpenShortcutSettings).toHaveBeenCalledTimes(1);
    // Everything else still works.
    expect(screen.getByRole('button', { name: 'Pin all' })).toBeTruthy();
  });

  it('in Firefox, points to Manage Extension Shortcuts', () => {
    renderPopup({ shortcut: null, browserName: 'firefox' });
    expect(screen.getByText(/about:addons.*Manage Extension Shortcuts/)).toBeTruthy();
  });

  it('shows the bound shortcut', () => {
    renderPopup({ shortcut: 'Alt+Shift+P' });
    expect(screen.getByText('Shortcut: Alt+Shift+P')).toBeTruthy();
    expect(screen.queryByText(/No keyboard shortcut/)).toBeNull();
  });

  it('without a configured portal, asks to add a webhook in the options instead of offering Pin all', () => {
    const { props } = renderPopup({ portals: [], selectedPortal: null });
    expect(screen.getByText('No portal is set up yet')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Pin all' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Add a webhook in the options' }));
    expect(props.onOpenOptions).toHaveBeenCalledTimes(1);
  });

  it('with several portals, offers a labelled select and pins the chosen one', () => {
    const onSelectPortal = vi.fn();
    const { props } = renderPopup({
      portals: [portal(ACME), portal(BOX)],
      selectedPortal: BOX,
      onSelectPortal,
    });
    const select = screen.getByLabelText('Portal') as HTMLSelectElement;
    expect(select.value).toBe(BOX);
    fireEvent.change(select, { target: { value: ACME } });
    expect(onSelectPortal).toHaveBeenCalledWith(ACME);
    fireEvent.click(screen.getByRole('button', { name: 'Pin all' }));
    expect(props.onPin).toHaveBeenCalledWith(BOX);
  });

  it('with one portal, names it instead of a select', () => {
    renderPopup();
    expect(screen.getByText('Acts on: acme.bitrix24.com')).toBeTruthy();
    expect(screen.queryByRole('combobox')).toBeNull();
  });

  it('lists recent outcomes with their portal and count or error', () => {
    const history = [
      pinned([5], { id: 'newest' }),
      pinned([1, 2, 3], { id: 'b', portal: BOX, at: Date.now() - 60_000 }),
      failed('network', { id: 'c', at: Date.now() - 120_000 }),
    ];
    renderPopup({ history });
    const recent = screen.getByRole('region', { name: 'Recent' });
    const rows = within(recent).getAllByRole('listitem');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.textContent).toContain('crm.example.org');
    expect(rows[0]!.textContent).toContain('Pinned 3 dialogs');
    expect(rows[1]!.textContent).toContain('acme.bitrix24.com');
    expect(rows[1]!.textContent).toContain('Cannot reach the portal');
  });

  it('opens the options page from the footer', () => {
    const { props } = renderPopup();
    fireEvent.click(screen.getByRole('button', { name: 'Options' }));
    expect(props.onOpenOptions).toHaveBeenCalledTimes(1);
  });

  it('shows its own answer when the background has not written the history yet', async () => {
    const onPin = vi.fn(async () => failed('rate-limited', { at: Date.now() + 1000 }));
    renderPopup({ onPin, history: [pinned([1], { at: Date.now() - 5000 })] });
    fireEvent.click(screen.getByRole('button', { name: 'Pin all' }));
    await waitFor(() => expect(within(lastCard()).getByText(/limiting requests/)).toBeTruthy());
  });
});

describe('Popup: operator experience (issue 6)', () => {
  it('announces the busy state and then the result in its polite live region, one short line', async () => {
    let finish!: (o: PinOutcome) => void;
    renderPopup({ onPin: vi.fn(() => new Promise<PinOutcome>((r) => (finish = r))) });
    const live = announcer();
    expect(live.getAttribute('role')).toBe('status');
    expect(live.getAttribute('aria-live')).toBe('polite');
    expect(live.textContent).toBe('');
    fireEvent.click(screen.getByRole('button', { name: 'Pin all' }));
    await waitFor(() => expect(live.textContent).toBe('Pinning…'));
    finish(pinned(Array.from({ length: 300 }, (_, i) => i + 1)));
    await waitFor(() => expect(live.textContent).toBe('Pinned 300 dialogs'));
    // The card with its hundreds of IDs is not live: only the line above is read out.
    expect(lastCard().closest('[aria-live]')).toBeNull();
  });

  it('announces a failure with what to do', () => {
    renderPopup({ history: [failed('webhook-invalid')] });
    expect(announcer().textContent).toMatch(/^Pin all failed\. The webhook is invalid or was deleted/);
  });

  it('Copy IDs puts the comma-separated IDs on the clipboard and says "Copied" in a live region', async () => {
    const onCopy = vi.fn(async () => {});
    renderPopup({ history: [pinned([1652, 1653])], onCopy });
    const card = within(lastCard());
    fireEvent.click(card.getByRole('button', { name: 'Copy IDs' }));
    expect(onCopy).toHaveBeenCalledWith('1652, 1653');
    const note = await card.findByText('Copied 2 IDs');
    expect(note.getAttribute('role')).toBe('status');
  });

  it('says so when the browser refuses to copy', async () => {
    renderPopup({ history: [pinned([7])], onCopy: vi.fn(async () => Promise.reject(new Error('denied'))) });
    fireEvent.click(within(lastCard()).getByRole('button', { name: 'Copy IDs' }));
    expect(await within(lastCard()).findByText(/Could not copy/)).toBeTruthy();
  });

  it('offers no Copy IDs without a clipboard, or when nothing was pinned', () => {
    renderPopup({ history: [pinned([1652])] });
    expect(screen.queryByRole('button', { name: 'Copy IDs' })).toBeNull();
    cleanup();
    renderPopup({ history: [pinned([])], onCopy: vi.fn() });
    expect(screen.queryByRole('button', { name: 'Copy IDs' })).toBeNull();
  });

  it('recent outcomes: time, portal, count, the IDs behind a <details>, each copyable', async () => {
    const onCopy = vi.fn(async () => {});
    const ids = Array.from({ length: 40 }, (_, i) => 2000 + i);
    renderPopup({
      history: [pinned([5], { id: 'newest' }), pinned(ids, { id: 'older', at: Date.now() - 60_000 })],
      onCopy,
    });
    const row = within(screen.getByRole('region', { name: 'Recent' })).getAllByRole('listitem')[0]!;
    expect(row.querySelector('time')?.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(row.textContent).toContain('acme.bitrix24.com');
    expect(row.textContent).toContain('Pinned 40 dialogs');
    const details = row.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(details.querySelector('summary')?.textContent).toBe('Show IDs');
    // Closed, the row renders no IDs (a history of 10,000-ID pins costs nothing until one is opened).
    expect(details.textContent).not.toContain('2000');
    act(() => {
      details.open = true;
    });
    expect(details.textContent).toContain(ids.join(', '));
    fireEvent.click(within(details).getByRole('button', { name: 'Copy IDs' }));
    expect(onCopy).toHaveBeenCalledWith(ids.join(', '));
    expect(await within(details).findByText('Copied 40 IDs')).toBeTruthy();
  });

  it('recent failures show their whole message, not a cut one', () => {
    renderPopup({
      history: [pinned([1], { id: 'newest' }), failed('no-reply', { id: 'x', at: Date.now() - 1 })],
    });
    const row = within(screen.getByRole('region', { name: 'Recent' })).getAllByRole('listitem')[0]!;
    expect(row.textContent).toContain(
      'No reply: the dialogs may or may not be pinned. Check Open Lines before you retry.',
    );
    expect(row.querySelector('details')).toBeNull();
  });

  it('keyboard: every action is a native control, in document order (no positive tabindex)', () => {
    renderPopup({
      portals: [portal(ACME), portal(BOX)],
      history: [pinned([1, 2], { id: 'a' }), pinned([3], { id: 'b', at: Date.now() - 1000 })],
      shortcut: '',
      onOpenShortcutSettings: vi.fn(),
      onCopy: vi.fn(),
    });
    act(() => {
      document.querySelector<HTMLDetailsElement>('.history-ids')!.open = true;
    });
    for (const el of document.querySelectorAll('[tabindex]')) expect(el.getAttribute('tabindex')).toBe('0');
    const focusable = [...document.querySelectorAll('button, select, summary, [tabindex="0"]')].map(
      (el) => el.getAttribute('aria-label') || el.textContent?.trim(),
    );
    expect(focusable).toEqual([
      'acme.bitrix24.comcrm.example.org',
      'Pin all',
      'Pinned session IDs',
      'Copy IDs',
      'Show IDs',
      'Pinned session IDs',
      'Copy IDs',
      'Set a shortcut',
      'Options',
    ]);
  });
});

describe('Popup: host access withheld', () => {
  it('says the portal cannot be reached and offers Grant access', () => {
    const onGrantAccess = vi.fn();
    renderPopup({ hasAccess: false, onGrantAccess });
    expect(screen.getByRole('alert').textContent).toContain(
      'does not let the extension reach acme.bitrix24.com',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Grant access' }));
    expect(onGrantAccess).toHaveBeenCalledTimes(1);
  });

  it('shows nothing about access when it is granted or not known yet', () => {
    renderPopup({ hasAccess: true });
    expect(screen.queryByRole('button', { name: 'Grant access' })).toBeNull();
    cleanup();
    renderPopup({ hasAccess: undefined });
    expect(screen.queryByRole('button', { name: 'Grant access' })).toBeNull();
  });
});

describe('popup with no webhook: the operator’s login', () => {
  it('offers Pin all for a portal open in a tab and says whom it pins as', async () => {
    const { props } = renderPopup({
      portals: [],
      loginPortals: [ACME],
      useLogin: true,
      selectedPortal: ACME,
      pinsAs: 'Pins as John Roe (ID 12) — your Bitrix24 login',
    });
    expect(screen.getByText('Acts on: acme.bitrix24.com')).toBeTruthy();
    expect(screen.getByText('Pins as John Roe (ID 12) — your Bitrix24 login')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Pin all' }));
    await waitFor(() => expect(props.onPin).toHaveBeenCalledWith(ACME));
  });

  it('with no portal known says to open the portal in a tab, a webhook being optional', () => {
    renderPopup({ portals: [], loginPortals: [], useLogin: true, selectedPortal: null });
    expect(
      screen.getByText(/Open your Bitrix24 in a tab — Pin all works there with your login/),
    ).toBeTruthy();
  });

  it('with the login setting off keeps asking for a webhook', () => {
    renderPopup({ portals: [], useLogin: false, selectedPortal: null });
    expect(screen.getByText(/Add your Bitrix24 inbound webhook in the options/)).toBeTruthy();
  });
});

describe('Popup: the Pin all button is missing on the page (issue 14)', () => {
  const SIGNATURE = '{"pinAllPageSignature":1,"extension":"0.1.0","documents":[]}';

  it('offers nothing when the page shows the control or is not a portal page', () => {
    renderPopup({ missingControlSignature: null });
    expect(screen.queryByText('The Pin all button is missing on this page')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Copy page signature' })).toBeNull();
  });

  it('a closed disclosure under Pin all; opened, it explains and copies the page signature', async () => {
    const onCopy = vi.fn(async () => {});
    const onPin = vi.fn(async () => pinned([1652]));
    renderPopup({ missingControlSignature: SIGNATURE, onCopy, onPin });
    const summary = screen.getByText('The Pin all button is missing on this page');
    const details = summary.closest('details')!;
    expect(details.open).toBe(false);
    details.open = true; // the browser opens it on a click (the e2e test clicks it)
    expect(within(details).getByText(/Pin all above still works/)).toBeTruthy();
    fireEvent.click(within(details).getByRole('button', { name: 'Copy page signature' }));
    expect(onCopy).toHaveBeenCalledWith(SIGNATURE);
    await waitFor(() =>
      expect(within(details).getByRole('status').textContent).toBe('Page signature copied'),
    );
    // Pin all still pins.
    fireEvent.click(screen.getByRole('button', { name: 'Pin all' }));
    expect(onPin).toHaveBeenCalledWith(ACME);
    await waitFor(() => expect(within(lastCard()).getByText(/1652/)).toBeTruthy());
  });

  it('says so when the clipboard refuses', async () => {
    renderPopup({
      missingControlSignature: SIGNATURE,
      onCopy: vi.fn(async () => Promise.reject(new Error('denied'))),
    });
    fireEvent.click(screen.getByRole('button', { name: 'Copy page signature' }));
    await waitFor(() => expect(screen.getByText('Could not copy the page signature.')).toBeTruthy());
  });
});

describe('popup under the organisation’s policy', () => {
  it('hideHistory: only the last outcome’s count, no IDs and no earlier outcomes', async () => {
    renderPopup({
      hideHistory: true,
      history: [pinned([], { count: 3 } as Partial<PinOutcome>), pinned([5, 6], { at: Date.now() - 60_000 })],
    });
    expect(await screen.findByRole('heading', { name: 'Pinned 3 dialogs' })).toBeTruthy();
    expect(screen.getByText('Session IDs are not kept (set by your organisation).')).toBeTruthy();
    expect(screen.queryByText(/5, 6/)).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Recent' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Copy IDs' })).toBeNull();
  });

  it('the answer to a click shows no IDs either under hideHistory', async () => {
    renderPopup({ hideHistory: true });
    fireEvent.click(screen.getByRole('button', { name: 'Pin all' }));
    expect(await screen.findByRole('heading', { name: 'Pinned 2 dialogs' })).toBeTruthy();
    expect(screen.queryByText(/1652/)).toBeNull();
  });

  it('a portal of the organisation without access: "required by your organisation"', () => {
    renderPopup({
      portals: [],
      loginPortals: [BOX],
      selectedPortal: BOX,
      hasAccess: false,
      accessRequiredByOrganisation: true,
      onGrantAccess: vi.fn(),
    });
    expect(
      screen.getByText('Access to crm.example.org is required by your organisation. Grant it to pin there.'),
    ).toBeTruthy();
  });
});
