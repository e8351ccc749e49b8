import type { Kysely } from "kysely";

/**
 * A post's tags are read in position order on every post page. The primary key (post_id, tag_id)
 * found them but left SQLite sorting them in a temporary B-tree at each render (the tags query
 * cost more than the post's own row); with (post_id, position) they come in order.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("post_tags_order_idx").on("post_tags").columns(["post_id", "position"]).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("post_tags_order_idx").ifExists().execute();
}
