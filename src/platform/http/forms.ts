import { AppError } from "./errors.ts";
import type { AppContext } from "./context.ts";

export type FormData = Record<string, string | string[]>;

/**
 * Reads a submitted form (urlencoded or multipart). Anything else is a 415
 * with a translated message; file parts are ignored here (uploads use
 * storage.readUpload, which streams).
 */
export async function readForm(c: AppContext): Promise<FormData> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) {
    throw new AppError("unsupported_media", 415);
  }
  const body = await c.req.parseBody({ all: true });
  const out: FormData = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === "string") out[key] = value;
    else if (Array.isArray(value)) out[key] = value.filter((v): v is string => typeof v === "string");
  }
  return out;
}

/** A single value of a form field ("" when absent; the first when repeated). */
export function formValue(form: FormData, name: string): string {
  const v = form[name];
  return Array.isArray(v) ? (v[0] ?? "") : (v ?? "");
}

/** A local path to return to after an action; anything else (other hosts, //evil) becomes the fallback. */
export function safeRedirectPath(value: unknown, fallback = "/"): string {
  if (
    typeof value !== "string" ||
    !value.startsWith("/") ||
    value.startsWith("//") ||
    value.startsWith("/\\") ||
    value.length > 500
  )
    return fallback;
  return value;
}
