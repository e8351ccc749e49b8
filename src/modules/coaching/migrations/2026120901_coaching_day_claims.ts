import type { Kysely } from "kysely";
import { DateTime } from "luxon";

/**
 * The daily maximum enforced by the database: a booking claims one numbered
 * place (1..max) of its local day; (coach, day, n) is the primary key, so two
 * concurrent bookings can never take the same place, whatever they read
 * before. Credits gain `revoked_at` (refunded after a late payment: kept for
 * the record, never bookable again, and a replayed payment cannot re-grant
 * it since its unique (source, offer, seq) row is still there).
 * Active bookings already stored get their places, in start order.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("coaching_day_claims")
    .addColumn("coach", "text", (c) => c.notNull())
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("n", "integer", (c) => c.notNull())
    .addColumn("booking_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("coaching_day_claims_pk", ["coach", "day", "n"])
    .execute();
  await db.schema
    .createIndex("coaching_day_claims_booking_idx")
    .on("coaching_day_claims")
    .column("booking_id")
    .execute();
  await db.schema.alterTable("coaching_credits").addColumn("revoked_at", "text").execute();

  const settings = await db.selectFrom("coaching_settings").select("time_zone").executeTakeFirst();
  const zone = (settings?.time_zone as string | undefined) ?? "Europe/Paris";
  const rows = (await db
    .selectFrom("coaching_bookings")
    .select(["id", "starts_at"])
    .where("status", "in", ["pending_payment", "confirmed"])
    .orderBy("starts_at")
    .execute()) as { id: string; starts_at: string }[];
  const used = new Map<string, number>();
  const claims = rows.map((b) => {
    const day = DateTime.fromISO(b.starts_at, { zone: "utc" }).setZone(zone).toISODate()!;
    const n = (used.get(day) ?? 0) + 1;
    used.set(day, n);
    return { coach: "default", day, n, booking_id: b.id };
  });
  for (let i = 0; i < claims.length; i += 200)
    await db
      .insertInto("coaching_day_claims")
      .values(claims.slice(i, i + 200))
      .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("coaching_day_claims").ifExists().execute();
  await db.schema.alterTable("coaching_credits").dropColumn("revoked_at").execute();
}
