import { beforeEach, describe, expect, it } from 'vitest';
import { type Anchor, findAnchor, HOST_TAG, isCheapCandidate } from '@/utils/portal-pages';
import contactCenter from './fixtures/contact-center.html?raw';
import legacyFrame from './fixtures/legacy-lines-frame.html?raw';
import legacyIframeTop from './fixtures/legacy-lines-iframe-top.html?raw';
import chatLayout from './fixtures/messenger-chat-layout.html?raw';
import onlineV2 from './fixtures/openlines-v2-online.html?raw';
import sliderLegacy from './fixtures/slider-legacy-lines-iframe.html?raw';
import sliderV2 from './fixtures/slider-openlines-v2.html?raw';
import stream from './fixtures/stream-toolbar-only.html?raw';

/** Puts a fixture in the test document. happy-dom cannot load frames: iframes get an empty `srcdoc`. */
function load(html: string): void {
  document.body.innerHTML = html.replaceAll('<iframe ', '<iframe srcdoc="" ');
}

/** A cached, closed slider: Bitrix24 keeps its DOM and hides it. */
const hidden = (html: string) => `<div style="display:none">${html}</div>`;

type Expected = { kind: Anchor['kind']; element: string; place: Anchor['place'] } | null;

describe('findAnchor', () => {
  it.each<[string, string, Expected]>([
    [
      'new Open Lines list on /online/',
      onlineV2,
      { kind: 'openlines-list', element: '.bx-imol-list-container-recent__header_container', place: 'after' },
    ],
    [
      'new Open Lines list in the classic slider over /stream/',
      stream + sliderV2,
      { kind: 'openlines-list', element: '.bx-imol-list-container-recent__header_container', place: 'after' },
    ],
    [
      'legacy Open Lines frame document (/desktop_app/?IFRAME=Y&IM_LINES=Y)',
      legacyFrame,
      { kind: 'legacy-openlines-list', element: '.bx-messenger-recent-lines-container', place: 'before' },
    ],
    [
      'contact center',
      contactCenter,
      { kind: 'contact-center', element: '#uiToolbarContainer .ui-toolbar-right-buttons', place: 'prepend' },
    ],
    [
      'contact center with the slider showing the new Open Lines list',
      contactCenter + sliderV2,
      { kind: 'openlines-list', element: '.bx-imol-list-container-recent__header_container', place: 'after' },
    ],
    [
      'contact center with the slider showing the legacy Open Lines iframe',
      contactCenter + sliderLegacy,
      null,
    ],
    [
      'contact center with a closed (hidden, cached) slider holding the Open Lines list',
      contactCenter + hidden(sliderV2),
      { kind: 'contact-center', element: '#uiToolbarContainer .ui-toolbar-right-buttons', place: 'prepend' },
    ],
    [
      'contact center with a closed slider holding the legacy iframe',
      contactCenter + hidden(sliderLegacy),
      { kind: 'contact-center', element: '#uiToolbarContainer .ui-toolbar-right-buttons', place: 'prepend' },
    ],
    ['messenger in chat layout', chatLayout, null],
    ['plain /stream/ with its title bar only', stream, null],
    ['top document holding only the legacy Open Lines iframe', legacyIframeTop, null],
    ['/stream/ with the slider showing the legacy iframe', stream + sliderLegacy, null],
    [
      'contact center block without a title bar',
      contactCenter.replace('id="uiToolbarContainer"', 'id="x"'),
      null,
    ],
    ['empty page', '', null],
  ])('%s', (_name, html, expected) => {
    load(html);
    const anchor = findAnchor(document);
    if (expected === null) {
      expect(anchor).toBeNull();
      return;
    }
    expect(anchor).not.toBeNull();
    expect(anchor?.kind).toBe(expected.kind);
    expect(anchor?.place).toBe(expected.place);
    expect(anchor?.element).toBe(document.querySelector(expected.element));
  });

  it('compact in list columns, wide in the title bar', () => {
    load(onlineV2);
    expect(findAnchor(document)?.compact).toBe(true);
    load(legacyFrame);
    expect(findAnchor(document)?.compact).toBe(true);
    load(contactCenter);
    expect(findAnchor(document)?.compact).toBe(false);
  });

  it('does not read visible text', () => {
    document.body.innerHTML = `<div class="side-panel-overlay"><h2>Open Lines</h2><h2>Contact Center</h2></div>${stream}`;
    expect(findAnchor(document)).toBeNull();
  });
});

describe('isCheapCandidate', () => {
  let root: HTMLElement;
  beforeEach(() => {
    document.body.innerHTML = '<div id="root"></div>';
    root = document.getElementById('root')!;
  });

  async function recordsOf(change: () => void): Promise<MutationRecord[]> {
    const records: MutationRecord[] = [];
    const observer = new MutationObserver((batch) => records.push(...batch));
    observer.observe(document, { childList: true, subtree: true, characterData: true });
    change();
    await Promise.resolve();
    records.push(...observer.takeRecords());
    observer.disconnect();
    return records;
  }

  it('ignores text-only changes', async () => {
    const records = await recordsOf(() => {
      root.append('new message preview');
      root.textContent = '3';
    });
    expect(records.length).toBeGreaterThan(0);
    expect(isCheapCandidate(records)).toBe(false);
  });

  it('ignores elements that cannot hold an anchor', async () => {
    const records = await recordsOf(() => {
      root.innerHTML =
        '<div class="feed-post-block"><span>post</span></div><div class="bx-im-list-recent-item__wrap"></div>';
    });
    expect(isCheapCandidate(records)).toBe(false);
  });

  it("ignores our own host's insertion", async () => {
    const records = await recordsOf(() => root.append(document.createElement(HOST_TAG)));
    expect(isCheapCandidate(records)).toBe(false);
  });

  it.each([
    ['the new Open Lines list', sliderV2],
    ['the legacy list', legacyFrame],
    ['the legacy iframe', sliderLegacy],
    ['the contact center block', contactCenter],
  ])('notices %s being added, however deep', async (_name, html) => {
    const records = await recordsOf(() => {
      const wrapper = document.createElement('div');
      wrapper.innerHTML = html.replaceAll('<iframe ', '<iframe srcdoc="" ');
      root.append(wrapper);
    });
    expect(isCheapCandidate(records)).toBe(true);
  });

  it('notices a watched element leaving, and only a watched one', async () => {
    root.innerHTML = '<div id="a"><div id="anchor"></div></div><div id="b"></div>';
    const anchor = document.getElementById('anchor')!;
    const unrelated = await recordsOf(() => document.getElementById('b')!.remove());
    expect(isCheapCandidate(unrelated, [anchor])).toBe(false);
    const removed = await recordsOf(() => document.getElementById('a')!.remove());
    expect(isCheapCandidate(removed, [anchor])).toBe(true);
  });
});
