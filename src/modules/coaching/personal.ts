import { registerAccountExport, registerEraseHook } from "../members/index.ts";

/**
 * A client's coaching data: their bookings (times, meeting link, the shared
 * summary) and credits are in "download my data"; the creator's private
 * notes are the creator's own working notes and are never exported to the
 * client. Erasing the member deletes their bookings (notes included), their
 * credits and the slot claims of those bookings.
 */
export function registerCoachingPersonalData(): void {
  registerAccountExport("coaching", async (db, member) => {
    const bookings = await db
      .selectFrom("coaching_bookings")
      .innerJoin("coaching_offers", "coaching_offers.id", "coaching_bookings.coaching_offer_id")
      // Never selectAll: private_notes must not reach the client.
      .select([
        "coaching_offers.title",
        "coaching_bookings.starts_at",
        "coaching_bookings.ends_at",
        "coaching_bookings.status",
        "coaching_bookings.client_time_zone",
        "coaching_bookings.video_url",
        "coaching_bookings.shared_summary",
        "coaching_bookings.created_at",
      ])
      .where("member_id", "=", member.id)
      .execute();
    const credits = await db
      .selectFrom("coaching_credits")
      .select(["coaching_offer_id", "expires_at", "booking_id", "created_at"])
      .where("member_id", "=", member.id)
      .execute();
    const applications = await db
      .selectFrom("coaching_applications")
      .select(["coaching_offer_id", "answers", "score", "max_score", "status", "message", "resources", "created_at"])
      .where("member_id", "=", member.id)
      .execute();
    return { bookings, credits, applications };
  });
  registerEraseHook(async (trx, member) => {
    const ids = (
      await trx.selectFrom("coaching_bookings").select("id").where("member_id", "=", member.id).execute()
    ).map((b) => b.id);
    if (ids.length) {
      await trx.deleteFrom("coaching_slot_claims").where("booking_id", "in", ids).execute();
      await trx.deleteFrom("coaching_day_claims").where("booking_id", "in", ids).execute();
    }
    await trx.deleteFrom("coaching_credits").where("member_id", "=", member.id).execute();
    await trx.deleteFrom("coaching_applications").where("member_id", "=", member.id).execute();
    await trx.deleteFrom("coaching_bookings").where("member_id", "=", member.id).execute();
  });
}
