import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The rule sets the extension's UI must pass: WCAG 2.0–2.2 A and AA (contrast, names, target size…). */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** One axe violation, reduced to what a failing test should print. */
export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core in a page and returns its violations (an empty list passes).
 *
 * axe is evaluated through the DevTools protocol rather than added as a `<script>`: extension pages forbid inline
 * and foreign scripts (CSP), and DevTools evaluation is not subject to the page's CSP.
 * @param page the page (an extension page, or a portal page holding the control).
 * @param opts `include`: CSS selectors to restrict the audit to (default: the whole document);
 *   `bestPractice`: also axe's best-practice rules (landmarks, heading order…).
 */
export async function axeViolations(
  page: Page,
  opts: { include?: string[]; bestPractice?: boolean } = {},
): Promise<AxeFinding[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const tags = opts.bestPractice ? [...WCAG_TAGS, 'best-practice'] : WCAG_TAGS;
  return page.evaluate(
    async ({ include, tags }) => {
      // biome-ignore lint/suspicious/noExplicitAny: axe is a global the evaluated source defines
      const axe = (window as any).axe;
      const context = include ? { include: include.map((s) => [s]) } : document;
      const result = await axe.run(context, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      });
      // biome-ignore lint/suspicious/noExplicitAny: axe's result types are not imported into the page
      return result.violations.map((v: any) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        // biome-ignore lint/suspicious/noExplicitAny: see above
        nodes: v.nodes.map((n: any) => `${n.target.join(' > ')}: ${n.failureSummary}`),
      }));
    },
    { include: opts.include, tags },
  );
}

/**
 * Lets main-world scripts (axe, and the test's own `page.evaluate`) see the closed shadow roots of the elements
 * matching `hostTag`, by defining `host.shadowRoot` for the page's JavaScript only.
 *
 * The Pin all control lives in a closed shadow root that no page script can reach, so axe would audit an empty
 * host. DevTools can reach it (like the accessibility tree a screen reader reads): `DOM.getDocument` with `pierce`
 * lists closed roots, `DOM.resolveNode` hands one to the page's main world, and an own `shadowRoot` getter on
 * that world's wrapper of the host makes axe walk the real control, with its real styles, in place on the real
 * page. The content script runs in its own isolated world and sees no change; nothing is copied or re-rendered.
 * @returns how many roots were exposed.
 */
export async function exposeClosedShadowRoots(page: Page, hostTag: string): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    type DomNode = {
      nodeName: string;
      children?: DomNode[];
      shadowRoots?: (DomNode & { backendNodeId: number; shadowRootType?: string })[];
      contentDocument?: DomNode;
    };
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    const roots: number[] = [];
    const walk = (node: DomNode) => {
      if (node.nodeName.toLowerCase() === hostTag.toLowerCase()) {
        for (const r of node.shadowRoots ?? [])
          if (r.shadowRootType === 'closed') roots.push(r.backendNodeId);
      }
      for (const child of [...(node.children ?? []), ...(node.shadowRoots ?? [])]) walk(child);
    };
    walk(root);
    for (const backendNodeId of roots) {
      const { object } = (await cdp.send('DOM.resolveNode', { backendNodeId })) as {
        object: { objectId: string };
      };
      await cdp.send('Runtime.callFunctionOn', {
        objectId: object.objectId,
        functionDeclaration:
          'function () { const root = this; Object.defineProperty(root.host, "shadowRoot", { configurable: true, get: () => root }); }',
      });
    }
    return roots.length;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Formats findings for an assertion message. */
export function describeFindings(findings: AxeFinding[]): string {
  return findings.map((f) => `${f.id} (${f.impact}): ${f.help}\n  ${f.nodes.join('\n  ')}`).join('\n');
}
