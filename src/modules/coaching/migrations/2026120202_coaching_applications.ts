import type { Kysely } from "kysely";

/** Applications before purchase: an offer's questions, and each applicant's answers, score and the creator's decision. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("coaching_offers")
    .addColumn("questions", "text", (c) => c.notNull().defaultTo("[]"))
    .execute();
  await db.schema
    .alterTable("coaching_offers")
    .addColumn("fit_threshold", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("coaching_offers")
    .addColumn("accept_days", "integer", (c) => c.notNull().defaultTo(7))
    .execute();
  await db.schema
    .createTable("coaching_applications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("coaching_offer_id", "text", (c) => c.notNull().references("coaching_offers.id"))
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("answers", "text", (c) => c.notNull())
    .addColumn("score", "integer", (c) => c.notNull())
    .addColumn("max_score", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("resources", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("valid_until", "text")
    .addColumn("decided_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("coaching_applications_member_idx")
    .on("coaching_applications")
    .columns(["member_id", "coaching_offer_id"])
    .execute();
  await db.schema
    .createIndex("coaching_applications_status_idx")
    .on("coaching_applications")
    .columns(["status", "created_at"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("coaching_applications").ifExists().execute();
}
