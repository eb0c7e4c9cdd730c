import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { FIREFOX_BUILD } from './firefox.mjs';
import { evaluateInBrowserWindow, firefoxAddonId } from './firefox-content-script';

/**
 * Presses an extension command's keyboard shortcut in Firefox's browser window, as far as Firefox itself goes
 * when the operator presses it: Firefox registers each command that has a key as a XUL `<key>` in a keyset with
 * the ID `ext-keyset-id-<widget ID>` in every browser window, and the key's `command` event grants activeTab and
 * fires `commands.onCommand` (ExtensionShortcuts.sys.mjs in Firefox's source). This finds the `<key>` built from
 * the command's `suggested_key.default` in the built manifest and fires its command, so the path under test is the
 * browser's own from the key onward. Synthesizing the key stroke itself is not reliable headless (no focused
 * window), and WebDriver BiDi input reaches page content only.
 * @param browser Firefox driven over BiDi, started with `--remote-allow-system-access`.
 * @param command a command name from the manifest (`pin-all`).
 * @throws Error when the command has no suggested key, or Firefox registered no key for it.
 */
export async function pressShortcut(browser: Browser, command: string): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(FIREFOX_BUILD, 'manifest.json'), 'utf8')) as {
    commands?: Record<string, { suggested_key?: { default?: string } }>;
  };
  const shortcut = manifest.commands?.[command]?.suggested_key?.default;
  if (!shortcut) throw new Error(`the command ${command} has no suggested key in the built manifest`);
  const parts = shortcut.split('+');
  const key = parts.pop()!;
  // Firefox's widget ID of an add-on ID (ExtensionCommon's makeWidgetId).
  const widgetId = firefoxAddonId()
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_');
  const modifiers = parts.map((p) => (p === 'Ctrl' ? 'accel' : p.toLowerCase())).sort();
  const expression = `(() => {
    const keyset = document.getElementById(${JSON.stringify(`ext-keyset-id-${widgetId}`)});
    if (!keyset) return 'error: Firefox registered no shortcut for the add-on';
    const wanted = ${JSON.stringify(modifiers)}.join(',');
    const keyElement = [...keyset.children].find((k) =>
      (k.getAttribute('key') ?? '').toUpperCase() === ${JSON.stringify(key.toUpperCase())} &&
      (k.getAttribute('modifiers') ?? '').split(',').filter(Boolean).sort().join(',') === wanted);
    if (!keyElement) {
      return 'error: no key ' + ${JSON.stringify(shortcut)} + ' among ' +
        [...keyset.children].map((k) => k.getAttribute('modifiers') + '+' + k.getAttribute('key')).join(' ');
    }
    keyElement.doCommand();
    return 'pressed';
  })()`;
  await evaluateInBrowserWindow(browser, expression);
}
