import type { Kysely } from "kysely";

/** Coaching: the creator's availability, coaching offers, credits, bookings and the slot claims that forbid double booking. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("coaching_settings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("time_zone", "text", (c) => c.notNull())
    .addColumn("buffer_before_min", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("buffer_after_min", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("min_notice_min", "integer", (c) => c.notNull().defaultTo(720))
    .addColumn("window_days", "integer", (c) => c.notNull().defaultTo(60))
    .addColumn("max_per_day", "integer", (c) => c.notNull().defaultTo(4))
    .addColumn("cancel_hours", "integer", (c) => c.notNull().defaultTo(24))
    .addColumn("video_mode", "text", (c) => c.notNull().defaultTo("jitsi"))
    .addColumn("jitsi_base_url", "text", (c) => c.notNull().defaultTo("https://meet.jit.si"))
    .addColumn("fixed_link", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("ics_url", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("ics_error", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("ics_checked_at", "text")
    .addColumn("feed_token_hash", "text")
    .addColumn("for_whom", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("not_for_whom", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("coaching_weekly_hours")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("weekday", "integer", (c) => c.notNull())
    .addColumn("start_min", "integer", (c) => c.notNull())
    .addColumn("end_min", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("coaching_overrides")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("date", "text", (c) => c.notNull())
    .addColumn("start_min", "integer")
    .addColumn("end_min", "integer")
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema.createIndex("coaching_overrides_date_idx").on("coaching_overrides").column("date").execute();
  await db.schema
    .createTable("coaching_busy")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("starts_at", "text", (c) => c.notNull())
    .addColumn("ends_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("coaching_busy_start_idx").on("coaching_busy").column("starts_at").execute();
  await db.schema
    .createTable("coaching_offers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("duration_min", "integer", (c) => c.notNull())
    .addColumn("sessions", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("validity_days", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("offer_id", "text")
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("coaching_bookings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("coaching_offer_id", "text", (c) => c.notNull().references("coaching_offers.id"))
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("starts_at", "text", (c) => c.notNull())
    .addColumn("ends_at", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("hold_expires_at", "text")
    .addColumn("order_id", "text")
    .addColumn("credit_id", "text")
    .addColumn("sequence", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("video_url", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("client_time_zone", "text", (c) => c.notNull().defaultTo("UTC"))
    .addColumn("locale", "text", (c) => c.notNull().defaultTo("fr"))
    .addColumn("private_notes", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("shared_summary", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("reminder_24_at", "text")
    .addColumn("reminder_1_at", "text")
    .addColumn("cancelled_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("coaching_bookings_start_idx").on("coaching_bookings").column("starts_at").execute();
  await db.schema
    .createIndex("coaching_bookings_member_idx")
    .on("coaching_bookings")
    .columns(["member_id", "starts_at"])
    .execute();
  await db.schema.createIndex("coaching_bookings_order_idx").on("coaching_bookings").column("order_id").execute();
  await db.schema
    .createTable("coaching_credits")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("coaching_offer_id", "text", (c) => c.notNull().references("coaching_offers.id"))
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("expires_at", "text")
    .addColumn("booking_id", "text", (c) => c.unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("coaching_credits_source_uq", ["source", "coaching_offer_id", "seq"])
    .execute();
  await db.schema
    .createIndex("coaching_credits_member_idx")
    .on("coaching_credits")
    .columns(["member_id", "coaching_offer_id"])
    .execute();
  await db.schema
    .createTable("coaching_slot_claims")
    .addColumn("cell", "text", (c) => c.primaryKey())
    .addColumn("booking_id", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("coaching_slot_claims_booking_idx")
    .on("coaching_slot_claims")
    .column("booking_id")
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    "coaching_slot_claims",
    "coaching_credits",
    "coaching_bookings",
    "coaching_offers",
    "coaching_busy",
    "coaching_overrides",
    "coaching_weekly_hours",
    "coaching_settings",
  ])
    await db.schema.dropTable(t).ifExists().execute();
}
