import { z } from "zod";

/**
 * The one email rule of Atelier: join, login, checkout, gifts, staff, setup
 * and the members admin all accept exactly the same addresses and store them
 * in the same form (NFC, trimmed, lower-cased). The shape is zod's email
 * check (no quoted local parts, no `..`, no markup characters, a dotted
 * domain with a letter TLD) plus the RFC length limits.
 */
export const maxEmailLength = 254;
const maxLocalPartLength = 64;

/** Emails are compared trimmed, NFC-normalised and lower-cased everywhere. */
export function normalizeEmail(email: string): string {
  return email.normalize("NFC").trim().toLowerCase();
}

/** A zod schema that normalises then validates; its messages are i18n keys. */
export function emailSchema() {
  return z
    .string({ error: "validation.required" })
    .transform(normalizeEmail)
    .pipe(
      z
        .string()
        .min(1, "validation.required")
        .max(maxEmailLength, "validation.email")
        .refine((s) => s.indexOf("@") <= maxLocalPartLength, "validation.email")
        .pipe(z.email({ error: "validation.email" })),
    );
}

const schema = emailSchema();

/** The normalised address, or null when it breaks the rule (for code that is not parsing a form). */
export function parseEmail(raw: unknown): string | null {
  const r = schema.safeParse(typeof raw === "string" ? raw : "");
  return r.success ? r.data : null;
}

export function isValidEmail(raw: unknown): boolean {
  return parseEmail(raw) !== null;
}
