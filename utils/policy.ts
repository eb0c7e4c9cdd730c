import * as v from 'valibot';
import { browser } from 'wxt/browser';
import { portalOfUrl } from './bitrix24/webhook';

/**
 * Settings an administrator sets by browser policy, read from `storage.managed`: Chrome and Edge fill it from the
 * `3rdparty` extension policy checked against `public/managed_schema.json`; Firefox from `policies.json`
 * (`3rdparty.Extensions.<add-on id>`), without any schema check. How to deploy them: `docs/admin.md`.
 *
 * Precedence, for every setting: policy > the operator's choice > the default. A key with a value of the wrong
 * type or out of range is ignored (and listed, for a note in the options page); the other keys still apply.
 */

/**
 * How pins may authenticate: `login` (the operator's Bitrix24 login only; no webhook can be saved or used),
 * `webhook` (webhooks only; the login path is off), `any` (the operator's choice; the default).
 */
export const SIGN_IN_MODES = ['any', 'login', 'webhook'] as const;
export type SignIn = (typeof SIGN_IN_MODES)[number];

/** The largest `undoMinutes` accepted: one working day. */
export const UNDO_MINUTES_MAX = 24 * 60;
/** How long Undo is offered after a pin when no policy says otherwise, minutes. */
export const UNDO_MINUTES_DEFAULT = 10;
/** The most portal addresses `portals` may list; more would say the policy is not what the admin meant. */
export const POLICY_PORTALS_MAX = 500;

/** The managed keys, in the order the options page and `docs/admin.md` list them. */
export const POLICY_KEYS = ['portals', 'signIn', 'allowUnpinAll', 'undoMinutes', 'hideHistory'] as const;
export type PolicyKey = (typeof POLICY_KEYS)[number];

/** The valid managed settings; a key is absent when the administrator did not set it or set it wrong. */
export interface Policy {
  /** Portal origins (`https://crm.example.org`), normalised; the extension treats them as portals. */
  portals?: string[];
  signIn?: SignIn;
  /** Whether Unpin all is offered. */
  allowUnpinAll?: boolean;
  /** How long Undo is offered after a pin, minutes; 0 turns Undo off. */
  undoMinutes?: number;
  /** Privacy: the history keeps no session IDs, the popup shows only the last outcome's count. */
  hideHistory?: boolean;
}

/**
 * A managed value that was ignored: `key` is the policy key (`portals[2]` for one entry of the list), `problem`
 * why: `type` (wrong type or not one of the allowed values), `range` (a number out of range, a list too long),
 * `portal` (not an https portal address), `unknown` (a key the extension does not know: likely a typo).
 */
export interface PolicyProblem {
  key: string;
  problem: 'type' | 'range' | 'portal' | 'unknown';
}

/** What the managed storage held: the settings that apply and the values that were ignored. */
export interface PolicyReading {
  policy: Policy;
  ignored: PolicyProblem[];
}

/** No policy: what every browser without one (or without managed storage) reads. */
export const NO_POLICY: PolicyReading = Object.freeze({ policy: {}, ignored: [] });

const VALUE_SCHEMAS = {
  signIn: v.picklist(SIGN_IN_MODES),
  allowUnpinAll: v.boolean(),
  undoMinutes: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(UNDO_MINUTES_MAX)),
  hideHistory: v.boolean(),
} as const;

/** An https portal address (any path is dropped: the portal is its origin), or null; no user name or password. */
function policyPortal(entry: unknown): string | null {
  if (typeof entry !== 'string' || entry.length > 300) return null;
  try {
    const url = new URL(entry.trim());
    if (url.username || url.password) return null;
  } catch {
    return null;
  }
  return portalOfUrl(entry.trim());
}

/**
 * Validates what `storage.managed.get()` returned, key by key. Never throws: anything unusable is ignored and
 * reported in `ignored`, so a wrong value never breaks the extension.
 */
export function parsePolicy(raw: unknown): PolicyReading {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return NO_POLICY;
  const policy: Policy = {};
  const ignored: PolicyProblem[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    // Chrome hands an unset optional key back as missing, Firefox may hand back null: both mean "not set".
    if (value === undefined || value === null) continue;
    if (key === 'portals') {
      if (!Array.isArray(value)) {
        ignored.push({ key, problem: 'type' });
        continue;
      }
      if (value.length > POLICY_PORTALS_MAX) {
        ignored.push({ key, problem: 'range' });
        continue;
      }
      const portals: string[] = [];
      value.forEach((entry, i) => {
        const portal = policyPortal(entry);
        if (portal) portals.push(portal);
        else ignored.push({ key: `portals[${i}]`, problem: 'portal' });
      });
      policy.portals = [...new Set(portals)];
    } else if (Object.hasOwn(VALUE_SCHEMAS, key)) {
      const k = key as keyof typeof VALUE_SCHEMAS;
      const parsed = v.safeParse(VALUE_SCHEMAS[k], value);
      if (parsed.success) (policy as Record<string, unknown>)[k] = parsed.output;
      else
        ignored.push({ key, problem: k === 'undoMinutes' && typeof value === 'number' ? 'range' : 'type' });
    } else {
      ignored.push({ key, problem: 'unknown' });
    }
  }
  return { policy, ignored };
}

/**
 * Reads and validates the managed settings. Resolves to {@link NO_POLICY} where the browser has no managed storage
 * or refuses to read it (Firefox without a `policies.json` entry throws "Managed storage manifest not found";
 * some profiles have no managed storage at all). Never rejects.
 */
export async function readPolicy(): Promise<PolicyReading> {
  try {
    const managed = browser.storage?.managed;
    if (!managed) return NO_POLICY;
    return parsePolicy(await managed.get());
  } catch {
    return NO_POLICY;
  }
}

/**
 * Calls `onChange` with a fresh reading whenever the managed settings change (Chrome applies policy changes
 * without a restart). Returns a function that stops watching.
 */
export function watchPolicy(onChange: (reading: PolicyReading) => void): () => void {
  let live = true;
  const listener = (_changes: unknown, area: string) => {
    if (area === 'managed') void readPolicy().then((reading) => live && onChange(reading));
  };
  browser.storage.onChanged.addListener(listener);
  return () => {
    live = false;
    browser.storage.onChanged.removeListener(listener);
  };
}

/** The operator's own choices that a policy can override. */
export interface OperatorChoices {
  /** "Use my Bitrix24 login when no webhook is saved". */
  useLogin: boolean;
}

/** The settings in force, after policy > operator's choice > default. */
export interface EffectiveSettings {
  signIn: SignIn;
  /** Whether a portal without a (usable) webhook is pinned through the operator's login. */
  useLogin: boolean;
  /** Whether webhooks may be saved and used (false under `signIn: "login"`). */
  webhooksAllowed: boolean;
  /** Portals named by the organisation (origins); empty without a policy. */
  portals: string[];
  allowUnpinAll: boolean;
  /** Undo window, minutes; 0 = Undo off (also when the history keeps no IDs: Undo needs them). */
  undoMinutes: number;
  hideHistory: boolean;
  /** The settings the operator can't change: shown read-only with "Set by your organisation". */
  locked: ReadonlySet<PolicyKey | 'useLogin'>;
}

/** Combines a policy with the operator's choices: policy > operator's choice > default. */
export function effectiveSettings(policy: Policy, choices: OperatorChoices): EffectiveSettings {
  const signIn = policy.signIn ?? 'any';
  const locked = new Set<PolicyKey | 'useLogin'>(POLICY_KEYS.filter((k) => policy[k] !== undefined));
  if (signIn !== 'any') locked.add('useLogin');
  const hideHistory = policy.hideHistory ?? false;
  return {
    signIn,
    useLogin: signIn === 'login' ? true : signIn === 'webhook' ? false : choices.useLogin,
    webhooksAllowed: signIn !== 'login',
    portals: policy.portals ?? [],
    allowUnpinAll: policy.allowUnpinAll ?? true,
    undoMinutes: hideHistory ? 0 : (policy.undoMinutes ?? UNDO_MINUTES_DEFAULT),
    hideHistory,
    locked,
  };
}
