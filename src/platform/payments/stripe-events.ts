import type Stripe from "stripe";
import type { ProviderEvent, SubscriptionSnapshot, SubscriptionStatus } from "./provider.ts";

/**
 * Stripe's payloads reduced to ours: the metadata keys we put on Stripe objects, the event
 * types we act on, and the normalisation of events, subscriptions and invoices (ids and amounts only).
 */

/** Our ids in Stripe metadata (sessions, subscriptions, payment intents, prices). */
export const metadataKeys = {
  reference: "reference",
  offerId: "offer_id",
  priceId: "price_id",
  /** On Stripe prices created by syncOfferToStripe. */
  atelierPriceId: "atelier_price_id",
  atelierOfferId: "atelier_offer_id",
} as const;

/** The Stripe event types we act on; anything else is acknowledged and ignored. */
export const handledStripeEventTypes = [
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_failed",
  "charge.refunded",
] as const;
const handled = new Set<string>(handledStripeEventTypes);

const subscriptionStatuses = new Set<SubscriptionStatus>([
  "incomplete",
  "trialing",
  "active",
  "past_due",
  "unpaid",
  "canceled",
  "incomplete_expired",
  "paused",
]);

export function idOf(v: string | { id: string } | null | undefined): string | null {
  if (!v) return null;
  return typeof v === "string" ? v : v.id;
}

function isoFromUnix(v: number | null | undefined): string | null {
  return typeof v === "number" && v > 0 ? new Date(v * 1000).toISOString() : null;
}

/** Stripe metadata values are strings; drop anything else defensively. */
function stringRecord(meta: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (meta && typeof meta === "object")
    for (const [k, v] of Object.entries(meta)) if (typeof v === "string") out[k] = v;
  return out;
}

/**
 * The service period an invoice pays for is on its lines (the invoice's own
 * period_end is the previous cycle's): the latest line end, so a webhook
 * delivered late still names its own period, not the subscription's current one.
 */
function invoicePeriodEnd(inv: Stripe.Invoice): string | null {
  let end = 0;
  for (const line of inv.lines?.data ?? []) if (line.period?.end && line.period.end > end) end = line.period.end;
  return end ? new Date(end * 1000).toISOString() : null;
}

export function invoicePaymentIntent(payments: Stripe.ApiList<Stripe.InvoicePayment> | undefined): string | null {
  const paid = payments?.data.find((p) => p.status === "paid") ?? payments?.data[0];
  return idOf(paid?.payment.payment_intent ?? null);
}

export function subscriptionSnapshot(sub: Stripe.Subscription): SubscriptionSnapshot {
  const item = sub.items.data[0];
  const price = item?.price;
  const metadata = stringRecord(sub.metadata);
  const status = subscriptionStatuses.has(sub.status as SubscriptionStatus)
    ? (sub.status as SubscriptionStatus)
    : "incomplete";
  // Since API 2025-03-31 the period lives on the items; take the latest end among them.
  const periodEnd = sub.items.data.reduce<number | null>(
    (max, it) => (max === null || it.current_period_end > max ? it.current_period_end : max),
    null,
  );
  return {
    providerSubscriptionId: sub.id,
    providerCustomerId: idOf(sub.customer) ?? "",
    status,
    providerPriceId: price?.id ?? null,
    priceId: stringRecord(price?.metadata)[metadataKeys.atelierPriceId] ?? metadata[metadataKeys.priceId] ?? null,
    currentPeriodEnd: isoFromUnix(periodEnd),
    cancelAtPeriodEnd:
      Boolean(sub.cancel_at_period_end) ||
      (sub.cancel_at !== null && sub.cancel_at !== undefined && status !== "canceled"),
    canceledAt: isoFromUnix(sub.canceled_at),
    metadata,
  };
}

/** Reduces a verified Stripe event to our ProviderEvent (ids and amounts only). */
export function normaliseStripeEvent(event: Stripe.Event): ProviderEvent {
  const base = { id: event.id, created: event.created };
  if (!handled.has(event.type)) return { ...base, type: "ignored", providerType: event.type };
  switch (event.type) {
    case "checkout.session.completed": {
      const s = event.data.object;
      return {
        ...base,
        type: "checkout.completed",
        checkoutId: s.id,
        reference: s.metadata?.[metadataKeys.reference] ?? s.client_reference_id ?? "",
        mode: s.mode === "subscription" ? "subscription" : "payment",
        // SEPA and other delayed methods complete as "unpaid": grant only on async_payment_succeeded.
        paid: s.payment_status === "paid" || s.payment_status === "no_payment_required",
        amountTotal: s.amount_total ?? 0,
        amountTax: s.total_details?.amount_tax || null,
        currency: (s.currency ?? "").toUpperCase(),
        providerCustomerId: idOf(s.customer),
        providerPaymentId: idOf(s.payment_intent),
        providerSubscriptionId: idOf(s.subscription),
        customerEmail: s.customer_details?.email ?? s.customer_email ?? null,
        metadata: stringRecord(s.metadata),
      };
    }
    case "checkout.session.async_payment_succeeded":
    case "checkout.session.async_payment_failed":
    case "checkout.session.expired": {
      const s = event.data.object;
      const type =
        event.type === "checkout.session.async_payment_succeeded"
          ? "checkout.async_payment_succeeded"
          : event.type === "checkout.session.async_payment_failed"
            ? "checkout.async_payment_failed"
            : "checkout.expired";
      return {
        ...base,
        type,
        checkoutId: s.id,
        reference: s.metadata?.[metadataKeys.reference] ?? s.client_reference_id ?? "",
        providerPaymentId: idOf(s.payment_intent),
      };
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
      // Only the id: the state is re-read from Stripe (events may be stale or out of order).
      return { ...base, type: "subscription.changed", providerSubscriptionId: event.data.object.id };
    case "invoice.paid":
    case "invoice.payment_failed": {
      const inv = event.data.object;
      const subscription = inv.parent?.subscription_details?.subscription;
      return {
        ...base,
        type: event.type,
        providerSubscriptionId: idOf(subscription ?? null),
        amountPaid: inv.amount_paid ?? 0,
        amountTax: (inv.total_taxes ?? []).reduce((sum, tx) => sum + tx.amount, 0) || null,
        currency: (inv.currency ?? "").toUpperCase(),
        invoiceId: inv.id ?? "",
        periodEnd: invoicePeriodEnd(inv),
      };
    }
    case "charge.refunded": {
      const ch = event.data.object;
      const pi = idOf(ch.payment_intent);
      // A charge without a PaymentIntent was not made through our Checkout: nothing of ours to revoke.
      if (!pi) return { ...base, type: "ignored", providerType: event.type };
      return {
        ...base,
        type: "charge.refunded",
        providerPaymentId: pi,
        amountRefunded: ch.amount_refunded,
        fullyRefunded: ch.refunded || ch.amount_refunded >= ch.amount,
      };
    }
    default:
      return { ...base, type: "ignored", providerType: event.type };
  }
}
