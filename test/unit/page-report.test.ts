import * as v from 'valibot';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PageReport } from '@/utils/messaging';
import { askPageReport, createPageReportListener, pageReport, signatureText } from '@/utils/page-report';
import modeClassic from './fixtures/mode-classic-new-list.html?raw';
import modeLegacyFrame from './fixtures/mode-legacy-frame.html?raw';
import modeLegacyTop from './fixtures/mode-legacy-frame-top.html?raw';
import modeUnknown from './fixtures/mode-unknown-list.html?raw';

const RUNTIME_ID = 'test-extension-id';
const EXTENSION = 'chrome-extension://test-extension-id';
const POPUP = { id: RUNTIME_ID, url: `${EXTENSION}/popup.html` };

afterEach(() => {
  document.body.innerHTML = '';
});

/** The portal page in the test document; a list page with a control holds our host where the watcher puts it. */
function load(html: string, control = false): void {
  document.body.innerHTML = html.replaceAll('<iframe ', '<iframe srcdoc="" ');
  if (control) document.querySelector('.bx-imol-list-container-recent__header_container')!.after(host());
}

const host = (doc: Document = document) => doc.createElement('b24-pin-all');

/** Fills the (same-origin, empty) legacy iframe of the test document with `html`. */
function fillFrame(html: string): Document {
  const frame = document.querySelector('iframe')!;
  const doc = frame.contentDocument!;
  doc.body.innerHTML = html;
  return doc;
}

describe('pageReport (the top frame answers for the page)', () => {
  it('an unknown list: no control, and the signature names the messenger containers', () => {
    load(modeUnknown);
    const report = pageReport(document);
    expect(report.hasControl).toBe(false);
    expect(report.documents).toHaveLength(1);
    const [top] = report.documents;
    expect(top!.anchor).toBeNull();
    expect(top!.matched.map((m) => m.name)).toEqual([
      'messengerListColumn',
      'messengerRoot',
      'toolbarRightButtons',
    ]);
    expect(top!.containerClasses).toEqual(
      expect.arrayContaining([
        'bx-im-messenger__container',
        'bx-im-messenger__list_container',
        'bx-imol-list-base-container-recent__container',
        'bx-imol-list-base-recent__scroll-container',
      ]),
    );
    // What the popup accepts.
    expect(v.is(PageReport, report)).toBe(true);
  });

  it('a control in the page: hasControl', () => {
    load(modeClassic, true);
    expect(pageReport(document).hasControl).toBe(true);
  });

  it('the legacy frame: the frame document is read too, and its control counts', () => {
    load(modeLegacyTop);
    const frameDoc = fillFrame(modeLegacyFrame);
    let report = pageReport(document);
    expect(report.hasControl).toBe(false);
    expect(report.documents).toHaveLength(2);
    expect(report.documents[1]!.matched.map((m) => m.name)).toContain('legacyLinesWrap');
    frameDoc.querySelector('.bx-messenger-box-contact')!.prepend(host(frameDoc));
    report = pageReport(document);
    expect(report.hasControl).toBe(true);
  });

  it('holds no text, no IDs and no digits: user names and IDs in text, classes, ids and attributes stay out', () => {
    load(
      `${modeUnknown}<div class="bx-im-messenger__container"><div id="user-4711" data-user-id="4711" title="Jane Roe"
        class="bx-im-dialog-chat-1652 bx-im-user-4711 --id-98765"><span class="bx-im-name">Jane Roe 4711</span>
        <a href="/company/personal/user/4711/" class="bx-messenger-cl-id-chat1652">Maria Ivanova</a></div></div>`,
    );
    const report = pageReport(document);
    const documents = JSON.stringify(report.documents);
    for (const secret of [
      'Jane',
      'Roe',
      'John Smith',
      'Maria',
      'Ivanova',
      'Hello',
      'question',
      'user-4711',
      'personal',
    ]) {
      expect(documents).not.toContain(secret);
    }
    expect(documents).not.toMatch(/\d/);
    // Digits become N; the classes themselves are kept for the maintainer.
    expect(report.documents[0]!.containerClasses).toEqual(
      expect.arrayContaining(['bx-im-dialog-chat-N', 'bx-im-user-N', '--id-N']),
    );
    const text = signatureText(report, '1.2.3');
    expect(JSON.parse(text)).toEqual({
      pinAllPageSignature: 1,
      extension: '1.2.3',
      documents: report.documents,
    });
  });
});

describe('createPageReportListener (who gets an answer)', () => {
  const listener = () =>
    createPageReportListener({ runtimeId: RUNTIME_ID, extensionOrigin: EXTENSION, doc: document });

  it("answers this extension's popup with the page report", async () => {
    load(modeUnknown);
    const answer = await listener()({ type: 'pageReport' }, POPUP);
    expect(answer).toEqual(pageReport(document));
  });

  it.each([
    [
      'a content script of a portal tab',
      { id: RUNTIME_ID, url: 'https://acme.bitrix24.com/online/', tab: { id: 3 } },
    ],
    ['another extension', { id: 'other-extension', url: 'chrome-extension://other-extension/popup.html' }],
    ['a page of another origin claiming our ID', { id: RUNTIME_ID, url: 'https://evil.example/popup.html' }],
    ['a look-alike origin', { id: RUNTIME_ID, url: `${EXTENSION}.evil.example/popup.html` }],
    ['no URL', { id: RUNTIME_ID }],
  ])('gives no answer to %s', (_name, sender) => {
    load(modeUnknown);
    expect(listener()({ type: 'pageReport' }, sender as never)).toBeUndefined();
  });

  it('gives no answer to other or malformed messages (other listeners answer those)', () => {
    expect(listener()({ type: 'loginCall', method: 'profile', timeoutMs: 5000 }, POPUP)).toBeUndefined();
    expect(listener()({ type: 'pageReport', extra: 1 }, POPUP)).toBeUndefined();
    expect(listener()('pageReport', POPUP)).toBeUndefined();
  });

  it('gives no answer in a child frame (the top frame answers for it)', () => {
    load(modeLegacyTop);
    const frameDoc = fillFrame(modeLegacyFrame);
    const inFrame = createPageReportListener({
      runtimeId: RUNTIME_ID,
      extensionOrigin: EXTENSION,
      doc: frameDoc,
    });
    expect(inFrame({ type: 'pageReport' }, POPUP)).toBeUndefined();
  });
});

describe('askPageReport (the popup asks the active tab)', () => {
  const report: PageReport = pageReportOf(modeUnknown);

  function pageReportOf(html: string): PageReport {
    load(html);
    const r = pageReport(document);
    document.body.innerHTML = '';
    return r;
  }

  it('asks the top frame (frame 0) of the active https tab', async () => {
    const sendToFrame = vi.fn(async () => report);
    const answer = await askPageReport({
      activeTab: async () => ({ id: 5, url: 'https://acme.bitrix24.com/online/' }),
      sendToFrame,
    });
    expect(answer).toEqual(report);
    expect(sendToFrame).toHaveBeenCalledWith(5, { type: 'pageReport' }, 0);
  });

  it.each([
    ['no tab', async () => undefined, async () => report],
    ['a non-https tab', async () => ({ id: 5, url: 'chrome://extensions/' }), async () => report],
    [
      'no content script there',
      async () => ({ id: 5, url: 'https://example.com/' }),
      async () => Promise.reject(new Error('Could not establish connection. Receiving end does not exist.')),
    ],
    [
      'an answer of another shape',
      async () => ({ id: 5, url: 'https://acme.bitrix24.com/' }),
      async () => ({ hasControl: false, documents: [{ text: 'Jane Roe' }] }),
    ],
  ])('%s: null', async (_name, activeTab, sendToFrame) => {
    expect(await askPageReport({ activeTab, sendToFrame })).toBeNull();
  });
});
