/**
 * Every visible string goes through t(). Each module owns its catalog
 * (`<module>/i18n.ts`, built with defineMessages) and registers it at boot, so
 * adding a screen never touches another module's file. Keys are namespaced
 * by module ("members.join.title").
 */
import { minorUnits } from "../payments/currencies.ts";

export const locales = ["fr", "en"] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = "fr";

export type Catalog = Record<string, string>;
export interface Messages {
  fr: Catalog;
  en: Catalog;
}

const catalogs: Record<Locale, Catalog> = { fr: {}, en: {} };

/** Declares a module's messages; French and English must have the same keys (a test checks it). */
export function defineMessages(messages: Messages): Messages {
  return messages;
}

export function registerMessages(messages: Messages): void {
  for (const locale of locales) Object.assign(catalogs[locale], messages[locale]);
}

export function allCatalogs(): Readonly<Record<Locale, Catalog>> {
  return catalogs;
}

export function isLocale(value: unknown): value is Locale {
  return value === "fr" || value === "en";
}

export function toLocale(value: unknown, fallback: Locale = defaultLocale): Locale {
  return isLocale(value) ? value : fallback;
}

export type Params = Record<string, string | number>;

/** Translates `key`, replacing {name} placeholders; an unknown key shows itself so it is noticed. */
export function t(locale: Locale, key: string, params?: Params): string {
  const template = catalogs[locale][key] ?? catalogs.en[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

const pluralRules = { fr: new Intl.PluralRules("fr-FR"), en: new Intl.PluralRules("en-GB") };

/**
 * A counted phrase with the language's own plural rules (Intl.PluralRules):
 * `key.one` / `key.other` (French says "0 vente", "1 vente", "2 ventes";
 * English "0 sales"). The count is {n}, formatted for the language.
 */
export function tCount(locale: Locale, key: string, n: number, params: Params = {}): string {
  const form = pluralRules[locale].select(n) === "one" ? "one" : "other";
  return t(locale, `${key}.${form}`, { ...params, n: formatNumber(locale, n) });
}

/** Picks fr or en from an Accept-Language header. */
export function negotiateLocale(header: string | undefined, fallback: Locale): Locale {
  if (!header) return fallback;
  const ranked = header
    .split(",")
    .map((part) => {
      const [tag, ...rest] = part.trim().split(";");
      const q = rest.find((r) => r.trim().startsWith("q="));
      return { lang: (tag ?? "").toLowerCase().slice(0, 2), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const r of ranked) if (isLocale(r.lang)) return r.lang;
  return fallback;
}

/*
 * Dates and numbers in the viewer's language and time zone. Building an Intl formatter costs far more than formatting with it (it was
 * the largest single cost of rendering a post page), so each distinct set of
 * options is built once. The key space is small (two languages, a few
 * styles, the site's time zone, a few currencies); the bound only guards
 * against a misuse.
 */
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) {
    f = make();
    if (formatters.size >= 200) formatters.clear();
    formatters.set(key, f);
  }
  return f;
}

const tagOf = (locale: Locale) => (locale === "fr" ? "fr-FR" : "en-GB");

export function formatDateTime(locale: Locale, iso: string | null | undefined, timeZone = "Europe/Paris"): string {
  if (!iso) return "";
  return cached(
    `dt ${locale} ${timeZone}`,
    () => new Intl.DateTimeFormat(tagOf(locale), { dateStyle: "medium", timeStyle: "short", timeZone }),
  ).format(new Date(iso));
}

/**
 * Formatted dates, kept by locale, zone and instant: a page shows the same few publication and comment
 * dates on every render, and Intl's format cost more than the rest of a post's header.
 */
const dateMemo = new Map<string, string>();
export function formatDate(locale: Locale, iso: string | null | undefined, timeZone = "Europe/Paris"): string {
  if (!iso) return "";
  const key = `${locale} ${timeZone} ${iso}`;
  let text = dateMemo.get(key);
  if (text === undefined) {
    text = cached(
      `d ${locale} ${timeZone}`,
      () => new Intl.DateTimeFormat(tagOf(locale), { dateStyle: "medium", timeZone }),
    ).format(new Date(iso));
    if (dateMemo.size >= 2000) dateMemo.clear();
    dateMemo.set(key, text);
  }
  return text;
}

export function formatNumber(locale: Locale, n: number): string {
  return cached(`n ${locale}`, () => new Intl.NumberFormat(tagOf(locale))).format(n);
}

export function formatMoney(locale: Locale, minor: number, currency: string): string {
  // Amounts are in Stripe's minor units (see payments/currencies.ts); the display keeps them all.
  const digits = minorUnits(currency);
  return cached(`c ${locale} ${currency}`, () => {
    const base = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions();
    const min = Math.min(digits, base.minimumFractionDigits ?? digits);
    return new Intl.NumberFormat(tagOf(locale), {
      style: "currency",
      currency,
      minimumFractionDigits: min,
      maximumFractionDigits: digits,
    });
  }).format(minor / 10 ** digits);
}
