import type { Db } from "../../platform/db/index.ts";
import { prepared } from "../../platform/db/prepared.ts";
import { newId } from "../../platform/ids.ts";
import { hashToken, safeEqual, sign } from "../../platform/security/tokens.ts";
import { feedsChanged } from "./feed-index.ts";
import type { PodcastFeedsTable, PodcastShowsTable } from "./tables.ts";

/**
 * Private feed tokens. A token is derived from the app secret, the feed's id
 * and its generation (HMAC), so the member's page and the rotation email can
 * show it again without it being stored: the row keeps only its SHA-256 and
 * a short prefix to find it. Rotating bumps the generation: the old token no
 * longer matches any row, on every node, from the commit on.
 */
export const TOKEN_PREFIX_LENGTH = 10;

export type FeedRow = PodcastFeedsTable;

export function feedToken(secret: string, feed: Pick<FeedRow, "id" | "generation">): string {
  return sign(secret, `podcast-feed:${feed.id}:${feed.generation}`);
}

export const isTokenShaped = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token);

/** The member's feed of a show, created on first need. */
export async function ensureFeed(
  db: Db,
  secret: string,
  showId: string,
  memberId: string,
  at: string,
): Promise<FeedRow> {
  const existing = await db
    .selectFrom("podcast_feeds")
    .selectAll()
    .where("show_id", "=", showId)
    .where("member_id", "=", memberId)
    .executeTakeFirst();
  if (existing) return existing;
  const id = newId();
  const token = feedToken(secret, { id, generation: 1 });
  const row: FeedRow = {
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
  await db
    .insertInto("podcast_feeds")
    .values(row)
    .onConflict((oc) => oc.columns(["show_id", "member_id"]).doNothing())
    .execute();
  return db
    .selectFrom("podcast_feeds")
    .selectAll()
    .where("show_id", "=", showId)
    .where("member_id", "=", memberId)
    .executeTakeFirstOrThrow();
}

/** The feed a token opens, or undefined (unknown, rotated or malformed: all the same answer). */
export async function feedByToken(db: Db, token: string): Promise<FeedRow | undefined> {
  if (!isTokenShaped(token)) return undefined;
  const rows = await db
    .selectFrom("podcast_feeds")
    .selectAll()
    .where("token_prefix", "=", token.slice(0, TOKEN_PREFIX_LENGTH))
    .execute();
  const hash = hashToken(token);
  return rows.find((r) => safeEqual(r.token_hash, hash));
}

type FeedAndShow = { feed: FeedRow; show: PodcastShowsTable };
const feedColumns = [
  "id",
  "show_id",
  "member_id",
  "token_prefix",
  "token_hash",
  "generation",
  "variant",
  "variant_at",
  "created_at",
  "rotated_at",
] as const;

/** The joined lookup, compiled once (apps poll feeds every few minutes: building the SQL was a cost). */
const byPrefix = prepared((db, prefix) =>
  db
    .selectFrom("podcast_feeds as f")
    .innerJoin("podcast_shows as s", "s.id", "f.show_id")
    .selectAll("s")
    .select(feedColumns.map((c) => `f.${c} as f_${c}` as const))
    .where("f.token_prefix", "=", prefix),
);

/**
 * The feed a token opens and its show, in one query (a private feed request
 * starts here), or undefined: unknown, rotated or malformed all look the same.
 */
export async function feedAndShowByToken(db: Db, token: string): Promise<FeedAndShow | undefined> {
  if (!isTokenShaped(token)) return undefined;
  const rows = (await byPrefix(db, token.slice(0, TOKEN_PREFIX_LENGTH))) as Record<string, unknown>[];
  const hash = hashToken(token);
  const row = rows.find((r) => safeEqual(r.f_token_hash as string, hash));
  if (!row) return undefined;
  const feed = {} as Record<string, unknown>;
  const show = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith("f_") && feedColumns.includes(k.slice(2) as (typeof feedColumns)[number])) feed[k.slice(2)] = v;
    else show[k] = v;
  }
  return { feed: feed as unknown as FeedRow, show: show as unknown as PodcastShowsTable };
}

/** Gives a feed a new token (the old one stops at once); returns the new row. */
export async function rotateToken(trx: Db, secret: string, feed: FeedRow, at: string): Promise<FeedRow> {
  const generation = feed.generation + 1;
  const token = feedToken(secret, { id: feed.id, generation });
  await trx
    .updateTable("podcast_feeds")
    .set({
      generation,
      token_prefix: token.slice(0, TOKEN_PREFIX_LENGTH),
      token_hash: hashToken(token),
      rotated_at: at,
    })
    .where("id", "=", feed.id)
    .where("generation", "=", feed.generation)
    .execute();
  // The old token's remembered 304s go now in this process; other nodes see the counter move once committed.
  await feedsChanged(trx);
  return {
    ...feed,
    generation,
    token_prefix: token.slice(0, TOKEN_PREFIX_LENGTH),
    token_hash: hashToken(token),
    rotated_at: at,
  };
}

export const privateFeedPath = (token: string) => `/podcasts/feed/${token}.xml`;
export const privateMediaPath = (token: string, episodeId: string, ext: string) =>
  `/podcasts/m/${token}/${episodeId}.${ext}`;
