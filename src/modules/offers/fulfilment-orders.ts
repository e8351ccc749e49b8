import { sql } from "kysely";
import type { Db } from "../../platform/db/index.ts";
import type { OrdersTable } from "./tables.ts";
import { record } from "../../platform/events/index.ts";
import {
  offerSnapshot,
  orderExpired,
  orderFailed,
  orderPaid,
  orderPartiallyRefunded,
  orderRefunded,
} from "./events.ts";
import { enqueue } from "../../platform/jobs/index.ts";
import { applyInstalmentRefund, instalmentPlanOf } from "./instalment-refunds.ts";
import { nowIso } from "../../platform/ids.ts";
import { toLocale } from "../../platform/i18n/index.ts";
import type { PaymentProvider, ProviderEvent } from "../../platform/payments/provider.ts";
import { createMember, findMemberByEmail } from "../members/index.ts";
import { grantEntitlement, revokeSource } from "../access/index.ts";

/** Fulfilment of one-off orders: buyer, paid/failed, refunds (kept when early). See fulfilment.ts. */

const orderRank: Record<OrdersTable["status"], number> = { pending: 0, failed: 1, expired: 1, paid: 2, refunded: 3 };

/**
 * The member an order/subscription belongs to: the one who started it when
 * logged in, else the member with that email (left untouched), else a new
 * member created for this purchase (never from a bare provider customer).
 */
export async function resolveBuyer(
  trx: Db,
  row: { member_id: string | null; email: string; locale: string },
): Promise<{ memberId: string; created: boolean }> {
  if (row.member_id) return { memberId: row.member_id, created: false };
  const existing = await findMemberByEmail(trx, row.email);
  if (existing) return { memberId: existing.id, created: false };
  const m = await createMember(
    trx,
    { email: row.email, locale: toLocale(row.locale), status: "pending", emailOptIn: false, source: "checkout" },
    "system",
  );
  return { memberId: m.id, created: true };
}

export async function linkCustomer(
  trx: Db,
  provider: PaymentProvider,
  providerCustomerId: string | null,
  memberId: string,
): Promise<void> {
  if (!providerCustomerId) return;
  // First link wins: a customer id already tied to a member is never moved to another one.
  await trx
    .insertInto("provider_customers")
    .values({
      provider_customer_id: providerCustomerId,
      provider: provider.name,
      member_id: memberId,
      created_at: nowIso(),
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/* ---------- orders ---------- */

export async function settleDiscount(trx: Db, reference: string, status: "used" | "released"): Promise<void> {
  const red = await trx
    .selectFrom("discount_redemptions")
    .selectAll()
    .where("reference", "=", reference)
    .where("status", "=", "reserved")
    .executeTakeFirst();
  if (!red) return;
  await trx.updateTable("discount_redemptions").set({ status }).where("id", "=", red.id).execute();
  if (status === "released") {
    await trx
      .updateTable("discount_codes")
      .set({ redemptions_count: sql`redemptions_count - 1`, updated_at: nowIso() })
      .where("id", "=", red.code_id)
      .where("redemptions_count", ">", 0)
      .execute();
  }
}

interface PaidInfo {
  checkoutId?: string;
  providerPaymentId: string | null;
  providerCustomerId?: string | null;
  amountPaid?: number;
  amountTax?: number | null;
}

export async function markOrderPaid(
  trx: Db,
  provider: PaymentProvider,
  orderId: string,
  info: PaidInfo,
): Promise<void> {
  const order = await trx.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
  if (!order) return;
  const at = nowIso();
  const ids: Partial<OrdersTable> = {};
  if (!order.provider_checkout_id && info.checkoutId) ids.provider_checkout_id = info.checkoutId;
  if (!order.provider_payment_id && info.providerPaymentId) ids.provider_payment_id = info.providerPaymentId;
  if (!order.provider_customer_id && info.providerCustomerId) ids.provider_customer_id = info.providerCustomerId;
  if (orderRank[order.status] >= orderRank.paid) {
    if (Object.keys(ids).length)
      await trx
        .updateTable("orders")
        .set({ ...ids, updated_at: at })
        .where("id", "=", order.id)
        .execute();
    return;
  }
  const buyer = await resolveBuyer(trx, order);
  await linkCustomer(trx, provider, info.providerCustomerId ?? order.provider_customer_id, buyer.memberId);
  await trx
    .updateTable("orders")
    .set({
      ...ids,
      status: "paid",
      member_id: buyer.memberId,
      created_member: buyer.created ? 1 : order.created_member,
      amount_paid: info.amountPaid ?? order.amount - order.discount_amount,
      tax_amount: info.amountTax ?? null,
      paid_at: at,
      updated_at: at,
    })
    .where("id", "=", order.id)
    .execute();
  await settleDiscount(trx, order.id, "used");
  if (order.kind === "gift" && order.gift_id) {
    await trx
      .updateTable("gifts")
      .set({ status: "paid", purchaser_member_id: buyer.memberId, updated_at: at })
      .where("id", "=", order.gift_id)
      .where("status", "=", "pending")
      .execute();
    await enqueue(
      trx,
      "offers.mail",
      { kind: "gift", giftId: order.gift_id },
      { dedupeKey: `offers.gift-mail:${order.gift_id}` },
    );
  } else {
    await grantEntitlement(trx, {
      memberId: buyer.memberId,
      resourceKind: "offer",
      resourceId: order.offer_id,
      sourceKind: "order",
      sourceId: order.id,
    });
  }
  await record(
    trx,
    orderPaid,
    {
      orderId: order.id,
      offerId: order.offer_id,
      ...(await offerSnapshot(trx, order.offer_id)),
      amount: info.amountPaid ?? order.amount - order.discount_amount,
      currency: order.currency,
      gift: order.kind === "gift",
    },
    { memberId: buyer.memberId, actor: "system" },
  );
  await enqueue(
    trx,
    "offers.mail",
    { kind: "receipt", orderId: order.id },
    { dedupeKey: `offers.receipt:${order.id}` },
  );
  // A refund that overtook its payment: apply it now.
  const paymentId = ids.provider_payment_id ?? order.provider_payment_id;
  if (paymentId) await applyEarlyRefunds(trx, paymentId);
}

export async function markOrderFailed(
  trx: Db,
  orderId: string,
  status: "failed" | "expired",
  paymentId: string | null,
): Promise<void> {
  const order = await trx.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
  if (!order || orderRank[order.status] >= orderRank[status]) return;
  await trx
    .updateTable("orders")
    .set({ status, provider_payment_id: order.provider_payment_id ?? paymentId, updated_at: nowIso() })
    .where("id", "=", order.id)
    .execute();
  await settleDiscount(trx, order.id, "released");
  if (order.kind === "gift" && order.gift_id)
    await trx
      .updateTable("gifts")
      .set({ status: "refunded", updated_at: nowIso() })
      .where("id", "=", order.gift_id)
      .where("status", "=", "pending")
      .execute();
  if (order.member_id)
    await record(
      trx,
      status === "failed" ? orderFailed : orderExpired,
      { orderId: order.id, offerId: order.offer_id, offerName: (await offerSnapshot(trx, order.offer_id)).offerName },
      { memberId: order.member_id, actor: "system" },
    );
}

/** Applies a refund; returns false when no order has that payment yet (kept for later). */
export async function applyRefund(trx: Db, e: Extract<ProviderEvent, { type: "charge.refunded" }>): Promise<boolean> {
  const order = await trx
    .selectFrom("orders")
    .selectAll()
    .where("provider_payment_id", "=", e.providerPaymentId)
    .executeTakeFirst();
  if (!order) return false;
  if (order.status === "refunded") return true;
  if (order.subscription_id) {
    const plan = await instalmentPlanOf(trx, order.subscription_id);
    if (plan) return applyInstalmentRefund(trx, order, plan, e);
  }
  const at = nowIso();
  if (!e.fullyRefunded) {
    // Refunded in part before we saw it paid: the payment event re-applies it (and tells the modules).
    if (order.status !== "paid") return false;
    // The provider's running total: an older or replayed event (lower or equal) changes nothing.
    if (e.amountRefunded <= order.amount_refunded) return true;
    // A partial refund is money back, not access taken away; modules that sold countable things take back their share.
    await trx
      .updateTable("orders")
      .set({ amount_refunded: e.amountRefunded, updated_at: at })
      .where("id", "=", order.id)
      .execute();
    if (order.member_id)
      await record(
        trx,
        orderPartiallyRefunded,
        {
          orderId: order.id,
          offerId: order.offer_id,
          offerName: (await offerSnapshot(trx, order.offer_id)).offerName,
          amount: e.amountRefunded - order.amount_refunded,
          refundedTotal: e.amountRefunded,
          amountPaid: order.amount_paid,
          currency: order.currency,
        },
        { memberId: order.member_id, actor: "system" },
      );
    return true;
  }
  if (order.status !== "paid") {
    // Refunded before we saw it paid: wait for the payment event, which re-applies this refund.
    return false;
  }
  await trx
    .updateTable("orders")
    .set({
      status: "refunded",
      amount_refunded: Math.max(e.amountRefunded, order.amount_paid),
      refunded_at: at,
      updated_at: at,
    })
    .where("id", "=", order.id)
    .execute();
  await revokeSource(trx, "order", order.id, "refunded");
  if (order.gift_id) {
    await trx
      .updateTable("gifts")
      .set({ status: "refunded", updated_at: at })
      .where("id", "=", order.gift_id)
      .execute();
    await revokeSource(trx, "gift", order.gift_id, "refunded");
  }
  if (order.member_id)
    await record(
      trx,
      orderRefunded,
      {
        orderId: order.id,
        offerId: order.offer_id,
        offerName: (await offerSnapshot(trx, order.offer_id)).offerName,
        amount: e.amountRefunded,
        currency: order.currency,
      },
      { memberId: order.member_id, actor: "system" },
    );
  return true;
}

/* ---------- subscriptions ---------- */

export async function applyEarlyRefunds(trx: Db, paymentId: string): Promise<void> {
  const early = await trx
    .selectFrom("provider_events")
    .select(["id", "data"])
    .where("type", "=", "charge.refunded")
    .where("object_id", "=", paymentId)
    .execute();
  for (const e of early) {
    if (await applyRefund(trx, JSON.parse(e.data) as Extract<ProviderEvent, { type: "charge.refunded" }>)) {
      await trx.updateTable("provider_events").set({ result: "applied" }).where("id", "=", e.id).execute();
    }
  }
}

/* ---------- the entry point ---------- */
