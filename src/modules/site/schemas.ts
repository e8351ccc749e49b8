import { z } from "zod";
import { field, parseInput } from "../../platform/http/validation.ts";
import { AppError, invalidInput, type FieldError } from "../../platform/http/errors.ts";
import { formValue, type FormData } from "../../platform/http/forms.ts";
import type { AppContext } from "../../platform/http/context.ts";
import { readBody, type UploadedFile } from "../../platform/http/body.ts";
import { sniffImageType } from "../../platform/storage/index.ts";

/** Limits shared by the setup form and the settings page. */
export const limits = {
  ownerName: 80,
  siteName: 80,
  tagline: 160,
  story: 20_000,
  about: 20_000,
  mailFromName: 80,
  logoBytes: 2 * 1024 * 1024,
  portraitBytes: 3 * 1024 * 1024,
  coverBytes: 5 * 1024 * 1024,
  membersWelcome: 10_000,
  pricingIntro: 400,
  /**
   * The whole form with its images, on the pages that take them. Far above the images' own limits on
   * purpose: a file over its limit is read but not kept (allowLargeBody's per-file limits), so a
   * 20 MB phone photo gets the form back with its translated error and everything typed, not a 413 page;
   * only bandwidth is spent, never disk.
   */
  uploadBodyBytes: 48 * 1024 * 1024,
} as const;

/** The site's images: each one's form field, its settings key and its size limit. */
export const siteImages = {
  logo: { setting: "logoFileId", maxBytes: limits.logoBytes },
  portrait: { setting: "portraitFileId", maxBytes: limits.portraitBytes },
  cover: { setting: "coverFileId", maxBytes: limits.coverBytes },
} as const;
export type SiteImage = keyof typeof siteImages;

/** Each named image field's size limit, for allowLargeBody. */
export function pickLimits(names: readonly SiteImage[]): Record<string, number> {
  return Object.fromEntries(names.map((n) => [n, siteImages[n].maxBytes]));
}
/** Checked image bytes per field, for the fields that got a file. */
export type ImageUploads = Partial<Record<SiteImage, Uint8Array>>;

const siteFields = {
  siteName: field.text(limits.siteName),
  tagline: field.text(limits.tagline, { optional: true }),
  story: field.longText(limits.story, { optional: true }),
  locale: field.locale(),
  currency: field.currency(),
  timeZone: field.timeZone(),
  accentColor: field.color(),
};

export const setupSchema = z.object({
  ownerName: field.text(limits.ownerName),
  email: field.email(),
  password: field.password(),
  passwordConfirm: z.string({ error: "validation.required" }),
  ...siteFields,
});
export type SetupInput = z.output<typeof setupSchema>;

export const settingsSchema = z.object({
  ...siteFields,
  about: field.longText(limits.about, { optional: true }),
  contactEmail: field.email(),
  mailFromName: field.text(limits.mailFromName, { optional: true }),
});
export type SettingsInput = z.output<typeof settingsSchema>;

/** A submitted form's text fields plus its uploaded files (a file input left empty counts as no file). */
export interface Submission {
  values: FormData;
  files: Record<string, UploadedFile>;
}

/** Reads a urlencoded or multipart form with its files through the platform's body reader (415 for other types). */
export async function readSubmission(c: AppContext): Promise<Submission> {
  const body = await readBody(c);
  const files: Record<string, UploadedFile> = {};
  for (const f of body.files) files[f.field] ??= f;
  return { values: body.fields, files };
}

/** Single values of the named fields (a repeated field counts once). */
export function pick(values: FormData, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, formValue(values, n)]));
}

function collect<T>(fn: () => T): { data?: T; fields: Record<string, FieldError> } {
  try {
    return { data: fn(), fields: {} };
  } catch (err) {
    if (err instanceof AppError && err.status === 422) return { fields: { ...err.fields } };
    throw err;
  }
}

/**
 * Checks an uploaded logo before anything is stored: size, then the real type
 * from its first bytes (an SVG or a text file renamed .png is refused here).
 */
export async function checkImage(
  file: UploadedFile | undefined,
  maxBytes: number,
): Promise<{ bytes?: Uint8Array; error?: FieldError }> {
  if (!file) return {};
  if (file.size === 0) return { error: { key: "error.file_empty" } };
  if (file.size > maxBytes) return { error: { key: "error.file_too_large", params: { max: maxBytes / 1024 / 1024 } } };
  const bytes = await file.bytes();
  if (!sniffImageType(bytes)) return { error: { key: "error.file_type" } };
  return { bytes };
}

/** Checks each named image of a submission; problems go into `fields` beside their input. */
export async function checkImages(
  sub: Submission,
  names: readonly SiteImage[],
  fields: Record<string, FieldError>,
): Promise<ImageUploads> {
  const out: ImageUploads = {};
  for (const name of names) {
    const checked = await checkImage(sub.files[name], siteImages[name].maxBytes);
    if (checked.error) fields[name] = checked.error;
    else if (checked.bytes) out[name] = checked.bytes;
  }
  return out;
}

const setupNames = [
  "ownerName",
  "email",
  "password",
  "passwordConfirm",
  "siteName",
  "tagline",
  "story",
  "locale",
  "currency",
  "timeZone",
  "accentColor",
] as const;
export const settingsNames = [
  "siteName",
  "tagline",
  "story",
  "about",
  "locale",
  "currency",
  "timeZone",
  "accentColor",
  "contactEmail",
  "mailFromName",
] as const;

/** Validates the whole setup form at once, so every problem shows on the first retry. */
export async function parseSetup(sub: Submission): Promise<{ input: SetupInput; images: ImageUploads }> {
  const raw = pick(sub.values, setupNames);
  const { data, fields } = collect(() => parseInput(setupSchema, raw));
  if (raw.password && raw.passwordConfirm !== raw.password && !fields.password)
    fields.passwordConfirm = { key: "site.error.password_mismatch" };
  const images = await checkImages(sub, ["logo", "portrait", "cover"], fields);
  if (!data || Object.keys(fields).length) throw invalidInput(fields);
  return { input: data, images };
}

export async function parseSettings(
  sub: Submission,
): Promise<{ input: SettingsInput; logo?: Uint8Array; removeLogo: boolean }> {
  const raw = pick(sub.values, settingsNames);
  const { data, fields } = collect(() => parseInput(settingsSchema, raw));
  const images = await checkImages(sub, ["logo"], fields);
  if (!data || Object.keys(fields).length) throw invalidInput(fields);
  return { input: data, logo: images.logo, removeLogo: formValue(sub.values, "removeLogo") === "on" };
}
