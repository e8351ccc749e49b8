import { z } from "zod";
import { invalidInput, AppError, type FieldError } from "../../platform/http/errors.ts";
import { formValue } from "../../platform/http/forms.ts";
import { field, parseInput } from "../../platform/http/validation.ts";
import { arrangeHomeSections, type HomeSectionChoice } from "../../platform/views/home-sections.tsx";
import type { SiteSettings } from "../../platform/settings.ts";
import { checkImages, limits, pick, type ImageUploads, type Submission } from "./schemas.ts";

export const homeTextSchema = z.object({
  membersWelcome: field.longText(limits.membersWelcome, { optional: true }),
  pricingIntro: field.text(limits.pricingIntro, { optional: true }),
});

export interface HomeSettingsInput {
  membersWelcome: string;
  pricingIntro: string;
  sections: HomeSectionChoice[];
  homePosts: SiteSettings["homePosts"];
  images: ImageUploads;
  remove: { portrait: boolean; cover: boolean };
}

export const showField = (key: string) => `show-${key}`;
export const positionField = (key: string) => `position-${key}`;

/** What the form shows: the stored values, or what was typed when a save was refused. */
export function homeFormValues(site: SiteSettings): Record<string, string> {
  const values: Record<string, string> = {
    membersWelcome: site.membersWelcomeMarkdown,
    pricingIntro: site.pricingIntro,
    homePosts: site.homePosts,
  };
  arrangeHomeSections(site.homeSections).forEach(({ section, shown }, i) => {
    values[showField(section.key)] = shown ? "on" : "";
    values[positionField(section.key)] = String(i + 1);
  });
  return values;
}

/** The typed values of a submission, to re-render the form as it was sent. */
export function typedHomeValues(sub: Submission): Record<string, string> {
  const names = ["membersWelcome", "pricingIntro", "homePosts", "removePortrait", "removeCover"];
  for (const { section } of arrangeHomeSections([])) names.push(showField(section.key), positionField(section.key));
  return pick(sub.values, names);
}

/**
 * Reads the whole home settings form at once: texts, section choices
 * (positions 1…n; on a tie the section moved there comes first, like
 * dragging it into place) and the two images.
 */
export async function parseHomeSettings(sub: Submission, site: SiteSettings): Promise<HomeSettingsInput> {
  const fields: Record<string, FieldError> = {};
  let texts: z.output<typeof homeTextSchema> | undefined;
  try {
    texts = parseInput(homeTextSchema, pick(sub.values, ["membersWelcome", "pricingIntro"]));
  } catch (err) {
    if (!(err instanceof AppError && err.status === 422)) throw err;
    Object.assign(fields, err.fields);
  }
  const current = arrangeHomeSections(site.homeSections);
  const max = current.length;
  const ranked = current.map(({ section }, i) => {
    const raw = formValue(sub.values, positionField(section.key)).trim();
    const n = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= 1 && n <= max))
      fields[positionField(section.key)] = { key: "site.home.position_invalid", params: { max } };
    // A section given another section's place takes it; the one that kept its number moves down one.
    return {
      key: section.key,
      shown: formValue(sub.values, showField(section.key)) === "on",
      n,
      i,
      moved: n !== i + 1,
    };
  });
  // An old form without the choice keeps the default; anything else than the two choices is refused.
  const homePosts = formValue(sub.values, "homePosts") || "all";
  if (homePosts !== "all" && homePosts !== "public") fields.homePosts = { key: "validation.invalid" };
  const images = await checkImages(sub, ["portrait", "cover"], fields);
  if (!texts || Object.keys(fields).length) throw invalidInput(fields);
  ranked.sort((a, b) => a.n - b.n || Number(b.moved) - Number(a.moved) || a.i - b.i);
  return {
    membersWelcome: texts.membersWelcome,
    pricingIntro: texts.pricingIntro,
    sections: ranked.map(({ key, shown }) => ({ key, shown })),
    homePosts: homePosts as SiteSettings["homePosts"],
    images,
    remove: {
      portrait: formValue(sub.values, "removePortrait") === "on",
      cover: formValue(sub.values, "removeCover") === "on",
    },
  };
}
