import type { Db } from "../../platform/db/index.ts";
import type { Audience, Resource } from "../access/index.ts";
import type { PodcastEpisodesTable, PodcastShowsTable } from "./tables.ts";

/*
 * Shows and episodes as the rest of the module reads them: one place says
 * what an episode's access resource is and when it is out (published and its
 * instant reached), so pages, feeds and media agree.
 */

export type ShowRow = PodcastShowsTable;
export type EpisodeRow = PodcastEpisodesTable;

export const showUrl = (slug: string) => `/podcasts/${slug}`;
export const episodeUrl = (showSlug: string, episodeSlug: string) => `/podcasts/${showSlug}/${episodeSlug}`;

export function slugify(input: string, max = 80): string {
  const s = input
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/g, "");
  return s || "episode";
}

export function audienceOf(e: Pick<EpisodeRow, "audience" | "audience_offers">): Audience {
  if (e.audience === "offers") {
    const ids = JSON.parse(e.audience_offers || "[]") as string[];
    return { offers: ids };
  }
  if (e.audience === "members" || e.audience === "paid" || e.audience === "public") return e.audience;
  return "nobody";
}

/**
 * An episode as the access policy sees it: its show is the resource (an offer
 * that includes the show opens its episodes), with the episode's own audience.
 */
export function episodeResource(e: Pick<EpisodeRow, "show_id" | "audience" | "audience_offers">): Resource {
  return { kind: "podcast_show", id: e.show_id, audience: audienceOf(e) };
}

export const isPublicEpisode = (e: Pick<EpisodeRow, "audience">) => e.audience === "public";

/** Out for listeners: published and its instant reached. */
export function isOut(e: Pick<EpisodeRow, "status" | "publish_at">, nowIso: string): boolean {
  return e.status === "published" && !!e.publish_at && e.publish_at <= nowIso;
}

export async function findShow(db: Db, id: string): Promise<ShowRow | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  return db.selectFrom("podcast_shows").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findShowBySlug(db: Db, slug: string): Promise<ShowRow | undefined> {
  return db.selectFrom("podcast_shows").selectAll().where("slug", "=", slug).executeTakeFirst();
}

export async function listShows(db: Db): Promise<ShowRow[]> {
  return db.selectFrom("podcast_shows").selectAll().orderBy("id", "asc").execute();
}

export async function findEpisode(db: Db, id: string): Promise<EpisodeRow | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  return db.selectFrom("podcast_episodes").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Every episode of a show, newest first (drafts included: filter with isOut). */
export async function showEpisodes(db: Db, showId: string): Promise<EpisodeRow[]> {
  return db
    .selectFrom("podcast_episodes")
    .selectAll()
    .where("show_id", "=", showId)
    .orderBy("publish_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

/** Out episodes, newest first. */
export async function outEpisodes(db: Db, showId: string, nowIso: string): Promise<EpisodeRow[]> {
  return db
    .selectFrom("podcast_episodes")
    .selectAll()
    .where("show_id", "=", showId)
    .where("status", "=", "published")
    .where("publish_at", "<=", nowIso)
    .orderBy("publish_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

export function categoriesOf(show: Pick<ShowRow, "categories">): string[] {
  try {
    const v = JSON.parse(show.categories) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** Where a show's cover is served: the extension says its real type (.jpg or .png), as Apple asks. */
export const coverUrl = (fileId: string, mime: string) =>
  `/podcasts/cover/${fileId}.${mime === "image/jpeg" ? "jpg" : "png"}`;
