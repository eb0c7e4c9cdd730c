import { describe, expect, it } from 'vitest';
import { movedWebhook } from '@/components/Options';
import { errorMessage } from '@/utils/outcome-text';
import { isPlausibleMove } from '@/utils/portal-hosts';

const OLD = 'https://acme.bitrix24.com';

describe('isPlausibleMove: "Use NEW-HOST" only for a renamed cloud portal', () => {
  it.each([
    ['another portal name on the same TLD', 'https://acme-new.bitrix24.com'],
    [
      'a two-part TLD to the same two-part TLD',
      'https://beta.bitrix24.com.br',
      'https://alpha.bitrix24.com.br',
    ],
  ])('offers %s', (_name, to, from = OLD) => {
    expect(isPlausibleMove(from, to)).toBe(true);
  });

  it.each([
    ['a service name (www)', 'https://www.bitrix24.com'],
    ['a login service', 'https://auth.bitrix24.com'],
    ['an OAuth service', 'https://oauth.bitrix24.com'],
    ['an api service', 'https://api.bitrix24.com'],
    ['the "my" service', 'https://my.bitrix24.com'],
    ['another TLD family', 'https://acme.bitrix24.de'],
    ['a .com to .com.br look-alike', 'https://acme.bitrix24.com.br'],
    ['a nested name', 'https://x.acme.bitrix24.com'],
    ['a non-portal host', 'https://evil.example'],
    ['the bare service domain', 'https://bitrix24.com'],
    ['a port', 'https://acme2.bitrix24.com:8443'],
    ['plain http', 'http://acme2.bitrix24.com'],
    ['the same origin', OLD],
  ])('refuses %s', (_name, to) => {
    expect(isPlausibleMove(OLD, to)).toBe(false);
  });

  it('a self-hosted portal never "moves" in one click', () => {
    expect(isPlausibleMove('https://crm.example.org', 'https://crm2.example.org')).toBe(false);
  });
});

describe('what the operator is offered', () => {
  const pasted = `${OLD}/rest/7/q1w2e3r4t5y6u7i8/`;
  it('a plausible rename: the same webhook on the new host, and "moved to"', () => {
    expect(movedWebhook(pasted, 'https://acme-new.bitrix24.com')).toBe(
      'https://acme-new.bitrix24.com/rest/7/q1w2e3r4t5y6u7i8/',
    );
    expect(errorMessage({ kind: 'portal-moved', movedTo: 'https://acme-new.bitrix24.com' }, OLD)).toMatch(
      /moved to https:\/\/acme-new\.bitrix24\.com/,
    );
  });
  it.each(['https://auth.bitrix24.com', 'https://evil.example', 'https://acme.bitrix24.de'])(
    'a redirect to %s: no one-click resend, "redirects to X — check the address"',
    (to) => {
      expect(movedWebhook(pasted, to)).toBeNull();
      expect(errorMessage({ kind: 'portal-moved', movedTo: to }, OLD)).toBe(
        `The portal redirects to ${new URL(to).host} — check the address. The webhook was not sent there.`,
      );
    },
  );
});
