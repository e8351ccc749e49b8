import type { Db } from "../../platform/db/index.ts";
import { defineConsumer, record, type EventRow } from "../../platform/events/index.ts";
import { queueMail } from "../../platform/mail/index.ts";
import {
  offerIncludes,
  orderPaid,
  orderPartiallyRefunded,
  orderRefunded,
  subscriptionChanged,
  subscriptionPaid,
} from "../offers/index.ts";
import { creditsGranted, sessionConfirmed, slotLost } from "./events.ts";
import { grantCredits, takeCredit } from "./credits.ts";
import { applyFullRefund, applyPartialRefund } from "./refunds.ts";
import { coachingOffersSoldBy } from "./offers.ts";
import { tryClaimBooking } from "./claims.ts";
import { loadRules } from "./settings.ts";
import { applySubscriptionChanged, applySubscriptionPaid } from "./tier-credits.ts";

/**
 * Payment → credits → booking. Every paid order of an offer that sells a
 * coaching offer (its own link or an include) grants that many credits
 * (source "order:<id>", unique, so a replayed event grants nothing more);
 * credits of a package start their validity at the payment. Then a booking
 * of that member waiting for this payment takes one: still held, it is
 * confirmed; released because the payment came after the 15-minute hold, it
 * is confirmed if its time can still be claimed, else the credit stays with
 * the client and they are told both ways out (book another time with it, or
 * ask for the money back); the creator sees it among the late payments with
 * a one-click refund (late-payments.ts). A replayed event grants no credit,
 * so it reaches none of this twice.
 */
export async function applyPaidOrder(trx: Db, e: EventRow): Promise<void> {
  const memberId = e.memberId;
  const orderId = String(e.data.orderId ?? "");
  const offerId = String(e.data.offerId ?? "");
  if (!memberId || !orderId || !offerId || e.data.gift) return;
  const included = (await offerIncludes(trx, offerId)).filter((i) => i.kind === "coaching").map((i) => i.id);
  const sold = await coachingOffersSoldBy(trx, offerId, included);
  for (const offer of sold) {
    const expiresAt =
      offer.validity_days > 0
        ? new Date(Date.parse(e.createdAt) + offer.validity_days * 86_400_000).toISOString()
        : null;
    const granted = await grantCredits(trx, {
      memberId,
      coachingOfferId: offer.id,
      source: `order:${orderId}`,
      count: offer.sessions,
      expiresAt,
      at: e.createdAt,
    });
    if (granted === 0) continue;
    await record(
      trx,
      creditsGranted,
      { coachingOfferId: offer.id, title: offer.title, count: granted, expiresAt },
      { memberId, actor: "system", at: e.createdAt },
    );
    await attachWaitingBooking(trx, memberId, offer.id, offer.title, orderId, e.createdAt);
  }
}

export async function attachWaitingBooking(
  trx: Db,
  memberId: string,
  coachingOfferId: string,
  title: string,
  orderId: string,
  at: string,
): Promise<void> {
  const b = await trx
    .selectFrom("coaching_bookings")
    .selectAll()
    .where("member_id", "=", memberId)
    .where("coaching_offer_id", "=", coachingOfferId)
    .where("status", "in", ["pending_payment", "expired"])
    .where("order_id", "is", null)
    .where("credit_id", "is", null)
    .orderBy("created_at", "desc")
    .executeTakeFirst();
  if (!b) return;
  let keep = b.status === "pending_payment";
  // The hold ran out: the time is booked again only if its cells and a place in its day are still free.
  if (!keep && Date.parse(b.starts_at) > Date.parse(at))
    keep = await tryClaimBooking(trx, b.id, await loadRules(trx), b.starts_at, b.ends_at);
  const creditId = keep ? await takeCredit(trx, memberId, coachingOfferId, b.id, at) : null;
  if (creditId) {
    await trx
      .updateTable("coaching_bookings")
      .set({ status: "confirmed", credit_id: creditId, order_id: orderId, hold_expires_at: null, updated_at: at })
      .where("id", "=", b.id)
      .execute();
    await record(
      trx,
      sessionConfirmed,
      { bookingId: b.id, title, startsAt: b.starts_at },
      { memberId, actor: "system", at },
    );
    await queueMail(
      trx,
      "coaching.invitation",
      { bookingId: b.id, sequence: b.sequence },
      `coaching:inv:${b.id}:${b.sequence}`,
    );
    return;
  }
  await trx
    .updateTable("coaching_bookings")
    .set({ order_id: orderId, updated_at: at })
    .where("id", "=", b.id)
    .execute();
  await record(
    trx,
    slotLost,
    { bookingId: b.id, title, startsAt: b.starts_at, credited: true },
    { memberId, actor: "system", at },
  );
  await queueMail(trx, "coaching.slot_lost", { bookingId: b.id }, `coaching:lost:${b.id}`);
  // The creator is told too (site's language), with the link to the late payments page.
  await queueMail(trx, "coaching.late_creator", { bookingId: b.id }, `coaching:lost-creator:${b.id}`);
}

export function registerPaymentConsumer(): void {
  defineConsumer({
    name: "coaching.payments",
    events: [orderPaid, orderRefunded, orderPartiallyRefunded, subscriptionPaid, subscriptionChanged],
    async handle(events, { trx }) {
      for (const e of events)
        // Refunds (refunds.ts): the share of sessions paid back, or everything unused and upcoming.
        if (e.type === orderRefunded.type) await applyFullRefund(trx, e);
        else if (e.type === orderPartiallyRefunded.type) await applyPartialRefund(trx, e);
        else if (e.type === subscriptionPaid.type) await applySubscriptionPaid(trx, e);
        else if (e.type === subscriptionChanged.type) await applySubscriptionChanged(trx, e);
        else await applyPaidOrder(trx, e);
    },
  });
}
