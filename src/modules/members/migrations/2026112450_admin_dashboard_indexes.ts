import type { Kysely } from "kysely";

/*
 * The dashboard counts newsletter subscribers (active and opted in) at every
 * visit: with this index the count reads the index only, even with 100,000+
 * members. Immutable once merged.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("members_status_opt_in_idx")
    .ifNotExists()
    .on("members")
    .columns(["status", "email_opt_in"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("members_status_opt_in_idx").ifExists().execute();
}
