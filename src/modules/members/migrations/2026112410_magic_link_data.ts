import type { Kysely } from "kysely";

/*
 * A confirmation link remembers what the person asked for when it was sent
 * (newsletter yes/no, the consent wording they saw, where to go next), so the
 * consent recorded at confirmation is exactly the one they gave.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("magic_links").addColumn("data", "text").execute();
  await db.schema.createIndex("magic_links_member_idx").on("magic_links").column("member_id").execute();
  await db.schema.createIndex("magic_links_expires_idx").on("magic_links").column("expires_at").execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("magic_links_expires_idx").execute();
  await db.schema.dropIndex("magic_links_member_idx").execute();
  await db.schema.alterTable("magic_links").dropColumn("data").execute();
}
