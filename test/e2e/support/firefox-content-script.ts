import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { FIREFOX_BUILD } from './firefox.mjs';

/** The add-on ID of the built Firefox extension (its manifest's `browser_specific_settings.gecko.id`). */
export function firefoxAddonId(): string {
  return (
    JSON.parse(readFileSync(join(FIREFOX_BUILD, 'manifest.json'), 'utf8')) as {
      browser_specific_settings: { gecko: { id: string } };
    }
  ).browser_specific_settings.gecko.id;
}

/**
 * Evaluates `expression` in Firefox's browser window (`chrome://browser/content/browser.xhtml`, BiDi `moz:scope`
 * "chrome", allowed by `--remote-allow-system-access`) and returns its awaited value as a string.
 * @throws Error when there is no browser window, the evaluation throws, or its value starts with `error: `.
 */
export async function evaluateInBrowserWindow(browser: Browser, expression: string): Promise<string> {
  const connection = (
    browser as unknown as {
      connection: { send(method: string, params: object): Promise<{ result: unknown }> };
    }
  ).connection;
  const tree = (await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' })).result as {
    contexts: { context: string; url: string }[];
  };
  const window = tree.contexts.find((c) => c.url === 'chrome://browser/content/browser.xhtml');
  if (!window) throw new Error(`no browser window among ${JSON.stringify(tree.contexts)}`);
  const { result } = (await connection.send('script.evaluate', {
    expression,
    target: { context: window.context },
    awaitPromise: true,
  })) as { result: { type: string; result?: { value?: string }; exceptionDetails?: unknown } };
  if (result.type !== 'success') throw new Error(JSON.stringify(result));
  const value = result.result?.value ?? '';
  if (value.startsWith('error: ')) throw new Error(value);
  return value;
}

/**
 * Runs `expression` in the extension's content-script sandbox of the top document of the tab at `urlPrefix`, and
 * returns its (awaited) value as a string. Firefox's WebDriver BiDi lists no realm for content scripts, so this goes
 * through the browser's own test hooks: Firefox is started with `--remote-allow-system-access`, which lets BiDi
 * evaluate in the browser window (`moz:scope` "chrome"); from there a frame script runs in the tab's content
 * process, gets the content script's context with `ExtensionContent.getContextByExtensionId` (the hook Firefox's
 * own tests use) and evaluates in its sandbox — the same global, `browser` API and principal the extension's
 * content script has.
 * @param browser the Firefox driven over BiDi (puppeteer-core).
 * @param urlPrefix the start of the tab's URL.
 * @param expression a JavaScript expression evaluated in the sandbox; a promise is awaited; the result is
 *   converted with `String()` (return JSON text for objects).
 */
export async function evaluateInContentScript(
  browser: Browser,
  urlPrefix: string,
  expression: string,
): Promise<string> {
  const addonId = firefoxAddonId();
  const frameScript = `
    const report = (value) => sendAsyncMessage('pin-all-probe', String(value));
    try {
      const { ExtensionContent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionContent.sys.mjs');
      const context = ExtensionContent.getContextByExtensionId(${JSON.stringify(addonId)}, content);
      if (!context) throw new Error('the extension has no content script in this document');
      Promise.resolve(Cu.evalInSandbox(${JSON.stringify(expression)}, context.sandbox)).then(
        report,
        (error) => report('error: ' + error),
      );
    } catch (error) {
      report('error: ' + error);
    }`;
  const evaluation = `new Promise((resolve) => {
    const tab = gBrowser.browsers.find((b) => b.currentURI.spec.startsWith(${JSON.stringify(urlPrefix)}));
    if (!tab) return resolve('error: no tab at ' + ${JSON.stringify(urlPrefix)});
    const listener = (message) => {
      tab.messageManager.removeMessageListener('pin-all-probe', listener);
      resolve(message.data);
    };
    tab.messageManager.addMessageListener('pin-all-probe', listener);
    tab.messageManager.loadFrameScript('data:,' + encodeURIComponent(${JSON.stringify(frameScript)}), false);
    setTimeout(() => resolve('error: no answer from the content process'), 10000);
  })`;
  return evaluateInBrowserWindow(browser, evaluation);
}
