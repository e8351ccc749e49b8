import { formatMoney, type Locale } from "../../platform/i18n/index.ts";
import type { PriceRow } from "./service.ts";
import { minorUnits } from "../../platform/payments/currencies.ts";

/** Decimals of the currency as Stripe counts them: 0 for JPY and XOF (the amount typed is the integer), 3 for BHD and KWD. */
export function decimalsOf(currency: string): number {
  return minorUnits(currency);
}

/**
 * Parses an amount typed by a person ("12", "12,50", "12.5", "1 200,00") into
 * minor units. Returns null for anything else (letters, negatives, more
 * decimals than the currency has, absurd lengths).
 */
export function parseAmount(input: string, currency: string): number | null {
  const s = input.replace(/[\s\u00a0\u202f]/g, "").replace(/[€$£¥]/g, "");
  if (!s || s.length > 15) return null;
  const m = /^(\d+)(?:[.,](\d+))?$/.exec(s);
  if (!m) return null;
  const d = decimalsOf(currency);
  const frac = m[2] ?? "";
  if (frac.length > d) return null;
  const n = Number(m[1]) * 10 ** d + (frac ? Number(frac.padEnd(d, "0")) : 0);
  return Number.isSafeInteger(n) ? n : null;
}

/** Minor units to the plain number a form field shows ("12.50"). */
export function amountInput(minor: number, currency: string): string {
  const d = decimalsOf(currency);
  return d === 0 ? String(minor) : (minor / 10 ** d).toFixed(d);
}

export function money(locale: Locale, minor: number, currency: string): string {
  return formatMoney(locale, minor, currency);
}

/** "5,00 € / mois", "50,00 € / an", "à partir de 5,00 €". */
export function priceLabel(
  t: (k: string, p?: Record<string, string | number>) => string,
  locale: Locale,
  p: PriceRow,
): string {
  const amount = money(locale, p.pay_what_you_want ? p.min_amount : p.amount, p.currency);
  const base = p.pay_what_you_want
    ? p.min_amount > 0
      ? t("offers.price.from", { amount })
      : t("offers.price.free_or_more")
    : amount;
  // "3 × 120,00 € · en 3 mensualités, 360,00 € au total"
  if (p.instalments > 0)
    return `${p.instalments} × ${base} · ${t("offers.price.instalments", { n: p.instalments, total: money(locale, p.amount * p.instalments, p.currency) })}`;
  if (p.kind === "recurring")
    return `${base} ${t(p.interval === "year" ? "offers.price.per_year" : "offers.price.per_month")}`;
  return base;
}
