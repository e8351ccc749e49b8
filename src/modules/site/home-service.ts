import { transaction, type Db } from "../../platform/db/index.ts";
import { renderMarkdown } from "../../platform/markdown.ts";
import { defaultSiteSettings, getSetting, updateSiteSettings, type SiteSettings } from "../../platform/settings.ts";
import { deleteFile, type Storage, type StoredFile } from "../../platform/storage/index.ts";
import type { HomeSettingsInput } from "./home-schemas.ts";
import { discardAll, refreshSettings, storeSiteImages } from "./service.ts";

/**
 * Saves the home page settings in one transaction. A replaced or removed
 * image's file is deleted only once the change is committed; new files of a
 * failed save are deleted, so nothing is half-stored.
 */
export async function saveHomeSettings(db: Db, storage: Storage, input: HomeSettingsInput): Promise<SiteSettings> {
  const saved: StoredFile[] = [];
  let previous: (string | null)[] = [];
  try {
    const next = await transaction(db, async (trx) => {
      const current = { ...defaultSiteSettings, ...(await getSetting<Partial<SiteSettings>>(trx, "site")) };
      previous = [current.portraitFileId, current.coverFileId];
      const ids = await storeSiteImages(trx, storage, input.images, saved);
      const keep = (id: string | undefined, remove: boolean, was: string | null) => id ?? (remove ? null : was);
      return updateSiteSettings(trx, {
        portraitFileId: keep(ids.portrait, input.remove.portrait, current.portraitFileId),
        coverFileId: keep(ids.cover, input.remove.cover, current.coverFileId),
        homeSections: input.sections,
        homePosts: input.homePosts,
        membersWelcomeMarkdown: input.membersWelcome,
        membersWelcomeHtml: input.membersWelcome ? renderMarkdown(input.membersWelcome) : "",
        pricingIntro: input.pricingIntro,
      });
    });
    for (const id of previous)
      if (id && id !== next.portraitFileId && id !== next.coverFileId) await deleteFile(db, storage, id);
    return await refreshSettings(db);
  } catch (err) {
    await discardAll(storage, saved);
    throw err;
  }
}
