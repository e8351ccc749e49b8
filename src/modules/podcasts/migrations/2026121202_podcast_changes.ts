import type { Kysely } from "kysely";

/*
 * One row counting every write to shows, episodes and private feeds that a
 * feed's ETag or token depends on (podcasts module): bumped in the writing
 * transaction, so another process learns "a feed may have changed"
 * from one indexed single-row read, whatever the writer's wall clock said.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("podcast_changes")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("n", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.insertInto("podcast_changes").values({ id: 1, n: 0 }).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("podcast_changes").execute();
}
