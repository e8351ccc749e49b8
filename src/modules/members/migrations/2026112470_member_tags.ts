import type { Kysely } from "kysely";

/** Tags the owner puts on members (workshop, city, "collector"...), used to filter and to target newsletters. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("member_tags")
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("tag", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("member_tags_pk", ["member_id", "tag"])
    .execute();
  await db.schema.createIndex("member_tags_tag_idx").on("member_tags").columns(["tag", "member_id"]).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("member_tags").ifExists().execute();
}
