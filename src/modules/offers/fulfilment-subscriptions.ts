import type { Updateable } from "kysely";
import type { Db } from "../../platform/db/index.ts";
import type { SubscriptionsTable } from "./tables.ts";
import { record } from "../../platform/events/index.ts";
import { offerSnapshot, subscriptionChanged, subscriptionPaid } from "./events.ts";
import { enqueue } from "../../platform/jobs/index.ts";
import { newId, nowIso } from "../../platform/ids.ts";

import type { PaymentProvider, ProviderEvent, SubscriptionSnapshot } from "../../platform/payments/provider.ts";

import { grantEntitlement, revokeSource } from "../access/index.ts";
import { applyEarlyRefunds, linkCustomer, resolveBuyer, settleDiscount } from "./fulfilment-orders.ts";
import { afterInstalmentPaid, paidInFull } from "./instalments.ts";

/** Fulfilment of subscriptions: our row from the provider's snapshot, its entitlement, invoices. See fulfilment.ts. */

export const RENEWAL_LEEWAY_MS = 2 * 60 * 60 * 1000;
const grantingStatuses = new Set(["active", "trialing"]);

export async function findOurSubscription(trx: Db, snap: SubscriptionSnapshot, reference: string | null) {
  const byProvider = await trx
    .selectFrom("subscriptions")
    .selectAll()
    .where("provider_subscription_id", "=", snap.providerSubscriptionId)
    .executeTakeFirst();
  if (byProvider) return byProvider;
  const ref = reference ?? snap.metadata.reference ?? null;
  if (!ref) return undefined;
  const byRef = await trx.selectFrom("subscriptions").selectAll().where("id", "=", ref).executeTakeFirst();
  // A reference already bound to another provider subscription is not this one.
  if (!byRef || (byRef.provider_subscription_id && byRef.provider_subscription_id !== snap.providerSubscriptionId))
    return undefined;
  return byRef;
}

/** Copies the provider's snapshot onto our row and sets the entitlement from it. */
/**
 * When the subscription started to end: set the first time it is flagged to
 * end at period end or is cancelled, kept while it stays so (one cancellation
 * counts once, in the month it was asked for), cleared when it is resumed.
 */
export function cancelRequestedAt(
  row: Pick<SubscriptionsTable, "cancel_requested_at">,
  snap: Pick<SubscriptionSnapshot, "cancelAtPeriodEnd" | "status" | "canceledAt">,
  at: string,
): string | null {
  const ending = snap.cancelAtPeriodEnd || snap.status === "canceled";
  if (!ending) return null;
  return row.cancel_requested_at ?? snap.canceledAt ?? at;
}

export async function applySnapshot(
  trx: Db,
  provider: PaymentProvider,
  snap: SubscriptionSnapshot,
  hints: { reference?: string | null; checkoutId?: string | null } = {},
): Promise<boolean> {
  const row = await findOurSubscription(trx, snap, hints.reference ?? null);
  if (!row) return false;
  const at = nowIso();
  const buyer = await resolveBuyer(trx, row);
  await linkCustomer(trx, provider, snap.providerCustomerId || null, buyer.memberId);

  // Upgrades/downgrades through the portal change the price: find ours by the provider's id, then by metadata.
  let priceId = row.price_id;
  let offerId = row.offer_id;
  let amount = row.amount;
  let interval = row.interval;
  const price =
    (snap.providerPriceId
      ? await trx
          .selectFrom("prices")
          .selectAll()
          .where("provider_price_id", "=", snap.providerPriceId)
          .executeTakeFirst()
      : undefined) ??
    (snap.priceId
      ? await trx.selectFrom("prices").selectAll().where("id", "=", snap.priceId).executeTakeFirst()
      : undefined);
  if (price && price.id !== row.price_id) {
    priceId = price.id;
    offerId = price.offer_id;
    amount = price.amount;
    interval = price.interval ?? interval;
  }
  const patch: Updateable<SubscriptionsTable> = {
    member_id: buyer.memberId,
    created_member: buyer.created ? 1 : row.created_member,
    status: snap.status,
    provider_subscription_id: snap.providerSubscriptionId,
    provider_customer_id: snap.providerCustomerId || row.provider_customer_id,
    provider_price_id: snap.providerPriceId ?? row.provider_price_id,
    price_id: priceId,
    offer_id: offerId,
    amount,
    interval,
    current_period_end: snap.currentPeriodEnd,
    cancel_at_period_end: snap.cancelAtPeriodEnd ? 1 : 0,
    canceled_at: snap.canceledAt,
    cancel_requested_at: cancelRequestedAt(row, snap, at),
    version: row.version + 1,
    updated_at: at,
  };
  if (!row.provider_checkout_id && hints.checkoutId) patch.provider_checkout_id = hints.checkoutId;
  await trx.updateTable("subscriptions").set(patch).where("id", "=", row.id).execute();

  // Entitlement from the snapshot: one row per (member, offer, this subscription).
  await revokeSource(trx, "subscription", row.id, "plan_changed", { kind: "offer", id: offerId });
  // Every instalment paid: a purchase now, whose access outlives the subscription that collected it.
  const inFull = await paidInFull(trx, row);
  if (inFull) {
    await grantEntitlement(trx, {
      memberId: buyer.memberId,
      resourceKind: "offer",
      resourceId: offerId,
      sourceKind: "subscription",
      sourceId: row.id,
      endsAt: null,
    });
  } else if (grantingStatuses.has(snap.status) && snap.currentPeriodEnd) {
    const end = new Date(
      Date.parse(snap.currentPeriodEnd) + (snap.cancelAtPeriodEnd ? 0 : RENEWAL_LEEWAY_MS),
    ).toISOString();
    await grantEntitlement(trx, {
      memberId: buyer.memberId,
      resourceKind: "offer",
      resourceId: offerId,
      sourceKind: "subscription",
      sourceId: row.id,
      endsAt: end,
    });
  } else if (grantingStatuses.has(snap.status)) {
    await grantEntitlement(trx, {
      memberId: buyer.memberId,
      resourceKind: "offer",
      resourceId: offerId,
      sourceKind: "subscription",
      sourceId: row.id,
      endsAt: null,
    });
  } else {
    await revokeSource(trx, "subscription", row.id, snap.status);
  }

  if (
    row.status !== snap.status ||
    row.offer_id !== offerId ||
    row.cancel_at_period_end !== (snap.cancelAtPeriodEnd ? 1 : 0)
  ) {
    await record(
      trx,
      subscriptionChanged,
      {
        subscriptionId: row.id,
        from: row.status,
        to: snap.status,
        offerId,
        offerName: (await offerSnapshot(trx, offerId)).offerName,
        amount,
        currency: row.currency,
        interval,
        cancelAtPeriodEnd: snap.cancelAtPeriodEnd,
        ...(row.instalments > 0 ? { paidInFull: inFull } : {}),
      },
      { memberId: buyer.memberId, actor: "system" },
    );
  }
  if (grantingStatuses.has(snap.status)) {
    await settleDiscount(trx, row.id, "used");
    await enqueue(
      trx,
      "offers.mail",
      { kind: "subscription_started", subscriptionId: row.id },
      { dedupeKey: `offers.sub-start:${row.id}` },
    );
  }
  return true;
}

export async function recordInvoice(
  trx: Db,
  provider: PaymentProvider,
  e: Extract<ProviderEvent, { invoiceId: string }>,
): Promise<void> {
  if (!e.providerSubscriptionId) return;
  const sub = await trx
    .selectFrom("subscriptions")
    .selectAll()
    .where("provider_subscription_id", "=", e.providerSubscriptionId)
    .executeTakeFirst();
  // Trials open with a 0 invoice: nothing was paid, nothing to list as revenue.
  if (!sub || !sub.member_id || e.amountPaid <= 0) return;
  const at = nowIso();
  const paymentId = e.providerPaymentId ?? null;
  const orderId = newId();
  const inserted = await trx
    .insertInto("orders")
    .values({
      id: orderId,
      kind: "subscription_invoice",
      member_id: sub.member_id,
      email: sub.email,
      offer_id: sub.offer_id,
      price_id: sub.price_id,
      subscription_id: sub.id,
      gift_id: null,
      amount: e.amountPaid,
      discount_amount: 0,
      discount_code_id: null,
      amount_paid: e.amountPaid,
      tax_amount: e.amountTax ?? null,
      amount_refunded: 0,
      currency: e.currency.toUpperCase(),
      status: "paid",
      provider: provider.name,
      provider_checkout_id: null,
      provider_payment_id: paymentId,
      provider_invoice_id: e.invoiceId,
      provider_customer_id: sub.provider_customer_id,
      created_member: 0,
      browser_token_hash: null,
      locale: sub.locale,
      paid_at: at,
      refunded_at: null,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  // Only the first sight of this invoice is a payment (the same invoice under another event id is not).
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
    const instalment = sub.instalments > 0 ? await afterInstalmentPaid(trx, sub) : 0;
    await record(
      trx,
      subscriptionPaid,
      {
        orderId,
        subscriptionId: sub.id,
        offerId: sub.offer_id,
        offerName: (await offerSnapshot(trx, sub.offer_id)).offerName,
        amount: e.amountPaid,
        currency: e.currency.toUpperCase(),
        interval: sub.interval ?? undefined,
        // The invoice's own period when the provider names it (a late webhook), else the subscription's.
        periodEnd: e.periodEnd ?? sub.current_period_end,
        ...(sub.instalments > 0 ? { instalment, instalments: sub.instalments } : {}),
      },
      { memberId: sub.member_id, actor: "system" },
    );
  }
  // A refund of this renewal that overtook the invoice: apply it now.
  if (paymentId) await applyEarlyRefunds(trx, paymentId);
}

export async function subscriptionIdForReference(
  db: Db,
  reference: string,
): Promise<{ ours: boolean; providerSubscriptionId: string | null }> {
  const row = await db
    .selectFrom("subscriptions")
    .select(["id", "provider_subscription_id"])
    .where("id", "=", reference)
    .executeTakeFirst();
  return { ours: !!row, providerSubscriptionId: row?.provider_subscription_id ?? null };
}
