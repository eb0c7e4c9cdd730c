import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Anchor,
  findAnchor,
  HOST_TAG,
  isCheapCandidate,
  isInHiddenFrame,
  isLegacyLinesDocument,
  pageSignature,
  SELECTOR_EVIDENCE,
} from '@/utils/portal-pages';
import contactCenter from './fixtures/contact-center.html?raw';
import legacyFrame from './fixtures/legacy-lines-frame.html?raw';
import legacyIframeTop from './fixtures/legacy-lines-iframe-top.html?raw';
import chatLayout from './fixtures/messenger-chat-layout.html?raw';
import airNewList from './fixtures/mode-air-new-list.html?raw';
import classicNewList from './fixtures/mode-classic-new-list.html?raw';
import modeContactCenter from './fixtures/mode-contact-center.html?raw';
import modeLegacyFrame from './fixtures/mode-legacy-frame.html?raw';
import modeLegacyTop from './fixtures/mode-legacy-frame-top.html?raw';
import headerless from './fixtures/mode-new-list-headerless.html?raw';
import onlineV2 from './fixtures/openlines-v2-online.html?raw';
import { PAGE_MODES, pageModeFixture } from './fixtures/page-modes.mjs';
import sliderLegacy from './fixtures/slider-legacy-lines-iframe.html?raw';
import sliderV2 from './fixtures/slider-openlines-v2.html?raw';
import stream from './fixtures/stream-toolbar-only.html?raw';

const savedModes: Record<string, string> = import.meta.glob('./fixtures/mode-*.html', {
  query: '?raw',
  import: 'default',
  eager: true,
});

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

  it.each<[string, string, Expected]>([
    [
      'classic design, the new list with its header: after the header',
      classicNewList,
      { kind: 'openlines-list', element: '.bx-imol-list-container-recent__header_container', place: 'after' },
    ],
    [
      'the new list without its header container: first in the list container',
      headerless,
      { kind: 'openlines-list', element: '.bx-imol-list-container-recent__container', place: 'prepend' },
    ],
    [
      'Air design (root --air, top menu): after the header',
      airNewList,
      { kind: 'openlines-list', element: '.bx-imol-list-container-recent__header_container', place: 'after' },
    ],
    ['the legacy frame, top document: none here (the frame hosts it)', modeLegacyTop, null],
    [
      'the legacy frame document: before the list',
      modeLegacyFrame,
      { kind: 'legacy-openlines-list', element: '.bx-messenger-recent-lines-container', place: 'before' },
    ],
    [
      'the contact center',
      modeContactCenter,
      { kind: 'contact-center', element: '#uiToolbarContainer .ui-toolbar-right-buttons', place: 'prepend' },
    ],
  ])('emulator page mode: %s', (_name, html, expected) => {
    load(html);
    const anchor = findAnchor(document);
    if (expected === null) {
      expect(anchor).toBeNull();
      return;
    }
    expect(anchor).toMatchObject({
      kind: expected.kind,
      place: expected.place,
      compact: expected.kind !== 'contact-center',
    });
    expect(anchor?.element).toBe(document.querySelector(expected.element));
  });

  /** The new list with some of its classes renamed, as Bitrix24 renamed the chat list's in May 2026. */
  const renamed = (html: string, ...names: string[]) =>
    names.reduce((h, name) => h.replaceAll(name, `${name}-renamed`), html);

  it.each<[string, string[], string, Anchor['place']]>([
    [
      'header and container renamed: first in the messenger list column',
      ['bx-imol-list-container-recent__header_container', 'bx-imol-list-container-recent__container'],
      '.bx-im-messenger__list_container',
      'prepend',
    ],
    [
      'also the list column renamed: just before the scroll container',
      [
        'bx-imol-list-container-recent__header_container',
        'bx-imol-list-container-recent__container',
        'bx-im-messenger__list_container',
      ],
      '.bx-imol-list-recent__scroll-container',
      'before',
    ],
    [
      'only items and group names left: just before the first group',
      [
        'bx-imol-list-container-recent__header_container',
        'bx-imol-list-container-recent__container',
        'bx-im-messenger__list_container',
        'bx-imol-list-recent__scroll-container',
      ],
      '.bx-imol-list-recent__group-item_container',
      'before',
    ],
  ])('the new list survives renames: %s', (_name, names, element, place) => {
    load(renamed(classicNewList, ...names));
    const anchor = findAnchor(document);
    expect(anchor).toMatchObject({ kind: 'openlines-list', place, compact: true });
    expect(anchor?.element).toBe(document.querySelector(element));
  });

  it('the new list found by its group names alone, items renamed too', () => {
    load(
      renamed(
        classicNewList,
        'bx-imol-list-container-recent__header_container',
        'bx-imol-list-container-recent__container',
        'bx-im-messenger__list_container',
        'bx-imol-list-recent__scroll-container',
        'bx-imol-list-recent__item',
      ),
    );
    expect(findAnchor(document)).toMatchObject({ kind: 'openlines-list', place: 'before' });
  });

  describe('the legacy Open Lines document by its address', () => {
    const before = location.href;
    afterEach(() => history.replaceState(null, '', before));
    const atLinesDocument = () =>
      history.replaceState(null, '', '/desktop_app/?IFRAME=Y&IM_LINES=Y&IM_MENU=N');

    it('recognises /desktop_app/ with IM_LINES=Y only', () => {
      expect(isLegacyLinesDocument(document)).toBe(false);
      history.replaceState(null, '', '/desktop_app/?IFRAME=Y');
      expect(isLegacyLinesDocument(document)).toBe(false);
      atLinesDocument();
      expect(isLegacyLinesDocument(document)).toBe(true);
    });

    it.each<[string, string[], string, Anchor['place']]>([
      [
        'the wrap renamed: before the list container',
        ['bx-messenger-recent-lines-wrap'],
        '.bx-messenger-recent-lines-container',
        'before',
      ],
      [
        'wrap and container renamed: first in the list column',
        ['bx-messenger-recent-lines-wrap', 'bx-messenger-recent-lines-container'],
        '.bx-messenger-box-contact',
        'prepend',
      ],
      [
        'everything renamed but the items: before their list',
        ['bx-messenger-recent-lines-wrap', 'bx-messenger-recent-lines-container', 'bx-messenger-box-contact'],
        '.bx-messenger-recent-wrap',
        'before',
      ],
      [
        'nothing known left: first in the body',
        [
          'bx-messenger-recent-lines-wrap',
          'bx-messenger-recent-lines-container',
          'bx-messenger-box-contact',
          'bx-messenger-cl-item',
          'bx-messenger-recent-wrap',
        ],
        'body',
        'prepend',
      ],
    ])('%s', (_name, names, element, place) => {
      load(renamed(modeLegacyFrame, ...names));
      expect(findAnchor(document)).toBeNull();
      atLinesDocument();
      const anchor = findAnchor(document);
      expect(anchor).toMatchObject({ kind: 'legacy-openlines-list', place, compact: true });
      expect(anchor?.element).toBe(document.querySelector(element));
    });
  });

  it('no control in a document shown in a hidden frame', () => {
    load('<iframe id="shown"></iframe><iframe id="hidden" style="display:none"></iframe>');
    const inFrame = (id: string) =>
      ({ defaultView: { frameElement: document.getElementById(id) } }) as unknown as Document;
    expect(isInHiddenFrame(inFrame('shown'))).toBe(false);
    expect(isInHiddenFrame(inFrame('hidden'))).toBe(true);
    expect(isInHiddenFrame(document)).toBe(false);
  });

  it('the chat list of the messenger is not the Open Lines list', () => {
    load(chatLayout.replaceAll('bx-im-list-container-recent__header_container', 'x'));
    expect(findAnchor(document)).toBeNull();
  });

  it.each(Object.keys(PAGE_MODES))('fixture %s is what the emulator serves', (name) => {
    expect(savedModes[`./fixtures/${name}`]).toBe(pageModeFixture(name));
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

  it('ignores items re-created inside a list already seen, notices items outside any known list', async () => {
    load(classicNewList);
    const scroll = document.querySelector('.bx-imol-list-recent__scroll-container')!;
    const recreated = await recordsOf(() => {
      const item = scroll.querySelector('.bx-imol-list-recent__item')!;
      item.replaceWith(item.cloneNode(true));
      const group = scroll.querySelector('.bx-imol-list-recent__group-item_container')!;
      group.replaceWith(group.cloneNode(true));
    });
    expect(isCheapCandidate(recreated)).toBe(false);
    const legacyItems = await recordsOf(() => {
      document.body.innerHTML = '<div id="list"></div>';
      document.getElementById('list')!.innerHTML =
        '<a class="bx-messenger-cl-item" data-userId="chat1"></a><a class="bx-messenger-cl-item" data-userId="chat2"></a>';
    });
    expect(isCheapCandidate(legacyItems)).toBe(true);
    const groupsOnly = await recordsOf(() => {
      document.body.innerHTML = '<div id="list"></div>';
      document.getElementById('list')!.innerHTML =
        '<div><span class="bx-imol-list-recent__group_name_work"></span></div>';
    });
    expect(isCheapCandidate(groupsOnly)).toBe(true);
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

describe('pageSignature', () => {
  it('names the selectors that match, the containers, the Air design and the decision', () => {
    load(airNewList);
    const signature = pageSignature(document);
    expect(signature.air).toBe(true);
    expect(signature.anchor).toEqual({ kind: 'openlines-list', place: 'after' });
    expect(signature.matched).toContainEqual({
      name: 'openlinesListScroll',
      evidence: 'moderate',
      rendered: true,
    });
    expect(signature.matched).toContainEqual({
      name: 'openlinesListHeader',
      evidence: 'source-only',
      rendered: true,
    });
    expect(signature.matched.map((m) => m.name)).not.toContain('legacyLinesWrap');
    expect(signature.containerClasses).toEqual(
      expect.arrayContaining(['bx-im-messenger__container', '--air']),
    );
    expect(signature.version).toBeNull();
  });

  it('says what is there when no control is: a renamed list', () => {
    load(
      classicNewList
        .replaceAll('bx-imol-list', 'bx-imol-list-base')
        .replace(
          '<div class="bx-im-messenger__online-page">',
          '<script type="text/x-not-run" src="/bitrix/js/im/v2/messenger.bundle.js?1767000000"></script><div class="bx-im-messenger__online-page">',
        ),
    );
    const signature = pageSignature(document);
    expect(signature.anchor).toBeNull();
    expect(signature.air).toBe(false);
    expect(signature.matched.map((m) => m.name)).toEqual([
      'messengerListColumn',
      'messengerRoot',
      'toolbarRightButtons',
    ]);
    expect(signature.containerClasses).toContain('bx-imol-list-base-recent__scroll-container');
    expect(signature.version).toBe('im/v2');
  });

  it('holds no text, no IDs and no digits of the page', () => {
    load(modeLegacyFrame);
    const text = JSON.stringify(pageSignature(document));
    for (const secret of [
      'Maria',
      'Kunde',
      'Hello',
      'chat3001',
      'chat8001',
      'bx-desktop-tab-content-im',
      '3001',
      '8001',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('bx-messenger-recent-lines-wrap');
    expect(text).toContain('bx-messenger-cl-id-chatN');
  });
});

describe('docs/detection.md', () => {
  const doc: string = Object.values(
    import.meta.glob('../../docs/detection.md', { query: '?raw', import: 'default', eager: true }),
  )[0] as string;

  it.each(Object.entries(SELECTOR_EVIDENCE))('lists %s with its evidence (%s)', (name, evidence) => {
    const cells = doc
      .split('\n')
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .find((row) => row[1] === `\`${name}\``);
    expect(cells?.at(-2)).toBe(evidence);
  });
});
