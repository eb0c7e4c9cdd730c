import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { movedWebhook, Options, type OptionsProps, WEBHOOK_SHAPE } from '@/components/Options';
import { effectiveSettings, parsePolicy } from '@/utils/policy';
import type { PortalInfo, WebhookCheck, WebhookUser } from '@/utils/portals';

const ACME = 'https://acme.bitrix24.com';
const JANE: WebhookUser = { id: 7, name: 'Jane', lastName: 'Doe', admin: false };
const BOSS: WebhookUser = { id: 1, name: 'Anna', lastName: 'Admin', admin: true };

function info(user: WebhookUser | null, status: PortalInfo['status'] = 'ok', origin = ACME): PortalInfo {
  return {
    portal: origin,
    maskedWebhook: `${origin}/rest/${user?.id ?? 7}/abc…xyz/`,
    user,
    status,
    savedAt: 1,
  };
}

function renderOptions(overrides: Partial<OptionsProps> = {}) {
  const props: OptionsProps = {
    portals: [],
    onSave: vi.fn(async (): Promise<WebhookCheck> => ({ ok: true, portal: info(JANE), saved: true })),
    onRemove: vi.fn(),
    ...overrides,
  };
  return { props, ...render(<Options {...props} />) };
}

function submit(text: string) {
  const input = screen.getByLabelText('Webhook URL') as HTMLInputElement;
  fireEvent.input(input, { target: { value: text } });
  fireEvent.click(screen.getByRole('button', { name: 'Save' }));
  return input;
}

// Vitest runs without globals, so Testing Library cannot register its own cleanup.
afterEach(cleanup);

describe('Options', () => {
  it('takes the pasted text as is (type=text, so spaces and newlines reach the parser)', async () => {
    const { props } = renderOptions();
    const input = screen.getByLabelText('Webhook URL') as HTMLInputElement;
    expect(input.type).toBe('text');
    expect(input.getAttribute('inputmode')).toBe('url');
    const pasted = '  https://X.Bitrix24.com/rest/1/abc123xyz\n';
    submit(pasted);
    // Single-line inputs drop line breaks (HTML value sanitization); the component itself trims nothing and
    // leaves canonicalisation to the webhook parser. A type=url input would also block the submit as invalid.
    expect(props.onSave).toHaveBeenCalledWith('  https://X.Bitrix24.com/rest/1/abc123xyz');
    await screen.findByText(/This webhook acts as/);
  });

  it('refuses a URL without a user ID, naming the fault and the expected shape; nothing saved', async () => {
    const onSave = vi.fn(
      async (): Promise<WebhookCheck> => ({ ok: false, parseError: 'no-user-id', expected: WEBHOOK_SHAPE }),
    );
    renderOptions({ onSave });
    const input = submit('https://x.bitrix24.com/rest/abc123xyz/');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This is not a usable webhook URL.');
    expect(alert.textContent).toContain('The user ID after /rest/ is missing.');
    expect(alert.textContent).toContain(`Expected shape: ${WEBHOOK_SHAPE}`);
    expect(alert.textContent).toContain('Nothing was saved.');
    expect(onSave).toHaveBeenCalledWith('https://x.bitrix24.com/rest/abc123xyz/');
    // The operator fixes the text rather than retyping it.
    expect(input.value).toBe('https://x.bitrix24.com/rest/abc123xyz/');
  });

  it.each([
    ['not-https', 'The address must start with https://.'],
    ['not-rest-path', 'The address has no /rest/ part'],
    ['empty', 'Paste the webhook URL first.'],
  ] as const)('explains the parse error %s', async (parseError, text) => {
    renderOptions({ onSave: async () => ({ ok: false, parseError, expected: WEBHOOK_SHAPE }) });
    submit('x');
    expect((await screen.findByRole('alert')).textContent).toContain(text);
  });

  it('a webhook without the imopenlines scope is refused with the reason; nothing saved', async () => {
    renderOptions({
      onSave: async () => ({
        ok: false,
        error: { kind: 'missing-scope', code: 'insufficient_scope' },
        portal: ACME,
        maskedWebhook: `${ACME}/rest/7/abc…xyz/`,
      }),
    });
    submit(`${ACME}/rest/7/abc123xyz/`);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Bitrix24 refused this webhook.');
    expect(alert.textContent).toContain('Open Lines (imopenlines) scope');
    expect(alert.textContent).toContain('Nothing was saved.');
    expect(alert.textContent).not.toContain('abc123xyz');
  });

  it('an invalid or deleted webhook is refused with that reason', async () => {
    renderOptions({
      onSave: async () => ({
        ok: false,
        error: { kind: 'webhook-invalid' },
        portal: ACME,
        maskedWebhook: '',
      }),
    });
    submit(`${ACME}/rest/7/abc123xyz/`);
    expect((await screen.findByRole('alert')).textContent).toContain('The webhook is invalid or was deleted');
  });

  it('after saving, says whom the webhook acts as, explains pinning, and clears the secret', async () => {
    renderOptions();
    const input = submit(`${ACME}/rest/7/abc123xyz/`);
    const status = await screen.findByRole('status');
    expect(status.textContent).toContain('Saved. This webhook acts as Jane Doe (ID 7).');
    expect(status.textContent).toContain('Dialogs are pinned to the user who created the webhook.');
    expect(status.textContent).not.toContain('administrator');
    expect(input.value).toBe('');
  });

  it('warns when the webhook belongs to an administrator', async () => {
    renderOptions({ onSave: async () => ({ ok: true, portal: info(BOSS), saved: true }) });
    submit(`${ACME}/rest/1/abc123xyz/`);
    const status = await screen.findByRole('status');
    expect(status.textContent).toContain('This webhook acts as Anna Admin (ID 1).');
    expect(status.textContent).toContain('belongs to a portal administrator');
    expect(status.textContent).toContain('pinned to that administrator, not to the operator');
  });

  it('shows the busy state while checking and sends one request however often Save is pressed', async () => {
    let finish!: (c: WebhookCheck) => void;
    const onSave = vi.fn(() => new Promise<WebhookCheck>((r) => (finish = r)));
    renderOptions({ onSave });
    submit(`${ACME}/rest/7/abc123xyz/`);
    const busy = await screen.findByRole('button', { name: 'Checking…' });
    fireEvent.click(busy);
    expect(onSave).toHaveBeenCalledTimes(1);
    finish({ ok: true, portal: info(JANE), saved: true });
    await screen.findByRole('button', { name: 'Save' });
  });

  it('lists configured portals with masked webhook, user and status; Remove calls back with the origin', () => {
    const box = 'https://crm.example.org';
    const { props } = renderOptions({ portals: [info(JANE), info(BOSS, 'broken', box)] });
    const items = screen.getAllByRole('listitem').filter((li) => li.classList.contains('portal'));
    expect(items).toHaveLength(2);

    const acme = within(items[0]!);
    expect(acme.getByText(`${ACME}/rest/7/abc…xyz/`)).toBeTruthy();
    expect(acme.getByText('Acts as Jane Doe (ID 7)')).toBeTruthy();
    expect(acme.getByText('Working')).toBeTruthy();

    const broken = within(items[1]!);
    expect(broken.getByText(/Needs a new webhook/)).toBeTruthy();
    expect(broken.getByText('administrator')).toBeTruthy();

    fireEvent.click(broken.getByRole('button', { name: /Remove/ }));
    expect(props.onRemove).toHaveBeenCalledWith(box);
    expect(screen.getByRole('button', { name: 'Remove acme.bitrix24.com' })).toBeTruthy();
  });

  it('says when no portal is configured and explains how to create an inbound webhook', () => {
    renderOptions();
    expect(screen.getByText('No portal is configured yet.')).toBeTruthy();
    expect(screen.getByText(/Developer resources → Other → Inbound webhook/)).toBeTruthy();
    expect(screen.getByText(/Open Lines \(imopenlines\) scope/)).toBeTruthy();
  });

  it('never leaves the pasted secret in the portal list', async () => {
    const { props, rerender } = renderOptions();
    submit(`${ACME}/rest/7/abc123xyz/`);
    await waitFor(() => expect(props.onSave).toHaveBeenCalled());
    rerender(<Options {...props} portals={[info(JANE)]} />);
    await screen.findByRole('status');
    expect(document.body.textContent).not.toContain('abc123xyz');
  });
});

describe('Options: host access withheld', () => {
  it('marks the portal without access and offers Grant access for exactly that portal', () => {
    const onGrantAccess = vi.fn();
    renderOptions({ portals: [info(JANE)], access: { [info(JANE).portal]: false }, onGrantAccess });
    expect(screen.getByRole('alert').textContent).toMatch(/does not let the extension reach/);
    fireEvent.click(screen.getByRole('button', { name: 'Grant access' }));
    expect(onGrantAccess).toHaveBeenCalledWith(info(JANE).portal);
  });

  it('offers nothing when access is granted', () => {
    renderOptions({ portals: [info(JANE)], access: { [info(JANE).portal]: true } });
    expect(screen.queryByRole('button', { name: 'Grant access' })).toBeNull();
  });
});

describe('Options: the portal moved (a renamed cloud portal answers with a redirect)', () => {
  const OLD = 'https://old.bitrix24.com';
  const moved = (movedTo?: string): WebhookCheck => ({
    ok: false,
    error: { kind: 'portal-moved', status: 302, ...(movedTo ? { movedTo } : {}) },
    portal: OLD,
    maskedWebhook: `${OLD}/rest/7/abc…xyz/`,
  });

  it('shows the new address and saves the same webhook there only after "Use NEW-HOST" is pressed', async () => {
    const onSave = vi.fn(
      async (url: string): Promise<WebhookCheck> =>
        url.startsWith(OLD) ? moved(ACME) : { ok: true, portal: info(JANE), saved: true },
    );
    renderOptions({ onSave });
    const input = submit(`${OLD}/rest/7/abc123xyz/`);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('old.bitrix24.com has moved.');
    expect(alert.textContent).toContain('It now answers at acme.bitrix24.com.');
    expect(alert.textContent).toContain('the webhook was not sent to the new address');
    expect(alert.textContent).not.toContain('abc123xyz');
    // Nothing goes to the new host before the operator confirms.
    await new Promise((r) => setTimeout(r, 20));
    expect(onSave).toHaveBeenCalledTimes(1);

    fireEvent.click(within(alert).getByRole('button', { name: 'Use acme.bitrix24.com' }));
    expect(onSave).toHaveBeenCalledTimes(2);
    expect(onSave).toHaveBeenLastCalledWith(`${ACME}/rest/7/abc123xyz/`);
    const status = await screen.findByRole('status');
    expect(status.textContent).toContain('Saved. This webhook acts as Jane Doe (ID 7).');
    expect(input.value).toBe('');
    // The button is gone with the answer: keyboard focus is back on the input, not lost to <body>.
    await waitFor(() => expect(document.activeElement).toBe(input));
  });

  it('warns that the new address already has a webhook which this one replaces', async () => {
    renderOptions({ portals: [info(JANE)], onSave: async () => moved(ACME) });
    submit(`${OLD}/rest/7/abc123xyz/`);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('acme.bitrix24.com already has a webhook: this one will replace it.');
  });

  it('rewrites whatever form was pasted, and what was checked rather than what was typed since', async () => {
    const onSave = vi.fn(async (): Promise<WebhookCheck> => moved(`${ACME}`));
    renderOptions({ onSave });
    const input = submit(`  old.bitrix24.com/rest/api/7/abc123xyz/profile.json?x=1 `);
    const alert = await screen.findByRole('alert');
    fireEvent.input(input, { target: { value: 'something else' } });
    fireEvent.click(within(alert).getByRole('button', { name: 'Use acme.bitrix24.com' }));
    expect(onSave).toHaveBeenLastCalledWith(`${ACME}/rest/7/abc123xyz/`);
  });

  it('without a known new address, says the address may have changed and offers nothing', async () => {
    renderOptions({ onSave: async () => moved() });
    submit(`${OLD}/rest/7/abc123xyz/`);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('its address may have changed');
    expect(within(alert).queryByRole('button')).toBeNull();
  });

  it('never offers to send the secret over plain HTTP', async () => {
    renderOptions({ onSave: async () => moved('http://acme.bitrix24.com') });
    submit(`${OLD}/rest/7/abc123xyz/`);
    const alert = await screen.findByRole('alert');
    expect(within(alert).queryByRole('button')).toBeNull();
  });
});

describe('movedWebhook', () => {
  it.each([
    [
      'https://old.bitrix24.com/rest/7/abc/',
      'https://acme.bitrix24.com',
      'https://acme.bitrix24.com/rest/7/abc/',
    ],
    [
      'old.bitrix24.com/rest/7/abc',
      'https://new.example.org:8443',
      null, // not a cloud portal of the same family: "redirects to X — check the address" instead
    ],
    ['https://old.bitrix24.com/rest/7/abc/', 'http://acme.bitrix24.com', null],
    ['https://old.bitrix24.com/rest/7/abc/', 'https://old.bitrix24.com', null],
    ['https://old.bitrix24.com/rest/abc/', 'https://acme.bitrix24.com', null],
    ['https://old.bitrix24.com/rest/7/abc/', 'not a url', null],
  ])('%s → %s', (pasted, to, expected) => {
    expect(movedWebhook(pasted, to)).toBe(expected);
  });
});

describe('Options: keyboard', () => {
  it('Enter in the field submits the form (native form, submit button), Tab order has no positive tabindex', async () => {
    const { props } = renderOptions({ portals: [info(JANE)] });
    const input = screen.getByLabelText('Webhook URL') as HTMLInputElement;
    fireEvent.input(input, { target: { value: `${ACME}/rest/7/abc123xyz/` } });
    expect(screen.getByRole('button', { name: 'Save' }).getAttribute('type')).toBe('submit');
    fireEvent.submit(input.form!);
    expect(props.onSave).toHaveBeenCalledWith(`${ACME}/rest/7/abc123xyz/`);
    for (const el of document.querySelectorAll('[tabindex]'))
      expect(Number(el.getAttribute('tabindex'))).toBeLessThanOrEqual(0);
    await screen.findByRole('status');
  });
});

describe('options: the operator’s login', () => {
  it('shows the setting, on, and switching it off reports the change', () => {
    const onUseLoginChange = vi.fn();
    renderOptions({ useLogin: true, onUseLoginChange });
    const box = screen.getByRole('checkbox', { name: 'Use my Bitrix24 login when no webhook is saved' });
    expect((box as HTMLInputElement).checked).toBe(true);
    fireEvent.click(box);
    expect(onUseLoginChange).toHaveBeenCalledWith(false);
  });

  it('says whom pins act as on a portal without a webhook, and beside a webhook whose user differs', () => {
    renderOptions({
      useLogin: true,
      portals: [info(JANE)],
      pinsAs: {
        'https://corp.bitrix24.de': 'Pins as John Roe (ID 12) — your Bitrix24 login',
        [info(JANE).portal]: 'Pins as Jane Doe (ID 7) — your webhook; you are logged in as John Roe (ID 12)',
      },
    });
    const row = screen.getByText(
      (_, el) =>
        el?.tagName === 'LI' &&
        /^corp\.bitrix24\.de: Pins as John Roe \(ID 12\) — your Bitrix24 login$/.test(el.textContent ?? ''),
    );
    expect(row).toBeTruthy();
    expect(screen.getByText(/your webhook; you are logged in as John Roe/)).toBeTruthy();
  });
});

describe('options: a self-hosted portal pinned through the login', () => {
  const BOX = 'https://crm.example.org';
  const addField = () => screen.getByLabelText('Self-hosted portal') as HTMLInputElement;
  const add = (text: string) => {
    fireEvent.input(addField(), { target: { value: text } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
  };

  it('adds the typed address and says where Pin all now is; the field is cleared', async () => {
    const onAddSelfHostedPortal = vi.fn(async () => ({ ok: true as const, portal: BOX, cloud: false }));
    renderOptions({ useLogin: true, onAddSelfHostedPortal });
    add('crm.example.org');
    expect(onAddSelfHostedPortal).toHaveBeenCalledWith('crm.example.org');
    await screen.findByText('Added crm.example.org. Open it in a tab: Pin all is there with your login.');
    expect(addField().value).toBe('');
  });

  it.each([
    [{ ok: false as const, kind: 'not-https' as const }, /must use https:\/\//],
    [{ ok: false as const, kind: 'not-url' as const }, /Type the portal's address, for example/],
    [
      { ok: false as const, kind: 'host-access' as const, portal: BOX },
      /did not allow access to crm\.example\.org/,
    ],
    [{ ok: true as const, portal: 'https://acme.bitrix24.de', cloud: true }, /cloud portal: nothing to add/],
    [{ ok: false as const, kind: 'no-reply' as const }, /did not answer: reload this page/],
  ])('answer %j is told in words', async (answer, text) => {
    renderOptions({ useLogin: true, onAddSelfHostedPortal: vi.fn(async () => answer) });
    add('typed');
    await screen.findByText(text);
    // A refusal keeps what was typed, so it can be corrected.
    if (!answer.ok) expect(addField().value).toBe('typed');
  });

  it('lists the added portals with whom pins act as, missing access and Remove', () => {
    const onRemoveSelfHostedPortal = vi.fn();
    const onGrantAccess = vi.fn();
    renderOptions({
      useLogin: true,
      onAddSelfHostedPortal: vi.fn(),
      selfHostedPortals: [BOX],
      pinsAs: { [BOX]: 'Pins as John Roe (ID 12) — your Bitrix24 login' },
      access: { [BOX]: false },
      onRemoveSelfHostedPortal,
      onGrantAccess,
    });
    const row = screen.getByRole('heading', { name: 'crm.example.org' }).closest('li')!;
    expect(within(row).getByText('Pins as John Roe (ID 12) — your Bitrix24 login')).toBeTruthy();
    fireEvent.click(within(row).getByRole('button', { name: 'Grant access' }));
    expect(onGrantAccess).toHaveBeenCalledWith(BOX);
    fireEvent.click(within(row).getByRole('button', { name: 'Remove crm.example.org' }));
    expect(onRemoveSelfHostedPortal).toHaveBeenCalledWith(BOX);
  });

  it('is not offered while the login setting is off; portals added before stay listed, with Remove', () => {
    const onRemoveSelfHostedPortal = vi.fn();
    renderOptions({
      useLogin: false,
      onAddSelfHostedPortal: vi.fn(),
      selfHostedPortals: [BOX],
      onRemoveSelfHostedPortal,
    });
    expect(screen.queryByLabelText('Self-hosted portal')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Remove crm.example.org' }));
    expect(onRemoveSelfHostedPortal).toHaveBeenCalledWith(BOX);
  });
});

describe('options under the organisation’s policy', () => {
  const withPolicy = (raw: unknown, useLogin = false) => {
    const reading = parsePolicy(raw);
    return { reading, settings: effectiveSettings(reading.policy, { useLogin }) };
  };

  it('signIn login: no webhook field, the login setting ticked and locked, saved webhooks "Not used"', () => {
    renderOptions({
      portals: [info(JANE)],
      useLogin: false,
      onUseLoginChange: vi.fn(),
      policy: withPolicy({ signIn: 'login' }),
    });
    expect(screen.queryByLabelText('Webhook URL')).toBeNull();
    expect(screen.getByText(/allows only your Bitrix24 login: webhooks can't be saved here/)).toBeTruthy();
    const box = screen.getByRole('checkbox') as HTMLInputElement;
    expect([box.checked, box.disabled]).toEqual([true, true]);
    expect(screen.getByText(/Not used: your organisation allows only your Bitrix24 login/)).toBeTruthy();
    const managed = screen.getByRole('region', { name: 'Managed by your organisation' });
    expect(within(managed).getByText(/Sign-in: your Bitrix24 login only/)).toBeTruthy();
    expect(within(managed).getAllByText('Set by your organisation').length).toBeGreaterThan(0);
  });

  it('an invalid value gets a visible note; the rest applies', () => {
    renderOptions({ policy: withPolicy({ undoMinutes: -3, hideHistory: true }) });
    expect(
      screen.getByText('Ignored the policy value undoMinutes: out of range. The other settings apply.'),
    ).toBeTruthy();
    expect(screen.getByText(/History: session IDs are not kept/)).toBeTruthy();
    expect(screen.getByText(/Undo: off/)).toBeTruthy();
  });

  it('a background refusal under the policy says so', async () => {
    renderOptions({
      onSave: vi.fn(async (): Promise<WebhookCheck> => ({ ok: false, refusedBy: 'policy' })),
    });
    submit(`${ACME}/rest/7/secret123/`);
    expect(
      await screen.findByText(/Not saved: your organisation allows only your Bitrix24 login/),
    ).toBeTruthy();
  });

  it('no policy: no managed section', () => {
    renderOptions({ policy: withPolicy({}) });
    expect(screen.queryByText('Managed by your organisation')).toBeNull();
  });
});
