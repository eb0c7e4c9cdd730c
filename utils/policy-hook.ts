import { useEffect, useState } from 'preact/hooks';
import { NO_POLICY, type PolicyReading, readPolicy, watchPolicy } from './policy';

/**
 * The organisation's managed settings for an extension page, read once and again whenever the policy changes
 * (Chrome applies policy changes without a restart). {@link NO_POLICY} until read, and where there is none.
 */
export function usePolicy(): PolicyReading {
  const [reading, setReading] = useState<PolicyReading>(NO_POLICY);
  useEffect(() => {
    let live = true;
    const unwatch = watchPolicy(setReading);
    readPolicy().then((r) => live && setReading(r));
    return () => {
      live = false;
      unwatch();
    };
  }, []);
  return reading;
}
