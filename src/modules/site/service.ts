import { transaction, type Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { nowIso } from "../../platform/ids.ts";
import { renderMarkdown } from "../../platform/markdown.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { defaultSiteSettings, getSetting, updateSiteSettings, type SiteSettings } from "../../platform/settings.ts";
import {
  deleteFile,
  discardStoredFile,
  saveImage,
  type Storage,
  type StoredFile,
} from "../../platform/storage/index.ts";
import { createStaffUser, hasOwner } from "../staff/index.ts";
import { siteImages, type ImageUploads, type SettingsInput, type SetupInput, type SiteImage } from "./schemas.ts";

/**
 * The row that makes setup happen once: inserted inside the setup
 * transaction, so of two concurrent setups only one can commit (PostgreSQL
 * makes the second wait on the unique key; SQLite runs them one after the
 * other). It stays as a record of when setup was done.
 */
const setupClaimKey = "site_setup_claim";

const setupDone = () => new AppError("setup_done", 409, "site.error.setup_done");

/**
 * Every node caches the settings for a second; re-reading after a commit
 * made in a transaction refreshes this node's cache at once.
 */
export async function refreshSettings(db: Db): Promise<SiteSettings> {
  const stored = await getSetting<Partial<SiteSettings>>(db, "site");
  return updateSiteSettings(db, stored ?? {});
}

/**
 * Stores each uploaded image inside the caller's transaction; `saved` collects
 * the stored files so the caller can delete them if the transaction fails.
 */
export async function storeSiteImages(
  trx: Db,
  storage: Storage,
  images: ImageUploads,
  saved: StoredFile[],
): Promise<Partial<Record<SiteImage, string>>> {
  const ids: Partial<Record<SiteImage, string>> = {};
  for (const [name, bytes] of Object.entries(images) as [SiteImage, Uint8Array][]) {
    const file = await saveImage(trx, storage, bytes, name, siteImages[name].maxBytes);
    saved.push(file);
    ids[name] = file.id;
  }
  return ids;
}

/** Deletes stored files left behind by a failed transaction (they were never referenced). */
export async function discardAll(storage: Storage, saved: StoredFile[]): Promise<void> {
  for (const file of saved) await discardStoredFile(storage, file);
}

/**
 * First-run setup in one transaction: the owner, the site's settings, the
 * logo and the owner's first session. Anything failing leaves nothing behind.
 */
export async function performSetup(
  db: Db,
  storage: Storage,
  input: SetupInput,
  images: ImageUploads,
  meta: { ip?: string; userAgent?: string },
): Promise<{ ownerId: string; sessionToken: string }> {
  const saved: StoredFile[] = [];
  try {
    const result = await transaction(db, async (trx) => {
      const claim = await trx
        .insertInto("settings")
        .values({ key: setupClaimKey, value: JSON.stringify({ at: nowIso() }), updated_at: nowIso() })
        .onConflict((oc) => oc.column("key").doNothing())
        .executeTakeFirst();
      if (Number(claim.numInsertedOrUpdatedRows ?? 0) === 0) throw setupDone();
      const current = await getSetting<Partial<SiteSettings>>(trx, "site");
      if (current?.setupDone || (await hasOwner(trx))) throw setupDone();

      const owner = await createStaffUser(trx, {
        email: input.email,
        password: input.password,
        name: input.ownerName,
        locale: input.locale,
        role: "owner",
      });
      const ids = await storeSiteImages(trx, storage, images, saved);
      await updateSiteSettings(trx, {
        setupDone: true,
        name: input.siteName,
        tagline: input.tagline,
        storyMarkdown: input.story,
        storyHtml: renderMarkdown(input.story),
        locale: input.locale,
        currency: input.currency,
        timeZone: input.timeZone,
        accentColor: input.accentColor,
        logoFileId: ids.logo ?? null,
        portraitFileId: ids.portrait ?? null,
        coverFileId: ids.cover ?? null,
        contactEmail: owner.email,
        mailFromName: input.siteName,
      });
      const session = await createSession(trx, "staff", owner.id, meta);
      return { ownerId: owner.id, sessionToken: session.token };
    });
    await refreshSettings(db);
    return result;
  } catch (err) {
    await discardAll(storage, saved);
    throw err;
  }
}

/** Saves the settings page; a replaced or removed logo's file is deleted once the change is committed. */
export async function saveSettings(
  db: Db,
  storage: Storage,
  input: SettingsInput,
  logo: Uint8Array | undefined,
  removeLogo: boolean,
): Promise<SiteSettings> {
  let saved: StoredFile | null = null;
  let previousLogo: string | null = null;
  try {
    const next = await transaction(db, async (trx) => {
      // Read through the transaction only: on SQLite the outer handle would wait for this very transaction.
      const current = { ...defaultSiteSettings, ...(await getSetting<Partial<SiteSettings>>(trx, "site")) };
      previousLogo = current.logoFileId;
      if (logo) saved = await saveImage(trx, storage, logo, "logo", logo.length);
      const logoFileId = saved ? saved.id : removeLogo ? null : current.logoFileId;
      return updateSiteSettings(trx, {
        name: input.siteName,
        tagline: input.tagline,
        storyMarkdown: input.story,
        storyHtml: renderMarkdown(input.story),
        aboutMarkdown: input.about,
        aboutHtml: input.about ? renderMarkdown(input.about) : "",
        locale: input.locale,
        currency: input.currency,
        timeZone: input.timeZone,
        accentColor: input.accentColor,
        logoFileId,
        contactEmail: input.contactEmail,
        mailFromName: input.mailFromName,
      });
    });
    if (previousLogo && previousLogo !== next.logoFileId) await deleteFile(db, storage, previousLogo);
    return await refreshSettings(db);
  } catch (err) {
    await discardStoredFile(storage, saved);
    throw err;
  }
}
