import type { Db } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import { PAYWALL_MARKER } from "./content.ts";
import { savePost, type PostInput } from "./posts.ts";
import { oldestActiveMembers } from "../members/index.ts";
import { tierOffers } from "../offers/index.ts";
import { commentsPool, middles, paidParts, posts } from "./demo-posts.ts";

/**
 * Demo posts for L’atelier de Camille: a few dozen, in French, public,
 * members-only and paid with a paywall marker, tagged, over the last year,
 * with members' comments. Deterministic (same posts, dates and comments on
 * every run) and safe to run twice: existing slugs are left alone.
 */

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function slugOf(title: string): string {
  return title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/œ/gi, "oe")
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/g, "");
}

export interface PublishingDemoResult {
  posts: number;
  comments: number;
  tags: number;
}

export async function seedPublishingDemo(
  db: Db,
  opts: { now?: Date; seed?: number } = {},
): Promise<PublishingDemoResult> {
  const now = opts.now ?? new Date();
  const rand = rng(opts.seed ?? 4242);
  const tiers = await tierOffers(db);
  const tierIds = tiers.map((t) => t.id);
  const members = await oldestActiveMembers(db, 60);
  let created = 0;
  let comments = 0;
  for (let i = 0; i < posts.length; i++) {
    const p = posts[i]!;
    const slug = slugOf(p.title);
    const exists = await db.selectFrom("posts").select("id").where("slug", "=", slug).executeTakeFirst();
    const a = () => Math.floor(rand() * 1_000_000);
    const picks = [a(), a(), a(), a()];
    if (exists) continue;
    // Spread over the past year, newest first in the list above being the oldest here.
    const publishedAt = new Date(now.getTime() - (posts.length - i) * 11 * 86_400_000 - (picks[0]! % 36_000) * 1000);
    const middle = [middles[picks[1]! % middles.length]!, middles[(picks[1]! + 2) % middles.length]!];
    const gated = p.audience !== "public";
    const audience = p.audience === "tier" ? (tierIds.length ? "offers" : "paid") : p.audience;
    const paid = paidParts[picks[2]! % paidParts.length]!;
    const body = gated
      ? [p.opening, middle[0], PAYWALL_MARKER, paid, middle[1], "À bientôt à l’atelier,\n\nCamille"].join("\n\n")
      : [p.opening, middle[0], "## Et ensuite ?", middle[1], "À bientôt à l’atelier,\n\nCamille"].join("\n\n");
    const input: PostInput = {
      title: p.title,
      slug,
      excerpt: p.excerpt,
      body,
      tags: p.tags,
      audience,
      offers: audience === "offers" ? tierIds.slice(-1) : [],
      publishAt: "",
      commentsEnabled: true,
    };
    const post = await savePost(
      db,
      null,
      input,
      "publish",
      { timeZone: "Europe/Paris", staffId: null, tierIds },
      publishedAt,
    );
    created += 1;
    // Members' comments, a few days after publication; no events (the demo seeder owns the timelines).
    const n = members.length ? picks[3]! % 5 : 0;
    for (let k = 0; k < n; k++) {
      const at = new Date(publishedAt.getTime() + (k + 1) * 7 * 3_600_000).toISOString();
      await db
        .insertInto("comments")
        .values({
          id: newId(),
          post_id: post.id,
          member_id: members[(picks[3]! + k * 7) % members.length]!.id,
          body: commentsPool[(i + k) % commentsPool.length]!,
          status: "visible",
          created_at: at,
          updated_at: at,
        })
        .execute();
      comments += 1;
    }
  }
  // One draft and one scheduled post, so the admin list shows every state.
  const extras: [string, "save" | "publish", string][] = [
    ["Brouillon : idées pour le stage d’hiver", "save", ""],
    ["Le défournement de printemps", "publish", new Date(now.getTime() + 9 * 86_400_000).toISOString().slice(0, 16)],
  ];
  for (const [title, action, publishAt] of extras) {
    if (await db.selectFrom("posts").select("id").where("slug", "=", slugOf(title)).executeTakeFirst()) continue;
    await savePost(
      db,
      null,
      {
        title,
        slug: slugOf(title),
        excerpt: "",
        body: "Quelques notes à reprendre.",
        tags: "atelier",
        audience: "public",
        offers: [],
        publishAt,
        commentsEnabled: true,
      },
      action,
      { timeZone: "UTC", staffId: null, tierIds },
      now,
    );
    created += 1;
  }
  const tags = await db
    .selectFrom("tags")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return { posts: created, comments, tags: Number(tags.n) };
}
