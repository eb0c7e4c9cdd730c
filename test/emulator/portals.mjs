// Portal configuration: who the users are, which webhooks exist, which Open Lines sessions are active.
import { domainToASCII } from 'node:url';

/** Limits of a cloud portal on the standard plans (bitrix24-rest.md, "Limits"). */
export const STANDARD_LIMITS = Object.freeze({
  bucketSize: 50,
  drainPerSecond: 2,
  operatingLimitSeconds: 480,
  operatingWindowSeconds: 600,
});

/** Limits of a cloud portal on the Enterprise plan. */
export const ENTERPRISE_LIMITS = Object.freeze({ ...STANDARD_LIMITS, bucketSize: 250, drainPerSecond: 5 });

/**
 * The portals the emulator serves when `startEmulator` gets no `portals`.
 *
 * - `demo.bitrix24.com`: operator Jane Doe (ID 7), webhook `/rest/7/demosecret123/`; her active sessions 1652
 *   and 1653 (chats 3001, 3002), a closed one (1654) and one of the admin's (1655).
 * - `acme.bitrix24.com`: an admin webhook (`/rest/1/acmeadmin1/`), an operator webhook (`/rest/7/acmeoperator7/`),
 *   one without the `imopenlines` scope (`/rest/7/acmenoscope7/`) and one of a deactivated user
 *   (`/rest/9/acmeformer9/`).
 * - `corp.bitrix24.de`: Enterprise limits, legacy Open Lines UI, webhook `/rest/3/corpsecret3/`.
 * - `old.bitrix24.com`: renamed, answers every request with 302 to `acme.bitrix24.com`.
 * - `crm.example.org`: self-hosted (no operating limits, no `operating` fields, legacy UI), `/rest/5/boxsecret5/`.
 * - `портал.рф` (`xn--80awhdgm.xn--p1ai`): self-hosted with a Unicode host, `/rest/1/rfsecret1/`.
 *
 *
 * `demo`, `acme` and `портал.рф` show the new Open Lines list; the others the legacy frame, which is also the default
 * of a configured portal without `openLinesUi` (as on most real portals).
 *
 * @returns {import('./index.d.mts').PortalConfig[]} fresh objects on each call.
 */
export function defaultPortals() {
  const admin = { id: 1, name: 'Admin', lastName: 'Adminov', admin: true };
  const jane = { id: 7, name: 'Jane', lastName: 'Doe', admin: false };
  return [
    {
      host: 'demo.bitrix24.com',
      cloud: true,
      openLinesUi: 'new',
      users: [{ ...admin }, { ...jane }],
      webhooks: [{ userId: 7, secret: 'demosecret123', scopes: ['imopenlines', 'im', 'user'] }],
      sessions: [
        { id: 1652, chatId: 3001, operatorId: 7, group: 'work', title: 'Maria Ivanova' },
        { id: 1653, chatId: 3002, operatorId: 7, group: 'new', title: 'John Smith' },
        { id: 1654, chatId: 3003, operatorId: 7, group: 'answered', title: 'Closed dialog', active: false },
        { id: 1655, chatId: 3004, operatorId: 1, group: 'work', title: 'Admin customer' },
      ],
    },
    {
      host: 'acme.bitrix24.com',
      cloud: true,
      openLinesUi: 'new',
      users: [
        { ...admin },
        { ...jane },
        { id: 9, name: 'Ivan', lastName: 'Petrov', admin: false, active: false },
      ],
      webhooks: [
        { userId: 1, secret: 'acmeadmin1', scopes: ['imopenlines', 'im', 'user', 'crm'] },
        { userId: 7, secret: 'acmeoperator7', scopes: ['imopenlines', 'im', 'user'] },
        { userId: 7, secret: 'acmenoscope7', scopes: ['crm', 'user'] },
        { userId: 9, secret: 'acmeformer9', scopes: ['imopenlines'] },
      ],
      sessions: [
        { id: 339, chatId: 4001, operatorId: 7, group: 'work', title: 'Olga K.' },
        { id: 337, chatId: 4002, operatorId: 7, group: 'new', title: 'Telegram guest' },
        { id: 340, chatId: 4003, operatorId: 1, group: 'work', title: 'WhatsApp +1 555 0100' },
        { id: 341, chatId: 4004, operatorId: 1, group: 'answered', title: 'Web chat visitor' },
      ],
    },
    {
      host: 'corp.bitrix24.de',
      cloud: true,
      limits: { ...ENTERPRISE_LIMITS },
      openLinesUi: 'legacy',
      users: [{ id: 3, name: 'Klaus', lastName: 'Weber', admin: false, gender: 'M' }],
      webhooks: [{ userId: 3, secret: 'corpsecret3', scopes: ['imopenlines', 'im'] }],
      sessions: [
        { id: 9001, chatId: 8001, operatorId: 3, group: 'work', title: 'Kunde 1' },
        { id: 9002, chatId: 8002, operatorId: 3, group: 'work', title: 'Kunde 2' },
      ],
    },
    {
      host: 'old.bitrix24.com',
      cloud: true,
      movedTo: 'acme.bitrix24.com',
      users: [],
      webhooks: [],
      sessions: [],
    },
    {
      host: 'crm.example.org',
      cloud: false,
      openLinesUi: 'legacy',
      users: [{ ...admin }, { id: 5, name: 'Anna', lastName: 'Berg', admin: false }],
      webhooks: [{ userId: 5, secret: 'boxsecret5', scopes: ['imopenlines', 'im', 'user'] }],
      sessions: [
        { id: 21, chatId: 121, operatorId: 5, group: 'work', title: 'Box customer A' },
        { id: 22, chatId: 122, operatorId: 5, group: 'new', title: 'Box customer B' },
      ],
    },
    {
      host: 'портал.рф',
      cloud: false,
      openLinesUi: 'new',
      users: [{ id: 1, name: 'Пётр', lastName: 'Сидоров', admin: true, gender: 'M' }],
      webhooks: [{ userId: 1, secret: 'rfsecret1', scopes: ['imopenlines'] }],
      sessions: [{ id: 501, chatId: 601, operatorId: 1, group: 'work', title: 'Клиент' }],
    },
  ];
}

/**
 * Lower-cases a host, strips a port and a trailing dot, and converts a Unicode name to punycode.
 * @param {string} host e.g. `Acme.Bitrix24.com:8443` or `портал.рф`.
 * @returns {string} e.g. `acme.bitrix24.com` or `xn--80awhdgm.xn--p1ai`; '' when unusable.
 */
export function normaliseHost(host) {
  let h = String(host ?? '')
    .trim()
    .toLowerCase();
  if (h.startsWith('[')) return h.replace(/\]:\d+$/, ']');
  h = h.replace(/:\d*$/, '').replace(/\.$/, '');
  return domainToASCII(h) || h;
}

/**
 * Cloud portals get the standard limits unless configured; self-hosted ones none unless configured;
 * `limits: null` switches them off.
 * @param {import('./index.d.mts').PortalConfig} config
 * @param {boolean} cloud
 */
function portalLimits(config, cloud) {
  if (config.limits === null) return null;
  if (!config.limits && !cloud) return null;
  return { ...STANDARD_LIMITS, ...config.limits };
}

/**
 * Builds the mutable runtime state of one portal from its configuration (defaults filled in).
 * `reset()` of the emulator calls this again with the same configuration.
 * @param {import('./index.d.mts').PortalConfig} config
 * @returns {import('./index.d.mts').PortalState}
 */
export function createPortalState(config) {
  const cloud = config.cloud ?? true;
  const host = normaliseHost(config.host);
  return {
    host,
    displayHost: config.host,
    cloud,
    movedTo: config.movedTo ? normaliseHost(config.movedTo) : undefined,
    imopenlines: config.imopenlines ?? true,
    openLinesUi: config.openLinesUi ?? 'legacy',
    design: config.design ?? 'classic',
    timezoneOffsetMinutes: config.timezoneOffsetMinutes ?? 60,
    limits: portalLimits(config, cloud),
    methodCosts: Object.fromEntries(
      Object.entries(config.methodCosts ?? {}).map(([k, v]) => [k.toLowerCase(), Number(v)]),
    ),
    errorStatuses: { ...config.errorStatuses },
    users: (config.users ?? []).map((u) => ({
      id: Number(u.id),
      name: u.name ?? '',
      lastName: u.lastName ?? '',
      admin: Boolean(u.admin),
      active: u.active ?? true,
      gender: u.gender ?? '',
      external: Boolean(u.external),
    })),
    webhooks: (config.webhooks ?? []).map((w) => ({
      userId: Number(w.userId),
      secret: String(w.secret),
      scopes: [...(w.scopes ?? [])].map((s) => s.toLowerCase()),
    })),
    sessions: (config.sessions ?? []).map((s) => ({
      id: Number(s.id),
      chatId: Number(s.chatId),
      operatorId: Number(s.operatorId),
      pinned: Boolean(s.pinned),
      active: s.active ?? true,
      group: s.group ?? 'work',
      title: s.title ?? `Dialog ${s.id}`,
      chatType: s.chatType ?? 'lines',
      status: s.status ?? 20,
      formerOperatorIds: [...(s.formerOperatorIds ?? [])].map(Number),
    })),
    config,
  };
}
