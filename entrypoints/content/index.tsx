import { defineContentScript } from 'wxt/utils/define-content-script';
import css from '@/components/pin-all-control.css?inline';
import { startLoginCalls } from '@/utils/bitrix24/login-call';
import { startPinAllControl } from '@/utils/control-mount';
import { startPageReports } from '@/utils/page-report';
import { CLOUD_PORTAL_MATCHES } from '@/utils/portal-hosts';

/**
 * The Pin all control on portal pages: runs in every frame (the legacy Open Lines UI is its own same-origin
 * document) and keeps at most one control per document. Wiring: `utils/control-mount.ts`; where the control goes:
 * `utils/anchor-watcher.ts` over `utils/portal-pages.ts`; its element: `utils/control-host.ts`; the control:
 * `components/PinAllControl.tsx`. Cloud portals only for now; self-hosted portals need run-time registration.
 */
export default defineContentScript({
  matches: CLOUD_PORTAL_MATCHES,
  allFrames: true,
  runAt: 'document_idle',
  // The CSS is imported `?inline` into the closed shadow root; nothing is injected into the page.
  cssInjectionMode: 'ui',
  main(ctx) {
    startPinAllControl(ctx, { css });
    // The login path: this frame makes the background's fixed REST calls with the page's own login.
    startLoginCalls(ctx);
    // The popup asks the top frame whether the page shows the control, and for its signature when not.
    startPageReports(ctx);
  },
});
