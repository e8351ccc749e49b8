import { sql, type Kysely } from "kysely";

/**
 * orders.tax_amount: the VAT Stripe Tax computed into the amount paid (minor
 * units; null when no tax was computed), shown on the receipt and the order
 * page. subscriptions.cancel_requested_at: when the subscription started to
 * end (cancel at period end, or cancelled outright), cleared on resume; the
 * dashboard counts cancellations by it instead of guessing from updated_at.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("orders").addColumn("tax_amount", "integer").execute();
  await db.schema.alterTable("subscriptions").addColumn("cancel_requested_at", "text").execute();
  // Existing rows: the best record there is (the cancellation date, else the last change of an ending subscription).
  await sql`UPDATE subscriptions SET cancel_requested_at = COALESCE(canceled_at, updated_at)
            WHERE canceled_at IS NOT NULL OR cancel_at_period_end = 1`.execute(db);
  await db.schema
    .createIndex("subscriptions_cancel_requested_idx")
    .on("subscriptions")
    .column("cancel_requested_at")
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("subscriptions_cancel_requested_idx").execute();
  await db.schema.alterTable("subscriptions").dropColumn("cancel_requested_at").execute();
  await db.schema.alterTable("orders").dropColumn("tax_amount").execute();
}
