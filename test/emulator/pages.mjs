// Fake portal pages: the DOM structures of bitrix24-rest.md "Pages of the web UI", served for every portal host
// without login. The render functions below run twice: on the server (first paint) and in the page (in-app
// navigation, slider and layout switches), embedded through Function#toString so there is one source of truth.
// They must therefore stay self-contained: no imports, no module variables, only each other and their arguments.

/* ---------- shared render functions (server + page) ---------- */

/** @param {unknown} s */
function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** @param {string} pathname @returns {'stream' | 'online' | 'contact_center' | 'generic'} */
function routeOf(pathname) {
  const p = pathname.toLowerCase();
  if (p === '/stream/' || p === '/stream') return 'stream';
  if (p === '/online/' || p === '/online') return 'online';
  if (/^\/(services\/)?contact_center\/?$/.test(p)) return 'contact_center';
  return 'generic';
}

/** @param {PageData} data @param {string | null} selected dialog ID such as `chat3001` */
function renderNewOlList(data, selected) {
  const groups = ['new', 'work', 'answered'];
  const titles = { new: 'New', work: 'In progress', answered: 'Answered' };
  let html = '';
  for (const g of groups) {
    const items = data.sessions.filter((s) => s.group === g);
    if (!items.length) continue;
    html += '<div class="bx-imol-list-recent__group-item_container">';
    html += `<span class="bx-imol-list-recent__group_name bx-imol-list-recent__group_name_${g}">${titles[g]}</span>`;
    for (const s of items) {
      const sel = selected === `chat${s.chatId}` ? ' --selected' : '';
      html +=
        `<div class="bx-imol-list-recent__item${sel}">` +
        '<div class="bx-imol-list-recent-item__avatar_container"><div class="bx-imol-list-recent-item__avatar"></div></div>' +
        '<div class="bx-imol-list-recent-item__main_content">' +
        `<div class="bx-imol-list-recent-item__title_text">${esc(s.title)}</div>` +
        `<div class="bx-imol-list-recent-item__message_text">Hello! I have a question #${s.id % 97}</div>` +
        '</div></div>';
    }
    html += '</div>';
  }
  return (
    '<div class="bx-imol-list-container-recent__container bx-imol-messenger__scope">' +
    '<div class="bx-imol-list-container-recent__header_container">' +
    '<div class="bx-imol-list-container-recent__search"><input class="bx-imol-search-input" placeholder="Search"></div>' +
    '</div>' +
    '<div class="bx-imol-list-container-recent__elements_container">' +
    '<div class="bx-imol-list-recent__content"><div class="bx-imol-list-recent__scroll-container">' +
    (html || '<div class="bx-imol-list-recent__empty">No dialogs</div>') +
    '</div></div></div></div>'
  );
}

/** @param {PageData} data */
function renderChatList(data) {
  const chats = ['General', 'Sales team', data.userName, 'Marketing'];
  return (
    '<div class="bx-im-list-container-recent__container"><div class="bx-im-list-container-recent__header_container">' +
    '<input class="bx-im-search-input" placeholder="Search"></div><div class="bx-im-list-recent__scroll-container">' +
    chats
      .map(
        (c) =>
          `<div class="bx-im-list-recent-item__wrap"><div class="bx-im-list-recent-item__container">${esc(c)}</div></div>`,
      )
      .join('') +
    '</div></div>'
  );
}

function renderLegacyFrame() {
  return (
    '<div class="bx-im-messenger__openlines_container"><div class="bx-im-content-openlines__container">' +
    '<iframe class="bx-im-content-openlines__iframe" src="/desktop_app/?IFRAME=Y&amp;IM_LINES=Y&amp;IM_MENU=N"' +
    ' title="Contact Center"></iframe></div></div>'
  );
}

/** @param {PageData} data @param {string} layout @param {string | null} selected */
function renderLayoutContent(data, layout, selected) {
  let list = '';
  let content = '';
  if (layout === 'openlines') {
    list = renderNewOlList(data, selected);
    const s = data.sessions.find((x) => `chat${x.chatId}` === selected);
    content = s
      ? `<div class="bx-im-content-chat__container"><div class="bx-im-chat-header__title">${esc(s.title)}</div></div>`
      : '<div class="bx-im-content-default-openlines__container">Select a dialog</div>';
  } else if (layout === 'legacy') {
    content = renderLegacyFrame();
  } else {
    list = renderChatList(data);
    content = '<div class="bx-im-content-chat-start__container">Select a chat to start messaging</div>';
  }
  return (
    '<div class="bx-im-messenger__layout_content">' +
    `<div class="bx-im-messenger__list_container">${list}</div>` +
    `<div class="bx-im-messenger__content_container">${content}</div>` +
    '</div>'
  );
}

/** @param {string} layout */
function renderMessengerNav(layout) {
  const items = [
    ['layout-chat', 'chat', 'Chats'],
    ['layout-openlines', 'openlines', 'Open Lines'],
    ['layout-openlines-legacy', 'legacy', 'Open Lines (legacy)'],
  ];
  return (
    '<div class="bx-im-messenger__navigation_container"><div class="bx-im-navigation__scope">' +
    items
      .map(
        ([id, l, label]) =>
          `<button type="button" id="${id}" class="bx-im-navigation__item${l === layout ? ' --active' : ''}">${label}</button>`,
      )
      .join('') +
    '</div></div>'
  );
}

/** @param {PageData} data @param {string} layout @param {string | null} selected */
function renderMessenger(data, layout, selected) {
  return (
    '<div class="bx-im-messenger__scope bx-im-messenger__container">' +
    renderMessengerNav(layout) +
    '<div class="bx-im-messenger__layout_container">' +
    renderLayoutContent(data, layout, selected) +
    '</div></div>'
  );
}

/** @param {PageData} data @param {string} layout */
function renderSlider(data, layout) {
  return (
    '<div class="side-panel side-panel-overlay side-panel-overlay-open">' +
    '<div class="side-panel side-panel-container side-panel-container-open">' +
    '<div class="side-panel-labels"><div class="side-panel-label" id="close-slider" role="button" title="Close">' +
    '<span class="side-panel-label-icon side-panel-label-icon-close"></span></div></div>' +
    '<div class="side-panel-content-wrapper"><div class="side-panel-content-container">' +
    `<div class="bx-im-messenger__slider">${renderMessenger(data, layout, null)}</div>` +
    '</div></div></div></div>'
  );
}

/** @param {string} title */
function renderToolbar(title) {
  return (
    '<div id="uiToolbarContainer" class="ui-toolbar">' +
    `<div class="ui-toolbar-title-box"><h1 id="pagetitle" class="ui-toolbar-title-item">${esc(title)}</h1></div>` +
    '<div class="ui-toolbar-filter-box"></div>' +
    '<div class="ui-toolbar-right-buttons">' +
    '<button type="button" class="ui-btn ui-btn-light-border ui-btn-themes ui-btn-icon-setting"' +
    ' title="Settings"></button></div></div>'
  );
}

/**
 * Title and workarea HTML of a route.
 * @param {PageData} data
 * @param {string} route
 * @param {URLSearchParams} query
 * @param {string} pathname
 */
function renderMain(data, route, query, pathname) {
  if (route === 'stream') {
    const posts = data.sessions
      .slice(0, 1)
      .map(
        (s) =>
          `<p>New message in Open Lines: <a data-nav id="nav-online-chat" href="/online/?IM_LINES=chat${s.chatId}">` +
          `${esc(s.title)}</a></p>`,
      )
      .join('');
    return {
      title: 'Feed',
      html:
        '<div class="feed-wrap"><div class="feed-add-post-block">Send message…</div>' +
        '<div class="feed-post-block"><div class="feed-post-title">Welcome to the company portal</div>' +
        `${posts}</div></div>`,
    };
  }
  if (route === 'online') {
    const ol = query.get('ol') || query.get('openlines') || data.olMode;
    const layout = ol === 'legacy' ? 'legacy' : 'openlines';
    return {
      title: 'Contact Center',
      html: `<div class="bx-im-messenger__online-page">${renderMessenger(data, layout, query.get('IM_LINES'))}</div>`,
    };
  }
  if (route === 'contact_center') {
    const tiles = ['Live chat', 'Telegram', 'WhatsApp', 'Email', 'Viber', 'Facebook', 'Instagram Direct'];
    return {
      title: 'Contact Center',
      html:
        '<div class="intranet-contact-block"><div id="intranet-contact-wrap" class="intranet-contact-wrap">' +
        '<div id="intranet-contact-list" class="intranet-contact-list">' +
        tiles
          .map(
            (t, i) =>
              `<div class="intranet-contact-item${i < 2 ? ' intranet-contact-item-selected' : ''}">` +
              `<div class="intranet-contact-logo"></div><div class="intranet-contact-name">${esc(t)}</div></div>`,
          )
          .join('') +
        '</div></div></div>',
    };
  }
  const name = pathname.split('/').filter(Boolean)[0] ?? 'Portal';
  return {
    title: name.charAt(0).toUpperCase() + name.slice(1),
    html: '<div class="generic-page">Page</div>',
  };
}

/**
 * One page-level DOM mutation of the Open Lines list, cycling through text edits, selection toggles,
 * re-created nodes (Vue re-render) and reordering.
 * @param {ParentNode} root
 * @param {{ item: string, text: string, selected: string }} sel
 * @param {number} i mutation counter.
 * @returns {boolean} false when there is no list item to mutate.
 */
function mutateList(root, sel, i) {
  const items = root.querySelectorAll(sel.item);
  if (!items.length) return false;
  const item = items[i % items.length];
  switch (i % 4) {
    case 0: {
      const text = item.querySelector(sel.text);
      if (text) text.textContent = `Message ${i} at ${Date.now() % 100000}`;
      break;
    }
    case 1:
      item.classList.toggle(sel.selected);
      break;
    case 2:
      item.replaceWith(item.cloneNode(true));
      break;
    default: {
      const parent = item.parentNode;
      const first = parent?.querySelector(sel.item);
      if (parent && first && first !== item) parent.insertBefore(item, first);
    }
  }
  return true;
}

/**
 * Runs `mutate(i)` `mutationsPerSecond` times a second for `seconds`.
 * @param {(i: number) => boolean} mutate
 * @param {number} mutationsPerSecond
 * @param {number} seconds
 * @returns {Promise<{ mutations: number, ms: number }>}
 */
function stress(mutate, mutationsPerSecond, seconds) {
  const total = Math.max(0, Math.round(mutationsPerSecond * seconds));
  const t0 = performance.now();
  let done = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.ceil(((performance.now() - t0) / 1000) * mutationsPerSecond));
      while (done < due) {
        if (!mutate(done)) {
          resolve({ mutations: done, ms: performance.now() - t0 });
          return;
        }
        done++;
      }
      if (done >= total) resolve({ mutations: done, ms: performance.now() - t0 });
      else setTimeout(tick, 4);
    };
    tick();
  });
}

const SHARED = [
  esc,
  routeOf,
  renderNewOlList,
  renderChatList,
  renderLegacyFrame,
  renderLayoutContent,
  renderMessengerNav,
  renderMessenger,
  renderSlider,
  renderToolbar,
  renderMain,
  mutateList,
  stress,
];

/* ---------- page scripts ---------- */

/** Script of every portal page: SPA router, slider, layouts, test hooks. Runs in the page. */
function portalPageScript() {
  const dataNode = document.getElementById('emu-data');
  /** @type {PageData} */
  const data = JSON.parse(dataNode ? dataNode.textContent || '{}' : '{}');
  const q = new URLSearchParams(location.search);
  const olParam = q.get('openlines') || q.get('ol');
  try {
    if (olParam === 'legacy' || olParam === 'new') sessionStorage.setItem('emu.olMode', olParam);
    data.olMode = sessionStorage.getItem('emu.olMode') || data.olMode;
  } catch {
    // storage may be unavailable (opaque origins); the portal default stays.
  }

  /** @param {string} html */
  function element(html) {
    const t = document.createElement('template');
    t.innerHTML = html;
    return /** @type {HTMLElement} */ (t.content.firstElementChild);
  }

  /** @param {URL} url */
  function renderRoute(url) {
    const route = routeOf(url.pathname);
    const main = renderMain(data, route, url.searchParams, url.pathname);
    const toolbar = document.getElementById('uiToolbarContainer');
    if (toolbar) toolbar.replaceWith(element(renderToolbar(main.title)));
    const work = document.getElementById('workarea-content');
    if (work)
      work.replaceWith(element(`<div id="workarea-content" class="workarea-content">${main.html}</div>`));
    document.title = `${main.title} — ${data.host}`;
    for (const a of document.querySelectorAll('#menu-items-block a[data-nav]')) {
      a.classList.toggle('menu-item-active', new URL(a.href).pathname === url.pathname);
    }
  }

  /** @param {string} href @param {boolean} [replace] */
  function navigate(href, replace) {
    const url = new URL(href, location.href);
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    renderRoute(url);
  }

  function sliderEl() {
    return document.querySelector('.side-panel-overlay');
  }

  /** @param {string} [layout] */
  function normaliseLayout(layout) {
    if (layout === 'openlinesV2' || layout === 'openlines' || layout === 'new') return 'openlines';
    if (layout === 'legacy' || layout === 'openlines-legacy') return 'legacy';
    return 'chat';
  }

  /** @param {string} [layout] */
  function openSlider(layout) {
    closeSlider();
    document.body.appendChild(element(renderSlider(data, normaliseLayout(layout))));
  }

  function closeSlider() {
    const s = sliderEl();
    if (s) s.remove();
  }

  /** @param {Element} messenger @param {string} layout */
  function switchLayout(messenger, layout) {
    const l = normaliseLayout(layout);
    const content = messenger.querySelector('.bx-im-messenger__layout_content');
    if (content) content.replaceWith(element(renderLayoutContent(data, l, null)));
    const nav = messenger.querySelector('.bx-im-messenger__navigation_container');
    if (nav) nav.replaceWith(element(renderMessengerNav(l)));
  }

  /** @param {string} layout */
  function setLayout(layout) {
    const messenger =
      document.querySelector('.bx-im-messenger__slider .bx-im-messenger__container') ||
      document.querySelector('.bx-im-messenger__container');
    if (messenger) switchLayout(messenger, layout);
    else openSlider(layout);
  }

  const layoutButtons = {
    'layout-chat': 'chat',
    'layout-openlines': 'openlines',
    'layout-openlines-legacy': 'legacy',
  };

  document.addEventListener('click', (e) => {
    const target = /** @type {Element} */ (e.target);
    if (!(target instanceof Element)) return;
    const link = target.closest('a[data-nav]');
    if (link instanceof HTMLAnchorElement && link.origin === location.origin && !e.defaultPrevented) {
      e.preventDefault();
      navigate(link.href);
      return;
    }
    const button = target.closest('[id]');
    if (!button) return;
    if (button.id === 'open-messenger') {
      e.preventDefault();
      openSlider('chat');
    } else if (button.id === 'close-slider') {
      closeSlider();
    } else if (Object.hasOwn(layoutButtons, button.id)) {
      const messenger = button.closest('.bx-im-messenger__container');
      if (messenger) switchLayout(messenger, layoutButtons[button.id]);
    }
  });
  window.addEventListener('popstate', () => renderRoute(new URL(location.href)));

  const ol = {
    item: '.bx-imol-list-recent__item',
    text: '.bx-imol-list-recent-item__message_text',
    selected: '--selected',
  };
  window.__stressOpenLines = (mutationsPerSecond = 100, seconds = 1) => {
    const frame = document.querySelector('iframe.bx-im-content-openlines__iframe');
    if (
      !document.querySelector(ol.item) &&
      frame &&
      frame.contentWindow &&
      frame.contentWindow.__stressOpenLines
    ) {
      return frame.contentWindow.__stressOpenLines(mutationsPerSecond, seconds);
    }
    return stress((i) => mutateList(document, ol, i), mutationsPerSecond, seconds);
  };
  window.__emu = { openSlider, closeSlider, setLayout, navigate, data };
}

/** Script of the legacy Open Lines document (`/desktop_app/`): the stress hook only. */
function legacyPageScript() {
  const sel = {
    item: '.bx-messenger-cl-item',
    text: '.bx-messenger-cl-user-desc',
    selected: 'bx-messenger-cl-item-active',
  };
  window.__stressOpenLines = (mutationsPerSecond = 100, seconds = 1) =>
    stress((i) => mutateList(document, sel, i), mutationsPerSecond, seconds);
}

/* ---------- server-side page assembly ---------- */

const CSS = `
*{box-sizing:border-box}html,body{margin:0;height:100%}
body{font:14px/1.4 "Helvetica Neue",Helvetica,Arial,sans-serif;color:#333;background:#eef2f4}
a{color:#2067b0;text-decoration:none}
#header{height:64px;display:flex;align-items:center;gap:24px;padding:0 20px;background:#fff;border-bottom:1px solid #dfe3e6}
.header-logo-block{font-weight:bold;font-size:22px;color:#2fc6f6}.header-logo-block span{color:#333}
#top-menu{display:flex;gap:4px;flex:1}.main-buttons-item{padding:6px 12px;border-radius:16px;color:#525c69}
.main-buttons-item:hover{background:#eef2f4}
#open-messenger{padding:6px 14px;border-radius:16px;background:#2fc6f6;color:#fff;font-weight:bold}
.bx-layout-inner{display:flex;min-height:calc(100% - 64px)}
#menu-items-block{width:230px;background:#1f2c3a;padding:12px 0}
#menu-items-block ul{list-style:none;margin:0;padding:0}
#menu-items-block a{display:block;padding:9px 22px;color:#dfe6ea}
#menu-items-block a.menu-item-active{background:#2fc6f626;color:#fff}
#workarea{flex:1;padding:16px 22px}
.ui-toolbar{display:flex;align-items:center;gap:16px;min-height:58px;margin-bottom:12px}
.ui-toolbar-title-item{font:26px/1 "Helvetica Neue",Arial,sans-serif;margin:0;color:#333}
.ui-toolbar-filter-box{flex:1}.ui-toolbar-right-buttons{display:flex;gap:8px}
.ui-btn{height:39px;min-width:39px;border-radius:2px;border:1px solid #c6cdd3;background:#fff;cursor:pointer}
.workarea-content,.feed-wrap{background:#fff;border-radius:12px;padding:16px}
.feed-post-block{padding:12px 0;border-top:1px solid #eef2f4}
.intranet-contact-list{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px}
.intranet-contact-item{height:120px;border-radius:10px;background:#f5f7f8;display:flex;flex-direction:column;
 align-items:center;justify-content:center;gap:8px}
.intranet-contact-item-selected{background:#e5f9ff}
.intranet-contact-logo{width:48px;height:48px;border-radius:50%;background:#2fc6f6}
.side-panel-overlay{position:fixed;inset:0;background:rgba(0,0,0,.4);z-index:1000}
.side-panel-container{position:absolute;top:0;right:0;bottom:0;width:calc(100% - 80px);background:#fff;display:flex}
.side-panel-labels{position:absolute;left:-46px;top:17px}
.side-panel-label{width:46px;height:38px;background:#2fc6f6;border-radius:19px 0 0 19px;cursor:pointer;
 color:#fff;font-size:24px;line-height:38px;text-align:center}
.side-panel-label-icon-close::before{content:'\\00d7'}
.side-panel-content-wrapper,.side-panel-content-container,.bx-im-messenger__slider{flex:1;display:flex;height:100%}
.bx-im-messenger__container{display:flex;flex:1;min-height:480px;height:100%;background:#fff}
.bx-im-messenger__online-page{height:calc(100vh - 170px)}
.bx-im-messenger__navigation_container{width:120px;background:#00789e;padding:8px 0}
.bx-im-navigation__item{display:block;width:100%;padding:10px 6px;border:0;background:none;color:#fff;cursor:pointer}
.bx-im-navigation__item.--active{background:#ffffff33}
.bx-im-messenger__layout_container,.bx-im-messenger__layout_content{display:flex;flex:1}
.bx-im-messenger__list_container{width:320px;border-right:1px solid #eef2f4;overflow:auto}
.bx-im-messenger__list_container:empty{display:none}
.bx-im-messenger__content_container{flex:1;display:flex}
.bx-im-messenger__openlines_container,.bx-im-content-openlines__container{flex:1;display:flex}
.bx-im-content-openlines__iframe{flex:1;border:0;width:100%;min-height:460px}
.bx-imol-list-container-recent__header_container{display:flex;align-items:center;min-height:56px;padding:8px 12px;
 border-bottom:1px solid #eef2f4}
.bx-imol-list-container-recent__search{flex:1}.bx-imol-search-input,.bx-im-search-input{width:100%;padding:6px 10px;
 border:1px solid #dfe3e6;border-radius:16px}
.bx-imol-list-recent__group_name{display:block;padding:10px 12px 4px;font-size:11px;text-transform:uppercase;color:#959ca4}
.bx-imol-list-recent__item{display:flex;gap:10px;padding:8px 12px;cursor:pointer}
.bx-imol-list-recent__item.--selected{background:#e5f9ff}
.bx-imol-list-recent-item__avatar{width:40px;height:40px;border-radius:50%;background:#9dcf00}
.bx-imol-list-recent-item__title_text{font-weight:bold}.bx-imol-list-recent-item__message_text{color:#828b95}
.bx-im-list-recent-item__wrap{padding:12px}
.bx-im-content-chat__container,.bx-im-content-default-openlines__container,.bx-im-content-chat-start__container{
 flex:1;display:flex;align-items:center;justify-content:center;color:#828b95}
`;

const LEGACY_CSS = `
html,body{margin:0;height:100%;font:13px/1.4 Arial,sans-serif;color:#333}
.bx-desktop,#bx-desktop-tab-content-im,.bx-messenger-box{height:100%}
.bx-messenger-box{display:flex}
.bx-messenger-box-contact{width:300px;border-right:1px solid #e4e8eb;background:#fafbfc;display:flex;flex-direction:column}
.bx-messenger-cl-search{padding:10px}.bx-messenger-input{width:100%;box-sizing:border-box;padding:6px}
.bx-messenger-cl{flex:1;overflow:auto}
.bx-messenger-recent-group{padding:10px 12px 4px;font-size:11px;text-transform:uppercase;color:#959ca4}
.bx-messenger-cl-item{display:block;padding:8px 12px;color:#333;text-decoration:none}
.bx-messenger-cl-item-active{background:#e5f9ff}.bx-messenger-cl-user-title{font-weight:bold;display:block}
.bx-messenger-cl-user-desc{color:#828b95}
.bx-messenger-box-dialog{flex:1}.bx-messenger-panel{height:60px;border-bottom:1px solid #e4e8eb;padding:10px 16px}
`;

/**
 * @typedef {{ host: string, cloud: boolean, olMode: 'new' | 'legacy', userName: string,
 *   sessions: { id: number, chatId: number, title: string, group: string }[] }} PageData
 */

/**
 * Data the page scripts render from.
 * @param {import('./index.d.mts').PortalState} portal
 * @returns {PageData}
 */
function pageData(portal) {
  const operator = portal.users.find((u) => !u.admin) ?? portal.users[0];
  return {
    host: portal.displayHost,
    cloud: portal.cloud,
    olMode: portal.openLinesUi,
    userName: operator ? `${operator.name} ${operator.lastName}` : 'User',
    sessions: portal.sessions
      .filter((s) => s.active)
      .map((s) => ({ id: s.id, chatId: s.chatId, title: s.title, group: s.group })),
  };
}

/** @param {unknown} value JSON safe to embed in a `<script>` element. */
function jsonForScript(value) {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** @param {PageData} data */
function leftMenu(data) {
  const cc = data.cloud ? '/contact_center/' : '/services/contact_center/';
  return (
    '<nav id="menu-items-block" class="menu-items-block"><ul>' +
    '<li><a data-nav id="nav-stream" href="/stream/">Feed</a></li>' +
    '<li><a data-nav id="nav-online" href="/online/">Messenger</a></li>' +
    `<li><a data-nav id="nav-contact-center" href="${cc}">Contact Center</a></li>` +
    '<li><a id="nav-crm" href="/crm/deal/">CRM</a></li>' +
    '<li><a id="nav-tasks" href="/company/personal/user/7/tasks/">Tasks</a></li>' +
    '</ul></nav>'
  );
}

/**
 * Renders a portal page (everything but `/rest/` and `/desktop_app/`).
 * @param {import('./index.d.mts').PortalState} portal
 * @param {URL} url the request URL (its host is the portal).
 * @returns {string} HTML document.
 */
export function renderPortalPage(portal, url) {
  const data = pageData(portal);
  const q = url.searchParams;
  const olParam = q.get('openlines') || q.get('ol');
  if (olParam === 'legacy' || olParam === 'new') data.olMode = olParam;
  const route = routeOf(url.pathname);
  const main = renderMain(data, route, q, url.pathname);
  const sliderLayout = q.get('slider');
  const slider = sliderLayout
    ? renderSlider(
        data,
        { openlines: 'openlines', openlinesV2: 'openlines', legacy: 'legacy' }[sliderLayout] ?? 'chat',
      )
    : '';
  const script = `(function(){\n${SHARED.map((f) => f.toString()).join('\n')}\n(${portalPageScript.toString()})();\n})();`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(main.title)} — ${esc(data.host)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${CSS}</style></head>
<body class="template-bitrix24 bitrix24-light-theme">
<div id="header" class="header"><div class="header-logo-block">${esc(data.host.split('.')[0])}<span> 24</span></div>
<nav id="top-menu" class="main-buttons"><a class="main-buttons-item" href="/stream/">Feed</a><a class="main-buttons-item"
 href="/stream/?filter=important">Important</a><a class="main-buttons-item" href="/company/">Employees</a><a
 class="main-buttons-item" href="/calendar/">Calendar</a></nav>
<a id="open-messenger" class="bx-im-bar-messenger" href="#messenger" role="button">Open messenger</a></div>
<div class="bx-layout-inner">${leftMenu(data)}
<main id="workarea" class="bx-workarea">${renderToolbar(main.title)}
<div id="workarea-content" class="workarea-content">${main.html}</div></main></div>
${slider}
<script type="application/json" id="emu-data">${jsonForScript(data)}</script>
<script>${script}</script>
</body></html>`;
}

/**
 * Renders the legacy Open Lines document that the messenger loads in `iframe.bx-im-content-openlines__iframe`.
 * @param {import('./index.d.mts').PortalState} portal
 * @returns {string} HTML document.
 */
export function renderLegacyOpenLines(portal) {
  const data = pageData(portal);
  const titles = { new: 'New', work: 'In progress', answered: 'Answered' };
  let list = '';
  for (const g of /** @type {const} */ (['new', 'work', 'answered'])) {
    const items = data.sessions.filter((s) => s.group === g);
    if (!items.length) continue;
    list += `<div class="bx-messenger-recent-group"><span class="bx-messenger-recent-category-title-${g}">${titles[g]}</span></div>`;
    for (const s of items) {
      list +=
        `<a href="#chat${s.chatId}" class="bx-messenger-cl-item bx-messenger-cl-id-chat${s.chatId}" data-userId="chat${s.chatId}">` +
        '<span class="bx-messenger-cl-avatar"></span>' +
        `<span class="bx-messenger-cl-user-title">${esc(s.title)}</span>` +
        `<span class="bx-messenger-cl-user-desc">Hello! I have a question #${s.id % 97}</span></a>`;
    }
  }
  const script = `(function(){\n${[mutateList, stress].map((f) => f.toString()).join('\n')}\n(${legacyPageScript.toString()})();\n})();`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Contact Center</title><style>${LEGACY_CSS}</style></head>
<body class="bx-desktop-iframe">
<div class="bx-desktop bx-desktop-iframe-mode"><div class="bx-desktop-appearance">
<div id="bx-desktop-tab-content-im" class="bx-desktop-tab-content bx-desktop-tab-content-active">
<div class="bx-messenger-box bx-messenger-mark">
<div class="bx-messenger-box-contact">
<div class="bx-messenger-cl-search"><input class="bx-messenger-input" type="text" placeholder="Search"></div>
<div class="bx-messenger-cl bx-messenger-recent-lines-container">
<div class="bx-messenger-recent-wrap bx-messenger-recent-lines-wrap">${list}</div></div></div>
<div class="bx-messenger-box-dialog"><div class="bx-messenger-panel"><span class="bx-messenger-panel-title">Select a dialog</span></div>
<div class="bx-messenger-body-wrap"></div></div>
</div></div></div></div>
<script>${script}</script>
</body></html>`;
}

/**
 * Page for a host the emulator does not serve (what an unknown cloud name looks like: HTML, not REST).
 * @param {string} host
 * @returns {string}
 */
export function renderUnknownPortal(host) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Portal not found</title></head>
<body><h1>Portal not found</h1><p>${esc(host)} is not a Bitrix24 portal.</p></body></html>`;
}

/**
 * Logs a rendered page in as Bitrix prints it: an inline script `(window.BX||top.BX).message({…'bitrix_sessid':…})`
 * at the top of `<head>` (after a tiny `window.BX` with `message()` and `bitrix_sessid()` so it runs), and a form
 * with the hidden `sessid` input at the end of `<body>` (`bitrix_sessid_post()`). Public source: `main` module,
 * `include/prolog_after.php` (core messages) and `tools.php` (`bitrix_sessid`, `bitrix_sessid_post`).
 * @param {string} html a whole document from one of the render functions.
 * @param {string} token the session's token (32 hex digits).
 * @param {number | null} userId the logged-in user (`USER_ID` message; '' when anonymous).
 * @returns {string} the document with both inserted.
 */
export function withSessionToken(html, token, userId) {
  const bx =
    'window.BX=window.BX||{};(function(B){var m=B.__messages=B.__messages||{};' +
    "B.message=B.message||function(x){if(typeof x==='string')return m[x];for(var k in x)m[k]=x[k];return true};" +
    'B.bitrix_sessid=B.bitrix_sessid||function(){return m.bitrix_sessid};})(window.BX);';
  const t = esc(token).replace(/'/g, '');
  const messages =
    `(window.BX||top.BX).message({'LANGUAGE_ID':'en','FORMAT_DATE':'MM/DD/YYYY','COOKIE_PREFIX':'BITRIX_SM',` +
    `'SITE_ID':'s1','SITE_DIR':'/','USER_ID':'${userId ?? ''}','bitrix_sessid':'${t}'});`;
  const form = `<form id="emu-sessid-form" method="post" action="" hidden><input type="hidden" name="sessid" id="sessid" value="${t}"></form>`;
  return html
    .replace(/<head>/i, `<head><script>${bx}</script><script>${messages}</script>`)
    .replace(/<\/body>/i, `${form}\n</body>`);
}
