import type { Kysely } from "kysely";

/* Newsletter sending engine. Immutable once merged: later changes get a new migration file. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("newsletter_sends")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("post_id", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("segment", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("scheduled_at", "text", (c) => c.notNull())
    .addColumn("started_at", "text")
    .addColumn("finished_at", "text")
    .addColumn("recipients", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_by", "text")
    .addColumn("heartbeat_at", "text")
    .addColumn("resume_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("newsletter_sends_state_idx")
    .on("newsletter_sends")
    .columns(["state", "scheduled_at"])
    .execute();
  await db.schema.createIndex("newsletter_sends_created_idx").on("newsletter_sends").column("created_at").execute();

  // One row per recipient, written before anything is sent; (send_id, member_id) is the key,
  // so a recipient can never be queued twice for one send.
  await db.schema
    .createTable("newsletter_deliveries")
    .addColumn("send_id", "text", (c) => c.notNull().references("newsletter_sends.id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("batch_no", "integer", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull().defaultTo("queued"))
    .addColumn("reason", "text")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("lease_owner", "text")
    .addColumn("lease_until", "text")
    .addColumn("accepted_at", "text")
    .addColumn("unsubscribed_at", "text")
    .addColumn("opened_at", "text")
    .addColumn("clicked_at", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("newsletter_deliveries_pk", ["send_id", "member_id"])
    .execute();
  await db.schema
    .createIndex("newsletter_deliveries_batch_idx")
    .on("newsletter_deliveries")
    .columns(["send_id", "batch_no", "state"])
    .execute();
  await db.schema
    .createIndex("newsletter_deliveries_state_idx")
    .on("newsletter_deliveries")
    .columns(["send_id", "state"])
    .execute();
  await db.schema.createIndex("newsletter_deliveries_email_idx").on("newsletter_deliveries").column("email").execute();
  await db.schema
    .createIndex("newsletter_deliveries_member_idx")
    .on("newsletter_deliveries")
    .column("member_id")
    .execute();

  await db.schema
    .createTable("newsletter_suppressions")
    .addColumn("email", "text", (c) => c.primaryKey())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("detail", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("newsletter_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("send_id", "text", (c) => c.notNull().references("newsletter_sends.id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("url", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("newsletter_events_send_idx")
    .on("newsletter_events")
    .columns(["send_id", "kind"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("newsletter_events").execute();
  await db.schema.dropTable("newsletter_suppressions").execute();
  await db.schema.dropTable("newsletter_deliveries").execute();
  await db.schema.dropTable("newsletter_sends").execute();
}
