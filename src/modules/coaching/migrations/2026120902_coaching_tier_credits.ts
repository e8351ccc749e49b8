import type { Kysely } from "kysely";

/**
 * Coaching in a membership tier: a credit granted for one billing period
 * remembers the subscription (so a lapse takes back the unused ones) and the
 * invoice's order (so a refund of that renewal does). Its source is
 * "subscription:<id>:<period end>", unique per period with (offer, seq).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("coaching_credits").addColumn("subscription_id", "text").execute();
  await db.schema.alterTable("coaching_credits").addColumn("order_id", "text").execute();
  await db.schema
    .createIndex("coaching_credits_subscription_idx")
    .on("coaching_credits")
    .column("subscription_id")
    .execute();
  await db.schema.createIndex("coaching_credits_order_idx").on("coaching_credits").column("order_id").execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("coaching_credits_order_idx").execute();
  await db.schema.dropIndex("coaching_credits_subscription_idx").execute();
  await db.schema.alterTable("coaching_credits").dropColumn("order_id").execute();
  await db.schema.alterTable("coaching_credits").dropColumn("subscription_id").execute();
}
