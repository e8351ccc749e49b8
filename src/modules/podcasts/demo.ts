import type { Db } from "../../platform/db/index.ts";
import type { Storage } from "../../platform/storage/index.ts";
import { newId } from "../../platform/ids.ts";
import { renderMarkdown } from "../../platform/markdown.ts";
import { storeBytes } from "../../platform/storage/index.ts";
import { silentMp3 } from "./audio.ts";
import { feedsChanged } from "./feed-index.ts";
import { getOfferBySlug } from "../offers/index.ts";
import { oldestActiveMembers } from "../members/index.ts";

const someMembers = async (db: Db) => (await oldestActiveMembers(db, 30)).map((m) => m.id);

/*
 * Demo data in the creator's voice: one show, a dozen short episodes (a few
 * seconds of generated silence each, so the repository holds no audio),
 * public and for paying members, transcripts, download figures and one
 * shared-feed alert.
 */
export interface PodcastsDemoResult {
  showId: string;
  episodeIds: string[];
}

const titles = [
  "Pourquoi j’ai quitté l’agence pour l’atelier",
  "Centrer la terre sans se battre",
  "Les émaux qui coulent (et comment les aimer)",
  "Mon premier four raku",
  "Vendre ses pièces sans se brader",
  "La cuisson réduction, pas à pas",
  "Sécher lentement : la patience du potier",
  "Tourner un bol de 20 cm",
  "Questions des membres : les craquelures",
  "Travailler la porcelaine",
  "Mon carnet de recettes d’émail",
  "Bilan de saison à l’atelier",
];

const vtt = (title: string) =>
  `WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nBonjour et bienvenue à l’atelier.\n\n00:00:02.000 --> 00:00:04.000\nAujourd’hui : ${title.toLowerCase()}.\n`;

/** Seeds the demo podcast once (null when it is already there); paid episodes use the demo's tier « Le Cercle ». */
export async function seedPodcastsDemo(
  db: Db,
  storage: Storage,
  options: { now?: Date } = {},
): Promise<PodcastsDemoResult | null> {
  if (await db.selectFrom("podcast_shows").select("id").where("slug", "=", "les-voix-de-l-atelier").executeTakeFirst())
    return null;
  const tier = await getOfferBySlug(db, "le-cercle");
  const memberIds = await someMembers(db);
  const sharp = (await import("sharp")).default;
  const png = await sharp({ create: { width: 1400, height: 1400, channels: 3, background: "#b4532a" } })
    .png()
    .toBuffer();
  const cover = await storeBytes(db, storage, {
    bytes: new Uint8Array(png),
    mime: "image/png",
    purpose: "podcast_cover",
  });
  const opts = { tierId: tier?.id ?? null, memberIds, coverFileId: cover.id };
  const now = options.now ?? new Date();
  const at = now.toISOString();
  const showId = newId();
  await db
    .insertInto("podcast_shows")
    .values({
      id: showId,
      slug: "les-voix-de-l-atelier",
      title: "Les Voix de l’atelier",
      description:
        "Chaque semaine, je vous emmène à l’atelier : la terre, les émaux, les ratés et les fiertés. Les épisodes du Cercle sont réservés aux membres.",
      author: "Camille Lefèvre",
      cover_file_id: opts.coverFileId,
      language: "fr",
      categories: JSON.stringify(["Arts", "Arts > Design", "Leisure > Crafts"]),
      explicit: 0,
      owner_name: "Camille Lefèvre",
      owner_email: "podcast@atelier.example",
      trailer_episode_id: null,
      share_limit: 5,
      auto_rotate: 0,
      guid: crypto.randomUUID(),
      created_at: at,
      updated_at: at,
    })
    .execute();
  const episodeIds: string[] = [];
  for (const [i, title] of titles.entries()) {
    const bytes = silentMp3(3 + (i % 4));
    const file = await storeBytes(db, storage, {
      bytes,
      mime: "audio/mpeg",
      purpose: "podcast_audio",
      keyPrefix: "podcasts",
    });
    const id = newId();
    const paid = i % 3 === 2 && opts.tierId !== null;
    const notes = `Dans cet épisode : ${title.toLowerCase()}.\n\n- ce que j’ai appris\n- ce que je referais autrement`;
    await db
      .insertInto("podcast_episodes")
      .values({
        id,
        show_id: showId,
        guid: `atelier-${id}`,
        slug: `episode-${i + 1}`,
        title,
        notes_md: notes,
        notes_html: renderMarkdown(notes),
        season: 1,
        number: i + 1,
        episode_type: "full",
        audio_file_id: file.id,
        audio_mime: "audio/mpeg",
        audio_size: bytes.length,
        duration_s: 3 + (i % 4),
        bitrate: 128000,
        teaser_file_id: null,
        teaser_mime: null,
        teaser_size: 0,
        transcript_type: "vtt",
        transcript: vtt(title),
        chapters: "",
        audience: paid ? "paid" : "public",
        audience_offers: "[]",
        status: "published",
        publish_at: new Date(now.getTime() - (titles.length - i) * 7 * 86_400_000).toISOString(),
        created_at: at,
        updated_at: at,
      })
      .execute();
    episodeIds.push(id);
    // Download figures: a few anonymous listeners per episode, more on the older ones.
    const rows = Array.from({ length: 4 + ((i * 7) % 9) }, (_, k) => ({
      id: newId(),
      episode_id: id,
      member_id: opts.memberIds[k % Math.max(1, opts.memberIds.length)] ?? null,
      listener_key: `demo-${i}-${k}`,
      app: ["Apple Podcasts", "Overcast", "Pocket Casts", "AntennaPod", "Podcast Addict", "web"][k % 6]!,
      created_at: at,
    }));
    await db.insertInto("podcast_downloads").values(rows).execute();
  }
  const member = opts.memberIds[0];
  if (member) {
    const feedId = newId();
    await db
      .insertInto("podcast_feeds")
      .values({
        id: feedId,
        show_id: showId,
        member_id: member,
        token_prefix: "demo-feed-",
        token_hash: "demo-no-token",
        generation: 1,
        variant: "",
        variant_at: at,
        created_at: at,
        rotated_at: null,
      })
      .execute();
    const networks = [
      "82.64.10.0/24",
      "90.12.4.0/24",
      "176.150.2.0/24",
      "2a01:cb00:1::/48",
      "37.165.8.0/24",
      "92.184.3.0/24",
      "78.192.44.0/24",
    ];
    await db
      .insertInto("podcast_alerts")
      .values({
        id: newId(),
        feed_id: feedId,
        member_id: member,
        show_id: showId,
        networks: networks.length,
        apps: 4,
        evidence: JSON.stringify({ networks, apps: ["Apple Podcasts", "Overcast", "Pocket Casts", "AntennaPod"] }),
        rotated: 0,
        created_at: at,
        resolved_at: null,
      })
      .execute();
  }
  await feedsChanged(db);
  return { showId, episodeIds };
}
