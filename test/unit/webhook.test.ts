import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskWebhook, parseWebhook, portalOfUrl } from '@/utils/bitrix24/webhook';

const CANON = 'https://x.bitrix24.com/rest/1/abc123xyz/';

describe('parseWebhook', () => {
  it.each([
    ['canonical', 'https://x.bitrix24.com/rest/1/abc123xyz/'],
    ['spaces, newline, upper-case host, no slash', '  https://X.Bitrix24.com/rest/1/abc123xyz\n'],
    ['method profile.json', 'https://x.bitrix24.com/rest/1/abc123xyz/profile.json'],
    ['method profile/', 'https://x.bitrix24.com/rest/1/abc123xyz/profile/'],
    [
      'pinAll.json with query',
      'https://x.bitrix24.com/rest/1/abc123xyz/imopenlines.session.mode.pinAll.json?x=1',
    ],
    ['REST v3 form', 'https://x.bitrix24.com/rest/api/1/abc123xyz/'],
    ['trailing dot on host', 'https://x.bitrix24.com./rest/1/abc123xyz/'],
    ['fragment', 'https://x.bitrix24.com/rest/1/abc123xyz/#top'],
    ['no scheme', 'x.bitrix24.com/rest/1/abc123xyz'],
    ['http on a cloud host is upgraded', 'http://x.bitrix24.com/rest/1/abc123xyz/'],
  ])('%s → one canonical form', (_name, input) => {
    const parsed = parseWebhook(input);
    expect(parsed.ok && parsed.webhook.base).toBe(CANON);
  });

  it('says when it upgraded http to https', () => {
    const parsed = parseWebhook('http://x.bitrix24.com/rest/1/abc/');
    expect(parsed).toMatchObject({
      ok: true,
      upgradedToHttps: true,
      webhook: { base: 'https://x.bitrix24.com/rest/1/abc/' },
    });
  });

  it('turns a Unicode host into its punycode form, the same as pasting the punycode', () => {
    const unicode = parseWebhook('https://портал.рф/rest/7/secret77/');
    const puny = parseWebhook('https://xn--80awhdgm.xn--p1ai/rest/7/secret77/');
    expect(unicode.ok && unicode.webhook.portal).toBe('https://xn--80awhdgm.xn--p1ai');
    expect(unicode.ok && puny.ok && unicode.webhook.base === puny.webhook.base).toBe(true);
  });

  it('keeps a self-hosted portal port', () => {
    const parsed = parseWebhook('https://crm.example.org:8443/rest/3/abc/');
    expect(parsed.ok && parsed.webhook.base).toBe('https://crm.example.org:8443/rest/3/abc/');
  });

  it.each([
    ['no user ID', 'https://x.bitrix24.com/rest/abc123xyz/', 'no-user-id'],
    ['user ID zero', 'https://x.bitrix24.com/rest/0/abc123xyz/', 'no-user-id'],
    ['no secret', 'https://x.bitrix24.com/rest/1/', 'no-secret'],
    ['empty', '   \n', 'empty'],
    ['not a URL', 'http://', 'not-url'],
    ['another path', 'https://x.bitrix24.com/online/', 'not-rest-path'],
    ['ftp', 'ftp://x.bitrix24.com/rest/1/abc/', 'not-url'],
    ['credentials in the URL', 'https://u:p@x.bitrix24.com/rest/1/abc/', 'has-credentials'],
    ['http on a self-hosted host', 'http://crm.example.org/rest/1/abc/', 'not-https'],
    ['look-alike cloud host over http', 'http://x.bitrix24.com.evil.example/rest/1/abc/', 'not-https'],
  ])('%s is refused (%s)', (_name, input, error) => {
    expect(parseWebhook(input)).toEqual({ ok: false, error });
  });

  it('property: never throws; any success is canonical and parses to itself', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9._~%-]{0,12}$/);
    const input = fc.oneof(
      fc.string(),
      fc
        .tuple(
          fc.constantFrom('https://', 'http://', '', 'HTTPS://', ' ftp://'),
          fc.domain(),
          fc.constantFrom('/rest/', '/REST/', '/rest/api/', '/', '/x/'),
          segment,
          fc.constantFrom('/', ''),
          segment,
          fc.constantFrom('', '/', '/profile.json', '?a=1', '#f', '\n'),
        )
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(input, (text) => {
        const parsed = parseWebhook(text);
        if (!parsed.ok) return typeof parsed.error === 'string';
        const { base, portal, userId, secret } = parsed.webhook;
        expect(base).toBe(`${portal}/rest/${userId}/${secret}/`);
        expect(base.startsWith('https://')).toBe(true);
        const again = parseWebhook(base);
        expect(again.ok && again.webhook).toEqual(parsed.webhook);
        return true;
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('maskWebhook', () => {
  it('never shows more than 4 characters of the secret', () => {
    const parsed = parseWebhook('https://x.bitrix24.com/rest/7/q1w2e3r4t5y6u7i8/');
    if (!parsed.ok) throw new Error('fixture');
    const masked = maskWebhook(parsed.webhook);
    expect(masked).toBe('https://x.bitrix24.com/rest/7/q1••••••i8/');
    expect(masked).not.toContain('w2e3r4t5y6u7');
  });
  it('shows nothing of a short secret', () => {
    const parsed = parseWebhook('https://x.bitrix24.com/rest/7/abc/');
    expect(parsed.ok && maskWebhook(parsed.webhook)).toBe('https://x.bitrix24.com/rest/7/••••••••/');
  });
});

describe('portalOfUrl', () => {
  it.each([
    ['https://Acme.Bitrix24.com/online/?IM_LINES=chat1', 'https://acme.bitrix24.com'],
    ['https://crm.example.org:8443/desktop_app/?IFRAME=Y', 'https://crm.example.org:8443'],
    ['http://acme.bitrix24.com/', null],
    ['about:blank', null],
    [undefined, null],
  ])('%s → %s', (url, portal) => {
    expect(portalOfUrl(url)).toBe(portal);
  });
});
