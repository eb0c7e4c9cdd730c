import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ContentScriptContext } from 'wxt/utils/content-script-context';
import { type ControlMountOptions, isContextGone, startPinAllControl } from '@/utils/control-mount';
import type { BackgroundMessage } from '@/utils/messaging';
import type { PinOutcome } from '@/utils/outcome';
import { HOST_TAG } from '@/utils/portal-pages';
import contactCenter from './fixtures/contact-center.html?raw';
import sliderLegacy from './fixtures/slider-legacy-lines-iframe.html?raw';
import sliderV2 from './fixtures/slider-openlines-v2.html?raw';
import stream from './fixtures/stream-toolbar-only.html?raw';

const HEADER = '.bx-imol-list-container-recent__header_container';
const TOOLBAR = '#uiToolbarContainer .ui-toolbar-right-buttons';

function load(html: string): void {
  document.body.innerHTML = html.replaceAll('<iframe ', '<iframe srcdoc="" ');
}

function outcome(patch: Partial<PinOutcome> = {}): PinOutcome {
  return {
    id: 'pin-1',
    portal: location.origin,
    at: 1000,
    trigger: 'control',
    ok: true,
    sessionIds: [1652, 1653],
    ...patch,
  } as PinOutcome;
}

/** Shadow roots the code under test attaches (they are closed: the page, and the test, cannot reach them otherwise). */
let shadows: Map<Element, ShadowRoot>;
/** Checks the code under test has scheduled, run by {@link settle}. */
let queue: (() => void)[];
/** How many checks the code under test has asked for. */
let requested: number;
let contexts: ContentScriptContext[];

beforeEach(() => {
  shadows = new Map();
  queue = [];
  requested = 0;
  contexts = [];
  document.body.innerHTML = '';
  const attach = Element.prototype.attachShadow;
  vi.spyOn(Element.prototype, 'attachShadow').mockImplementation(function (this: Element, init) {
    const root = attach.call(this, init);
    shadows.set(this, root);
    return root;
  });
});

afterEach(() => {
  for (const ctx of contexts) ctx.notifyInvalidated();
  document.body.innerHTML = '';
});

/** Lets MutationObserver callbacks and pending promises run, then runs the scheduled checks. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    for (const run of queue.splice(0)) run();
  }
}

type Send = NonNullable<ControlMountOptions['send']>;

/** A background that answers `getLastOutcome` with `last` and `pinAll` with `pin()` (default: 2 pinned). */
function fakeSend(answers: { last?: PinOutcome | null; pin?: () => Promise<PinOutcome> } = {}) {
  return vi.fn(async (message: BackgroundMessage): Promise<unknown> => {
    if (message.type === 'getLastOutcome') return answers.last ?? null;
    if (message.type === 'pinAll') return answers.pin ? answers.pin() : outcome();
    throw new Error(`unexpected ${message.type}`);
  });
}

function start(send = fakeSend()) {
  const ctx = new ContentScriptContext('content');
  contexts.push(ctx);
  const mount = startPinAllControl(ctx, {
    css: '',
    send: send as unknown as Send,
    schedule: (run) => {
      requested++;
      queue.push(run);
    },
  });
  return { ctx, mount, send };
}

const pinCalls = (send: ReturnType<typeof fakeSend>) => send.mock.calls.filter(([m]) => m.type === 'pinAll');

const hosts = () => Array.from(document.querySelectorAll(HOST_TAG));
function ui() {
  const [host] = hosts();
  if (!host) throw new Error('no control mounted');
  const shadow = shadows.get(host)!;
  return {
    host,
    button: shadow.querySelector('button')!,
    status: () => shadow.querySelector('[role="status"]')!.textContent,
  };
}

/** A click as the browser makes it for a user (happy-dom cannot set isTrusted itself). */
function userClick(element: Element): void {
  const event = new MouseEvent('click', { bubbles: true, composed: true });
  Object.defineProperty(event, 'isTrusted', { value: true });
  element.dispatchEvent(event);
}

describe('startPinAllControl', () => {
  it('mounts one control after the Open Lines list header and shows the last outcome', async () => {
    load(stream + sliderV2);
    const send = fakeSend({ last: outcome({ sessionIds: [7] }) });
    start(send);
    await settle();
    expect(hosts()).toHaveLength(1);
    expect(ui().host.previousElementSibling).toBe(document.querySelector(HEADER));
    expect(ui().host.hasAttribute('data-compact')).toBe(true);
    expect(send).toHaveBeenCalledWith({ type: 'getLastOutcome' });
    expect(ui().status()).toBe('Pinned 1 dialog: 7');
  });

  it('mounts nothing on a page without Open Lines or contact center, and stays idle for unrelated changes', async () => {
    load(stream);
    const { send } = start();
    await settle();
    expect(hosts()).toHaveLength(0);
    const before = requested;
    document.querySelector('.feed-wrap')!.append(document.createElement('div'), 'text');
    document.querySelector('.feed-post-block')!.textContent = 'edited';
    await settle();
    expect(requested).toBe(before);
    expect(hosts()).toHaveLength(0);
    expect(send).not.toHaveBeenCalled();
  });

  it('a second run in the same document leaves exactly one control', async () => {
    load(contactCenter);
    start();
    await settle();
    const first = ui().host;
    start();
    await settle();
    expect(hosts()).toHaveLength(1);
    expect(ui().host).not.toBe(first);
    expect(document.querySelector(TOOLBAR)!.firstElementChild).toBe(ui().host);
  });

  it('re-mounts when the anchor is re-rendered', async () => {
    load(sliderV2);
    start();
    await settle();
    const oldHeader = document.querySelector(HEADER)!;
    const fresh = oldHeader.cloneNode(true) as Element;
    oldHeader.replaceWith(fresh);
    await settle();
    expect(hosts()).toHaveLength(1);
    expect(ui().host.previousElementSibling).toBe(fresh);
  });

  it('leaves with the slider, and moves to the title bar on the contact center', async () => {
    load(contactCenter + sliderV2);
    start();
    await settle();
    expect(ui().host.previousElementSibling).toBe(document.querySelector(HEADER));
    document.querySelector('.side-panel-overlay')!.remove();
    await settle();
    expect(hosts()).toHaveLength(1);
    expect(ui().host.parentElement).toBe(document.querySelector(TOOLBAR));
    expect(ui().host.hasAttribute('data-compact')).toBe(false);
  });

  it('over /stream/, the control leaves when the slider closes', async () => {
    load(stream);
    start();
    await settle();
    document.body.insertAdjacentHTML('beforeend', sliderV2);
    await settle();
    expect(hosts()).toHaveLength(1);
    document.querySelector('.side-panel-overlay')!.remove();
    await settle();
    expect(hosts()).toHaveLength(0);
  });

  it('stops watching the whole page once on the Open Lines list, and still follows a slider over the contact center', async () => {
    load(contactCenter);
    const { mount, send } = start();
    await settle();
    expect(mount.watching).toBe('searching');
    document.body.insertAdjacentHTML('beforeend', sliderV2);
    await settle();
    expect(hosts()).toHaveLength(1);
    expect(ui().host.previousElementSibling).toBe(document.querySelector(HEADER));
    expect(mount.watching).toBe('settled');
    const before = requested;
    const list = document.querySelector('.bx-imol-list-recent__group-item_container')!;
    for (let i = 0; i < 20; i++) list.append(list.firstElementChild!.cloneNode(true));
    await settle();
    expect(requested).toBe(before);
    document.querySelector('.side-panel-overlay')!.remove();
    await settle();
    expect(ui().host.parentElement).toBe(document.querySelector(TOOLBAR));
    expect(mount.watching).toBe('searching');
    // One control all along: its state and outcome were kept, not re-fetched on each move.
    expect(send.mock.calls.filter(([m]) => m.type === 'getLastOutcome')).toHaveLength(1);
  });

  it('puts its host back when the page removes it', async () => {
    load(sliderV2);
    start();
    await settle();
    const host = ui().host;
    host.remove();
    await settle();
    expect(hosts()).toEqual([host]);
    expect(host.previousElementSibling).toBe(document.querySelector(HEADER));
  });

  it('follows a cached slider hidden and shown again by a style change alone', async () => {
    const observed = new Set<Element>();
    let report: ResizeObserverCallback = () => {};
    class FakeResizeObserver {
      constructor(callback: ResizeObserverCallback) {
        report = callback;
      }
      observe(target: Element) {
        observed.add(target);
      }
      unobserve(target: Element) {
        observed.delete(target);
      }
      disconnect() {
        observed.clear();
      }
    }
    const resize = (target: Element, size: number) =>
      report(
        [{ target, contentRect: { width: size, height: size } } as unknown as ResizeObserverEntry],
        {} as ResizeObserver,
      );
    const original = globalThis.ResizeObserver;
    globalThis.ResizeObserver = FakeResizeObserver as unknown as typeof ResizeObserver;
    try {
      load(contactCenter + sliderV2);
      start();
      await settle();
      const header = document.querySelector(HEADER)!;
      expect(ui().host.previousElementSibling).toBe(header);
      resize(ui().host, 30);
      await settle();

      const overlay = document.querySelector<HTMLElement>('.side-panel-overlay')!;
      overlay.style.display = 'none';
      resize(ui().host, 0);
      await settle();
      expect(ui().host.parentElement).toBe(document.querySelector(TOOLBAR));
      expect(observed.has(header)).toBe(true);

      overlay.style.display = '';
      resize(header, 40);
      await settle();
      expect(hosts()).toHaveLength(1);
      expect(ui().host.previousElementSibling).toBe(header);
      expect(observed.has(header)).toBe(false);
    } finally {
      globalThis.ResizeObserver = original;
    }
  });

  it('gives the title bar up while the legacy Open Lines iframe is on screen, and takes it back after', async () => {
    load(contactCenter);
    start();
    await settle();
    expect(hosts()).toHaveLength(1);
    document.body.insertAdjacentHTML('beforeend', sliderLegacy.replaceAll('<iframe ', '<iframe srcdoc="" '));
    await settle();
    expect(hosts()).toHaveLength(0);
    document.querySelector('.side-panel-overlay')!.remove();
    await settle();
    expect(hosts()).toHaveLength(1);
  });

  it('follows in-app navigation in and out', async () => {
    load(stream);
    start();
    await settle();
    load(stream + sliderV2);
    await settle();
    expect(hosts()).toHaveLength(1);
    load(contactCenter);
    await settle();
    expect(ui().host.parentElement).toBe(document.querySelector(TOOLBAR));
    load(stream);
    await settle();
    expect(hosts()).toHaveLength(0);
  });

  it('pins on a trusted click: busy, one request, then the answered outcome', async () => {
    load(contactCenter);
    let answer!: (o: PinOutcome) => void;
    const send = fakeSend({ pin: () => new Promise((resolve) => (answer = resolve)) });
    start(send);
    await settle();
    userClick(ui().button);
    userClick(ui().button);
    await settle();
    expect(ui().button.disabled).toBe(true);
    expect(ui().button.getAttribute('aria-busy')).toBe('true');
    answer(outcome({ at: 2000, sessionIds: [] }));
    await settle();
    expect(pinCalls(send)).toEqual([[{ type: 'pinAll', trigger: 'control' }]]);
    expect(ui().button.disabled).toBe(false);
    expect(ui().status()).toBe(
      'Nothing to pin — your accepted dialogs are already pinned; new ones are pinned once accepted',
    );
  });

  it('ignores synthetic clicks', async () => {
    load(contactCenter);
    const { send } = start();
    await settle();
    ui().button.click();
    (ui().host as HTMLElement).click();
    await settle();
    expect(pinCalls(send)).toHaveLength(0);
  });

  it('busy ends when the background fails, with a "may or may not be pinned" message', async () => {
    load(contactCenter);
    start(fakeSend({ pin: () => Promise.reject(new Error('handler threw')) }));
    await settle();
    userClick(ui().button);
    await settle();
    expect(ui().button.disabled).toBe(false);
    expect(ui().status()).toMatch(/^No reply: the dialogs may or may not be pinned/);
  });

  it.each([
    'Extension context invalidated.',
    'Could not establish connection. Receiving end does not exist.',
  ])('turns stale when sending fails with "%s"', async (text) => {
    load(contactCenter);
    start(fakeSend({ pin: () => Promise.reject(new Error(text)) }));
    await settle();
    userClick(ui().button);
    await settle();
    expect(ui().button.disabled).toBe(true);
    expect(ui().status()).toBe('Extension updated — reload the page');
  });

  it('turns stale when the context is invalidated, keeps the control, and stops following the page', async () => {
    load(contactCenter + sliderV2);
    const { ctx } = start();
    await settle();
    ctx.notifyInvalidated();
    await settle();
    expect(ui().button.disabled).toBe(true);
    expect(ui().status()).toBe('Extension updated — reload the page');
    const before = requested;
    document.querySelector('.side-panel-overlay')!.remove();
    await settle();
    expect(requested).toBe(before);
    expect(hosts()).toHaveLength(0);
  });

  it('notices a vanished runtime on the next page change', async () => {
    load(contactCenter);
    start();
    await settle();
    const runtime = fakeBrowser.runtime as { id?: string };
    const id = runtime.id;
    runtime.id = undefined; // what Chrome does to a content script left behind by a reloaded extension
    try {
      document.body.insertAdjacentHTML('beforeend', sliderV2);
      await settle();
      expect(ui().status()).toBe('Extension updated — reload the page');
    } finally {
      runtime.id = id;
    }
  });

  it('re-renders on outcome messages from the background, ignoring anything else', async () => {
    load(contactCenter);
    start();
    await settle();
    const sender = { id: fakeBrowser.runtime.id };
    const push = (message: unknown, from: { id?: string } = sender) =>
      fakeBrowser.runtime.onMessage.trigger(message, from, () => {});
    await push({ type: 'outcome', outcome: outcome({ at: 5, sessionIds: [9] }) });
    expect(ui().status()).toBe('Pinned 1 dialog: 9');
    await push({ type: 'outcome', outcome: outcome({ at: 6, portal: 'https://evil.example' }) });
    await push({ type: 'outcome', outcome: outcome({ at: 7 }), extra: 1 });
    await push({ type: 'outcome', outcome: outcome({ at: 8 }) }, { id: 'other' });
    await push({ type: 'pinAll', trigger: 'control' });
    expect(ui().status()).toBe('Pinned 1 dialog: 9');
  });
});

describe('isContextGone', () => {
  it.each([
    ['Extension context invalidated.', true],
    ['Could not establish connection. Receiving end does not exist.', true],
    ['handler threw', false],
  ])('%s → %s', (text, gone) => {
    expect(isContextGone(new Error(text))).toBe(gone);
  });
});
