import { z } from "zod";
import type { Db } from "../../platform/db/index.ts";
import { defineEvent, type TimelineFormat } from "../../platform/events/index.ts";

/**
 * The offers module's event types: payments, refunds, memberships, gifts and
 * access given by hand. Payloads carry the offer's name and the amounts as
 * they were, so a timeline reads « A pris l’adhésion Le Cercle · 19,00 € / mois »
 * even after the offer is renamed.
 */

const offerKind = z.enum(["tier", "product", "tip"]);

/** The offer's name and kind, copied into event payloads. */
export async function offerSnapshot(db: Db, offerId: string): Promise<{ offerName?: string; offerKind?: OfferKind }> {
  const row = await db.selectFrom("offers").select(["name", "kind"]).where("id", "=", offerId).executeTakeFirst();
  return row ? { offerName: row.name, offerKind: row.kind } : {};
}
type OfferKind = z.output<typeof offerKind>;

/** An offer's name in quotes, or "an offer" when the payload has none. */
export function quoted(name: string | undefined, fr: boolean): string {
  if (!name) return fr ? "une offre" : "an offer";
  return fr ? `« ${name} »` : `“${name}”`;
}

function perInterval(interval: "month" | "year" | undefined, fr: boolean): string {
  if (!interval) return "";
  if (fr) return interval === "month" ? " / mois" : " / an";
  return interval === "month" ? " / month" : " / year";
}

export const orderPaid = defineEvent({
  type: "order.paid",
  version: 1,
  payload: z.object({
    orderId: z.string(),
    offerId: z.string(),
    offerName: z.string().optional(),
    offerKind: offerKind.optional(),
    amount: z.number().int(),
    currency: z.string(),
    gift: z.boolean().optional(),
  }),
  example: {
    orderId: "0190a000-0000-7000-8000-000000000010",
    offerId: "0190a000-0000-7000-8000-000000000011",
    offerName: "Guide de l’émail",
    offerKind: "product",
    amount: 1200,
    currency: "EUR",
    gift: false,
  },
  timeline: {
    fr: (p, f) =>
      p.gift
        ? `A offert ${quoted(p.offerName, true)} · ${f.money(p.amount, p.currency)}`
        : p.offerKind === "tip"
          ? `A laissé un pourboire · ${f.money(p.amount, p.currency)}`
          : `A acheté ${quoted(p.offerName, true)} · ${f.money(p.amount, p.currency)}`,
    en: (p, f) =>
      p.gift
        ? `Gave ${quoted(p.offerName, false)} as a gift · ${f.money(p.amount, p.currency)}`
        : p.offerKind === "tip"
          ? `Left a tip · ${f.money(p.amount, p.currency)}`
          : `Bought ${quoted(p.offerName, false)} · ${f.money(p.amount, p.currency)}`,
  },
});

const orderRef = z.object({ orderId: z.string(), offerId: z.string(), offerName: z.string().optional() });

export const orderFailed = defineEvent({
  type: "order.failed",
  version: 1,
  payload: orderRef,
  example: { orderId: "0190a000-0000-7000-8000-000000000010", offerId: "o", offerName: "Le Cercle" },
  timeline: {
    fr: (p) => `Paiement refusé pour ${quoted(p.offerName, true)}`,
    en: (p) => `Payment declined for ${quoted(p.offerName, false)}`,
  },
});

export const orderExpired = defineEvent({
  type: "order.expired",
  version: 1,
  payload: orderRef,
  example: { orderId: "0190a000-0000-7000-8000-000000000010", offerId: "o", offerName: "Le Cercle" },
  timeline: {
    fr: (p) => `Paiement abandonné pour ${quoted(p.offerName, true)}`,
    en: (p) => `Checkout abandoned for ${quoted(p.offerName, false)}`,
  },
});

export const orderRefunded = defineEvent({
  type: "order.refunded",
  version: 1,
  payload: orderRef.extend({
    amount: z.number().int(),
    currency: z.string(),
    /** Set when the whole of an instalment plan is given back (this order is its last refunded instalment). */
    planSubscriptionId: z.string().optional(),
  }),
  example: { orderId: "x", offerId: "o", offerName: "Guide de l’émail", amount: 1200, currency: "EUR" },
  timeline: {
    fr: (p, f) => `Remboursé·e de ${f.money(p.amount, p.currency)} pour ${quoted(p.offerName, true)}`,
    en: (p, f) => `Refunded ${f.money(p.amount, p.currency)} for ${quoted(p.offerName, false)}`,
  },
});

/**
 * Part of a paid order given back (from the provider's dashboard): the order stays paid and its
 * access stays, but modules that sold countable things (coaching sessions) take back their share.
 * `refundedTotal` is the provider's running total, so a late or replayed event is recognised.
 */
export const orderPartiallyRefunded = defineEvent({
  type: "order.partially_refunded",
  version: 1,
  payload: orderRef.extend({
    amount: z.number().int(),
    refundedTotal: z.number().int(),
    amountPaid: z.number().int(),
    currency: z.string(),
    /**
     * An instalment plan's refund: `refundedTotal` and `amountPaid` are then the plan's (all its
     * instalments' refunds against its total price), so refunding one instalment is a share of the plan.
     */
    planSubscriptionId: z.string().optional(),
  }),
  example: {
    orderId: "x",
    offerId: "o",
    offerName: "Parcours 5 séances",
    amount: 12000,
    refundedTotal: 12000,
    amountPaid: 60000,
    currency: "EUR",
  },
  timeline: {
    fr: (p, f) =>
      `Remboursé·e en partie de ${f.money(p.amount, p.currency)} pour ${quoted(p.offerName, true)} (${f.money(p.refundedTotal, p.currency)} sur ${f.money(p.amountPaid, p.currency)})`,
    en: (p, f) =>
      `Partly refunded ${f.money(p.amount, p.currency)} for ${quoted(p.offerName, false)} (${f.money(p.refundedTotal, p.currency)} of ${f.money(p.amountPaid, p.currency)})`,
  },
});

export const orderRefundRequested = defineEvent({
  type: "order.refund_requested",
  version: 1,
  payload: z.object({
    orderId: z.string(),
    offerName: z.string().optional(),
    amount: z.number().int().optional(),
    currency: z.string().optional(),
  }),
  example: { orderId: "x", offerName: "Guide de l’émail", amount: 1200, currency: "EUR" },
  timeline: {
    fr: (p, f) =>
      `Remboursement demandé pour ${quoted(p.offerName, true)}${p.amount !== undefined && p.currency ? ` · ${f.money(p.amount, p.currency)}` : ""}`,
    en: (p, f) =>
      `Refund requested for ${quoted(p.offerName, false)}${p.amount !== undefined && p.currency ? ` · ${f.money(p.amount, p.currency)}` : ""}`,
  },
});

const liveStatuses = new Set(["active", "trialing"]);

function subscriptionLine(p: SubscriptionChanged, f: TimelineFormat, fr: boolean): string {
  const name = p.offerName ?? (fr ? "une adhésion" : "a membership");
  const price =
    p.amount !== undefined && p.currency ? ` · ${f.money(p.amount, p.currency)}${perInterval(p.interval, fr)}` : "";
  if (liveStatuses.has(p.to) && !liveStatuses.has(p.from))
    return fr ? `A pris l’adhésion ${name}${price}` : `Took the ${name} membership${price}`;
  if (liveStatuses.has(p.to) && p.cancelAtPeriodEnd)
    return fr ? `Adhésion ${name} : se termine en fin de période` : `${name} membership: ends at the end of the period`;
  if (liveStatuses.has(p.to)) return fr ? `Adhésion ${name}${price}` : `${name} membership${price}`;
  if (p.to === "past_due" || p.to === "unpaid")
    return fr ? `Adhésion ${name} : paiement en retard` : `${name} membership: payment overdue`;
  if (p.to === "canceled" || p.to === "incomplete_expired")
    return fr ? `Adhésion ${name} terminée` : `${name} membership ended`;
  return fr ? `Adhésion ${name} : ${p.from} → ${p.to}` : `${name} membership: ${p.from} → ${p.to}`;
}

const subscriptionChangedPayload = z.object({
  subscriptionId: z.string(),
  from: z.string(),
  to: z.string(),
  offerId: z.string(),
  offerName: z.string().optional(),
  amount: z.number().int().optional(),
  currency: z.string().optional(),
  interval: z.enum(["month", "year"]).optional(),
  cancelAtPeriodEnd: z.boolean().optional(),
  /** A purchase in instalments whose every payment is in: its end is not a lapse. */
  paidInFull: z.boolean().optional(),
});
type SubscriptionChanged = z.output<typeof subscriptionChangedPayload>;

export const subscriptionChanged = defineEvent({
  type: "subscription.changed",
  version: 1,
  payload: subscriptionChangedPayload,
  example: {
    subscriptionId: "s",
    from: "pending",
    to: "active",
    offerId: "o",
    offerName: "Le Cercle",
    amount: 1900,
    currency: "EUR",
    interval: "month",
    cancelAtPeriodEnd: false,
  },
  timeline: { fr: (p, f) => subscriptionLine(p, f, true), en: (p, f) => subscriptionLine(p, f, false) },
});

/**
 * A membership's payment went through (the first one or a renewal): one per
 * paid invoice (its order row is unique by the provider's invoice id, so a
 * replayed webhook records nothing more). Carries the period it pays for, so
 * consumers can give something per billing period (coaching's sessions).
 */
export const subscriptionPaid = defineEvent({
  type: "subscription.paid",
  version: 1,
  payload: z.object({
    orderId: z.string(),
    subscriptionId: z.string(),
    offerId: z.string(),
    offerName: z.string().optional(),
    amount: z.number().int(),
    currency: z.string(),
    interval: z.enum(["month", "year"]).optional(),
    /** The end of the period this payment covers (the provider's current period end), when known. */
    periodEnd: z.string().nullable(),
    /** A purchase in instalments: this payment's number and how many there are. */
    instalment: z.number().int().optional(),
    instalments: z.number().int().optional(),
  }),
  example: {
    orderId: "0190a000-0000-7000-8000-000000000010",
    subscriptionId: "0190a000-0000-7000-8000-000000000013",
    offerId: "0190a000-0000-7000-8000-000000000011",
    offerName: "Le Cercle",
    amount: 1900,
    currency: "EUR",
    interval: "month",
    periodEnd: "2027-01-01T00:00:00.000Z",
  },
  timeline: {
    fr: (p, f) =>
      p.instalments
        ? `Paiement ${p.instalment ?? "?"} sur ${p.instalments} pour ${quoted(p.offerName, true)} · ${f.money(p.amount, p.currency)}`
        : `${p.offerName ? `Paiement de l’adhésion ${p.offerName}` : "Paiement d’une adhésion"} · ${f.money(p.amount, p.currency)}${perInterval(p.interval, true)}`,
    en: (p, f) =>
      p.instalments
        ? `Paid instalment ${p.instalment ?? "?"} of ${p.instalments} for ${quoted(p.offerName, false)} · ${f.money(p.amount, p.currency)}`
        : `${p.offerName ? `Paid the ${p.offerName} membership` : "Paid a membership"} · ${f.money(p.amount, p.currency)}${perInterval(p.interval, false)}`,
  },
});

export const subscriptionCancelRequested = defineEvent({
  type: "subscription.cancel_requested",
  version: 1,
  payload: z.object({
    subscriptionId: z.string(),
    offerName: z.string().optional(),
    reason: z.string().optional(),
    now: z.boolean().optional(),
  }),
  example: { subscriptionId: "s", offerName: "Le Cercle", reason: "Trop cher en ce moment" },
  timeline: {
    fr: (p) =>
      `Résiliation demandée${p.offerName ? ` : ${p.offerName}` : ""}${p.now ? " (immédiate)" : ""}${p.reason ? ` · « ${p.reason} »` : ""}`,
    en: (p) =>
      `Cancellation requested${p.offerName ? `: ${p.offerName}` : ""}${p.now ? " (immediate)" : ""}${p.reason ? ` · “${p.reason}”` : ""}`,
  },
});

export const accessGranted = defineEvent({
  type: "access.granted",
  version: 1,
  payload: z.object({ offerId: z.string(), offerName: z.string().optional(), endsAt: z.string().nullable() }),
  example: { offerId: "o", offerName: "Le Cercle", endsAt: "2027-03-01T00:00:00.000Z" },
  timeline: {
    fr: (p, f) => `Accès offert à ${quoted(p.offerName, true)}${p.endsAt ? ` jusqu’au ${f.date(p.endsAt)}` : ""}`,
    en: (p, f) => `Given access to ${quoted(p.offerName, false)}${p.endsAt ? ` until ${f.date(p.endsAt)}` : ""}`,
  },
});

export const accessRevoked = defineEvent({
  type: "access.revoked",
  version: 1,
  payload: z.object({ entitlementId: z.string(), offerName: z.string().optional() }),
  example: { entitlementId: "e", offerName: "Le Cercle" },
  timeline: {
    fr: (p) => `Accès retiré${p.offerName ? ` : ${quoted(p.offerName, true)}` : ""}`,
    en: (p) => `Access removed${p.offerName ? `: ${quoted(p.offerName, false)}` : ""}`,
  },
});

export const giftClaimed = defineEvent({
  type: "gift.claimed",
  version: 1,
  payload: z.object({ giftId: z.string(), offerId: z.string(), offerName: z.string().optional() }),
  example: { giftId: "g", offerId: "o", offerName: "Guide de l’émail" },
  timeline: {
    fr: (p) => `A reçu en cadeau ${quoted(p.offerName, true)}`,
    en: (p) => `Received ${quoted(p.offerName, false)} as a gift`,
  },
});

export const offersEvents = [
  orderPaid,
  orderFailed,
  orderExpired,
  orderRefunded,
  orderPartiallyRefunded,
  orderRefundRequested,
  subscriptionChanged,
  subscriptionPaid,
  subscriptionCancelRequested,
  accessGranted,
  accessRevoked,
  giftClaimed,
] as const;
