import { type Anchor, HOST_TAG } from './portal-pages';

/**
 * The element that carries the Pin all control into the page: a custom element ({@link HOST_TAG}) with a closed
 * shadow root holding the control's CSS and a container the caller renders into. Created on first placement,
 * moved (never re-created) when the anchor changes, taken out of the page when the control goes nowhere.
 *
 * The CSS is passed in (the content script imports `components/pin-all-control.css?inline`), so nothing is
 * fetched and no extension file is exposed to pages. WXT's `createShadowRootUi` is not used: it removes the UI
 * when the context is invalidated, where the control must stay and say "reload the page".
 */
export interface ControlHost {
  /** The host element, once {@link ControlHost.place} created it; `null` before. */
  readonly element: HTMLElement | null;
  /**
   * Puts the host at `anchor` unless it already sits there (another node slipped in between is fine). On the first
   * placement and whenever the anchor's `compact` changes, calls `render` with the shadow root's container.
   */
  place(anchor: Anchor): void;
  /** Takes the host out of the page (the rendered control stays, ready for the next placement). */
  remove(): void;
  /**
   * Whether another instance's host is in the document (a newer content script in this document). Copies of this
   * host made by the page (cloned DOM) are junk and removed on the way.
   */
  hasRival(): boolean;
}

/** Options of {@link createControlHost}. */
export interface ControlHostOptions {
  /** CSS text for the shadow root. */
  css: string;
  /** Renders (or re-renders) the control into `container`; `compact`: narrow list column. */
  render: (container: HTMLElement, compact: boolean) => void;
}

/** Removes every control host in `doc`: hosts an older instance of the content script left (update, re-injection). */
export function removeOlderHosts(doc: Document): void {
  for (const old of doc.querySelectorAll(HOST_TAG)) old.remove();
}

/** Whether `host` sits where `anchor` wants it. */
export function isPlaced(host: Element, anchor: Anchor): boolean {
  if (!host.isConnected) return false;
  const { element, place } = anchor;
  if (place === 'append' || place === 'prepend') return host.parentNode === element;
  if (host.parentNode !== element.parentNode) return false;
  const position = host.compareDocumentPosition(element);
  return place === 'before'
    ? (position & Node.DOCUMENT_POSITION_FOLLOWING) !== 0
    : (position & Node.DOCUMENT_POSITION_PRECEDING) !== 0;
}

function insert(host: Element, { element, place }: Anchor): void {
  if (place === 'append') element.append(host);
  else if (place === 'prepend') element.prepend(host);
  else if (place === 'before') element.before(host);
  else element.after(host);
}

/** Creates the host for one document (nothing is added to the page until the first `place`). */
export function createControlHost(doc: Document, options: ControlHostOptions): ControlHost {
  const instance = Math.random().toString(36).slice(2);
  let host: HTMLElement | null = null;
  let container: HTMLElement | null = null;
  let compact: boolean | null = null;

  const create = (): HTMLElement => {
    const element = doc.createElement(HOST_TAG);
    element.setAttribute('data-instance', instance);
    const shadow = element.attachShadow({ mode: 'closed' });
    const style = doc.createElement('style');
    style.textContent = options.css;
    container = doc.createElement('div');
    shadow.append(style, container);
    return element;
  };

  return {
    get element() {
      return host;
    },
    place(anchor) {
      host ??= create();
      if (!isPlaced(host, anchor)) insert(host, anchor);
      if (compact !== anchor.compact) {
        compact = anchor.compact;
        host.toggleAttribute('data-compact', compact);
        options.render(container!, compact);
      }
    },
    remove() {
      host?.remove();
    },
    hasRival() {
      let rival = false;
      for (const other of doc.querySelectorAll(HOST_TAG)) {
        if (other === host) continue;
        if (other.getAttribute('data-instance') === instance) other.remove();
        else rival = true;
      }
      return rival;
    },
  };
}
