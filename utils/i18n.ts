import { i18n } from '#i18n';

/**
 * Looks up a localized message by a key computed at run time (e.g. `error.no_webhook`), with `$1…$9`
 * substitutions. Returns `''` when the key is missing in every locale. Static keys should call `i18n.t`
 * directly to keep their type check. Message names allow only `[A-Za-z0-9_]` (`.` separates nesting).
 */
export function t(key: string, substitutions?: (string | number)[]): string {
  const translate = i18n.t as unknown as (k: string, s?: string[]) => string;
  return translate(key, substitutions?.map(String)) ?? '';
}

/**
 * A message with per-plural-category forms (`KEY.one`, `KEY.few`, `KEY.many`, `KEY.other`), chosen by the CLDR
 * plural rules of the messages' language, so "1 dialog", "2 диалога", "5 диалогов" all come out right.
 * Falls back to `KEY.other` when the locale has no form for the category.
 * @param count the number that decides the form; also `$1` unless `substitutions` is given.
 */
export function plural(key: string, count: number, substitutions: (string | number)[] = [count]): string {
  // The language of the messages the browser picked (`locale` in each locales/*.yml), not its UI language: the two
  // can differ, and Russian text with English plural rules reads "5 диалога".
  const lang = messageLocale();
  let category: string;
  try {
    category = new Intl.PluralRules(lang).select(count);
  } catch {
    category = new Intl.PluralRules('en').select(count);
  }
  return t(`${key}.${category}`, substitutions) || t(`${key}.other`, substitutions);
}

/**
 * The language of the messages the browser picked, as a BCP 47 tag (`locale` in each locales/*.yml): dates, times
 * and plural forms follow the text around them, not the browser's UI language.
 */
export function messageLocale(): string {
  return t('locale') || 'en';
}
