import { z } from "zod";
import { field } from "../../../platform/http/validation.ts";
import { parseAmount } from "../money.ts";
import { slugPattern, type OfferKind, type PriceInput } from "../service.ts";
import { MAX_AMOUNT } from "../checkout.ts";
import { stripeCurrencies } from "../../../platform/payments/currencies.ts";

/** The shapes the offer operations accept: form fields in, typed values out; each problem names its field. */

export const offerKinds: readonly OfferKind[] = ["tier", "product", "tip"];
/** What prices may be in (the offer editor's list): every currency Stripe takes. */
export const priceCurrencies = stripeCurrencies;

export const NAME_MAX = 120;
export const SLUG_MAX = 64;
export const SUMMARY_MAX = 200;
export const DESCRIPTION_MAX = 20_000;
export const HIGHLIGHT_MAX = 40;
export const TRIAL_MAX = 365;
export const INCLUDES_MAX = 500;

/** « Le Cercle » → "le-cercle": accents folded, anything else becomes one dash. */
export function slugify(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/ß/g, "ss")
    .replace(/[æÆ]/g, "ae")
    .replace(/[œŒ]/g, "oe")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return s.slice(0, SLUG_MAX).replace(/-+$/, "");
}

const id = z.string({ error: "validation.required" }).regex(/^[0-9a-f-]{36}$/, "offers.error.not_available");
export const idField = () => id;

/** A form value that may be absent or an array (repeated fields): the first string, or "". */
const one = z.preprocess((v) => (Array.isArray(v) ? (v[0] ?? "") : (v ?? "")), z.string());
/** Repeated checkboxes: always an array of strings. */
const many = z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string()));

export const slugField = () =>
  one.transform((s) => s.trim().toLowerCase()).pipe(z.string().max(SLUG_MAX, `validation.too_long|max=${SLUG_MAX}`));

/** Name, address, kind: what creating an offer needs (the address is filled from the name when empty). */
export const offerHead = {
  name: z.preprocess((v) => v ?? "", field.text(NAME_MAX)),
  slug: slugField(),
  kind: z.preprocess((v) => v ?? "tier", z.enum(offerKinds as [OfferKind, ...OfferKind[]], "offers.admin.err_kind")),
};

export function withSlug<T extends { name: string; slug: string }>(v: T, ctx: z.RefinementCtx): T {
  const slug = v.slug || slugify(v.name);
  if (!slugPattern.test(slug)) ctx.addIssue({ code: "custom", path: ["slug"], message: "offers.admin.err_slug" });
  return { ...v, slug };
}

/** The trial: whole days, 0 to 365 (a negative or absurd trial is refused, never clamped). */
const trialDays = one.transform((s, ctx) => {
  const t = s.trim();
  if (!t) return 0;
  const n = /^\d{1,4}$/.test(t) ? Number(t) : NaN;
  if (!Number.isInteger(n) || n > TRIAL_MAX) {
    ctx.addIssue({ code: "custom", message: `offers.error.trial_range|max=${TRIAL_MAX}` });
    return z.NEVER;
  }
  return n;
});

/** Instalments: empty or 0 = paid at once, else 2 to 12 monthly payments (refused, never clamped). */
export const INSTALMENTS_MAX = 12;
const instalments = one.transform((s, ctx) => {
  const t = s.trim();
  if (!t) return 0;
  const n = /^\d{1,3}$/.test(t) ? Number(t) : NaN;
  if (n === 0) return 0;
  if (!Number.isInteger(n) || n < 2 || n > INSTALMENTS_MAX) {
    ctx.addIssue({ code: "custom", message: `offers.error.instalments_range|max=${INSTALMENTS_MAX}` });
    return z.NEVER;
  }
  return n;
});

/** The price fields, under a prefix ("price_" on the editor, none on the small price form). */
export function priceFields(prefix: string) {
  const k = (n: string) => `${prefix}${n}`;
  return {
    [k("kind")]: z.preprocess((v) => v || "month", z.enum(["one_off", "month", "year"], "validation.invalid")),
    [k("amount")]: one,
    [k("currency")]: z.preprocess((v) => v || "EUR", z.enum(priceCurrencies, "validation.currency")),
    [k("trial_days")]: trialDays,
    [k("instalments")]: instalments,
    [k("pwyw")]: field.checkbox(),
    [k("min_amount")]: one,
    [k("suggested_amount")]: one,
  } as const;
}

type RawPrice = Record<string, unknown>;

/**
 * Turns the price fields into a PriceInput, or null when nothing was typed
 * (`required` false: the editor's "add a price" row left empty).
 */
export function readPrice(v: RawPrice, prefix: string, required: boolean, ctx: z.RefinementCtx): PriceInput | null {
  const g = (n: string) => v[`${prefix}${n}`];
  const amountRaw = String(g("amount") ?? "").trim();
  const pwyw = g("pwyw") === true;
  if (!required && !amountRaw && !pwyw) return null;
  const currency = String(g("currency"));
  const issue = (name: string, message: string) =>
    ctx.addIssue({ code: "custom", path: [`${prefix}${name}`], message });
  const minor = (name: string, raw: string, need: boolean): number | null => {
    if (!raw.trim()) {
      if (need) issue(name, "offers.error.amount_invalid");
      return null;
    }
    const a = parseAmount(raw, currency);
    if (a === null) issue(name, "offers.error.amount_invalid");
    else if (a > MAX_AMOUNT) issue(name, `offers.error.amount_too_big`);
    return a;
  };
  const amount = minor("amount", amountRaw, true) ?? 0;
  const min = pwyw ? (minor("min_amount", String(g("min_amount") ?? ""), false) ?? 0) : amount;
  const suggested = pwyw ? (minor("suggested_amount", String(g("suggested_amount") ?? ""), false) ?? amount) : null;
  if (pwyw && (suggested ?? 0) < min) issue("suggested_amount", "offers.admin.err_suggested");
  if (!pwyw && amountRaw && amount <= 0) issue("amount", "offers.admin.err_amount");
  const kind = g("kind");
  const parts = Number(g("instalments") ?? 0);
  if (parts > 0) {
    // The amount typed is one instalment's; the provider collects them as a monthly subscription.
    if (kind !== "one_off") issue("instalments", "offers.error.instalments_one_off");
    if (pwyw) issue("instalments", "offers.error.instalments_pwyw");
    return { kind: "recurring", interval: "month", amount, currency, instalments: parts, trialDays: 0 };
  }
  return {
    kind: kind === "one_off" ? "one_off" : "recurring",
    interval: kind === "year" ? "year" : kind === "month" ? "month" : null,
    amount,
    currency,
    payWhatYouWant: pwyw,
    minAmount: min,
    suggestedAmount: suggested,
    trialDays: Number(g("trial_days") ?? 0),
  };
}

const includeList = z
  .array(z.string().regex(/^[a-z_]{2,30}:[A-Za-z0-9_*-]{1,64}$/, "offers.admin.err_includes"))
  .max(INCLUDES_MAX, `offers.error.too_many|max=${INCLUDES_MAX}`);

/** "post:*", "download:<id>": what the editor's checkboxes send. */
export const includesField = () => many.pipe(includeList);
/** The same list, one per line (the older textarea form). */
export const includesLinesField = () =>
  one
    .transform((s) =>
      s
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean),
    )
    .pipe(includeList);

export const formOne = one;
