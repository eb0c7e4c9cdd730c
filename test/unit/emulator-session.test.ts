// @vitest-environment node
// Session auth of the Bitrix24 emulator ("REST with the operator's login"): a page load logs the browser in and
// prints the token; `/rest/METHOD.json` accepts the token only from the query or a form field, with the cookie.
// If these rules drift from Bitrix24's, every e2e test of the login path proves nothing.
import { Window } from 'happy-dom';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorResponse, startEmulator } from '../emulator/index.mjs';

const HOST = 'demo.bitrix24.com';
const PIN_ALL = `https://${HOST}/rest/imopenlines.session.mode.pinAll.json`;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu?.close());
beforeEach(() => {
  emu.reset();
  emu.clearBrowserSessions();
});

/** Loads a page like a browser: returns the printed token and the cookie pair to send back. */
async function openPage(path = '/online/', cookie?: string, host = HOST) {
  const r = await emu.request(`https://${host}${path}`, { headers: cookie ? { Cookie: cookie } : {} });
  expect(r.status).toBe(200);
  const token = /\(window\.BX\|\|top\.BX\)\.message\(\{[^}]*'bitrix_sessid':'([0-9a-f]{32})'/.exec(
    r.text,
  )?.[1];
  expect(token).toBeDefined();
  const setCookie = r.headers['set-cookie']?.[0];
  return { page: r, token: token as string, setCookie, cookie: setCookie?.split(';')[0] ?? cookie ?? '' };
}

const pinnedIds = (host = HOST) =>
  emu
    .portal(host)
    ?.sessions.filter((s) => s.pinned)
    .map((s) => s.id);

const postForm = (url: string, body: string, cookie: string) =>
  emu.request(url, { method: 'POST', body, headers: { ...FORM, Cookie: cookie } });

function expectRefused(r: EmulatorResponse, error: string, description: string) {
  expect(r.status).toBe(401);
  const body = r.json();
  expect(body).toEqual({
    error,
    error_description: description,
    sessid: expect.stringMatching(/^[0-9a-f]{32}$/),
  });
  return body as { sessid: string };
}

describe('page login', () => {
  it('sets PHPSESSID as Bitrix does: path=/, HttpOnly, no SameSite, not Secure, no expiry', async () => {
    const { setCookie } = await openPage();
    expect(setCookie).toMatch(/^PHPSESSID=[0-9a-f]{32}; path=\/; HttpOnly$/);
    expect(setCookie).not.toMatch(/SameSite|Secure|Expires|Max-Age/i);
  });

  it('every page mode logs in and prints the token (stream, online, contact center, legacy frame, any page)', async () => {
    for (const path of [
      '/stream/',
      '/online/?ol=legacy',
      '/contact_center/',
      '/desktop_app/?IFRAME=Y',
      '/crm/',
    ]) {
      const { token, setCookie, page } = await openPage(path);
      expect(setCookie, path).toMatch(/^PHPSESSID=/);
      expect(page.text, path).toContain(`<input type="hidden" name="sessid" id="sessid" value="${token}">`);
    }
  });

  it("the inline script runs in the page: BX.bitrix_sessid() and the form's sessid give the token", async () => {
    const { page, token } = await openPage('/stream/');
    const script =
      /<script>(window\.BX=[^<]*)<\/script><script>(\(window\.BX\|\|top\.BX\)[^<]*)<\/script>/.exec(
        page.text,
      );
    expect(script).not.toBeNull();
    const window = new Window({ url: `https://${HOST}/stream/` });
    window.document.body.innerHTML = page.text.slice(page.text.indexOf('<form id="emu-sessid-form"'));
    window.eval(`${script?.[1]}\n${script?.[2]}`);
    const bx = (window as unknown as { BX: { bitrix_sessid(): string; message(k: string): string } }).BX;
    expect(bx.bitrix_sessid()).toBe(token);
    expect(bx.message('USER_ID')).toBe('7');
    expect(window.document.querySelector('input[name="sessid"]')?.getAttribute('value')).toBe(token);
    await window.happyDOM.close();
  });

  it('a page load with a live cookie keeps the session and its token (no new cookie)', async () => {
    const first = await openPage();
    const again = await openPage('/stream/', first.cookie);
    expect(again.setCookie).toBeUndefined();
    expect(again.token).toBe(first.token);
    expect(emu.browserSessions(HOST)).toHaveLength(1);
  });

  it('reset() keeps browser sessions: an open tab still pins after the portal is restored', async () => {
    const { token, cookie } = await openPage();
    expect((await postForm(PIN_ALL, `sessid=${token}`, cookie)).json().result).toEqual([1652, 1653]);
    emu.reset();
    expect((await postForm(PIN_ALL, `sessid=${token}`, cookie)).json().result).toEqual([1652, 1653]);
    emu.clearBrowserSessions();
    expectRefused(await postForm(PIN_ALL, `sessid=${token}`, cookie), 'access_denied', 'User not authorized');
  });

  it('loginAs chooses the page user; the default is the portal operator', async () => {
    expect(emu.pageUserId(HOST)).toBe(7);
    emu.loginAs(HOST, 1);
    const { token, cookie } = await openPage();
    expect(emu.browserSessions(HOST)[0]?.userId).toBe(1);
    const r = await postForm(PIN_ALL, `sessid=${token}`, cookie);
    expect(r.json().result).toEqual([1655]);
    expect(() => emu.loginAs(HOST, 404)).toThrow();
  });
});

describe('REST with the session', () => {
  it('a form sessid with the cookie pins the logged-in user’s sessions', async () => {
    const { token, cookie } = await openPage();
    const r = await postForm(PIN_ALL, `sessid=${token}`, cookie);
    expect(r.status).toBe(200);
    expect(r.json().result).toEqual([1652, 1653]);
    expect(pinnedIds()).toEqual([1652, 1653]);
  });

  it('a multipart sessid is a form field too', async () => {
    const { token, cookie } = await openPage();
    const body = `--XX\r\nContent-Disposition: form-data; name="sessid"\r\n\r\n${token}\r\n--XX--\r\n`;
    const r = await emu.request(PIN_ALL, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'multipart/form-data; boundary=XX', Cookie: cookie },
    });
    expect(r.json().result).toEqual([1652, 1653]);
  });

  it('a query sessid is accepted, with JSON parameters in the body', async () => {
    const { token, cookie } = await openPage();
    const r = await emu.request(`https://${HOST}/rest/imopenlines.dialog.get.json?sessid=${token}`, {
      method: 'POST',
      body: JSON.stringify({ CHAT_ID: 3001 }),
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
    });
    expect(r.status).toBe(200);
    expect(r.json().result.session_id).toBe(1652);
  });

  it('grants every scope: profile, method.get and batch run as the session user', async () => {
    const { token, cookie } = await openPage();
    const profile = await postForm(`https://${HOST}/rest/profile.json`, `sessid=${token}`, cookie);
    expect(profile.json().result.ID).toBe('7');
    const mg = await postForm(
      `https://${HOST}/rest/method.get.json`,
      `sessid=${token}&name=crm.deal.list`,
      cookie,
    );
    expect(mg.status).toBe(200);
    const batch = await postForm(
      `https://${HOST}/rest/batch.json`,
      `sessid=${token}&cmd[a]=imopenlines.session.mode.pinAll&cmd[b]=user.current`,
      cookie,
    );
    expect(batch.json().result.result).toEqual({ a: [1652, 1653], b: expect.objectContaining({ ID: '7' }) });
  });

  it('a sessid only in a JSON body is refused as not logged in (the cookie session is not loaded)', async () => {
    const { token, cookie } = await openPage();
    const r = await emu.request(PIN_ALL, {
      method: 'POST',
      body: JSON.stringify({ sessid: token }),
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
    });
    expectRefused(r, 'access_denied', 'User not authorized');
    expect(pinnedIds()).toEqual([]);
  });

  it('the X-Bitrix-Csrf-Token header alone is refused the same way', async () => {
    const { token, cookie } = await openPage();
    const r = await emu.request(PIN_ALL, {
      method: 'POST',
      body: '',
      headers: { 'X-Bitrix-Csrf-Token': token, Cookie: cookie },
    });
    expectRefused(r, 'access_denied', 'User not authorized');
    expect(pinnedIds()).toEqual([]);
  });

  it('a stale token → session_failed with the current token; a retry with it succeeds', async () => {
    const { token, cookie } = await openPage();
    const [renewed] = emu.rotateSessionToken(HOST, 7);
    const failed = await postForm(PIN_ALL, `sessid=${token}`, cookie);
    const body = expectRefused(failed, 'session_failed', 'Sessid check failed');
    expect(body.sessid).toBe(renewed);
    expect(pinnedIds()).toEqual([]);
    const retry = await postForm(PIN_ALL, `sessid=${body.sessid}`, cookie);
    expect(retry.json().result).toEqual([1652, 1653]);
  });

  it('after rotation the page already loaded still shows the old token; a reload shows the new one', async () => {
    const { token, cookie } = await openPage();
    const [renewed] = emu.rotateSessionToken(HOST);
    expect(renewed).not.toBe(token);
    const reload = await openPage('/online/', cookie);
    expect(reload.token).toBe(renewed);
  });

  it('logged out, no cookie, or an unknown cookie → access_denied "User not authorized"; nothing pinned', async () => {
    const { token, cookie } = await openPage();
    expectRefused(await postForm(PIN_ALL, `sessid=${token}`, ''), 'access_denied', 'User not authorized');
    expectRefused(
      await postForm(PIN_ALL, `sessid=${token}`, 'PHPSESSID=0123456789abcdef0123456789abcdef'),
      'access_denied',
      'User not authorized',
    );
    expect(emu.logout(HOST)).toBe(1);
    expectRefused(await postForm(PIN_ALL, `sessid=${token}`, cookie), 'access_denied', 'User not authorized');
    expect(pinnedIds()).toEqual([]);
    expect(emu.browserSessions(HOST)[0]?.loggedIn).toBe(false);
  });

  it('an anonymous page (loginAs null) prints a token that REST still refuses', async () => {
    emu.loginAs(HOST, null);
    const { token, cookie } = await openPage();
    expectRefused(await postForm(PIN_ALL, `sessid=${token}`, cookie), 'access_denied', 'User not authorized');
  });

  it('an external account is refused: "Access denied for this type of user"', async () => {
    emu.setExternalUser(HOST, 7);
    const { token, cookie } = await openPage();
    expectRefused(
      await postForm(PIN_ALL, `sessid=${token}`, cookie),
      'access_denied',
      'Access denied for this type of user',
    );
    expect(pinnedIds()).toEqual([]);
    // Webhooks of the same user are not affected.
    const hook = await emu.request(`${emu.webhookUrl(HOST)}imopenlines.session.mode.pinAll`);
    expect(hook.json().result).toEqual([1652, 1653]);
  });

  it('a cookie of another portal does not log in here', async () => {
    const other = await openPage('/online/', undefined, 'acme.bitrix24.com');
    const r = await postForm(PIN_ALL, `sessid=${other.token}`, other.cookie);
    expectRefused(r, 'access_denied', 'User not authorized');
  });

  it('accepts extension and same-origin Origin headers', async () => {
    const { token, cookie } = await openPage();
    for (const origin of ['moz-extension://1234-abcd', 'chrome-extension://abcdefgh', `https://${HOST}`]) {
      emu.portal(HOST)?.sessions.forEach((s) => {
        s.pinned = false;
      });
      const r = await emu.request(PIN_ALL, {
        method: 'POST',
        body: `sessid=${token}`,
        headers: { ...FORM, Cookie: cookie, Origin: origin },
      });
      expect(r.status, origin).toBe(200);
      expect(r.json().result, origin).toEqual([1652, 1653]);
    }
  });

  it('without any sessid the path is no webhook: NO_AUTH_FOUND', async () => {
    const { cookie } = await openPage();
    const r = await postForm(PIN_ALL, '', cookie);
    expect(r.status).toBe(401);
    expect(r.json().error).toBe('NO_AUTH_FOUND');
  });
});

describe('request log', () => {
  it('records where sessid came from and the outcome, never the token or the cookie value', async () => {
    const { token, cookie } = await openPage();
    const sessionId = cookie.split('=')[1] as string;
    await postForm(PIN_ALL, `sessid=${token}`, cookie);
    await emu.request(`${PIN_ALL}?sessid=${token}`, { headers: { Cookie: cookie } });
    await emu.request(PIN_ALL, {
      method: 'POST',
      body: JSON.stringify({ sessid: token }),
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
    });
    await emu.request(PIN_ALL, { headers: { 'X-Bitrix-Csrf-Token': token, Cookie: cookie } });
    emu.rotateSessionToken(HOST);
    await postForm(PIN_ALL, `sessid=${token}`, cookie);
    const calls = emu.restCalls('imopenlines.session.mode.pinAll');
    expect(calls.map((c) => c.sessionAuth)).toEqual([
      { sessid: 'form', cookie: true, userId: 7, result: 'ok' },
      { sessid: 'query', cookie: true, userId: 7, result: 'ok' },
      { sessid: 'json', cookie: true, userId: null, result: 'access_denied' },
      { sessid: 'header', cookie: true, userId: null, result: 'access_denied' },
      { sessid: 'form', cookie: true, userId: 7, result: 'session_failed' },
    ]);
    const log = JSON.stringify(emu.requests);
    expect(log).not.toContain(token);
    expect(log).not.toContain(sessionId);
    for (const s of emu.browserSessions()) expect(log).not.toContain(s.token);
    expect(calls[0]?.body).toBe('sessid=[redacted]');
    expect(calls[0]?.headers.cookie).toBe('PHPSESSID=[redacted]');
  });

  it('faulted session requests are recorded too; a delayed one is checked when it runs', async () => {
    const { token, cookie } = await openPage();
    emu.fault({ method: 'imopenlines.session.mode.pinAll', error: 'QUERY_LIMIT_EXCEEDED', status: 503 });
    expect((await postForm(PIN_ALL, `sessid=${token}`, cookie)).status).toBe(503);
    emu.fault({ method: 'imopenlines.session.mode.pinAll', delayMs: 300 });
    const delayed = postForm(PIN_ALL, `sessid=${token}`, cookie);
    await new Promise((r) => setTimeout(r, 100));
    const [renewed] = emu.rotateSessionToken(HOST);
    const body = expectRefused(await delayed, 'session_failed', 'Sessid check failed');
    expect(body.sessid).toBe(renewed);
    expect(emu.restCalls('imopenlines.session.mode.pinAll').map((c) => c.sessionAuth?.result)).toEqual([
      'ok',
      'session_failed',
    ]);
    expect(pinnedIds()).toEqual([]);
  });

  it('webhook requests ignore sessid and cookies and have no sessionAuth', async () => {
    const { cookie } = await openPage();
    const r = await postForm(
      `${emu.webhookUrl(HOST)}profile`,
      'sessid=0123456789abcdef0123456789abcdef',
      cookie,
    );
    expect(r.json().result.ID).toBe('7');
    expect(emu.restCalls('profile')[0]?.sessionAuth).toBeNull();
  });
});
