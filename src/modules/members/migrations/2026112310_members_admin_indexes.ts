import { PostgresAdapter, sql, type Kysely } from "kysely";

/*
 * Indexes behind the admin's member list (filters + sort + keyset paging stay
 * index-driven at 100,000 members). The foundation already has
 * (created_at, id), (status, created_at) and (name). Immutable once merged.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Sort by name pages on (name, id); the id breaks ties between equal names.
  await db.schema.createIndex("members_name_id_idx").ifNotExists().on("members").columns(["name", "id"]).execute();
  // Newsletter and source filters, newest first.
  await db.schema
    .createIndex("members_opt_in_created_idx")
    .ifNotExists()
    .on("members")
    .columns(["email_opt_in", "created_at", "id"])
    .execute();
  // Also serves SELECT DISTINCT source for the filter's choices.
  await db.schema
    .createIndex("members_source_created_idx")
    .ifNotExists()
    .on("members")
    .columns(["source", "created_at", "id"])
    .execute();
  // Consent history on the member page, in date order.
  await db.schema
    .createIndex("member_consents_member_created_idx")
    .ifNotExists()
    .on("member_consents")
    .columns(["member_id", "created_at"])
    .execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter) await trigramIndexes(db);
}

/**
 * PostgreSQL only: the search box is ILIKE '%text%', which no B-tree serves;
 * trigram GIN indexes turn its scan of every row into an index lookup.
 * pg_trgm is a trusted extension (the database owner may create it); when the
 * server refuses, the search still works, by scanning, so the failure is
 * contained in a savepoint instead of stopping the upgrade.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function trigramIndexes(db: Kysely<any>): Promise<void> {
  await sql`SAVEPOINT members_trgm`.execute(db);
  try {
    await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
    await sql`CREATE INDEX IF NOT EXISTS members_email_trgm_idx ON members USING gin (email gin_trgm_ops)`.execute(db);
    await sql`CREATE INDEX IF NOT EXISTS members_name_trgm_idx ON members USING gin (name gin_trgm_ops)`.execute(db);
    await sql`RELEASE SAVEPOINT members_trgm`.execute(db);
  } catch {
    await sql`ROLLBACK TO SAVEPOINT members_trgm`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const name of [
    "members_name_trgm_idx",
    "members_email_trgm_idx",
    "member_consents_member_created_idx",
    "members_source_created_idx",
    "members_opt_in_created_idx",
    "members_name_id_idx",
  ]) {
    await db.schema.dropIndex(name).ifExists().execute();
  }
}
