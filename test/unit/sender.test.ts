import { describe, expect, it } from 'vitest';
import { classifySender } from '@/utils/sender';

const ID = 'abcdefghijklmnopabcdefghijklmnop';
const ORIGIN = `chrome-extension://${ID}`;
const known = (o: string) => o === 'https://crm.example.org';
const tabBase = { id: 4, index: 0, highlighted: false, active: true, pinned: false, incognito: false };
const tab = tabBase as never;

describe('classifySender', () => {
  it.each([
    ['the popup', { id: ID, url: `${ORIGIN}/popup.html` }, { kind: 'extension-page' }],
    [
      'the options page in a tab',
      { id: ID, url: `${ORIGIN}/options.html`, tab, frameId: 0 },
      { kind: 'extension-page' },
    ],
    [
      'a content script on a cloud portal',
      {
        id: ID,
        url: 'https://acme.bitrix24.com/online/',
        tab: { ...tabBase, url: 'https://acme.bitrix24.com/online/' },
        frameId: 0,
        origin: 'https://acme.bitrix24.com',
      },
      { kind: 'content-script', portal: 'https://acme.bitrix24.com', tabId: 4, frameId: 0 },
    ],
    [
      'a content script in the legacy Open Lines frame',
      {
        id: ID,
        url: 'https://acme.bitrix24.com/desktop_app/?IFRAME=Y&IM_LINES=Y',
        tab: { ...tabBase, url: 'https://acme.bitrix24.com/online/' },
        frameId: 3,
        origin: 'https://acme.bitrix24.com',
      },
      { kind: 'content-script', portal: 'https://acme.bitrix24.com', tabId: 4, frameId: 3 },
    ],
    [
      'a content script on a configured self-hosted portal',
      {
        id: ID,
        url: 'https://crm.example.org/online/',
        tab: { ...tabBase, url: 'https://crm.example.org/' },
        frameId: 0,
      },
      { kind: 'content-script', portal: 'https://crm.example.org', tabId: 4, frameId: 0 },
    ],
  ])('accepts %s', (_name, sender, expected) => {
    expect(classifySender(sender as never, ID, ORIGIN, known)).toEqual(expected);
  });

  it.each([
    [
      'another extension',
      { id: 'otherextensionidotherextensionid', url: `chrome-extension://other/popup.html` },
    ],
    [
      'a look-alike origin',
      { id: ID, url: `chrome-extension://${ID}.evil.example/popup.html`, tab, frameId: 0 },
    ],
    ['a web page (no extension id)', { url: 'https://acme.bitrix24.com/online/', tab, frameId: 0 }],
    ['a content script on a non-portal origin', { id: ID, url: 'https://evil.example/', tab, frameId: 0 }],
    ['a look-alike cloud host', { id: ID, url: 'https://acme.bitrix24.com.evil.example/', tab, frameId: 0 }],
    ['a content script over http', { id: ID, url: 'http://acme.bitrix24.com/', tab, frameId: 0 }],
    ['a sender without tab', { id: ID, url: 'https://acme.bitrix24.com/' }],
    ['no URL', { id: ID }],
  ])('refuses %s', (_name, sender) => {
    expect(classifySender(sender as never, ID, ORIGIN, known)).toBeNull();
  });

  const top = (url: string) => ({ ...tabBase, url });
  it.each([
    [
      'a portal page framed by another site',
      { id: ID, url: 'https://acme.bitrix24.com/online/', tab: top('https://evil.example/'), frameId: 2 },
    ],
    [
      'a portal page framed by another portal',
      {
        id: ID,
        url: 'https://acme.bitrix24.com/online/',
        tab: top('https://other.bitrix24.com/'),
        frameId: 2,
      },
    ],
    [
      'a frame whose tab URL the browser does not reveal',
      { id: ID, url: 'https://acme.bitrix24.com/online/', tab, frameId: 2 },
    ],
    [
      'a sandboxed (opaque-origin) portal document',
      {
        id: ID,
        url: 'https://acme.bitrix24.com/online/',
        tab: top('https://acme.bitrix24.com/online/'),
        frameId: 2,
        origin: 'null',
      },
    ],
    [
      'a frame whose origin differs from its URL',
      {
        id: ID,
        url: 'https://acme.bitrix24.com/',
        tab: top('https://acme.bitrix24.com/'),
        frameId: 2,
        origin: 'https://evil.example',
      },
    ],
    [
      'a cloud portal host on another port',
      {
        id: ID,
        url: 'https://acme.bitrix24.com:8443/online/',
        tab: top('https://acme.bitrix24.com:8443/'),
        frameId: 0,
      },
    ],
    [
      'a configured self-hosted host on another port than the portal',
      {
        id: ID,
        url: 'https://crm.example.org:9443/online/',
        tab: top('https://crm.example.org:9443/'),
        frameId: 0,
      },
    ],
  ])('tells %s only that it is not available here', (_name, sender) => {
    expect(classifySender(sender as never, ID, ORIGIN, known, (h) => h === 'crm.example.org')).toEqual({
      kind: 'foreign-document',
    });
  });
});
