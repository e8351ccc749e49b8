import type { Db } from "../../platform/db/index.ts";
import type { EventRow } from "../../platform/events/index.ts";
import { record } from "../../platform/events/index.ts";
import { offerIncludes } from "../offers/index.ts";
import { creditsGranted } from "./events.ts";
import { grantCredits, revokeSubscriptionCredits } from "./credits.ts";
import { coachingOffersSoldBy } from "./offers.ts";
import { attachWaitingBooking } from "./payments.ts";

/**
 * Coaching as part of a membership tier: each paid period of a subscription
 * whose offer sells a coaching offer ("2 sessions a month") grants that
 * offer's sessions for that period. The source is the subscription and the
 * period's end, so the first payment and every renewal grant once each, and
 * a second invoice for the same period (a replayed webhook, a proration)
 * grants nothing more. The credits end with the period, or with the offer's
 * validity when that is shorter; a refund of that invoice's order takes back
 * the unused ones (revokeOrderCredits reads order_id), a lapse of the
 * membership all of them (below). Cancelling at period end changes nothing:
 * the period was paid for.
 *
 * A package bought in instalments (the subscription carries `instalments`)
 * is a purchase, not a tier: its sessions are granted once, at the first
 * payment, valid from then for the offer's validity; later instalments grant
 * nothing. A failed instalment keeps them while the provider retries (past
 * due); a lapse before the last payment takes back the unused ones; the end
 * of the subscription after the last payment (paidInFull) takes nothing.
 */
export async function applySubscriptionPaid(trx: Db, e: EventRow): Promise<void> {
  const memberId = e.memberId;
  const orderId = String(e.data.orderId ?? "");
  const offerId = String(e.data.offerId ?? "");
  const subscriptionId = String(e.data.subscriptionId ?? "");
  const periodEnd = typeof e.data.periodEnd === "string" ? e.data.periodEnd : null;
  if (!memberId || !orderId || !offerId || !subscriptionId) return;
  const instalments = Number(e.data.instalments ?? 0);
  if (instalments > 0 && Number(e.data.instalment ?? 1) > 1) return;
  const included = (await offerIncludes(trx, offerId)).filter((i) => i.kind === "coaching").map((i) => i.id);
  const sold = await coachingOffersSoldBy(trx, offerId, included);
  const paidAt = Date.parse(e.createdAt);
  for (const offer of sold) {
    const ends = [
      periodEnd && !instalments ? Date.parse(periodEnd) : NaN,
      offer.validity_days > 0 ? paidAt + offer.validity_days * 86_400_000 : NaN,
    ].filter((t) => Number.isFinite(t));
    const expiresAt = ends.length ? new Date(Math.min(...ends)).toISOString() : null;
    const granted = await grantCredits(trx, {
      memberId,
      coachingOfferId: offer.id,
      // Without a known period, the invoice itself is the period (still once per invoice).
      source: instalments
        ? `instalments:${subscriptionId}`
        : periodEnd
          ? `subscription:${subscriptionId}:${periodEnd}`
          : `order:${orderId}`,
      count: offer.sessions,
      expiresAt,
      at: e.createdAt,
      subscriptionId,
      orderId,
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

/** Statuses after which a membership is over (past_due still retries the payment, so it keeps them). */
const lapsed = new Set(["canceled", "unpaid", "incomplete_expired"]);

/** A membership that ended takes back the unused credits of its periods (as access ends with it). */
export async function applySubscriptionChanged(trx: Db, e: EventRow): Promise<void> {
  const subscriptionId = String(e.data.subscriptionId ?? "");
  if (subscriptionId && lapsed.has(String(e.data.to ?? "")) && e.data.paidInFull !== true)
    await revokeSubscriptionCredits(trx, subscriptionId, e.createdAt);
}
