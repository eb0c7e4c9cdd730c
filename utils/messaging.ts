import * as v from 'valibot';
import { browser } from 'wxt/browser';
import type { UndoAnswer } from './background/unpin-service';
import { UndoBatchCmd } from './bitrix24/undo-plan';
import { type PinOutcome, PinOutcomeSchema } from './outcome';
import type { PinsAs } from './pins-as';
import { SELECTORS, type SelectorName } from './portal-pages';
import type { PortalInfo, SelfHostedPortalCheck, WebhookCheck } from './portals';

/**
 * The one typed message protocol between the extension's contexts. Content scripts and the popup never see a
 * webhook; there is no generic "call this REST method" or "fetch this URL" command.
 *
 * - content script → background: `pinAll`, `unpinAll`, `undoPin` (the portal is the sender's own origin, never
 *   taken from the message), `getLastOutcome`, `getPinsAs` (whom a pin acts as on its own portal).
 * - extension pages (popup, options) → background: `pinAll`, `unpinAll`, `undoPin` with an optional portal,
 *   `checkWebhook`, `saveWebhook`, `removeWebhook`, `addSelfHostedPortal`, `removeSelfHostedPortal` (self-hosted portals
 *   pinned through the login).
 * - background → content scripts: `outcome` (a new outcome for their portal); `loginCall` (one of the fixed
 *   {@link LOGIN_METHODS}, sent to one frame of one portal tab, answered with a {@link LoginAnswer}).
 * - popup → the top frame of the active portal tab: {@link PageReportRequest}, answered with a {@link PageReport}.
 */

const portalOrigin = v.pipe(v.string(), v.maxLength(300), v.url());

/** Messages the background accepts. Each is validated against this schema before anything else happens. */
export const BackgroundMessage = v.variant('type', [
  v.strictObject({
    type: v.literal('pinAll'),
    trigger: v.picklist(['control', 'popup']),
    portal: v.optional(portalOrigin),
  }),
  /** Unpin all: sent only after the operator confirmed it. */
  v.strictObject({
    type: v.literal('unpinAll'),
    trigger: v.picklist(['control', 'popup']),
    portal: v.optional(portalOrigin),
  }),
  /** Undo of the portal's newest pin; `pinId` is the pin the operator saw the offer for. */
  v.strictObject({
    type: v.literal('undoPin'),
    trigger: v.picklist(['control', 'popup']),
    portal: v.optional(portalOrigin),
    pinId: v.optional(v.pipe(v.string(), v.maxLength(64))),
  }),
  v.strictObject({ type: v.literal('getLastOutcome') }),
  v.strictObject({ type: v.literal('getPinsAs'), portal: v.optional(portalOrigin) }),
  v.strictObject({ type: v.literal('checkWebhook'), url: v.pipe(v.string(), v.maxLength(2000)) }),
  v.strictObject({ type: v.literal('saveWebhook'), url: v.pipe(v.string(), v.maxLength(2000)) }),
  v.strictObject({ type: v.literal('removeWebhook'), portal: portalOrigin }),
  /**
   * A self-hosted portal to pin through the login: its origin, as the options page read it from what was typed
   * (`parsePortalAddress`; the background reads it again).
   */
  v.strictObject({ type: v.literal('addSelfHostedPortal'), portal: portalOrigin }),
  v.strictObject({ type: v.literal('removeSelfHostedPortal'), portal: portalOrigin }),
]);
export type BackgroundMessage = v.InferOutput<typeof BackgroundMessage>;

/** What the background answers to each message type. */
export interface BackgroundResponses {
  pinAll: PinOutcome;
  unpinAll: PinOutcome;
  undoPin: UndoAnswer;
  getLastOutcome: PinOutcome | null;
  /** Whom a pin on the portal acts as (see `pinsAsText`). */
  getPinsAs: PinsAs;
  checkWebhook: WebhookCheck;
  saveWebhook: WebhookCheck;
  removeWebhook: PortalInfo[];
  addSelfHostedPortal: SelfHostedPortalCheck;
  removeSelfHostedPortal: string[];
}

/** Messages the background sends to content scripts. */
export const ContentMessage = v.variant('type', [
  v.strictObject({
    type: v.literal('outcome'),
    outcome: PinOutcomeSchema,
  }),
]);
export type ContentMessage = v.InferOutput<typeof ContentMessage>;
/** A {@link ContentMessage} as sent: its outcome in the stored form (`storedOutcome`). */
export type ContentMessageInput = v.InferInput<typeof ContentMessage>;

/**
 * Schemas of the answers that carry an outcome: checked by the receiving page or content script, so a surface
 * never renders a shape it does not know. (The options page's answers come from the same background build.)
 */
const ANSWER_SCHEMAS: Partial<Record<BackgroundMessage['type'], v.GenericSchema<unknown>>> = {
  pinAll: PinOutcomeSchema,
  unpinAll: PinOutcomeSchema,
  undoPin: v.union([
    v.object({ outcome: PinOutcomeSchema }),
    v.object({
      refused: v.picklist(['no-pin', 'nothing-pinned', 'expired', 'already-undone', 'unpinned-since']),
    }),
  ]),
  getLastOutcome: v.nullable(PinOutcomeSchema),
};

/**
 * The only REST methods a portal tab's content script calls with the operator's login, on the background's
 * behalf: Pin all, `profile` to say whom a pin acts as, Unpin all, and `batch` for an Undo. No parameters but a
 * `batch`'s `cmd`, which the background builds from session IDs and the schema checks (`isUndoBatchCmd`: only the
 * dialog lookups and unpins of an Undo, integer IDs); none taken from any page.
 */
export const LOGIN_METHODS = [
  'imopenlines.session.mode.pinAll',
  'profile',
  'imopenlines.session.mode.unpinAll',
  'batch',
] as const;
export type LoginMethod = (typeof LOGIN_METHODS)[number];

/**
 * Background → one frame of a portal tab: make this call with the page's login. `timeoutMs` bounds the request
 * (the content script aborts it after that long).
 */
export const LoginCall = v.pipe(
  v.strictObject({
    type: v.literal('loginCall'),
    method: v.picklist(LOGIN_METHODS),
    timeoutMs: v.pipe(v.number(), v.integer(), v.minValue(1000), v.maxValue(60_000)),
    /** `batch` only, and required there: an Undo batch's commands. */
    cmd: v.optional(UndoBatchCmd),
  }),
  v.check((call) => (call.method === 'batch') === (call.cmd !== undefined), 'cmd goes with batch only'),
);
export type LoginCall = v.InferOutput<typeof LoginCall>;

/** Longest answer body a login call hands back, characters of JSON (a 10,000-ID pin is about 60,000). */
export const LOGIN_BODY_MAX = 1_000_000;

/**
 * What a portal tab's content script answers to a {@link LoginCall}: only what classification needs, never the
 * token or a cookie (any `sessid` is removed from the body before it is sent).
 * - `answer`: the HTTP answer (status, content type, the read body; see `AnswerBody` in `client.ts`).
 * - `redirect`: a 3xx (status 0 for the browser's opaque redirect), not followed.
 * - `timeout`: aborted after `timeoutMs`; the method may have run.
 * - `failed`: the connection failed; `reachable` when a probe of the portal answered (the request may have been
 *   received), else the portal is unreachable.
 */
export const LoginAnswer = v.variant('type', [
  v.strictObject({
    type: v.literal('answer'),
    status: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(999)),
    contentType: v.nullable(v.pipe(v.string(), v.maxLength(200))),
    body: v.variant('type', [
      v.strictObject({ type: v.literal('html') }),
      v.strictObject({ type: v.literal('invalid-json') }),
      v.strictObject({ type: v.literal('json'), value: v.unknown() }),
    ]),
  }),
  v.strictObject({ type: v.literal('redirect'), status: v.pipe(v.number(), v.integer()) }),
  v.strictObject({ type: v.literal('timeout') }),
  v.strictObject({ type: v.literal('failed'), reachable: v.boolean() }),
]);
export type LoginAnswer = v.InferOutput<typeof LoginAnswer>;

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

/**
 * Popup → the top frame of the active portal tab: "does this page show a Pin all control, and what does it look
 * like?" Answered only to this extension's own pages (not to content scripts of any tab).
 */
export const PageReportRequest = v.strictObject({ type: v.literal('pageReport') });
export type PageReportRequest = v.InferOutput<typeof PageReportRequest>;

const className = v.pipe(v.string(), v.maxLength(80), v.regex(/^[A-Za-z_-][A-Za-z0-9_-]*$/));

/** One document's `PageSignature` (`utils/portal-pages.ts`), as the popup accepts it. */
export const PageSignatureSchema = v.strictObject({
  matched: v.pipe(
    v.array(
      v.strictObject({
        name: v.picklist(Object.keys(SELECTORS) as SelectorName[]),
        evidence: v.picklist(['strong', 'moderate', 'source-only']),
        rendered: v.boolean(),
      }),
    ),
    v.maxLength(50),
  ),
  containerClasses: v.pipe(v.array(className), v.maxLength(250)),
  air: v.boolean(),
  legacyLinesDocument: v.boolean(),
  inHiddenFrame: v.boolean(),
  anchor: v.nullable(
    v.strictObject({
      kind: v.picklist(['openlines-list', 'legacy-openlines-list', 'contact-center']),
      place: v.picklist(['append', 'prepend', 'before', 'after']),
    }),
  ),
  version: v.nullable(v.pipe(v.string(), v.maxLength(20), v.regex(/^im\/v\d+$/))),
});

/**
 * The answer to a {@link PageReportRequest}: whether the top document or any same-origin frame in it (the legacy
 * Open Lines list is one) shows a Pin all control, and the signature of each of these documents, the top one
 * first. Holds no text, no IDs and no user data (see `pageSignature`).
 */
export const PageReport = v.strictObject({
  hasControl: v.boolean(),
  documents: v.pipe(v.array(PageSignatureSchema), v.minLength(1), v.maxLength(20)),
});
export type PageReport = v.InferOutput<typeof PageReport>;
