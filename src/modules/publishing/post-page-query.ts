import { sql } from "kysely";
import { jsonArrayFrom as pgJsonArray } from "kysely/helpers/postgres";
import { jsonArrayFrom as sqliteJsonArray } from "kysely/helpers/sqlite";
import { isPostgres, type Db } from "../../platform/db/index.ts";
import { prepared } from "../../platform/db/prepared.ts";
import { commentView, commentsQuery, defaultLimit, type CommentView } from "./comments.ts";
import { postTagsQuery, type PostRow, type TagRef } from "./service.ts";

/**
 * The columns the post page shows or decides with: not the Markdown source nor the paid part's
 * plain text (the editor's and the feeds' business), which made a third of the row's bytes to
 * copy out of the database on every render.
 */
export const pagePostColumns = [
  "id",
  "slug",
  "title",
  "excerpt",
  "teaser_html",
  "paid_html",
  "teaser_text",
  "cover_file_id",
  "audience",
  "audience_offers",
  "status",
  "publish_at",
  "published_at",
  "reading_minutes",
  "author_id",
  "comments_enabled",
  "created_at",
  "updated_at",
] as const satisfies readonly (keyof PostRow)[];
export type PagePost = Pick<PostRow, (typeof pagePostColumns)[number]>;

const pagePostBySlug = prepared((db, slug) =>
  db
    .selectFrom("posts")
    .select(pagePostColumns.map((col) => `posts.${col}` as const))
    .where("posts.slug", "=", slug),
);

/**
 * The post page's data in one statement: the post, its tags and its visible
 * comments as JSON arrays beside the row. On PostgreSQL each statement is a
 * round trip (the pg client already sends Parse/Bind/Describe/Execute/Sync in
 * one corked write), and three of them a page were the client's largest cost
 * in the profile. The comments come whether or not the viewer may read them;
 * the page drops them when it may not (they never reach the response).
 * The arrays keep the subqueries' ORDER BY (json_agg / json_group_array over
 * an ordered derived table, as Kysely's helpers do).
 */
const postPageRow = prepared((db, slug) => {
  const jsonArray = isPostgres(db) ? pgJsonArray : sqliteJsonArray;
  const postId = sql.ref<string>("posts.id");
  return db
    .selectFrom("posts")
    .select(pagePostColumns.map((col) => `posts.${col}` as const))
    .select([
      jsonArray(postTagsQuery(db, postId)).as("tags_json"),
      jsonArray(commentsQuery(db, postId, defaultLimit)).as("comments_json"),
    ])
    .where("posts.slug", "=", slug);
});

export interface PostPageData {
  post: PagePost;
  tags: TagRef[];
  comments: CommentView[];
}

// PostgreSQL's driver parses json columns; SQLite returns the text.
const parsed = <T>(v: unknown): T[] => (typeof v === "string" ? (JSON.parse(v) as T[]) : (v as T[]));

/** The post, its tags and visible comments in one statement (both dialects; the page uses it on PostgreSQL). */
export async function postWithTagsAndComments(db: Db, slug: string): Promise<PostPageData | undefined> {
  const row = (await postPageRow(db, slug))[0];
  if (!row) return undefined;
  const { tags_json, comments_json, ...post } = row;
  return {
    post: post as PagePost,
    tags: parsed<TagRef>(tags_json),
    comments: parsed<Parameters<typeof commentView>[0]>(comments_json).map(commentView),
  };
}

/**
 * The post page's lookup. PostgreSQL: one statement, tags and comments
 * included. SQLite has no round trip to save (the statements run in process)
 * and the JSON building and parsing cost more than the two small queries, so
 * there the page reads the post alone and its tags and comments as before.
 * Both read the page's columns only (pagePostColumns).
 */
export async function postPageBySlug(
  db: Db,
  slug: string,
): Promise<{ post: PagePost; loaded?: Omit<PostPageData, "post"> } | undefined> {
  if (!isPostgres(db)) {
    const post = (await pagePostBySlug(db, slug))[0];
    return post && { post };
  }
  const data = await postWithTagsAndComments(db, slug);
  return data && { post: data.post, loaded: { tags: data.tags, comments: data.comments } };
}
