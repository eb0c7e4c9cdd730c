import type { Frame, Page } from 'playwright-core';
import { expect } from 'vitest';

/** What an operator (or a screen reader) perceives of one Pin all control. */
export interface ControlView {
  /** Accessible name of the button. */
  name: string;
  disabled: boolean;
  busy: boolean;
  /** Text of the control's status region (outcome or advice). */
  status: string;
}

interface AXNode {
  nodeId: string;
  ignored?: boolean;
  role?: { value?: string };
  name?: { value?: string };
  properties?: { name: string; value: { value?: unknown } }[];
  childIds?: string[];
  parentId?: string;
  frameId?: string;
}

/**
 * Reads the Pin all controls of a page or frame from the browser's accessibility tree, which includes the contents
 * of closed shadow roots (the page's scripts and Playwright's locators can't see into them; a screen reader can).
 */
export async function readControls(page: Page, frame?: Frame): Promise<ControlView[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const frameId = frame ? await frameIdOf(cdp, frame) : undefined;
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree', frameId ? { frameId } : {})) as {
      nodes: AXNode[];
    };
    const byId = new Map(nodes.map((n) => [n.nodeId, n]));
    const text = (n: AXNode): string =>
      [
        n.role?.value === 'StaticText' ? (n.name?.value ?? '') : '',
        ...(n.childIds ?? []).map((id) => text(byId.get(id)!)),
      ]
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim();
    const prop = (n: AXNode, name: string) => n.properties?.find((p) => p.name === name)?.value.value;
    return nodes
      .filter((n) => n.role?.value === 'button' && n.name?.value === 'Pin all active Open Lines dialogs')
      .map((button) => {
        const parent = button.parentId ? byId.get(button.parentId) : undefined;
        const status = (parent?.childIds ?? [])
          .map((id) => byId.get(id)!)
          .filter((n) => n.role?.value === 'status')
          .map(text)
          .join(' ');
        return {
          name: button.name?.value ?? '',
          // Chromium reports these as booleans or as 1/0.
          disabled: Boolean(prop(button, 'disabled')),
          busy: Boolean(prop(button, 'busy')),
          status,
        };
      });
  } finally {
    await cdp.detach().catch(() => {});
  }
}

async function frameIdOf(
  cdp: import('playwright-core').CDPSession,
  frame: Frame,
): Promise<string | undefined> {
  const { frameTree } = (await cdp.send('Page.getFrameTree')) as {
    frameTree: { frame: { id: string; url: string }; childFrames?: unknown[] };
  };
  type Tree = { frame: { id: string; url: string }; childFrames?: Tree[] };
  const walk = (t: Tree): string | undefined =>
    t.frame.url === frame.url() ? t.frame.id : (t.childFrames ?? []).map(walk).find(Boolean);
  return walk(frameTree as Tree);
}

/** Waits (5 s at most) until a page or frame holds exactly `n` Pin all controls (hosts of their closed roots). */
export async function expectControls(where: Page | Frame, n: number): Promise<void> {
  await expect.poll(() => where.locator('b24-pin-all').count(), { timeout: 5000 }).toBe(n);
}
