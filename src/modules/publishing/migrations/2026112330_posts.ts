import type { Kysely } from "kysely";

/*
 * Posts, tags, comments and comment blocks (publishing module, helper P).
 * Immutable once merged: later changes get a new migration file.
 * The rendered teaser/paid HTML is stored beside the Markdown so reading
 * surfaces never render Markdown per request and never have to split it.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("posts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("excerpt", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("body_md", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("teaser_html", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("paid_html", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("teaser_text", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("paid_text", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("cover_file_id", "text")
    .addColumn("audience", "text", (c) => c.notNull().defaultTo("public"))
    .addColumn("audience_offers", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("draft"))
    .addColumn("publish_at", "text")
    .addColumn("published_at", "text")
    .addColumn("reading_minutes", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("author_id", "text")
    .addColumn("comments_enabled", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("posts_status_published_idx").on("posts").columns(["status", "published_at"]).execute();
  await db.schema.createIndex("posts_status_publish_at_idx").on("posts").columns(["status", "publish_at"]).execute();
  await db.schema.createIndex("posts_updated_idx").on("posts").columns(["updated_at", "id"]).execute();

  await db.schema
    .createTable("tags")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("post_tags")
    .addColumn("post_id", "text", (c) => c.notNull().references("posts.id").onDelete("cascade"))
    .addColumn("tag_id", "text", (c) => c.notNull().references("tags.id").onDelete("cascade"))
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("post_tags_pk", ["post_id", "tag_id"])
    .execute();
  await db.schema.createIndex("post_tags_tag_idx").on("post_tags").columns(["tag_id", "post_id"]).execute();

  await db.schema
    .createTable("comments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("post_id", "text", (c) => c.notNull().references("posts.id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("visible"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("comments_post_idx").on("comments").columns(["post_id", "created_at"]).execute();
  await db.schema.createIndex("comments_created_idx").on("comments").columns(["created_at", "id"]).execute();
  await db.schema.createIndex("comments_member_idx").on("comments").column("member_id").execute();

  await db.schema
    .createTable("comment_blocks")
    .addColumn("member_id", "text", (c) => c.primaryKey().references("members.id").onDelete("cascade"))
    .addColumn("blocked_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["comment_blocks", "comments", "post_tags", "tags", "posts"])
    await db.schema.dropTable(t).ifExists().execute();
}
