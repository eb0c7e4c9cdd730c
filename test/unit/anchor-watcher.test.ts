import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AnchorWatcher, isFinalAnchor, watchAnchor } from '@/utils/anchor-watcher';
import { type Anchor, HOST_TAG } from '@/utils/portal-pages';
import contactCenter from './fixtures/contact-center.html?raw';
import legacyFrame from './fixtures/legacy-lines-frame.html?raw';
import sliderLegacy from './fixtures/slider-legacy-lines-iframe.html?raw';
import sliderV2 from './fixtures/slider-openlines-v2.html?raw';
import stream from './fixtures/stream-toolbar-only.html?raw';

const HEADER = '.bx-imol-list-container-recent__header_container';
const ITEM = '.bx-imol-list-recent__item';
const TOOLBAR = '#uiToolbarContainer .ui-toolbar-right-buttons';

function load(html: string): void {
  document.body.innerHTML = html.replaceAll('<iframe ', '<iframe srcdoc="" ');
}

/** Checks the watcher has scheduled, run by {@link settle}. */
let queue: (() => void)[];
/** How many checks the watcher has asked for. */
let requested: number;
/** Every anchor the watcher reported, in order. */
let reports: (Anchor | null)[];
let watchers: AnchorWatcher[];

beforeEach(() => {
  queue = [];
  requested = 0;
  reports = [];
  watchers = [];
  document.body.innerHTML = '';
});

afterEach(() => {
  for (const watcher of watchers) watcher.stop();
  document.body.innerHTML = '';
});

/** Lets MutationObserver callbacks run, then runs the scheduled checks. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    for (const run of queue.splice(0)) run();
  }
}

/** A watcher whose caller places a stand-in host where each report says, as the control's host does. */
function start(placeHost = true) {
  const host = document.createElement(HOST_TAG);
  const watcher = watchAnchor(document, {
    schedule: (run) => {
      requested++;
      queue.push(run);
    },
    onAnchor: (anchor) => {
      reports.push(anchor);
      if (!placeHost) return;
      if (!anchor) host.remove();
      else if (anchor.place === 'after' && host.previousElementSibling !== anchor.element)
        anchor.element.after(host);
      else if (anchor.place === 'prepend' && host.parentElement !== anchor.element)
        anchor.element.prepend(host);
      else if (anchor.place === 'before' && host.nextElementSibling !== anchor.element)
        anchor.element.before(host);
      watcher.track([host]);
    },
  });
  watchers.push(watcher);
  watcher.check();
  return { watcher, host };
}

const last = () => reports.at(-1);

describe('watchAnchor', () => {
  it('reports the Open Lines list header, and stops watching the whole document once there', () => {
    load(stream + sliderV2);
    const { watcher } = start();
    expect(last()?.kind).toBe('openlines-list');
    expect(last()?.element).toBe(document.querySelector(HEADER));
    expect(watcher.mode).toBe('settled');
  });

  it('reports none on a page without Open Lines or contact center, and ignores unrelated changes', async () => {
    load(stream);
    const { watcher } = start();
    expect(reports).toEqual([null]);
    expect(watcher.mode).toBe('searching');
    document.querySelector('.feed-wrap')!.append(document.createElement('div'), 'text');
    document.querySelector('.feed-post-block')!.textContent = 'edited';
    await settle();
    expect(requested).toBe(0);
    expect(reports).toEqual([null]);
  });

  it('settled: a busy list (items re-rendered, moved, edited) asks for no check at all', async () => {
    load(contactCenter + sliderV2);
    start();
    await settle();
    const before = { requested, reports: reports.length };
    for (let i = 0; i < 50; i++) {
      const items = document.querySelectorAll(ITEM);
      const item = items[i % items.length]!;
      if (i % 3 === 0) item.replaceWith(item.cloneNode(true));
      else if (i % 3 === 1) item.parentNode!.insertBefore(item, item.parentNode!.firstChild);
      else item.textContent = `Message ${i}`;
      item.parentNode?.append(document.createElement('div'));
    }
    await settle();
    expect(requested).toBe(before.requested);
    expect(reports).toHaveLength(before.reports);
  });

  it('settled: the list header re-rendered is reported as the new anchor', async () => {
    load(sliderV2);
    start();
    const header = document.querySelector(HEADER)!;
    const fresh = header.cloneNode(true) as Element;
    header.replaceWith(fresh);
    await settle();
    expect(last()?.element).toBe(fresh);
  });

  it('settled: the whole list replaced (an ancestor re-rendered) is reported', async () => {
    load(sliderV2);
    start();
    const container = document.querySelector('.bx-im-messenger__layout_content')!;
    const html = container.innerHTML;
    container.innerHTML = html;
    await settle();
    expect(last()?.element).toBe(document.querySelector(HEADER));
    expect(last()?.element.isConnected).toBe(true);
  });

  it('settled: our host removed by the page asks for a check that reports the same anchor', async () => {
    load(sliderV2);
    const { host } = start();
    await settle();
    const count = reports.length;
    host.remove();
    await settle();
    expect(reports.length).toBeGreaterThan(count);
    expect(last()?.element).toBe(document.querySelector(HEADER));
    expect(host.isConnected).toBe(true);
  });

  it('the contact center is not final: a slider opening with Open Lines over it is reported, then its closing', async () => {
    load(contactCenter);
    const { watcher } = start();
    expect(last()?.kind).toBe('contact-center');
    expect(watcher.mode).toBe('searching');
    document.body.insertAdjacentHTML('beforeend', sliderV2);
    await settle();
    expect(last()?.kind).toBe('openlines-list');
    expect(watcher.mode).toBe('settled');
    document.querySelector('.side-panel-overlay')!.remove();
    await settle();
    expect(last()?.kind).toBe('contact-center');
    expect(last()?.element).toBe(document.querySelector(TOOLBAR));
    expect(watcher.mode).toBe('searching');
  });

  it('the legacy Open Lines frame in this document: none, until it leaves', async () => {
    load(contactCenter);
    start();
    document.body.insertAdjacentHTML('beforeend', sliderLegacy.replaceAll('<iframe ', '<iframe srcdoc="" '));
    await settle();
    expect(last()).toBeNull();
    document.querySelector('.side-panel-overlay')!.remove();
    await settle();
    expect(last()?.kind).toBe('contact-center');
  });

  it('inside the legacy frame document: the legacy list is final', () => {
    load(legacyFrame);
    const { watcher } = start();
    expect(last()?.kind).toBe('legacy-openlines-list');
    expect(watcher.mode).toBe('settled');
  });

  it('in-app navigation replacing the page is followed in and out', async () => {
    load(stream);
    const { watcher } = start();
    load(stream + sliderV2);
    await settle();
    expect(last()?.kind).toBe('openlines-list');
    load(contactCenter);
    await settle();
    expect(last()?.kind).toBe('contact-center');
    load(stream);
    await settle();
    expect(last()).toBeNull();
    expect(watcher.mode).toBe('searching');
  });

  it('request() runs one check per scheduled callback however often it is called', async () => {
    load(stream);
    const { watcher } = start(false);
    watcher.request();
    watcher.request();
    watcher.request();
    expect(requested).toBe(1);
    await settle();
    expect(reports).toEqual([null, null]);
  });

  it('stop() ends every check and report', async () => {
    load(contactCenter);
    const { watcher } = start();
    watcher.stop();
    expect(watcher.mode).toBe('stopped');
    document.body.insertAdjacentHTML('beforeend', sliderV2);
    watcher.request();
    await settle();
    expect(requested).toBe(0);
    expect(reports).toHaveLength(1);
  });
});

describe('isFinalAnchor', () => {
  it.each<[Anchor['kind'], boolean]>([
    ['openlines-list', true],
    ['legacy-openlines-list', true],
    ['contact-center', false],
  ])('%s → %s', (kind, final) => {
    const anchor: Anchor = { kind, element: document.body, place: 'append', compact: false };
    expect(isFinalAnchor(anchor)).toBe(final);
  });
});
