import type { Expression } from "kysely";
import type { Db } from "../../platform/db/index.ts";
import { prepared } from "../../platform/db/prepared.ts";
import type { PostsTable } from "./tables.ts";
import type { Audience, Resource } from "../access/index.ts";
import { siteSettingsListeners } from "../../platform/settings.ts";

/** A stored post row. */
export type PostRow = PostsTable;

export type AudienceChoice = PostsTable["audience"];

/** The access policy's audience of a post row. */
export function audienceOf(post: Pick<PostRow, "audience" | "audience_offers">): Audience {
  if (post.audience === "offers") {
    let ids: unknown;
    try {
      ids = JSON.parse(post.audience_offers);
    } catch {
      ids = [];
    }
    // An "offers" post naming no valid offer is closed rather than open.
    const list = Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : [];
    return list.length ? { offers: list } : "nobody";
  }
  if (post.audience === "members" || post.audience === "paid") return post.audience;
  return "public";
}

/** The Resource the access policy decides on for a post (kind "post"). */
export function postResource(post: Pick<PostRow, "id" | "audience" | "audience_offers">): Resource {
  return { kind: "post", id: post.id, audience: audienceOf(post) };
}

export function postUrl(slug: string): string {
  return `/p/${slug}`;
}

export async function findPost(db: Db, id: string): Promise<PostRow | undefined> {
  return db.selectFrom("posts").selectAll().where("id", "=", id).executeTakeFirst();
}

// The post page's own queries, their SQL built once (building it cost more than running it).
const postBySlug = prepared((db, slug) => db.selectFrom("posts").selectAll().where("slug", "=", slug));
/** A post's tags in their order; postId may be a column reference (post-page-query.ts). */
export function postTagsQuery(db: Db, postId: string | Expression<string>) {
  return db
    .selectFrom("post_tags")
    .innerJoin("tags", "tags.id", "post_tags.tag_id")
    .select(["tags.id", "tags.slug", "tags.name"])
    .where("post_tags.post_id", "=", postId)
    .orderBy("post_tags.position");
}
const postTags = prepared(postTagsQuery);

export async function findPostBySlug(db: Db, slug: string): Promise<PostRow | undefined> {
  return (await postBySlug(db, slug))[0];
}

export interface TagRef {
  id: string;
  slug: string;
  name: string;
}

export async function tagsOfPost(db: Db, postId: string): Promise<TagRef[]> {
  return postTags(db, postId);
}

/** Tags of many posts with one query. */
export async function tagsOfPosts(db: Db, postIds: string[]): Promise<Map<string, TagRef[]>> {
  const out = new Map<string, TagRef[]>();
  if (postIds.length === 0) return out;
  const rows = await db
    .selectFrom("post_tags")
    .innerJoin("tags", "tags.id", "post_tags.tag_id")
    .select(["post_tags.post_id", "tags.id", "tags.slug", "tags.name"])
    .where("post_tags.post_id", "in", postIds)
    .orderBy("post_tags.position")
    .execute();
  for (const r of rows) {
    const list = out.get(r.post_id) ?? [];
    list.push({ id: r.id, slug: r.slug, name: r.name });
    out.set(r.post_id, list);
  }
  return out;
}

export interface PostForSending {
  id: string;
  slug: string;
  title: string;
  excerpt: string;
  audience: Audience;
  /** The part everyone may read, sanitised HTML ("" for a gated post without a paywall marker). */
  teaserHtml: string;
  /** The part only the audience may read, sanitised HTML ("" for public posts). */
  paidHtml: string;
  teaserText: string;
  paidText: string;
  /** Absolute path, "/p/<slug>". */
  url: string;
  publishedAt: string | null;
  tags: string[];
}

/**
 * What the newsletter engine needs to send a post. Per recipient it must send
 * teaserHtml alone unless canAccess(recipient, postResource) allows the rest.
 */
export async function getPostForSending(db: Db, postId: string): Promise<PostForSending | undefined> {
  const post = await findPost(db, postId);
  if (!post) return undefined;
  const tags = await tagsOfPost(db, post.id);
  return {
    id: post.id,
    slug: post.slug,
    title: post.title,
    excerpt: post.excerpt,
    audience: audienceOf(post),
    teaserHtml: post.teaser_html,
    paidHtml: post.paid_html,
    teaserText: post.teaser_text,
    paidText: post.paid_text,
    url: postUrl(post.slug),
    publishedAt: post.published_at,
    tags: tags.map((t) => t.name),
  };
}

/**
 * After a post or comment changes, clears this node's anonymous page cache
 * (the same listeners a settings change calls) so a hidden comment or an
 * unpublished post disappears at once here; other nodes follow within the
 * cache's 2-second TTL.
 */
export function contentChanged(): void {
  for (const listener of siteSettingsListeners) listener();
}
