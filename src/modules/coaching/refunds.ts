import type { Db } from "../../platform/db/index.ts";
import { record, type EventRow } from "../../platform/events/index.ts";
import { queueMail } from "../../platform/mail/index.ts";
import { releaseClaims } from "./claims.ts";
import { creditsRevoked, sessionCancelled } from "./events.ts";

/**
 * Refunds of an order that granted coaching credits (a package, a single
 * session, a tier's period credits), from the sales page or the provider's
 * dashboard. The rule, as a creator reads it:
 *
 * - A partial refund pays back sessions: its share of the price, in whole
 *   sessions rounded down (120 € back on a 5-session package at 600 € takes
 *   back 1 session; 50 € back as a goodwill gesture takes back none), taken
 *   from the unused credits only. Sessions already booked stay booked: if the
 *   creator refunds more sessions than are unused, the unused ones go and the
 *   booked ones are theirs to cancel or keep. The provider sends the running
 *   total refunded, so the count is the total due minus what earlier partial
 *   refunds already took: a replayed or late event takes nothing more.
 * - A full refund gives all the money back: every unused credit goes, and
 *   every upcoming session booked with this order's credits is cancelled (the
 *   client gets the calendar cancellation); past sessions stay in the history.
 *
 * - An instalment plan is one sale at its total price: a refund of one of its
 *   instalments (even in full) is a partial refund of the plan, counted on the
 *   plan's total refunded against its total price (offers sends those figures
 *   and the plan's id); only all of it given back is a full refund.
 *
 * The client gets one email per refund saying what changed and what is left; the creator a short
 * one when unused sessions were taken back.
 */

interface CreditRow {
  id: string;
  member_id: string;
  coaching_offer_id: string;
  title: string;
  seq: number;
  booking_id: string | null;
  revoked_at: string | null;
  expires_at: string | null;
}

async function orderCredits(trx: Db, e: EventRow): Promise<CreditRow[]> {
  const orderId = String(e.data.orderId ?? "");
  // An instalment plan's sessions were granted once for the plan, whichever instalment is refunded.
  const plan = typeof e.data.planSubscriptionId === "string" ? e.data.planSubscriptionId : null;
  return (
    trx
      .selectFrom("coaching_credits")
      .innerJoin("coaching_offers", "coaching_offers.id", "coaching_credits.coaching_offer_id")
      .select([
        "coaching_credits.id",
        "coaching_credits.member_id",
        "coaching_credits.coaching_offer_id",
        "coaching_offers.title",
        "coaching_credits.seq",
        "coaching_credits.booking_id",
        "coaching_credits.revoked_at",
        "coaching_credits.expires_at",
      ])
      // A one-off order's credits by their source; a tier's period credits by the invoice's order.
      .where((eb) =>
        plan
          ? eb("coaching_credits.source", "=", `instalments:${plan}`)
          : eb.or([
              eb("coaching_credits.source", "=", `order:${orderId}`),
              eb("coaching_credits.order_id", "=", orderId),
            ]),
      )
      .orderBy("coaching_credits.seq", "desc")
      .execute()
  );
}

function byOffer(rows: CreditRow[]): CreditRow[][] {
  const groups = new Map<string, CreditRow[]>();
  for (const r of rows) {
    const g = groups.get(r.coaching_offer_id);
    if (g) g.push(r);
    else groups.set(r.coaching_offer_id, [r]);
  }
  return [...groups.values()];
}

/** Revokes these credits if still unused; returns how many were. */
async function revoke(trx: Db, ids: string[], at: string): Promise<number> {
  if (!ids.length) return 0;
  const r = await trx
    .updateTable("coaching_credits")
    .set({ revoked_at: at, updated_at: at })
    .where("id", "in", ids)
    // A booking racing for the same credit wins or loses here, never both.
    .where("booking_id", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Credits still bookable once these are gone (unused, unrevoked, unexpired). */
const leftAfter = (group: CreditRow[], taken: Set<string>, at: string) =>
  group.filter((c) => !c.booking_id && !c.revoked_at && !taken.has(c.id) && (!c.expires_at || c.expires_at > at))
    .length;

async function tell(
  trx: Db,
  e: EventRow,
  group: CreditRow[],
  p: { count: number; left: number; full: boolean; cancelled: number },
): Promise<void> {
  const first = group[0]!;
  const orderId = String(e.data.orderId);
  await record(
    trx,
    creditsRevoked,
    { coachingOfferId: first.coaching_offer_id, title: first.title, count: p.count, left: p.left, full: p.full },
    { memberId: first.member_id, actor: "system", at: e.createdAt },
  );
  const mail = {
    memberId: first.member_id,
    title: first.title,
    ...p,
    amount: Number(e.data.amount ?? 0),
    currency: String(e.data.currency ?? "EUR"),
  };
  // One revocation, one key: a replayed or late event revokes nothing and reaches none of this.
  const key = `${orderId}:${first.coaching_offer_id}:${p.full ? "full" : String(e.data.refundedTotal)}`;
  await queueMail(trx, "coaching.credits_revoked", mail, `coaching:refund:${key}`);
  // The creator is told when sessions were taken back (their language; refund-mail.ts).
  if (p.count > 0) await queueMail(trx, "coaching.credits_revoked_creator", mail, `coaching:refund-creator:${key}`);
}

/** order.partially_refunded: takes back the refunded share of sessions from the unused credits. */
export async function applyPartialRefund(trx: Db, e: EventRow): Promise<void> {
  const orderId = String(e.data.orderId ?? "");
  const refundedTotal = Number(e.data.refundedTotal ?? 0);
  const amountPaid = Number(e.data.amountPaid ?? 0);
  if (!orderId || !(amountPaid > 0) || !(refundedTotal > 0)) return;
  for (const group of byOffer(await orderCredits(trx, e))) {
    const granted = group.length;
    const due = Math.min(granted, Math.floor((refundedTotal * granted) / amountPaid));
    const already = group.filter((c) => c.revoked_at).length;
    if (due <= already) continue;
    // The last granted first (all of one order share their expiry).
    const candidates = group.filter((c) => !c.booking_id && !c.revoked_at).slice(0, due - already);
    const count = await revoke(
      trx,
      candidates.map((c) => c.id),
      e.createdAt,
    );
    if (count === 0) continue;
    const taken = new Set(candidates.map((c) => c.id));
    await tell(trx, e, group, { count, left: leftAfter(group, taken, e.createdAt), full: false, cancelled: 0 });
  }
}

/** order.refunded: cancels the upcoming sessions booked with this order's credits, then revokes every unused credit. */
export async function applyFullRefund(trx: Db, e: EventRow): Promise<void> {
  const orderId = String(e.data.orderId ?? "");
  if (!orderId) return;
  const at = e.createdAt;
  for (const group of byOffer(await orderCredits(trx, e))) {
    const booked = group.filter((c) => c.booking_id && !c.revoked_at).map((c) => c.booking_id!);
    let cancelled = 0;
    if (booked.length) {
      const upcoming = await trx
        .selectFrom("coaching_bookings")
        .select(["id", "member_id", "starts_at", "sequence"])
        .where("id", "in", booked)
        .where("status", "=", "confirmed")
        .where("starts_at", ">", at)
        .execute();
      for (const b of upcoming) {
        await trx
          .updateTable("coaching_credits")
          .set({ booking_id: null, updated_at: at })
          .where("booking_id", "=", b.id)
          .execute();
        await trx
          .updateTable("coaching_bookings")
          .set({ status: "cancelled", cancelled_at: at, sequence: b.sequence + 1, credit_id: null, updated_at: at })
          .where("id", "=", b.id)
          .execute();
        await releaseClaims(trx, b.id);
        await record(
          trx,
          sessionCancelled,
          { bookingId: b.id, title: group[0]!.title, startsAt: b.starts_at, creditReturned: false, by: "creator" },
          { memberId: b.member_id, actor: "system", at },
        );
        await queueMail(
          trx,
          "coaching.cancel",
          { bookingId: b.id, sequence: b.sequence + 1 },
          `coaching:cancel:${b.id}`,
        );
        cancelled++;
      }
    }
    // Re-read: the cancelled sessions' credits are free now and go with the rest.
    const free = await trx
      .selectFrom("coaching_credits")
      .select("id")
      .where(
        "id",
        "in",
        group.map((c) => c.id),
      )
      .where("booking_id", "is", null)
      .where("revoked_at", "is", null)
      .execute();
    const count = await revoke(
      trx,
      free.map((c) => c.id),
      at,
    );
    if (count === 0 && cancelled === 0) continue;
    await tell(trx, e, group, { count, left: 0, full: true, cancelled });
  }
}
