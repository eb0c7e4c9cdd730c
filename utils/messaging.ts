import * as v from 'valibot';
import { browser } from 'wxt/browser';
import { type PinOutcome, PinOutcomeSchema } from './outcome';
import type { PortalInfo, WebhookCheck } from './portals';

/**
 * The one typed message protocol between the extension's contexts. Content scripts and the popup never see a
 * webhook; there is no generic "call this REST method" or "fetch this URL" command.
 *
 * - content script → background: `pinAll` (the portal is the sender's own origin, never taken from the message),
 *   `getLastOutcome`.
 * - extension pages (popup, options) → background: `pinAll` with an optional portal, `checkWebhook`,
 *   `saveWebhook`, `removeWebhook`.
 * - background → content scripts: `outcome` (a new outcome for their portal).
 */

const portalOrigin = v.pipe(v.string(), v.maxLength(300), v.url());

/** Messages the background accepts. Each is validated against this schema before anything else happens. */
export const BackgroundMessage = v.variant('type', [
  v.strictObject({
    type: v.literal('pinAll'),
    trigger: v.picklist(['control', 'popup']),
    portal: v.optional(portalOrigin),
  }),
  v.strictObject({ type: v.literal('getLastOutcome') }),
  v.strictObject({ type: v.literal('checkWebhook'), url: v.pipe(v.string(), v.maxLength(2000)) }),
  v.strictObject({ type: v.literal('saveWebhook'), url: v.pipe(v.string(), v.maxLength(2000)) }),
  v.strictObject({ type: v.literal('removeWebhook'), portal: portalOrigin }),
]);
export type BackgroundMessage = v.InferOutput<typeof BackgroundMessage>;

/** What the background answers to each message type. */
export interface BackgroundResponses {
  pinAll: PinOutcome;
  getLastOutcome: PinOutcome | null;
  checkWebhook: WebhookCheck;
  saveWebhook: WebhookCheck;
  removeWebhook: PortalInfo[];
}

/** Messages the background sends to content scripts. */
export const ContentMessage = v.variant('type', [
  v.strictObject({
    type: v.literal('outcome'),
    outcome: PinOutcomeSchema,
  }),
]);
export type ContentMessage = v.InferOutput<typeof ContentMessage>;

/**
 * Schemas of the answers that carry an outcome: checked by the receiving page or content script, so a surface
 * never renders a shape it does not know. (The options page's answers come from the same background build.)
 */
const ANSWER_SCHEMAS: Partial<Record<BackgroundMessage['type'], v.GenericSchema<unknown>>> = {
  pinAll: PinOutcomeSchema,
  getLastOutcome: v.nullable(PinOutcomeSchema),
};

/**
 * Sends a message to the background and resolves with its typed answer.
 * @throws when the background is unreachable (e.g. the extension was reloaded under an old content script:
 *   "Extension context invalidated") — callers turn that into a visible "reload the page" state; and when an
 *   outcome-bearing answer does not match its schema (no answer at all, the sender was refused, or a bad shape).
 */
export async function sendToBackground<M extends BackgroundMessage>(
  message: M,
): Promise<BackgroundResponses[M['type']]> {
  const answer: unknown = await browser.runtime.sendMessage(message);
  const schema = ANSWER_SCHEMAS[message.type];
  if (schema) return v.parse(schema, answer) as BackgroundResponses[M['type']];
  return answer as BackgroundResponses[M['type']];
}
