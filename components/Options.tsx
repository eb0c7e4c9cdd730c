import { useRef, useState } from 'preact/hooks';
import { i18n } from '#i18n';
import type { B24Error } from '@/utils/bitrix24/errors';
import { parseWebhook } from '@/utils/bitrix24/webhook';
import { t } from '@/utils/i18n';
import { errorMessage } from '@/utils/outcome-text';
import type { EffectiveSettings, PolicyReading } from '@/utils/policy';
import { isPlausibleMove } from '@/utils/portal-hosts';
import type { PortalInfo, SelfHostedPortalCheck, WebhookCheck, WebhookUser } from '@/utils/portals';

/** The shape of an inbound webhook URL, shown wherever a pasted text is refused. */
export const WEBHOOK_SHAPE = 'https://your-portal.bitrix24.com/rest/USER_ID/WEBHOOK_CODE/';

/** Props of {@link Options}. */
export interface OptionsProps {
  /** Configured portals (no secrets), in display order. */
  portals: PortalInfo[];
  /**
   * Checks the pasted text against its portal and saves it when the portal accepts it. Called synchronously from
   * the submit event, so it may request host permission first (a user gesture). Must not reject.
   */
  onSave: (url: string) => Promise<WebhookCheck>;
  /** Removes a portal's webhook, by portal origin. */
  onRemove: (portal: string) => unknown;
  /** Per portal origin: whether the browser lets the extension reach it; missing while unknown. */
  access?: Record<string, boolean>;
  /** Asks the browser for access to a portal; must call `permissions.request` first thing. */
  onGrantAccess?: (portal: string) => void;
  /** The setting "Use my Bitrix24 login when no webhook is saved"; the section is hidden when undefined. */
  useLogin?: boolean;
  /** The operator switched the setting. */
  onUseLoginChange?: (on: boolean) => void;
  /**
   * Per portal origin, whom a pin acts as ("Pins as John Roe (ID 12) — your Bitrix24 login", or the webhook's
   * user and the login's when they differ), for the portals the extension knows a login user of.
   */
  pinsAs?: Record<string, string>;
  /** Self-hosted portals added to pin through the login (origins), listed under the login setting. */
  selfHostedPortals?: string[];
  /**
   * Adds a self-hosted portal for the login from a typed address. Called synchronously from the Add click, so it
   * may request host permission first (a user gesture). Must not reject.
   */
  onAddSelfHostedPortal?: (address: string) => Promise<SelfHostedPortalCheck>;
  /** Removes a portal added for the login, by origin. */
  onRemoveSelfHostedPortal?: (portal: string) => unknown;
  /**
   * The organisation's managed settings (`utils/policy.ts`): what was read, and the settings in force. Locked
   * settings are shown read-only with "Set by your organisation"; ignored values get a note. Absent: no policy.
   */
  policy?: { reading: PolicyReading; settings: EffectiveSettings };
}

/** A stand-in for a substitution, replaced by markup after translation (a private-use character). */
const SLOT = '\uE000';

/** A translated text whose {@link SLOT} becomes `code`, set as one unbreakable unit where it fits. */
function WithCode(props: { text: string; code: string }) {
  const [before, after = ''] = props.text.split(SLOT);
  return (
    <>
      {before}
      <code class="inline-url">{props.code}</code>
      {after}
    </>
  );
}

/** `https://acme.bitrix24.com` → `acme.bitrix24.com`. */
function host(portal: string): string {
  try {
    return new URL(portal).host;
  } catch {
    return portal;
  }
}

/** "Jane Doe", or "#7" when Bitrix24 gave no name. */
export function userName(user: WebhookUser): string {
  return `${user.name} ${user.lastName}`.trim() || `#${user.id}`;
}

/**
 * The same webhook on the address the portal moved to: `https://NEW-HOST/rest/USER/SECRET/`. Null when the pasted
 * text is not a webhook or the move is not a plausible rename (`isPlausibleMove`: same `bitrix24.TLD` family, a
 * portal name that is not a service name, https): then no one-click resend of the secret is offered.
 * @param pasted the text the operator saved (any form the parser accepts).
 * @param movedTo the origin the portal redirected to (`B24Error.movedTo`).
 */
export function movedWebhook(pasted: string, movedTo: string): string | null {
  const parsed = parseWebhook(pasted);
  if (!parsed.ok) return null;
  let target: URL;
  try {
    target = new URL(movedTo);
  } catch {
    return null;
  }
  if (!isPlausibleMove(parsed.webhook.portal, target.origin)) return null;
  return `${target.origin}${parsed.webhook.base.slice(parsed.webhook.portal.length)}`;
}

/**
 * The options page: a form for the webhook URL (any pasted form) that reports whom the webhook acts as
 * or why it was refused, the configured portals with their masked webhooks and a Remove button each,
 * and how to create an inbound webhook. Pure: all browser access happens through the props.
 */
export function Options(props: OptionsProps) {
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<WebhookCheck | null>(null);
  /** The text behind `result`, so that "Use NEW-HOST" rewrites what was checked, not what was typed since. */
  const [checked, setChecked] = useState('');
  const inFlight = useRef(false);
  const input = useRef<HTMLInputElement>(null);
  /** "Use NEW-HOST": the button goes away with the answer, so keyboard focus returns to the input, not to <body>. */
  const applyNewHost = (newUrl: string) => {
    void save(newUrl).finally(() => input.current?.focus());
  };

  /** Checks and saves `text`. Called synchronously from a user gesture (submit, or the "Use NEW-HOST" click). */
  const save = async (text: string) => {
    if (inFlight.current) return;
    inFlight.current = true;
    // onSave is the first call of the handler: it may need the user gesture for a permission request.
    const pending = props.onSave(text);
    setBusy(true);
    try {
      const check = await pending;
      setResult(check);
      setChecked(text);
      // The webhook is a password: once saved, it doesn't stay on screen.
      if (check.ok && check.saved) setUrl('');
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  const submit = (event: Event) => {
    event.preventDefault();
    void save(url);
  };

  const settings = props.policy?.settings;
  const loginLocked = settings?.locked.has('useLogin') ?? false;
  // A locked setting shows the value in force, not the operator's stored choice.
  const useLogin = loginLocked ? settings?.useLogin : props.useLogin;
  const webhooksAllowed = settings?.webhooksAllowed ?? true;

  return (
    <main class="options">
      <h1>{i18n.t('options.title')}</h1>

      {props.policy && (
        <ManagedSettings
          reading={props.policy.reading}
          settings={props.policy.settings}
          access={props.access}
          onGrantAccess={props.onGrantAccess}
        />
      )}

      <section aria-labelledby="options-webhook-title">
        <h2 id="options-webhook-title">{i18n.t('options.webhook_heading')}</h2>
        {!webhooksAllowed ? (
          // The organisation allows only the operator's login: no field to paste a webhook into.
          <p class="notice policy-locked" id="options-webhook-locked">
            {i18n.t('policy.login_only')} <SetByOrganisation />
          </p>
        ) : (
          <form class="webhook-form" onSubmit={submit} noValidate>
            <label for="webhook-url">{i18n.t('options.webhook_url')}</label>
            <p id="webhook-url-hint" class="hint">
              <WithCode text={i18n.t('options.webhook_hint', [SLOT])} code={WEBHOOK_SHAPE} />
            </p>
            <div class="webhook-row">
              {/* type=text, not url: pasted text with spaces or a newline must reach the parser. */}
              <input
                ref={input}
                id="webhook-url"
                name="webhook"
                type="text"
                inputMode="url"
                autoComplete="off"
                autoCapitalize="off"
                spellcheck={false}
                aria-describedby="webhook-url-hint"
                value={url}
                onInput={(e) => setUrl((e.currentTarget as HTMLInputElement).value)}
              />
              <button type="submit" class="button button-primary" aria-disabled={busy} aria-busy={busy}>
                {busy ? i18n.t('options.saving') : i18n.t('options.save')}
              </button>
            </div>
          </form>
        )}
        <div aria-live="polite" id="options-webhook-result">
          {result && (
            <CheckResult
              check={result}
              checked={checked}
              busy={busy}
              onUse={applyNewHost}
              configured={props.portals.map((p) => p.portal)}
            />
          )}
        </div>
      </section>

      {useLogin !== undefined && (
        <section aria-labelledby="options-login-title">
          <h2 id="options-login-title">{i18n.t('login.heading')}</h2>
          <label class="checkbox">
            <input
              type="checkbox"
              id="options-use-login"
              checked={useLogin}
              disabled={loginLocked}
              aria-describedby="options-use-login-hint"
              onChange={(e) => props.onUseLoginChange?.((e.currentTarget as HTMLInputElement).checked)}
            />{' '}
            {i18n.t('login.setting')}
            {loginLocked && <SetByOrganisation />}
          </label>
          <p id="options-use-login-hint" class="hint">
            {i18n.t('login.setting_hint')}
          </p>
          {useLogin && (
            <ul class="login-list">
              {Object.entries(props.pinsAs ?? {})
                .filter(
                  ([portal]) =>
                    !props.portals.some((p) => p.portal === portal) &&
                    !props.selfHostedPortals?.includes(portal),
                )
                .map(([portal, text]) => (
                  <li key={portal}>
                    <strong>{host(portal)}</strong>: {text}
                  </li>
                ))}
            </ul>
          )}
          {/* With the login setting off the added portals stay listed (to remove them), but none is added. */}
          {props.onAddSelfHostedPortal && (useLogin || (props.selfHostedPortals?.length ?? 0) > 0) && (
            <SelfHostedPortals
              canAdd={!!useLogin}
              portals={props.selfHostedPortals ?? []}
              pinsAs={props.pinsAs}
              access={props.access}
              onGrantAccess={props.onGrantAccess}
              onAdd={props.onAddSelfHostedPortal}
              onRemove={props.onRemoveSelfHostedPortal}
            />
          )}
        </section>
      )}

      <section aria-labelledby="options-portals-title">
        <h2 id="options-portals-title">{i18n.t('options.portals_heading')}</h2>
        {props.portals.length === 0 ? (
          <p class="empty">{i18n.t('options.no_portals')}</p>
        ) : (
          <ul class="portal-list">
            {props.portals.map((p) => (
              <PortalRow
                key={p.portal}
                portal={p}
                onRemove={props.onRemove}
                hasAccess={props.access?.[p.portal]}
                onGrantAccess={props.onGrantAccess}
                pinsAs={webhooksAllowed ? props.pinsAs?.[p.portal] : undefined}
                unused={!webhooksAllowed}
              />
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="options-help-title" class="help">
        <h2 id="options-help-title">{i18n.t('options.help_heading')}</h2>
        <ol>
          <li>{i18n.t('options.help_step1')}</li>
          <li>{i18n.t('options.help_step2')}</li>
          <li>{i18n.t('options.help_step3')}</li>
          <li>{i18n.t('options.help_step4')}</li>
        </ol>
        <p class="hint">{i18n.t('options.help_self_hosted')}</p>
      </section>
    </main>
  );
}

/** Why the portal refused a webhook, worded for saving rather than pinning. */
function refusal(error: B24Error, portal?: string): string {
  if (error.kind === 'host-access') return i18n.t('options.host_access_refused');
  // The pinning text ("the dialogs may or may not be pinned") would be wrong here: nothing was pinned.
  if (error.kind === 'no-reply') return i18n.t('options.no_answer');
  return errorMessage(error, portal);
}

function CheckResult(props: {
  check: WebhookCheck;
  /** The text that was checked. */
  checked: string;
  busy: boolean;
  /** Saves another webhook URL (the portal's new address, after the operator confirms). */
  onUse: (url: string) => void;
  /** Origins of the portals that already have a webhook. */
  configured: readonly string[];
}) {
  const { check } = props;
  if (!check.ok && 'refusedBy' in check) {
    return (
      <div class="notice notice-error" role="alert">
        <p>{i18n.t('policy.webhook_refused')}</p>
      </div>
    );
  }
  if (!check.ok && 'parseError' in check) {
    return (
      <div class="notice notice-error" role="alert">
        <p>
          <strong>{i18n.t('options.not_webhook')}</strong>{' '}
          {t(`options.parse.${check.parseError.replaceAll('-', '_')}`)}
        </p>
        <p>{i18n.t('options.expected', [check.expected || WEBHOOK_SHAPE])}</p>
        <p>{i18n.t('options.nothing_saved')}</p>
      </div>
    );
  }
  if (!check.ok && check.error.kind === 'portal-moved' && check.error.movedTo) {
    const moved = movedWebhook(props.checked, check.error.movedTo);
    if (moved)
      return (
        <PortalMoved
          from={check.portal}
          to={check.error.movedTo}
          url={moved}
          busy={props.busy}
          onUse={props.onUse}
          replaces={props.configured.includes(new URL(check.error.movedTo).origin)}
        />
      );
  }
  if (!check.ok) {
    return (
      <div class="notice notice-error" role="alert">
        <p>
          <strong>{i18n.t('options.refused')}</strong> {refusal(check.error, check.portal)}
        </p>
        {check.maskedWebhook && (
          <p class="masked">
            <code>{check.maskedWebhook}</code>
          </p>
        )}
        <p>{i18n.t('options.nothing_saved')}</p>
      </div>
    );
  }
  const { user } = check.portal;
  return (
    <div class="notice notice-ok" role="status">
      <p>
        <strong>{check.saved ? i18n.t('options.saved') : i18n.t('options.not_saved')}</strong>{' '}
        {user
          ? i18n.t('options.acts_as', [userName(user), String(user.id)])
          : i18n.t('options.acts_as_unknown')}
      </p>
      <p>{i18n.t('options.pins_to_creator')}</p>
      {user?.admin && <p class="warning">{i18n.t('options.admin_warning')}</p>}
    </div>
  );
}

/**
 * The portal answered with a redirect to another address (a renamed cloud portal): says where, and offers to save
 * the same webhook there. Nothing is sent to the new host until the operator presses "Use NEW-HOST".
 */
function PortalMoved(props: {
  from: string;
  to: string;
  url: string;
  busy: boolean;
  onUse: (url: string) => void;
  /** The new address already has a webhook, which saving this one replaces. */
  replaces: boolean;
}) {
  const newHost = host(props.to);
  return (
    <div class="notice notice-warning" role="alert">
      <p>
        <strong>{i18n.t('options.moved_title', [host(props.from)])}</strong>{' '}
        {i18n.t('options.moved_to', [newHost])}
      </p>
      <p>{i18n.t('options.moved_confirm', [newHost])}</p>
      {props.replaces && <p class="warning">{i18n.t('options.moved_replaces', [newHost])}</p>}
      <button
        type="button"
        class="button button-primary"
        aria-disabled={props.busy}
        onClick={() => props.onUse(props.url)}
      >
        {i18n.t('options.moved_use', [newHost])}
      </button>
    </div>
  );
}

function PortalRow(props: {
  portal: PortalInfo;
  onRemove: (portal: string) => unknown;
  hasAccess?: boolean;
  onGrantAccess?: (portal: string) => void;
  pinsAs?: string;
  /** The organisation allows no webhooks: this one is kept but never used. */
  unused?: boolean;
}) {
  const { portal: p } = props;
  const name = host(p.portal);
  return (
    <li class={`portal ${p.status === 'broken' ? 'portal-broken' : ''}`}>
      <div class="portal-main">
        <h3>{name}</h3>
        <p class="masked">
          <code>{p.maskedWebhook}</code>
        </p>
        <p>
          {p.user
            ? i18n.t('options.user', [userName(p.user), String(p.user.id)])
            : i18n.t('options.user_unknown')}
          {p.user?.admin && <span class="badge badge-warning">{i18n.t('options.admin_badge')}</span>}
        </p>
        {props.pinsAs && <p class="pins-as">{props.pinsAs}</p>}
        {props.unused && (
          <p class="status status-unused">
            {i18n.t('policy.webhook_unused')} <SetByOrganisation />
          </p>
        )}
        <p class={p.status === 'broken' ? 'status status-broken' : 'status status-ok'}>
          {p.status === 'broken' ? i18n.t('options.status_broken') : i18n.t('options.status_ok')}
        </p>
        {props.hasAccess === false && (
          <AccessMissing name={name} onGrant={() => props.onGrantAccess?.(p.portal)} />
        )}
      </div>
      <RemoveButton name={name} onRemove={() => props.onRemove(p.portal)} />
    </li>
  );
}

/** What adding a self-hosted portal for the login came to, in the operator's words. */
export function selfHostedPortalText(answer: SelfHostedPortalCheck): string {
  if (answer.ok) {
    const name = host(answer.portal);
    return answer.cloud ? i18n.t('login.portal_cloud', [name]) : i18n.t('login.portal_added', [name]);
  }
  if (answer.kind === 'host-access') return i18n.t('login.portal_no_access', [host(answer.portal)]);
  if (answer.kind === 'not-https') return i18n.t('login.portal_not_https');
  if (answer.kind === 'no-reply') return i18n.t('login.portal_no_reply');
  return i18n.t('login.portal_invalid');
}

/**
 * Self-hosted portals pinned through the login: a field for the portal's address (Add asks the browser for access
 * to it in the click) and the portals added, each with whom pins act as, missing access and Remove.
 */
function SelfHostedPortals(props: {
  /** Whether the address field is offered (the login setting is on). */
  canAdd: boolean;
  portals: string[];
  pinsAs?: Record<string, string>;
  access?: Record<string, boolean>;
  onGrantAccess?: (portal: string) => void;
  onAdd: (address: string) => Promise<SelfHostedPortalCheck>;
  onRemove?: (portal: string) => unknown;
}) {
  const [address, setAddress] = useState('');
  const [answer, setAnswer] = useState<SelfHostedPortalCheck | null>(null);
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);
  const submit = (event: Event) => {
    event.preventDefault();
    if (inFlight.current) return;
    inFlight.current = true;
    // The first call of the handler: it may need the user gesture for the permission request.
    const pending = props.onAdd(address);
    setBusy(true);
    void pending
      .then((result) => {
        setAnswer(result);
        if (result.ok) setAddress('');
      })
      .finally(() => {
        inFlight.current = false;
        setBusy(false);
      });
  };
  return (
    <div class="self-hosted-portals">
      {props.canAdd && (
        <form class="webhook-form" onSubmit={submit} noValidate>
          <label for="self-hosted-address">{i18n.t('login.portal_label')}</label>
          <p id="self-hosted-hint" class="hint">
            {i18n.t('login.portal_hint')}
          </p>
          <div class="webhook-row">
            <input
              id="self-hosted-address"
              type="text"
              inputMode="url"
              autoComplete="off"
              autoCapitalize="off"
              spellcheck={false}
              placeholder="https://crm.example.org"
              aria-describedby="self-hosted-hint"
              value={address}
              onInput={(e) => setAddress((e.currentTarget as HTMLInputElement).value)}
            />
            <button type="submit" class="button button-secondary" aria-disabled={busy} aria-busy={busy}>
              {i18n.t('login.portal_add')}
            </button>
          </div>
        </form>
      )}
      <div aria-live="polite" id="options-self-hosted-result">
        {answer && (
          <div
            class={`notice ${answer.ok ? 'notice-ok' : 'notice-error'}`}
            role={answer.ok ? undefined : 'alert'}
          >
            <p>{selfHostedPortalText(answer)}</p>
          </div>
        )}
      </div>
      {props.portals.length > 0 && (
        <ul class="portal-list self-hosted-list">
          {props.portals.map((portal) => {
            const name = host(portal);
            return (
              <li key={portal} class="portal">
                <div class="portal-main">
                  <h3>{name}</h3>
                  {props.canAdd && (
                    <p class="pins-as">{props.pinsAs?.[portal] ?? i18n.t('login.pins_as_you')}</p>
                  )}
                  {props.access?.[portal] === false && (
                    <AccessMissing name={name} onGrant={() => props.onGrantAccess?.(portal)} />
                  )}
                </div>
                <RemoveButton name={name} onRemove={() => props.onRemove?.(portal)} />
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/** "The browser does not let the extension reach HOST", with Grant access (which must request first thing). */
function AccessMissing(props: { name: string; onGrant: () => void }) {
  return (
    <div class="notice notice-warning" role="alert">
      <p>{i18n.t('access.missing', [props.name])}</p>
      <button type="button" class="button button-secondary" onClick={props.onGrant}>
        {i18n.t('access.grant')}
      </button>
    </div>
  );
}

/** A portal row's Remove button, named after the portal for screen readers. */
function RemoveButton(props: { name: string; onRemove: () => void }) {
  return (
    <button
      type="button"
      class="button button-secondary"
      aria-label={i18n.t('options.remove_label', [props.name])}
      onClick={props.onRemove}
    >
      {i18n.t('options.remove')}
    </button>
  );
}

/** The mark of a setting the operator can't change. */
function SetByOrganisation() {
  return <span class="badge badge-locked">{i18n.t('policy.set_by_org')}</span>;
}

/** Why a managed value was ignored, in the operator's words. */
const PROBLEM_TEXT = {
  type: 'policy.problem_type',
  range: 'policy.problem_range',
  portal: 'policy.problem_portal',
  unknown: 'policy.problem_unknown',
} as const;

/**
 * What the organisation set by policy, each line read-only with "Set by your organisation"; a note for every value
 * that was ignored; and, for the organisation's portals the browser does not let the extension reach yet, the
 * request for access ("required by your organisation"). Nothing is shown without a policy.
 */
function ManagedSettings(props: {
  reading: PolicyReading;
  settings: EffectiveSettings;
  access?: Record<string, boolean> | undefined;
  onGrantAccess?: ((portal: string) => void) | undefined;
}) {
  const { policy, ignored } = props.reading;
  const { settings } = props;
  const lines: { key: string; text: string }[] = [];
  if (policy.portals)
    lines.push({ key: 'portals', text: i18n.t('policy.portals', [policy.portals.map(host).join(', ')]) });
  if (policy.signIn) lines.push({ key: 'signIn', text: t(`policy.sign_in_${policy.signIn}`) });
  if (policy.allowUnpinAll !== undefined)
    lines.push({
      key: 'allowUnpinAll',
      text: i18n.t(policy.allowUnpinAll ? 'policy.unpin_on' : 'policy.unpin_off'),
    });
  if (policy.undoMinutes !== undefined || policy.hideHistory)
    lines.push({
      key: 'undoMinutes',
      text:
        settings.undoMinutes > 0
          ? i18n.t('policy.undo_on', [String(settings.undoMinutes)])
          : i18n.t('policy.undo_off'),
    });
  if (policy.hideHistory !== undefined)
    lines.push({
      key: 'hideHistory',
      text: i18n.t(policy.hideHistory ? 'policy.history_hidden' : 'policy.history_kept'),
    });
  if (lines.length === 0 && ignored.length === 0) return null;
  const missing = settings.portals.filter((p) => props.access?.[p] === false);
  return (
    <section aria-labelledby="options-policy-title" class="policy">
      <h2 id="options-policy-title">{i18n.t('policy.heading')}</h2>
      {lines.length > 0 && (
        <>
          <p class="hint">{i18n.t('policy.intro')}</p>
          <ul class="policy-list">
            {lines.map((line) => (
              <li key={line.key} data-policy={line.key}>
                {line.text} <SetByOrganisation />
              </li>
            ))}
          </ul>
        </>
      )}
      {missing.map((portal) => (
        <div key={portal} class="notice notice-warning" role="alert">
          <p>{i18n.t('policy.access_required', [host(portal)])}</p>
          <button type="button" class="button button-secondary" onClick={() => props.onGrantAccess?.(portal)}>
            {i18n.t('access.grant')}
          </button>
        </div>
      ))}
      {ignored.map((problem) => (
        <p key={problem.key} class="notice notice-warning policy-ignored">
          {i18n.t('policy.ignored', [problem.key, i18n.t(PROBLEM_TEXT[problem.problem])])}
        </p>
      ))}
    </section>
  );
}
