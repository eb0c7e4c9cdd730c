import { describe, expect, it } from 'vitest';
import type { ErrorKind } from '@/utils/bitrix24/errors';
import { ERROR_CODES } from '@/utils/bitrix24/errors';
import type { PinOutcome } from '@/utils/outcome';
import {
  badgeText,
  errorMessage,
  NOTIFICATION_MESSAGE_MAX,
  outcomeLine,
  outcomeText,
} from '@/utils/outcome-text';

const base = {
  id: 'x',
  portal: 'https://acme.bitrix24.com',
  at: 0,
  trigger: 'popup',
  action: 'pin',
} as const;
const success = (sessionIds: number[]): PinOutcome => ({ ...base, ok: true, sessionIds });
const failure = (kind: ErrorKind, extra = {}): PinOutcome => ({
  ...base,
  ok: false,
  error: { kind, ...extra },
});

describe('outcome text', () => {
  it('names the count and the IDs', () => {
    expect(outcomeText(success([1652, 1653]))).toEqual({ title: 'Pinned 2 dialogs', message: '1652, 1653' });
    expect(outcomeLine(success([1652, 1653]))).toBe('Pinned 2 dialogs: 1652, 1653');
    expect(outcomeText(success([42])).title).toBe('Pinned 1 dialog');
  });

  it('nothing pinned says so', () => {
    expect(outcomeLine(success([]))).toMatch(/^Nothing to pin/);
    expect(badgeText(success([])).text).toBe('0');
  });

  it('500 IDs fit the notification: count, first IDs and "+N more"', () => {
    const ids = Array.from({ length: 500 }, (_, i) => i + 1);
    const { title, message } = outcomeText(success(ids));
    expect(title).toBe('Pinned 500 dialogs');
    expect(message.length).toBeLessThanOrEqual(NOTIFICATION_MESSAGE_MAX);
    expect(message).toMatch(/^1, 2, 3, .* \+\d+ more$/);
    const shown = message.replace(/ \+\d+ more$/, '').split(', ').length;
    expect(message).toContain(`+${500 - shown} more`);
    expect(outcomeLine(success(ids)).length).toBeLessThanOrEqual(NOTIFICATION_MESSAGE_MAX + 20);
  });

  it('every error kind has its own actionable message', () => {
    const kinds = new Set<ErrorKind>([
      ...Object.values(ERROR_CODES),
      'no-webhook',
      'unknown-error',
      'not-rest',
      'bad-response',
      'network',
      'no-reply',
      'portal-moved',
      'host-access',
    ]);
    const messages = [...kinds].map((kind) => errorMessage({ kind }));
    for (const m of messages) expect(m.length).toBeGreaterThan(20);
    expect(new Set(messages).size).toBe(kinds.size);
  });

  it.each([
    ['missing-scope', /imopenlines/],
    ['https-required', /HTTPS/],
    ['webhook-invalid', /invalid or was deleted/],
    ['no-reply', /may or may not be pinned/],
    ['network', /network or certificate/],
    ['not-rest', /web page, not REST/],
    ['server-error', /server error/],
  ] as const)('%s says %s', (kind, text) => {
    expect(outcomeLine(failure(kind))).toMatch(text);
    expect(badgeText(failure(kind)).text).toBe('!');
  });

  it('the operating limit names the time it clears when known', () => {
    const resetAt = new Date(2026, 10, 29, 14, 35).getTime();
    expect(errorMessage({ kind: 'operation-limit', resetAt })).toMatch(/after .*35/);
    expect(errorMessage({ kind: 'operation-limit' })).toMatch(/10 minutes/);
  });

  it('a moved portal names the new address; an unknown code is quoted', () => {
    expect(errorMessage({ kind: 'portal-moved', movedTo: 'https://new.bitrix24.com' })).toContain(
      'https://new.bitrix24.com',
    );
    expect(errorMessage({ kind: 'unknown-error', code: 'WEIRD_CODE' })).toContain('WEIRD_CODE');
    expect(errorMessage({ kind: 'portal-moved' })).toMatch(/redirect/);
    expect(errorMessage({ kind: 'portal-moved' })).not.toContain('?');
  });
});
