import { defineConfig } from 'wxt';
import { CLOUD_PORTAL_MATCHES } from './utils/portal-hosts';

/**
 * One config for both browsers. Cloud portals get static host permissions (no prompt);
 * self-hosted portals are requested at run time from the options page (optional_host_permissions).
 */
export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill', '@wxt-dev/i18n/module'],
  manifestVersion: 3,
  zip: {
    // The Firefox sources zip holds exactly what a reviewer needs to rebuild the add-on (SOURCES.md), nothing else:
    // no tests, emulator, scripts, screenshots or logs.
    includeSources: [
      'entrypoints/**',
      'components/**',
      'utils/**',
      'locales/**',
      'public/**',
      'wxt.config.ts',
      'tsconfig.json',
      'package.json',
      'package-lock.json',
      'SOURCES.md',
    ],
  },
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    permissions: ['storage', 'notifications', 'scripting'],
    host_permissions: CLOUD_PORTAL_MATCHES,
    optional_host_permissions: ['https://*/*'],
    // Chromium browsers deliver the administrator's settings (`3rdparty` extension policy) to `storage.managed`
    // only for keys this schema declares. Firefox reads them from policies.json without a schema. docs/admin.md.
    ...(browser === 'firefox' ? {} : { storage: { managed_schema: 'managed_schema.json' } }),
    action: { default_title: '__MSG_actionTitle__' },
    commands: {
      'pin-all': {
        suggested_key: { default: 'Alt+Shift+P' },
        description: '__MSG_commandPinAll__',
      },
      // No default key: unpinning can send waiting dialogs back to the queue, and it always asks first.
      'unpin-all': { description: '__MSG_commandUnpinAll__' },
    },
    // Chrome 111: the oldest Chrome that runs what we ship — Vite's default build target ('baseline-widely-available'
    // = chrome111) leaves newer syntax untranspiled — above what the code calls: storage.session and
    // StorageArea.setAccessLevel (102), AbortSignal.timeout (103), IndexedDB and Web Locks in the service worker
    // (long before). The webhooks' protection does not depend on the version: they are in IndexedDB, which no
    // content script can open; setAccessLevel is only a second wall (honoured for storage.local from Chrome 140).
    ...(browser === 'firefox' ? {} : { minimum_chrome_version: '111' }),
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'pin-all@b24-pin-all.example',
              // 140: data_collection_permissions (below). IndexedDB and Web Locks in the background: long before.
              strict_min_version: '140.0',
              // The webhook (authentication information) goes to the operator's own portal, and nowhere else.
              data_collection_permissions: { required: ['authenticationInfo'] },
            },
            // Firefox for Android supports data_collection_permissions from 142.
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : {}),
  }),
});
