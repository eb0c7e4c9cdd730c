import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { plural } from '@/utils/i18n';
import { NOTIFICATION_MESSAGE_MAX } from '@/utils/outcome-text';

/**
 * The locale files against `locales/en.yml`, read the way the build reads them (`@wxt-dev/i18n/build`): every
 * locale has exactly en's keys with the same `$1…$9`, plural groups have exactly the CLDR categories of the
 * locale, nothing is empty, and the store texts fit their limits.
 */

const LOCALES_DIR = resolve(process.cwd(), 'locales');
/** Languages the extension promises (issue 6); more files are checked the same way. */
const REQUIRED_LOCALES = ['en', 'ru', 'de', 'es', 'pt_BR', 'pl', 'fr', 'uk', 'kk'];
const CLDR_CATEGORIES = new Set(['zero', 'one', 'two', 'few', 'many', 'other']);
/** Chrome Web Store limits for the manifest's name and description. */
const NAME_MAX = 75;
const DESCRIPTION_MAX = 132;

const localeFiles = readdirSync(LOCALES_DIR)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();
const locales = localeFiles.map((file) => file.replace(/\.ya?ml$/, ''));

/** One locale as shipped: dotted key → message text (Chrome's `messages.json`, keyed back by the dotted path). */
interface Locale {
  messages: Map<string, string>;
  /** Keys whose YAML value is not a plain string (wxt plural or Chrome message objects). */
  nonSimple: string[];
}

async function loadLocale(locale: string): Promise<Locale> {
  const file = localeFiles[locales.indexOf(locale)];
  if (!file) throw new Error(`locales/${locale}.yml is missing`);
  const parsed = (await parseMessagesFile(resolve(LOCALES_DIR, file))).filter(
    (m) => !m.key[0]?.startsWith('@@'),
  );
  const chrome = generateChromeMessages(parsed);
  const messages = new Map<string, string>();
  for (const m of parsed) {
    const shipped = chrome[m.key.join('_')];
    if (!shipped) throw new Error(`${locale}: ${m.key.join('.')} is not in messages.json`);
    messages.set(m.key.join('.'), shipped.message);
  }
  return { messages, nonSimple: parsed.filter((m) => m.type !== 'simple').map((m) => m.key.join('.')) };
}

const loaded = new Map<string, Locale>(
  await Promise.all(locales.map(async (l) => [l, await loadLocale(l)] as const)),
);
const en = loaded.get('en')!;

const parentOf = (key: string) => key.slice(0, key.lastIndexOf('.'));
const lastOf = (key: string) => key.slice(key.lastIndexOf('.') + 1);

/** Keys of en.yml whose children are all CLDR plural categories (`pinned.title` → `one`, `other`). */
const pluralGroups = (() => {
  const children = new Map<string, string[]>();
  for (const key of en.messages.keys()) {
    if (!key.includes('.')) continue;
    children.set(parentOf(key), [...(children.get(parentOf(key)) ?? []), lastOf(key)]);
  }
  return [...children]
    .filter(([, names]) => names.includes('other') && names.every((n) => CLDR_CATEGORIES.has(n)))
    .map(([group]) => group);
})();
const inPluralGroup = (key: string) => pluralGroups.includes(parentOf(key));

/** `pt_BR` → `pt-BR`, for `Intl`. */
const bcp47 = (locale: string) => locale.replace('_', '-');

function pluralCategories(locale: string): string[] {
  return [...new Intl.PluralRules(bcp47(locale)).resolvedOptions().pluralCategories].sort();
}

/** The `$1…$9` of a message, sorted and deduplicated (`$$` is a literal dollar sign in Chrome). */
function placeholders(message: string): string[] {
  return [...new Set(message.match(/(?<!\$)\$[1-9]/g) ?? [])].sort();
}

describe('locale files', () => {
  it('cover every promised language, named as Chrome expects', () => {
    expect(locales).toEqual(expect.arrayContaining(REQUIRED_LOCALES));
    for (const locale of locales) expect(locale).toMatch(/^[a-z]{2,3}(_[A-Z]{2})?$/);
  });

  it('en.yml has plural groups, and message names Chrome accepts', () => {
    expect(pluralGroups).toContain('pinned.title');
    for (const key of en.messages.keys()) expect(key.replaceAll('.', '_')).toMatch(/^[A-Za-z0-9_]+$/);
  });

  describe.each(locales)('%s', (locale) => {
    const { messages, nonSimple } = loaded.get(locale)!;

    it('has exactly the keys of en.yml (plural groups aside)', () => {
      const own = [...messages.keys()].filter((k) => !inPluralGroup(k)).sort();
      const expected = [...en.messages.keys()].filter((k) => !inPluralGroup(k)).sort();
      expect(
        expected.filter((k) => !own.includes(k)),
        'missing keys',
      ).toEqual([]);
      expect(
        own.filter((k) => !expected.includes(k)),
        'extra keys',
      ).toEqual([]);
    });

    it('has every plural category its language uses, and no other', () => {
      const tag = bcp47(locale);
      // Without ICU data for the language, Intl would silently answer for English.
      expect(new Intl.PluralRules(tag).resolvedOptions().locale.split('-')[0]).toBe(tag.split('-')[0]);
      for (const group of pluralGroups) {
        const own = [...messages.keys()]
          .filter((k) => parentOf(k) === group)
          .map(lastOf)
          .sort();
        expect(own, `${group}.*`).toEqual(pluralCategories(locale));
      }
    });

    it('keeps the placeholders of every message', () => {
      for (const [key, message] of messages) {
        const source = en.messages.get(inPluralGroup(key) ? `${parentOf(key)}.other` : key);
        if (source === undefined) continue; // reported as an extra key
        expect(placeholders(message), key).toEqual(placeholders(source));
      }
    });

    it('has no empty message and only plain strings', () => {
      expect(nonSimple).toEqual([]);
      for (const [key, message] of messages) expect(message.trim(), key).not.toBe('');
    });

    it('fits the store limits for the name and the description', () => {
      expect(messages.get('extName')?.length).toBeLessThanOrEqual(NAME_MAX);
      expect(messages.get('extDescription')?.length).toBeLessThanOrEqual(DESCRIPTION_MAX);
    });

    it('keeps error messages short enough for a notification', () => {
      for (const [key, message] of messages) {
        if (key.startsWith('error.'))
          expect(message.length, key).toBeLessThanOrEqual(NOTIFICATION_MESSAGE_MAX);
      }
    });
  });
});

describe('plural() with the browser in another language', () => {
  const original = { ...fakeBrowser.i18n };

  /** Makes `browser.i18n` answer from `locales/<locale>.yml` with the UI language `locale`. */
  function useLocale(locale: string): void {
    const messages = loaded.get(locale)!.messages;
    Object.assign(fakeBrowser.i18n, {
      getUILanguage: () => bcp47(locale),
      getMessage: (name: string, substitutions?: string | string[]) => {
        const message = messages.get([...messages.keys()].find((k) => k.replaceAll('.', '_') === name) ?? '');
        const subs = substitutions == null ? [] : [substitutions].flat();
        return (message ?? '').replace(/\$(\d)/g, (_, n: string) => subs[Number(n) - 1] ?? '');
      },
    });
  }

  afterEach(() => {
    Object.assign(fakeBrowser.i18n, original);
  });

  describe('Russian', () => {
    beforeEach(() => useLocale('ru'));

    it.each([
      [1, 'диалог'],
      [2, 'диалога'],
      [4, 'диалога'],
      [5, 'диалогов'],
      [11, 'диалогов'],
      [21, 'диалог'],
      [22, 'диалога'],
      [100, 'диалогов'],
    ])('%i → %s', (count, noun) => {
      expect(plural('pinned.title', count)).toMatch(new RegExp(`(^|\\s)${count} ${noun}$`));
    });
  });

  it.each([
    ['uk', 1, 'діалог'],
    ['uk', 3, 'діалоги'],
    ['uk', 5, 'діалогів'],
    ['uk', 21, 'діалог'],
    ['pl', 1, 'dialog'],
    ['pl', 2, 'dialogi'],
    ['pl', 5, 'dialogów'],
    ['pl', 21, 'dialogów'],
    ['pl', 22, 'dialogi'],
  ])('%s: %i → %s', (locale, count, noun) => {
    useLocale(locale);
    expect(plural('pinned.title', count)).toMatch(new RegExp(`(^|\\s)${count} ${noun}$`));
  });
});
