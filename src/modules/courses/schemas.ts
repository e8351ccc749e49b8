import { z } from "zod";
import { field } from "../../platform/http/validation.ts";
import { isDripDate } from "./drip.ts";
import { parseEmbed } from "./embed.ts";

/** What the creator's forms send, checked once here (messages are i18n keys: a 422 names each bad field). */

const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Lower-case ASCII words joined by dashes, accents folded ("Peinture à la chaux" → "peinture-a-la-chaux"). */
export function slugify(input: string, max = 80): string {
  return input
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/g, "");
}

export const courseInput = z
  .object({
    title: field.text(200),
    subtitle: field.text(300, { optional: true }),
    slug: field
      .text(80, { optional: true })
      .transform((v) => v.toLowerCase())
      .refine((v) => v === "" || slugPattern.test(v), "validation.course_slug"),
    description: field.longText(50_000, { optional: true }),
    language: field.locale(),
    status: z.enum(["draft", "published", "archived"], { error: "validation.invalid" }),
    audience: z.enum(["offers", "members"], { error: "validation.invalid" }),
    sequential: field.checkbox(),
    signerName: field.text(120, { optional: true }),
    stallDays: z.coerce
      .number({ error: "validation.course_number" })
      .int("validation.course_number")
      .min(1, "validation.course_stall_days")
      .max(365, "validation.course_stall_days"),
  })
  .transform((v) => ({ ...v, slug: v.slug || slugify(v.title) || "cours" }));
export type CourseInput = z.output<typeof courseInput>;

export const sectionInput = z
  .object({
    title: field.text(200),
    dripKind: z.enum(["immediate", "after_days", "on_date"], { error: "validation.invalid" }),
    dripDays: z.string().optional().default(""),
    dripDate: z.string().optional().default(""),
  })
  .superRefine((v, ctx) => {
    if (v.dripKind === "after_days" && !/^\d{1,4}$/.test(v.dripDays.trim()))
      ctx.addIssue({ code: "custom", path: ["dripDays"], message: "validation.course_drip_days" });
    else if (v.dripKind === "after_days" && (Number(v.dripDays) < 1 || Number(v.dripDays) > 3650))
      ctx.addIssue({ code: "custom", path: ["dripDays"], message: "validation.course_drip_days" });
    if (v.dripKind === "on_date" && !isDripDate(v.dripDate.trim()))
      ctx.addIssue({ code: "custom", path: ["dripDate"], message: "validation.course_drip_date" });
  })
  .transform((v) => ({
    title: v.title,
    dripKind: v.dripKind,
    dripDays: v.dripKind === "after_days" ? Number(v.dripDays) : null,
    dripDate: v.dripKind === "on_date" ? v.dripDate.trim() : null,
  }));
export type SectionInput = z.output<typeof sectionInput>;

export const lessonInput = z.object({
  title: field.text(200),
  sectionId: z.string().regex(/^[0-9a-f-]{36}$/, "validation.invalid"),
  body: field.longText(100_000, { optional: true }),
  /** A YouTube, Vimeo or PeerTube address, stored as that host's player URL ("" = none). */
  videoUrl: field
    .text(500, { optional: true })
    .optional()
    .default("")
    .refine((v) => v === "" || parseEmbed(v) !== null, "validation.course_video_url")
    .transform((v) => (v === "" ? "" : parseEmbed(v)!.src)),
  freePreview: field.checkbox(),
  required: field.checkbox(),
});
export type LessonInput = Omit<z.output<typeof lessonInput>, "videoUrl"> & { videoUrl?: string };

/** The stalled-student loop's settings (the creator's follow-up page). */
export const stallSettingsInput = z.object({
  enabled: field.checkbox(),
  days: z.coerce
    .number({ error: "validation.course_number" })
    .int("validation.course_number")
    .min(1, "validation.course_stall_days")
    .max(365, "validation.course_stall_days"),
  subject: field.text(200, { optional: true }),
  body: field.longText(5000, { optional: true }),
  choices: field.longText(2000, { optional: true }).refine((v) => {
    const lines = v.split("\n").filter((l) => l.trim());
    return lines.length <= 12 && lines.every((l) => l.trim().length <= 120);
  }, "validation.course_stall_choices"),
});
