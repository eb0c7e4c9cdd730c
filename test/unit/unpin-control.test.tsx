import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { controlTexts, PinAllControlView } from '@/components/PinAllControl';
import { Popup, type PopupProps } from '@/components/Popup';
import type { PinOutcome } from '@/utils/outcome';

afterEach(cleanup);
const trusted = () => true;
const ASK = 'Unpin your pinned Open Lines dialogs? Dialogs waiting for your answer may go back to the queue.';

describe('the control: Unpin all asks first, Undo after a pin', () => {
  it('a first click only asks; Cancel sends nothing; the confirmation sends once', () => {
    const onUnpinAll = vi.fn();
    render(
      <PinAllControlView
        state="idle"
        texts={controlTexts()}
        status={null}
        onPin={() => {}}
        onUnpinAll={onUnpinAll}
        isTrusted={trusted}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: /Unpin all my pinned/ }));
    expect(screen.getByText(ASK)).toBeTruthy();
    expect(onUnpinAll).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByText(ASK)).toBeNull();
    expect(onUnpinAll).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: /Unpin all my pinned/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Unpin all' }));
    expect(onUnpinAll).toHaveBeenCalledTimes(1);
  });

  it('a page script cannot unpin or undo (untrusted clicks do nothing)', () => {
    const onUnpinAll = vi.fn();
    const onUndo = vi.fn();
    render(
      <PinAllControlView
        state="idle"
        texts={controlTexts()}
        status={null}
        onPin={() => {}}
        onUnpinAll={onUnpinAll}
        onUndo={onUndo}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: /Undo the last pin/ }));
    fireEvent.click(screen.getByRole('button', { name: /Unpin all my pinned/ }));
    expect(screen.queryByText(ASK)).toBeNull();
    expect(onUndo).not.toHaveBeenCalled();
  });

  it('the tooltip says that new dialogs not accepted yet are not pinned', () => {
    render(<PinAllControlView state="idle" texts={controlTexts()} status={null} onPin={() => {}} />);
    expect(screen.getByRole('button', { name: /Pin all active/ }).getAttribute('title')).toContain(
      "New dialogs you haven't accepted yet are not pinned.",
    );
  });
});

describe('the popup: Undo and Unpin all', () => {
  const P = 'https://acme.bitrix24.com';
  const at = 1_700_000_000_000;
  const pin: PinOutcome = {
    id: 'p1',
    portal: P,
    at,
    trigger: 'popup',
    action: 'pin',
    ok: true,
    sessionIds: [1, 2],
  };
  const props = {
    portals: [{ portal: P, status: 'ok' as const }],
    selectedPortal: P,
    onSelectPortal: () => {},
    onPin: async () => pin,
    shortcut: 'Alt+Shift+P',
    browserName: 'chrome',
    onOpenOptions: () => {},
  } as unknown as Omit<PopupProps, 'history'>;

  it('offers Undo on the newest pin and shows the refusal when it does nothing', async () => {
    const onUndo = vi.fn(async () => ({ refused: 'already-undone' as const }));
    render(<Popup {...props} history={[pin]} onUndo={onUndo} now={() => at + 1000} />);
    fireEvent.click(screen.getByRole('button', { name: /Undo the last pin/ }));
    expect(onUndo).toHaveBeenCalledWith(P, 'p1');
    expect(await screen.findByText('This pin was already undone.')).toBeTruthy();
  });

  it('no Undo after the 10-minute window', () => {
    render(
      <Popup
        {...props}
        history={[pin]}
        onUndo={async () => ({ refused: 'expired' })}
        now={() => at + 600_000}
      />,
    );
    expect(screen.queryByRole('button', { name: /Undo the last pin/ })).toBeNull();
  });

  it('an Undo with failures lists them by session', () => {
    const undo: PinOutcome = {
      id: 'u1',
      portal: P,
      at: at + 5,
      trigger: 'popup',
      action: 'undo',
      undoes: 'p0',
      ok: true,
      sessionIds: Array.from({ length: 37 }, (_, i) => 100 + i),
      failed: [5, 6, 7].map((sessionId) => ({ sessionId, error: { kind: 'not-your-dialog' as const } })),
    };
    render(<Popup {...props} history={[undo]} />);
    expect(
      screen.getAllByText('3 of 40 could not be unpinned: they now belong to another operator').length,
    ).toBeGreaterThan(0);
    expect(screen.getByText('5, 6, 7')).toBeTruthy();
  });

  it('Unpin all asks, with Cancel focused; Cancel sends nothing', async () => {
    const onUnpinAll = vi.fn(async () => ({ ...pin, id: 'x', action: 'unpin-all' as const }));
    render(<Popup {...props} history={[]} onUnpinAll={onUnpinAll} />);
    fireEvent.click(screen.getByRole('button', { name: /Unpin all my pinned/ }));
    expect(screen.getByText(ASK)).toBeTruthy();
    await vi.waitFor(() => expect(document.activeElement?.textContent).toBe('Cancel'));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onUnpinAll).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: /Unpin all my pinned/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Unpin all' }));
    await vi.waitFor(() => expect(onUnpinAll).toHaveBeenCalledTimes(1));
  });
});
