import { sql } from "kysely";
import type { Db } from "../../platform/db/index.ts";
import { record } from "../../platform/events/index.ts";
import { nowIso } from "../../platform/ids.ts";
import type { ProviderEvent } from "../../platform/payments/provider.ts";
import { revokeSource } from "../access/index.ts";
import { orderPartiallyRefunded, orderRefunded, offerSnapshot } from "./events.ts";
import type { OrdersTable } from "./tables.ts";

/**
 * Refunds on an instalment plan. Each instalment is its own order (and its own provider
 * payment), but what was sold is one thing at the plan's total price: giving back one
 * instalment, even in full, is a part of that price, not the whole order. So the rule is the
 * partial-refund rule on the plan: access stays, and modules that sold countable things take
 * back the plan's refunded share (everything refunded on its instalments against N × the
 * instalment). Only once every instalment is paid and all of it given back is it a full refund
 * (access revoked, order.refunded). A plan that ended early (cancelled, or lapsed unpaid, before
 * its last instalment) will take no more payments: there, all that was paid given back is the
 * full refund. The instalment's own order still records its refund (and is marked refunded when
 * that instalment is given back in full) for the books.
 */

export interface InstalmentPlan {
  id: string;
  amount: number;
  instalments: number;
  /** The provider's status: "canceled", "unpaid", "incomplete_expired" once it takes no more payments. */
  status: string;
}

/** A plan in these statuses collects nothing more (the provider's words, as stored on the subscription). */
const ended = new Set(["canceled", "unpaid", "incomplete_expired"]);

export async function instalmentPlanOf(trx: Db, subscriptionId: string): Promise<InstalmentPlan | null> {
  const sub = await trx
    .selectFrom("subscriptions")
    .select(["id", "amount", "instalments", "status"])
    .where("id", "=", subscriptionId)
    .executeTakeFirst();
  return sub && sub.instalments > 0 ? sub : null;
}

type Order = Pick<
  OrdersTable,
  "amount_paid" | "amount_refunded" | "status" | "member_id" | "offer_id" | "currency" | "subscription_id"
> & { id: string };

/** Same contract as applyRefund: false when the payment is not seen yet (the event is kept for later). */
export async function applyInstalmentRefund(
  trx: Db,
  order: Order,
  plan: InstalmentPlan,
  e: Extract<ProviderEvent, { type: "charge.refunded" }>,
): Promise<boolean> {
  // Refunded before we saw it paid: the payment event re-applies it.
  if (order.status !== "paid") return false;
  const refunded = e.fullyRefunded ? Math.max(e.amountRefunded, order.amount_paid) : e.amountRefunded;
  // The provider's running total for this instalment: an older or replayed event changes nothing.
  if (refunded <= order.amount_refunded) return true;
  const at = nowIso();
  await trx
    .updateTable("orders")
    .set({
      amount_refunded: refunded,
      ...(e.fullyRefunded ? { status: "refunded" as const, refunded_at: at } : {}),
      updated_at: at,
    })
    .where("id", "=", order.id)
    .execute();
  const sums = await trx
    .selectFrom("orders")
    .select([
      sql<number>`SUM(amount_refunded)`.as("refunded"),
      sql<number>`SUM(amount_paid)`.as("paid_amount"),
      sql<number>`COUNT(*)`.as("paid"),
    ])
    .where("subscription_id", "=", plan.id)
    .where("kind", "=", "subscription_invoice")
    .where("amount_paid", ">", 0)
    .executeTakeFirstOrThrow();
  const planTotal = plan.amount * plan.instalments;
  const planRefunded = Number(sums.refunded ?? 0);
  const paidInFull = Number(sums.paid) >= plan.instalments;
  const whole = paidInFull
    ? planRefunded >= planTotal
    : ended.has(plan.status) && planRefunded >= Number(sums.paid_amount ?? 0);
  if (whole) await revokeSource(trx, "subscription", plan.id, "refunded");
  if (!order.member_id) return true;
  const offerName = (await offerSnapshot(trx, order.offer_id)).offerName;
  if (whole)
    await record(
      trx,
      orderRefunded,
      {
        orderId: order.id,
        offerId: order.offer_id,
        offerName,
        amount: planRefunded,
        currency: order.currency,
        planSubscriptionId: plan.id,
      },
      { memberId: order.member_id, actor: "system" },
    );
  else
    await record(
      trx,
      orderPartiallyRefunded,
      {
        orderId: order.id,
        offerId: order.offer_id,
        offerName,
        amount: refunded - order.amount_refunded,
        refundedTotal: planRefunded,
        amountPaid: planTotal,
        currency: order.currency,
        planSubscriptionId: plan.id,
      },
      { memberId: order.member_id, actor: "system" },
    );
  return true;
}
