import { AppError } from "./errors.ts";
import type { AppContext } from "./context.ts";
import { readBody, type FormFields } from "./body.ts";

export type FormData = FormFields;

/**
 * Reads a submitted form (urlencoded or multipart) through the one body
 * reader (platform/http/body.ts): anything else is a 415, a malformed body or
 * invalid UTF-8 a 400, each with a translated message. File parts are not
 * part of the result (upload routes use readBody, which streams them to disk).
 */
export async function readForm(c: AppContext): Promise<FormData> {
  return (await readBody(c)).fields;
}

/** A single value of a form field ("" when absent; the first when repeated). */
export function formValue(form: FormData, name: string): string {
  const v = form[name];
  return Array.isArray(v) ? (v[0] ?? "") : (v ?? "");
}

/*
 * Any origin works as the base: a relative reference that stays on this
 * invented origin stays on the site's own, whatever the site's address is.
 */
const base = new URL("http://atelier.invalid");
// Control characters (tabs and newlines are dropped by URL parsers, which is how "/\t/evil" becomes "//evil")
// and backslashes (read as slashes by browsers) have no business in a path we send people back to.
const refused = /[\u0000-\u001f\u007f-\u009f\\]/;

/**
 * A same-site path to send someone to after an action, or `fallback`.
 *
 * The verdict is the WHATWG URL parser's (the one browsers use): the value
 * must be a path ("/..."), and resolved against the site's origin it must
 * still be on that origin; what is returned is the parser's serialisation of
 * it, never the raw text. A value with control characters or a backslash is
 * refused with a 400 (AppError `bad_request`), so that a route validating
 * `next` before it creates a session or a link stops cleanly. Absent, empty,
 * too long or off-site values give the fallback.
 */
export function safeRedirectPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value === "") return fallback;
  if (refused.test(value)) throw new AppError("bad_request", 400, "error.bad_redirect");
  if (value.length > 500 || !value.startsWith("/") || value.startsWith("//")) return fallback;
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base.origin) return fallback;
  const out = url.pathname + url.search + url.hash;
  return out.startsWith("/") && !out.startsWith("//") ? out : fallback;
}

/**
 * The same verdict for a value stored earlier (a magic link's `redirect_to`):
 * never throws, so a session already being opened is never cut short by it.
 */
export function storedRedirectPath(value: unknown, fallback: string): string {
  try {
    return safeRedirectPath(value, fallback);
  } catch {
    return fallback;
  }
}
