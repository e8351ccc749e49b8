import { z } from "zod";
import { stripeCurrencies } from "../payments/currencies.ts";
import { invalidInput, type FieldError } from "./errors.ts";
import { locales } from "../i18n/index.ts";
import { emailSchema } from "../email.ts";

/*
 * Zod schemas whose messages are i18n keys, so a failed parse turns into
 * translated field errors. Text fields refuse control characters (except
 * newlines and tabs in long text) and are trimmed and NFC-normalised, so odd
 * Unicode is stored in one canonical form.
 */

const controlChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;
const controlCharsSingleLine = /[\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;

function clean(s: string): string {
  return s.normalize("NFC").trim();
}

export const field = {
  /** A single-line text: required unless `optional`, at most `max` characters. */
  text(max: number, opts: { optional?: boolean; min?: number } = {}) {
    return z
      .string({ error: "validation.required" })
      .transform(clean)
      .pipe(
        z
          .string()
          .min(
            opts.optional ? 0 : Math.max(1, opts.min ?? 1),
            opts.min && opts.min > 1 ? `validation.too_short|min=${opts.min}` : "validation.required",
          )
          .max(max, `validation.too_long|max=${max}`)
          .refine((s) => !controlCharsSingleLine.test(s), "validation.control_chars"),
      );
  },
  /** Multi-line text such as Markdown. */
  longText(max: number, opts: { optional?: boolean } = {}) {
    return z
      .string({ error: "validation.required" })
      .transform((s) => s.normalize("NFC").replace(/\r\n?/g, "\n").trim())
      .pipe(
        z
          .string()
          .min(opts.optional ? 0 : 1, "validation.required")
          .max(max, `validation.too_long|max=${max}`)
          .refine((s) => !controlChars.test(s), "validation.control_chars"),
      );
  },
  /** The platform's one email rule (see platform/email.ts). */
  email() {
    return emailSchema();
  },
  locale() {
    return z.enum(locales, { error: "validation.locale" });
  },
  timeZone() {
    return z.string({ error: "validation.time_zone" }).refine(isTimeZone, "validation.time_zone");
  },
  currency() {
    return z
      .string({ error: "validation.currency" })
      .transform((s) => s.trim().toUpperCase())
      .pipe(z.enum(stripeCurrencies, { error: "validation.currency" }));
  },
  color() {
    return z
      .string({ error: "validation.color" })
      .transform((s) => s.trim().toLowerCase())
      .pipe(z.string().regex(/^#[0-9a-f]{6}$/, "validation.color"));
  },
  password() {
    return z
      .string({ error: "validation.password" })
      .min(10, "validation.password")
      .max(200, "validation.too_long|max=200");
  },
  /** An HTML checkbox: present ("on") or absent. */
  checkbox() {
    return z.preprocess((v) => v === "on" || v === "1" || v === "true" || v === true, z.boolean());
  },
};

/** Every currency Stripe can charge in (payments/currencies.ts). */
export const currencies = stripeCurrencies;

const zoneCache = new Set<string>(Intl.supportedValuesOf("timeZone"));
zoneCache.add("UTC");
export function isTimeZone(value: string): boolean {
  return zoneCache.has(value);
}
export function timeZones(): string[] {
  return [...zoneCache].sort();
}

function toFieldError(message: string): FieldError {
  const [key, ...rest] = message.split("|");
  const params: Record<string, string> = {};
  for (const pair of rest) {
    const [k, v] = pair.split("=");
    if (k && v !== undefined) params[k] = v;
  }
  // Our keys ("validation.too_long", "offers.error.trial_range"); zod's own English sentences become "invalid".
  const known = key && /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/.test(key) ? key : "validation.invalid";
  return rest.length ? { key: known, params } : { key: known };
}

/** Parses untrusted input or throws a 422 AppError with one translated error per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, FieldError> = {};
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? "_form");
    if (!fields[name]) fields[name] = toFieldError(issue.message);
  }
  throw invalidInput(fields);
}
