import { type EffectiveSettings, effectiveSettings } from '../policy';
import type { BackgroundDeps } from './deps';

/**
 * The settings in force for the background, policy > operator's choice > default (`effectiveSettings` in
 * `utils/policy.ts`), read afresh on every call: a policy changed while the worker runs applies to the next pin.
 */
export type Settings = () => Promise<EffectiveSettings>;

/** Creates the background's {@link Settings} over the managed settings and the operator's stored choices. */
export function createSettings(deps: Pick<BackgroundDeps, 'policy' | 'storage'>): Settings {
  return async () => {
    const [reading, useLogin] = await Promise.all([deps.policy(), deps.storage.useLogin.getValue()]);
    return effectiveSettings(reading.policy, { useLogin });
  };
}
