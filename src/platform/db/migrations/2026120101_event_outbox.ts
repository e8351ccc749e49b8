import { sql, type Kysely } from "kysely";
import { isPostgres } from "../index.ts";

/*
 * The typed event catalogue and its outbox: events get the version of their
 * type and a `tx` that grows in commit order (PostgreSQL: the writing
 * transaction's id; SQLite: a counter in event_sequence), and each outbox
 * consumer keeps its position in event_cursors. Immutable once merged.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("events")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  if (isPostgres(db)) {
    await sql`ALTER TABLE events ADD COLUMN tx bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint)`.execute(
      db,
    );
  } else {
    await db.schema
      .alterTable("events")
      .addColumn("tx", "bigint", (c) => c.notNull().defaultTo(0))
      .execute();
  }
  await db.schema.createIndex("events_tx_idx").on("events").columns(["tx", "id"]).execute();
  await db.schema
    .createTable("event_sequence")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("n", "bigint", (c) => c.notNull())
    .execute();
  await db.insertInto("event_sequence").values({ id: 1, n: 0 }).execute();
  await db.schema
    .createTable("event_cursors")
    .addColumn("consumer", "text", (c) => c.primaryKey())
    .addColumn("last_tx", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("last_id", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("event_cursors").ifExists().execute();
  await db.schema.dropTable("event_sequence").ifExists().execute();
  await db.schema.dropIndex("events_tx_idx").ifExists().execute();
  await db.schema.alterTable("events").dropColumn("tx").execute();
  await db.schema.alterTable("events").dropColumn("version").execute();
}
