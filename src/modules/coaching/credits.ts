import type { Db } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";

/**
 * Credits: one row per session a member may book. A booking takes one by
 * setting its booking_id (guarded by `booking_id IS NULL`, so two bookings
 * racing for the last credit cannot both get it); a cancellation in time
 * gives it back by clearing that booking's id (a second return finds none).
 */

export async function grantCredits(
  trx: Db,
  g: {
    memberId: string;
    coachingOfferId: string;
    source: string;
    count: number;
    expiresAt: string | null;
    at: string;
    subscriptionId?: string;
    orderId?: string;
  },
): Promise<number> {
  let inserted = 0;
  for (let seq = 1; seq <= g.count; seq++) {
    const r = await trx
      .insertInto("coaching_credits")
      .values({
        id: newId(),
        member_id: g.memberId,
        coaching_offer_id: g.coachingOfferId,
        source: g.source,
        seq,
        expires_at: g.expiresAt,
        booking_id: null,
        revoked_at: null,
        subscription_id: g.subscriptionId ?? null,
        order_id: g.orderId ?? null,
        created_at: g.at,
        updated_at: g.at,
      })
      .onConflict((oc) => oc.columns(["source", "coaching_offer_id", "seq"]).doNothing())
      .executeTakeFirst();
    inserted += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

/** Takes one unexpired free credit (the one ending first) for a booking; null when none is left. */
export async function takeCredit(
  trx: Db,
  memberId: string,
  coachingOfferId: string,
  bookingId: string,
  now: string,
): Promise<string | null> {
  // A concurrent booking may take the credit we picked between the read and the write: pick again (bounded).
  for (let attempt = 0; attempt < 5; attempt++) {
    const candidate = await trx
      .selectFrom("coaching_credits")
      .select("id")
      .where("member_id", "=", memberId)
      .where("coaching_offer_id", "=", coachingOfferId)
      .where("booking_id", "is", null)
      .where("revoked_at", "is", null)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
      .orderBy("expires_at")
      .orderBy("created_at")
      .orderBy("seq")
      .executeTakeFirst();
    if (!candidate) return null;
    const r = await trx
      .updateTable("coaching_credits")
      .set({ booking_id: bookingId, updated_at: now })
      .where("id", "=", candidate.id)
      .where("booking_id", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) return candidate.id;
  }
  return null;
}

/** Gives a booking's credit back; true only the one time it actually returns. */
export async function returnCredit(trx: Db, bookingId: string, now: string): Promise<boolean> {
  const r = await trx
    .updateTable("coaching_credits")
    .set({ booking_id: null, updated_at: now })
    .where("booking_id", "=", bookingId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A lapsed membership (cancelled, unpaid) takes back the unused credits its periods granted. */
export async function revokeSubscriptionCredits(trx: Db, subscriptionId: string, at: string): Promise<number> {
  const r = await trx
    .updateTable("coaching_credits")
    .set({ revoked_at: at, updated_at: at })
    .where("subscription_id", "=", subscriptionId)
    .where("booking_id", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface CreditSummary {
  coachingOfferId: string;
  left: number;
  used: number;
  nextExpiry: string | null;
}

/** A member's credits per coaching offer: left (free, unexpired), used, and the soonest expiry of those left. */
export async function memberCredits(db: Db, memberId: string, now: string): Promise<CreditSummary[]> {
  const rows = await db
    .selectFrom("coaching_credits")
    .select(["coaching_offer_id", "booking_id", "expires_at"])
    .where("member_id", "=", memberId)
    .where("revoked_at", "is", null)
    .execute();
  const by = new Map<string, CreditSummary>();
  for (const r of rows) {
    let s = by.get(r.coaching_offer_id);
    if (!s)
      by.set(r.coaching_offer_id, (s = { coachingOfferId: r.coaching_offer_id, left: 0, used: 0, nextExpiry: null }));
    if (r.booking_id) s.used++;
    else if (!r.expires_at || r.expires_at > now) {
      s.left++;
      if (r.expires_at && (!s.nextExpiry || r.expires_at < s.nextExpiry)) s.nextExpiry = r.expires_at;
    }
  }
  return [...by.values()];
}
