// Whom a pin acts as (utils/pins-as.ts): the webhook's creator when a webhook is saved, else the login; both
// named when they are different people.
import { describe, expect, it } from 'vitest';
import { pinsAsText } from '@/utils/pins-as';

const jane = { id: 7, name: 'Jane', lastName: 'Doe', admin: false };
const john = { id: 12, name: 'John', lastName: 'Roe', at: 1 };

describe('pinsAsText', () => {
  it('names the login when no webhook is saved', () => {
    expect(pinsAsText({ loginUser: john, useLogin: true })).toBe(
      'Pins as John Roe (ID 12) — your Bitrix24 login',
    );
  });
  it('says "you" before the login’s user is known', () => {
    expect(pinsAsText({ useLogin: true })).toBe('Pins as you — your Bitrix24 login');
  });
  it('says nothing for the login when it is switched off', () => {
    expect(pinsAsText({ loginUser: john, useLogin: false })).toBeNull();
  });
  it('names the webhook’s user when a webhook is saved, the same person as the login', () => {
    const same = { ...john, id: 7, name: 'Jane', lastName: 'Doe' };
    expect(pinsAsText({ webhookUser: jane, loginUser: same, useLogin: true })).toBe(
      'Pins as Jane Doe (ID 7) — your webhook',
    );
  });
  it('says so when the webhook and the login are different people', () => {
    expect(pinsAsText({ webhookUser: jane, loginUser: john, useLogin: true })).toBe(
      'Pins as Jane Doe (ID 7) — your webhook; you are logged in as John Roe (ID 12)',
    );
  });
  it('says nothing when the webhook’s user is unknown', () => {
    expect(pinsAsText({ webhookUser: null, loginUser: john, useLogin: true })).toBeNull();
  });
});
