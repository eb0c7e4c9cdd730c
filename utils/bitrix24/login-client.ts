import type { LoginCall, LoginMethod } from '../messaging';
import { type CallResult, classifyRestAnswer } from './client';
import { faultKind, kindOnPath } from './errors';
import { parseLoginAnswer } from './login-call';

/**
 * The login path, background side: asks one frame of a portal tab to make a call with the operator's login
 * (`login-call.ts` runs it there) and classifies what comes back through the same table as a webhook answer
 * (`classifyRestAnswer`, path `login`). Errors are values, as in `callMethod`.
 */

/** One frame of one tab: where a login call is made. */
export interface TabTarget {
  tabId: number;
  /** 0 for the tab's top document; the control's own frame when it asked. */
  frameId: number;
}

/** Sends a message to one frame of a tab and resolves with its answer (`tabs.sendMessage` with `frameId`). */
export type SendToTab = (target: TabTarget, message: LoginCall) => Promise<unknown>;

/** How long the background waits beyond the call's own timeout before it gives the tab up, ms. */
export const TAB_GRACE_MS = 5_000;

/** The browsers' words for "no listener in that frame": nothing was delivered, so nothing was sent. */
const NOT_DELIVERED =
  /receiving end does not exist|could not establish connection|no matching message handler/i;

/**
 * Whether a `tabs.sendMessage` failure means the message reached no content script (none in that frame: a page
 * opened before the extension was installed, or not a portal page), as opposed to one that went away while its
 * request was out.
 */
export function wasNotDelivered(error: unknown): boolean {
  return NOT_DELIVERED.test(error instanceof Error ? error.message : String(error));
}

/**
 * Calls `method` through a portal tab's login.
 * @param target the frame that makes the request.
 * @param timeoutMs the request's timeout in that frame; the background gives up {@link TAB_GRACE_MS} later.
 * @param cmd for `batch` only: an Undo batch's commands (`undo-plan.ts`), checked again by the frame.
 * @returns the classified answer. A message that reached no content script → `no-portal-tab` (nothing sent);
 *   a frame that went away, or answered nothing valid, once the message was delivered → `no-reply` (the method
 *   may have run; never re-sent).
 */
export async function callThroughTab(
  send: SendToTab,
  target: TabTarget,
  method: LoginMethod,
  timeoutMs: number,
  cmd?: Record<string, string>,
): Promise<CallResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise<'gone'>((resolve) => {
    timer = setTimeout(() => resolve('gone'), timeoutMs + TAB_GRACE_MS);
  });
  let raw: unknown;
  try {
    raw = await Promise.race([
      send(target, { type: 'loginCall', method, timeoutMs, ...(cmd ? { cmd } : {}) }),
      giveUp,
    ]);
  } catch (error) {
    const fault = wasNotDelivered(error) ? 'no-portal-tab' : 'tab-gone';
    return { ok: false, error: { kind: faultKind(fault) } };
  } finally {
    clearTimeout(timer);
  }
  const answer = parseLoginAnswer(raw);
  // Chrome resolves with nothing when the frame unloads before answering (closed, reloaded, navigated).
  if (!answer) return { ok: false, error: { kind: faultKind('tab-gone') } };
  switch (answer.type) {
    case 'answer':
      return classifyRestAnswer(answer, 'login');
    case 'redirect':
      // The portal sends a page that is not logged in to its login form; a rename would have moved the tab too.
      return {
        ok: false,
        error: {
          kind: kindOnPath(faultKind('redirect-same-origin', answer.status), 'login'),
          status: answer.status,
        },
      };
    case 'timeout':
      return { ok: false, error: { kind: faultKind('timeout') } };
    case 'failed':
      return { ok: false, error: { kind: faultKind(answer.reachable ? 'connection-lost' : 'unreachable') } };
  }
}
