import { DateTime } from "luxon";
import { feedsChanged } from "./feed-index.ts";
import { z } from "zod";
import { anyStaff, defineOperation } from "../../platform/operations.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
import { field } from "../../platform/http/validation.ts";
import { newId } from "../../platform/ids.ts";
import { renderMarkdown } from "../../platform/markdown.ts";
import { siteSettingsListeners } from "../../platform/settings.ts";
import { isAppleCategory } from "./categories.ts";
import { checkChapters, checkTranscript } from "./content.ts";
import { episodeSaved, showSaved } from "./events.ts";
import { checkCover, keepAudio, keepCover, type CheckedAudio } from "./files.ts";
import { findEpisode, findShow, slugify } from "./service.ts";

/*
 * The creator's operations on shows and episodes. Files arrive already
 * checked (type from the bytes, duration read, cover measured) and are kept
 * inside the operation's transaction, so a refused save keeps nothing.
 */

const optionalInt = (max: number) =>
  z.preprocess(
    (v) => (v === "" || v === undefined || v === null ? null : v),
    z.coerce
      .number({ error: "validation.invalid" })
      .int("validation.invalid")
      .min(0, "validation.invalid")
      .max(max, `validation.too_long|max=${max}`)
      .nullable(),
  );

const list = (v: unknown) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]);

/** Clears this node's anonymous page cache (the public feed and pages), as a settings change does. */
/** A show's new updated_at: now, or just after the last one (feed validators hang on it changing). */
const later = (previous: string, at: string) => (at > previous ? at : new Date(Date.parse(previous) + 1).toISOString());

function pagesChanged(): void {
  for (const listener of siteSettingsListeners) listener();
}

export const showInput = z.object({
  id: z.uuid({ error: "validation.invalid" }).optional(),
  title: field.text(200),
  slug: field.text(80, { optional: true }).optional(),
  description: field.longText(4000),
  author: field.text(200),
  language: z.enum(["fr", "en", "de", "es", "it", "nl", "pt"], { error: "validation.invalid" }),
  categories: z.preprocess(
    list,
    z
      .array(z.string().refine(isAppleCategory, "validation.invalid"))
      .min(1, "validation.required")
      .max(3, "validation.too_long|max=3"),
  ),
  explicit: field.checkbox(),
  ownerName: field.text(200, { optional: true }).default(""),
  ownerEmail: field.email(),
  shareLimit: z.coerce
    .number({ error: "validation.invalid" })
    .int("validation.invalid")
    .min(2, "validation.invalid")
    .max(100, "validation.invalid")
    .default(5),
  autoRotate: field.checkbox(),
  cover: z.custom<Uint8Array>((v) => v instanceof Uint8Array).optional(),
});

export const saveShow = defineOperation({
  name: "podcasts.save_show",
  input: showInput,
  roles: anyStaff,
  async run({ trx, input, clock, record, services }) {
    const at = clock.nowIso();
    const existing = input.id ? await findShow(trx, input.id) : undefined;
    if (input.id && !existing) throw notFound();
    if (!existing && !input.cover) throw new AppError("invalid_input", 422, "podcasts.error.cover_required");
    if (input.cover) await checkCover(input.cover);
    const slug = slugify(input.slug || input.title);
    const clash = await trx.selectFrom("podcast_shows").select("id").where("slug", "=", slug).executeTakeFirst();
    if (clash && clash.id !== existing?.id)
      throw new AppError("invalid_input", 422, "error.invalid_input", { slug: { key: "podcasts.error.slug_taken" } });
    const cover = input.cover ? await keepCover(trx, services.storage, input.cover) : existing!.cover_file_id;
    const values = {
      slug,
      title: input.title,
      description: input.description,
      author: input.author,
      cover_file_id: cover,
      language: input.language,
      categories: JSON.stringify(input.categories),
      explicit: input.explicit ? 1 : 0,
      owner_name: input.ownerName || input.author,
      owner_email: input.ownerEmail,
      share_limit: input.shareLimit,
      auto_rotate: input.autoRotate ? 1 : 0,
      updated_at: existing ? later(existing.updated_at, at) : at,
    };
    const id = existing?.id ?? newId();
    if (existing) await trx.updateTable("podcast_shows").set(values).where("id", "=", id).execute();
    else
      await trx
        .insertInto("podcast_shows")
        .values({ ...values, id, guid: crypto.randomUUID(), trailer_episode_id: null, created_at: at })
        .execute();
    pagesChanged();
    await feedsChanged(trx);
    await record(showSaved, { showId: id, title: input.title, created: !existing }, { memberId: null });
    return { id, slug };
  },
});

export const episodeInput = z
  .object({
    showId: z.uuid({ error: "validation.invalid" }),
    id: z.uuid({ error: "validation.invalid" }).optional(),
    title: field.text(300),
    notes: field.longText(50_000, { optional: true }).default(""),
    season: optionalInt(999),
    number: optionalInt(99_999),
    episodeType: z.enum(["full", "trailer", "bonus"], { error: "validation.invalid" }).default("full"),
    audience: z.enum(["public", "members", "paid", "offers"], { error: "validation.invalid" }).default("public"),
    offers: z.preprocess(list, z.array(z.uuid({ error: "validation.invalid" })).max(50)),
    publish: z.enum(["draft", "now", "at"], { error: "validation.invalid" }).default("draft"),
    publishAt: z.string().max(40).optional().default(""),
    timeZone: field.timeZone().default("Europe/Paris"),
    audio: z.custom<CheckedAudio>((v) => typeof v === "object" && v !== null && "mime" in v).optional(),
    teaser: z.custom<CheckedAudio>((v) => typeof v === "object" && v !== null && "mime" in v).optional(),
    removeTeaser: field.checkbox(),
    transcript: z
      .string()
      .max(2 * 1024 * 1024)
      .optional(),
    removeTranscript: field.checkbox(),
    chapters: z
      .string()
      .max(256 * 1024)
      .optional(),
    removeChapters: field.checkbox(),
    trailer: field.checkbox(),
  })
  .refine((v) => v.audience !== "offers" || v.offers.length > 0, { path: ["offers"], message: "validation.required" });

function publishInstant(publish: string, publishAt: string, timeZone: string, now: string): string | null {
  if (publish === "draft") return null;
  if (publish === "now") return now;
  const dt = DateTime.fromISO(publishAt, { zone: timeZone });
  if (!publishAt || !dt.isValid)
    throw new AppError("invalid_input", 422, "error.invalid_input", { publishAt: { key: "validation.invalid" } });
  return dt.toUTC().toISO()!;
}

export const saveEpisode = defineOperation({
  name: "podcasts.save_episode",
  input: episodeInput,
  roles: anyStaff,
  async run({ trx, input, clock, record, services }) {
    const at = clock.nowIso();
    const show = await findShow(trx, input.showId);
    if (!show) throw notFound();
    const existing = input.id ? await findEpisode(trx, input.id) : undefined;
    if (input.id && (!existing || existing.show_id !== show.id)) throw notFound();
    if (!existing && !input.audio) throw new AppError("invalid_input", 422, "podcasts.error.audio_required");
    const transcript = input.transcript ? { type: checkTranscript(input.transcript), text: input.transcript } : null;
    const chapters = input.chapters ? checkChapters(input.chapters) : null;
    // Checks done: only now are files moved to their place.
    const dir = services.storage;
    const audioId = input.audio ? await keepAudio(trx, dir, input.audio, "podcast_audio") : null;
    const teaserId = input.teaser ? await keepAudio(trx, dir, input.teaser, "podcast_teaser") : null;
    const publishAt = publishInstant(input.publish, input.publishAt, input.timeZone, at);
    const status: "draft" | "published" = input.publish === "draft" ? "draft" : "published";
    let slug = slugify(input.title);
    const clash = await trx
      .selectFrom("podcast_episodes")
      .select("id")
      .where("show_id", "=", show.id)
      .where("slug", "=", slug)
      .executeTakeFirst();
    if (clash && clash.id !== existing?.id) slug = `${slug}-${newId().slice(-6)}`;
    const values = {
      slug: existing?.slug ?? slug,
      title: input.title,
      notes_md: input.notes,
      notes_html: renderMarkdown(input.notes),
      season: input.season,
      number: input.number,
      episode_type: input.episodeType,
      audience: input.audience,
      audience_offers: JSON.stringify(input.audience === "offers" ? input.offers : []),
      status,
      publish_at: publishAt ?? existing?.publish_at ?? null,
      updated_at: at,
      ...(input.audio && audioId
        ? {
            audio_file_id: audioId,
            audio_mime: input.audio.mime,
            audio_size: input.audio.size,
            duration_s: input.audio.facts.durationS,
            bitrate: input.audio.facts.bitrate,
          }
        : {}),
      ...(input.teaser && teaserId
        ? { teaser_file_id: teaserId, teaser_mime: input.teaser.mime, teaser_size: input.teaser.size }
        : {}),
      ...(input.removeTeaser && !input.teaser ? { teaser_file_id: null, teaser_mime: null, teaser_size: 0 } : {}),
      ...(transcript ? { transcript_type: transcript.type, transcript: transcript.text } : {}),
      ...(input.removeTranscript && !transcript ? { transcript_type: null, transcript: "" } : {}),
      ...(chapters ? { chapters } : {}),
      ...(input.removeChapters && !chapters ? { chapters: "" } : {}),
    };
    const id = existing?.id ?? newId();
    if (existing) await trx.updateTable("podcast_episodes").set(values).where("id", "=", id).execute();
    else
      await trx
        .insertInto("podcast_episodes")
        .values({
          audio_file_id: null,
          audio_mime: null,
          audio_size: 0,
          duration_s: 0,
          bitrate: 0,
          teaser_file_id: null,
          teaser_mime: null,
          teaser_size: 0,
          transcript_type: null,
          transcript: "",
          chapters: "",
          ...values,
          id,
          show_id: show.id,
          guid: `atelier-${id}`,
          created_at: at,
        })
        .execute();
    const trailer = input.trailer ? id : show.trailer_episode_id === id ? null : show.trailer_episode_id;
    await trx
      .updateTable("podcast_shows")
      .set({ updated_at: later(show.updated_at, at), trailer_episode_id: trailer })
      .where("id", "=", show.id)
      .execute();
    const shownStatus = status === "draft" ? "draft" : publishAt && publishAt > at ? "scheduled" : "published";
    pagesChanged();
    await feedsChanged(trx);
    await record(
      episodeSaved,
      { episodeId: id, showId: show.id, title: input.title, status: shownStatus, audioChanged: !!input.audio },
      { memberId: null },
    );
    return { id, showId: show.id, audioId, teaserId };
  },
});
