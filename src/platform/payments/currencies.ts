/**
 * The currencies Stripe can charge in, and their minor units as Stripe counts
 * them (amounts are integers of these units everywhere: database, forms,
 * Stripe's API). Most have 2 decimals; Stripe's zero-decimal currencies have
 * none (¥1,500 is 1500) and its three-decimal ones have 3 (1.250 BHD is
 * 1250). Source: Stripe's "Supported currencies" and "Zero-decimal currencies" pages.
 */
export const stripeCurrencies = [
  "USD", "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
  "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
  "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GIP", "GMD", "GNF",
  "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR",
  "KMF", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT",
  "MOP", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
  "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SEK", "SGD", "SHP",
  "SLE", "SOS", "SRD", "STD", "SZL", "THB", "TJS", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "UYU",
  "UZS", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW",
] as const; // prettier-ignore

export type StripeCurrency = (typeof stripeCurrencies)[number];

const zeroDecimal = new Set([
  "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
]); // prettier-ignore
const threeDecimal = new Set(["BHD", "JOD", "KWD", "OMR", "TND"]);
const supported = new Set<string>(stripeCurrencies);

export function isStripeCurrency(code: string): code is StripeCurrency {
  return supported.has(code.toUpperCase());
}

/** Decimals of the currency's minor unit as Stripe counts it (0 for JPY and XOF, 3 for BHD and KWD, else 2). */
export function minorUnits(currency: string): number {
  const c = currency.toUpperCase();
  if (zeroDecimal.has(c)) return 0;
  if (threeDecimal.has(c)) return 3;
  return 2;
}
