/**
 * The private-feed bench's data: one show of `episodes` episodes (half for paying members), one
 * private feed token per member with the tier that opens the paid half, and each feed's current
 * ETag computed by the same code the route runs (its variant stored, so the feed then shows no change).
 */
import type { Db } from "../../src/platform/db/index.ts";
import { newId } from "../../src/platform/ids.ts";
import { appSecret } from "../../src/platform/settings.ts";
import { hashToken, randomToken } from "../../src/platform/security/tokens.ts";
import { getOfferBySlug } from "../../src/modules/offers/index.ts";
import { privateFeed } from "../../src/modules/podcasts/feeds.ts";
import { feedToken, TOKEN_PREFIX_LENGTH } from "../../src/modules/podcasts/tokens.ts";

export async function preparePrivateFeeds(db: Db, o: { members: number; episodes: number; origin: string }) {
  const { members, episodes, origin } = o;
  const secret = await appSecret(db, () => randomToken(32));
  const tier = (await getOfferBySlug(db, "le-cercle"))!;
  const at = new Date(Date.now() - 86_400_000).toISOString();
  const showId = newId();
  await db
    .insertInto("podcast_shows")
    .values({
      id: showId,
      slug: "bench",
      title: "Les Voix de l’atelier",
      description: "Chaque semaine, l’atelier.",
      author: "Camille",
      cover_file_id: null,
      language: "fr",
      categories: JSON.stringify(["Arts"]),
      explicit: 0,
      owner_name: "Camille",
      owner_email: "podcast@atelier.example",
      trailer_episode_id: null,
      share_limit: 5,
      auto_rotate: 0,
      guid: crypto.randomUUID(),
      created_at: at,
      updated_at: at,
    })
    .execute();
  const rows = Array.from({ length: episodes }, (_, i) => {
    const id = newId();
    return {
      id,
      show_id: showId,
      guid: `atelier-${id}`,
      slug: `episode-${i + 1}`,
      title: `Épisode ${i + 1} : la terre et le feu`,
      notes_md: "Des notes d’épisode, avec un [lien](https://example.org).",
      notes_html: '<p>Des notes d’épisode, avec un <a href="https://example.org">lien</a>.</p>',
      season: 1,
      number: i + 1,
      episode_type: "full" as const,
      audio_file_id: newId(),
      audio_mime: "audio/mpeg",
      audio_size: 30_000_000 + i,
      duration_s: 1800 + i,
      bitrate: 128000,
      teaser_file_id: null,
      teaser_mime: null,
      teaser_size: 0,
      transcript_type: null,
      transcript: "",
      chapters: "",
      audience: i % 2 ? "paid" : "public",
      audience_offers: "[]",
      status: "published" as const,
      publish_at: new Date(Date.now() - (episodes - i) * 86_400_000).toISOString(),
      created_at: at,
      updated_at: at,
    };
  });
  await db.insertInto("podcast_episodes").values(rows).execute();
  const memberIds = (await db.selectFrom("members").select("id").limit(members).execute()).map((m) => m.id);
  const feeds: { id: string; member_id: string; token: string }[] = [];
  for (let i = 0; i < memberIds.length; i += 500) {
    const chunk = memberIds.slice(i, i + 500);
    const fr = chunk.map((memberId) => {
      const id = newId();
      const token = feedToken(secret, { id, generation: 1 });
      feeds.push({ id, member_id: memberId, token });
      return {
        id,
        show_id: showId,
        member_id: memberId,
        token_prefix: token.slice(0, TOKEN_PREFIX_LENGTH),
        token_hash: hashToken(token),
        generation: 1,
        variant: "",
        variant_at: at,
        created_at: at,
        rotated_at: null,
      };
    });
    await db.insertInto("podcast_feeds").values(fr).execute();
    await db
      .insertInto("entitlements")
      .values(
        chunk.map((memberId) => ({
          id: newId(),
          member_id: memberId,
          resource_kind: "offer",
          resource_id: tier.id,
          source_kind: "manual" as const,
          source_id: `bench-${memberId}`,
          starts_at: at,
          ends_at: null,
          revoked_at: null,
          revoke_reason: null,
          note: "",
          created_at: at,
          updated_at: at,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  // Each member's validators, computed by the same code the route runs (their feed then shows no change).
  const show = await db.selectFrom("podcast_shows").selectAll().where("id", "=", showId).executeTakeFirstOrThrow();
  const etags: string[] = [];
  for (const f of feeds) {
    const row = await db.selectFrom("podcast_feeds").selectAll().where("id", "=", f.id).executeTakeFirstOrThrow();
    const plan = await privateFeed(db, show, row, f.token, origin, new Date().toISOString());
    await db.updateTable("podcast_feeds").set({ variant: plan.variant }).where("id", "=", f.id).execute();
    etags.push(plan.etag);
  }
  return { feeds, etags };
}
