import { formatNumber, t, type Locale, type Params } from "../../platform/i18n/index.ts";

const rules = { fr: new Intl.PluralRules("fr-FR"), en: new Intl.PluralRules("en-GB") };

/**
 * A counted phrase with the language's own plural rules (Intl.PluralRules):
 * `key.one` / `key.other` ("0 vente", "1 vente", "2 ventes"; "0 sales").
 * The count is {n}, formatted for the language.
 */
export function tCount(locale: Locale, key: string, n: number, params: Params = {}): string {
  const form = rules[locale].select(n) === "one" ? "one" : "other";
  return t(locale, `${key}.${form}`, { ...params, n: formatNumber(locale, n) });
}
