import type { Kysely } from "kysely";

/*
 * Offers, prices, orders, subscriptions, entitlements and the provider's event
 * ledger. Immutable once merged: later changes get a new migration file.
 * Nullable UNIQUE columns (provider ids) allow many NULLs on both SQLite and
 * PostgreSQL, so a row can exist before the provider has named it.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("offers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("summary", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("description_md", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("description_html", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("draft"))
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("highlight", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("provider_product_id", "text", (c) => c.unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("offers_status_idx").on("offers").columns(["status", "position"]).execute();

  await db.schema
    .createTable("prices")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("offer_id", "text", (c) => c.notNull().references("offers.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("interval", "text")
    .addColumn("amount", "integer", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("pay_what_you_want", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("min_amount", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("suggested_amount", "integer")
    .addColumn("trial_days", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("provider_price_id", "text", (c) => c.unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("prices_offer_idx").on("prices").columns(["offer_id", "position"]).execute();

  await db.schema
    .createTable("offer_files")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("offer_id", "text", (c) => c.notNull().references("offers.id").onDelete("cascade"))
    .addColumn("file_id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("offer_files_offer_idx").on("offer_files").columns(["offer_id", "position"]).execute();

  // What holding an offer grants: a resource kind and an id, or "*" for every resource of that kind.
  await db.schema
    .createTable("offer_includes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("offer_id", "text", (c) => c.notNull().references("offers.id").onDelete("cascade"))
    .addColumn("resource_kind", "text", (c) => c.notNull())
    .addColumn("resource_id", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("offer_includes_unique", ["offer_id", "resource_kind", "resource_id"])
    .execute();
  await db.schema
    .createIndex("offer_includes_resource_idx")
    .on("offer_includes")
    .columns(["resource_kind", "resource_id"])
    .execute();

  await db.schema
    .createTable("discount_codes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("code", "text", (c) => c.notNull().unique())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("value", "integer", (c) => c.notNull())
    .addColumn("currency", "text")
    .addColumn("offer_ids", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("starts_at", "text")
    .addColumn("ends_at", "text")
    .addColumn("max_redemptions", "integer")
    .addColumn("redemptions_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("discount_redemptions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("code_id", "text", (c) => c.notNull().references("discount_codes.id").onDelete("cascade"))
    .addColumn("reference", "text", (c) => c.notNull())
    .addColumn("member_id", "text")
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("amount_off", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("reserved"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("discount_redemptions_unique", ["code_id", "reference"])
    .execute();

  await db.schema
    .createTable("orders")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("member_id", "text")
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("offer_id", "text", (c) => c.notNull())
    .addColumn("price_id", "text")
    .addColumn("subscription_id", "text")
    .addColumn("gift_id", "text")
    .addColumn("amount", "integer", (c) => c.notNull())
    .addColumn("discount_amount", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("discount_code_id", "text")
    .addColumn("amount_paid", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("amount_refunded", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("provider_checkout_id", "text", (c) => c.unique())
    .addColumn("provider_payment_id", "text", (c) => c.unique())
    .addColumn("provider_invoice_id", "text", (c) => c.unique())
    .addColumn("provider_customer_id", "text")
    .addColumn("created_member", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("browser_token_hash", "text")
    .addColumn("locale", "text", (c) => c.notNull().defaultTo("fr"))
    .addColumn("paid_at", "text")
    .addColumn("refunded_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("orders_member_idx").on("orders").columns(["member_id", "created_at"]).execute();
  await db.schema.createIndex("orders_offer_idx").on("orders").columns(["offer_id", "created_at"]).execute();
  await db.schema.createIndex("orders_paid_idx").on("orders").columns(["status", "paid_at"]).execute();

  await db.schema
    .createTable("subscriptions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("member_id", "text")
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("offer_id", "text", (c) => c.notNull())
    .addColumn("price_id", "text", (c) => c.notNull())
    .addColumn("amount", "integer", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("interval", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("provider_subscription_id", "text", (c) => c.unique())
    .addColumn("provider_checkout_id", "text", (c) => c.unique())
    .addColumn("provider_customer_id", "text")
    .addColumn("provider_price_id", "text")
    .addColumn("current_period_end", "text")
    .addColumn("cancel_at_period_end", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("canceled_at", "text")
    .addColumn("cancel_reason", "text")
    .addColumn("discount_amount", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("discount_code_id", "text")
    .addColumn("created_member", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("browser_token_hash", "text")
    .addColumn("locale", "text", (c) => c.notNull().defaultTo("fr"))
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("subscriptions_member_idx")
    .on("subscriptions")
    .columns(["member_id", "created_at"])
    .execute();
  await db.schema.createIndex("subscriptions_status_idx").on("subscriptions").columns(["status", "offer_id"]).execute();

  // One row per (member, resource, source): granting the same thing twice from the same payment is impossible.
  await db.schema
    .createTable("entitlements")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("member_id", "text", (c) => c.notNull())
    .addColumn("resource_kind", "text", (c) => c.notNull())
    .addColumn("resource_id", "text", (c) => c.notNull())
    .addColumn("source_kind", "text", (c) => c.notNull())
    .addColumn("source_id", "text", (c) => c.notNull())
    .addColumn("starts_at", "text", (c) => c.notNull())
    .addColumn("ends_at", "text")
    .addColumn("revoked_at", "text")
    .addColumn("revoke_reason", "text")
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("entitlements_unique", [
      "member_id",
      "resource_kind",
      "resource_id",
      "source_kind",
      "source_id",
    ])
    .execute();
  await db.schema
    .createIndex("entitlements_member_idx")
    .on("entitlements")
    .columns(["member_id", "resource_kind", "resource_id"])
    .execute();
  await db.schema
    .createIndex("entitlements_source_idx")
    .on("entitlements")
    .columns(["source_kind", "source_id"])
    .execute();

  await db.schema
    .createTable("provider_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("object_id", "text")
    .addColumn("data", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("result", "text", (c) => c.notNull().defaultTo("applied"))
    .addColumn("created", "integer", (c) => c.notNull())
    .addColumn("received_at", "text", (c) => c.notNull())
    .addColumn("processed_at", "text")
    .execute();
  await db.schema
    .createIndex("provider_events_object_idx")
    .on("provider_events")
    .columns(["type", "object_id"])
    .execute();

  await db.schema
    .createTable("provider_customers")
    .addColumn("provider_customer_id", "text", (c) => c.primaryKey())
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("member_id", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("provider_customers_member_unique", ["provider", "member_id"])
    .execute();

  await db.schema
    .createTable("gifts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.notNull().unique())
    .addColumn("offer_id", "text", (c) => c.notNull())
    .addColumn("price_id", "text")
    .addColumn("purchaser_member_id", "text")
    .addColumn("purchaser_email", "text", (c) => c.notNull())
    .addColumn("recipient_email", "text", (c) => c.notNull())
    .addColumn("recipient_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("message", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("duration_days", "integer")
    .addColumn("claim_token_hash", "text", (c) => c.notNull().unique())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("claimed_by", "text")
    .addColumn("claimed_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    "gifts",
    "provider_customers",
    "provider_events",
    "entitlements",
    "subscriptions",
    "orders",
    "discount_redemptions",
    "discount_codes",
    "offer_includes",
    "offer_files",
    "prices",
    "offers",
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
