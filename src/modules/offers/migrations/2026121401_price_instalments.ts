import type { Kysely } from "kysely";

/**
 * Payment in instalments: a price paid as N monthly payments of its amount (0 = not in instalments),
 * and the subscription that collects them (cancelled after the last one, see instalments.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("prices")
    .addColumn("instalments", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("subscriptions")
    .addColumn("instalments", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("subscriptions").dropColumn("instalments").execute();
  await db.schema.alterTable("prices").dropColumn("instalments").execute();
}
