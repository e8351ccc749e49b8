import type { Kysely } from "kysely";

/*
 * One row counting every write to entitlements (access module): bumped in the
 * writing transaction, so another process learns "someone's access changed"
 * from one indexed single-row read, whatever the writer's wall clock said.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("access_changes")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("n", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.insertInto("access_changes").values({ id: 1, n: 0 }).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("access_changes").execute();
}
