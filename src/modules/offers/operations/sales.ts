import { z } from "zod";
import { paymentSettingsChanged } from "../events-admin.ts";
import { conflict, notFound } from "../../../platform/http/errors.ts";
import { field } from "../../../platform/http/validation.ts";
import { defineOperation, ownerOnly } from "../../../platform/operations.ts";
import { offerSnapshot, orderRefundRequested, subscriptionCancelRequested } from "../events.ts";
import { requireProviderFor } from "../context.ts";
import { setAutomaticTax } from "../stripe-sync.ts";
import { formOne, idField } from "./schemas.ts";

/**
 * Money operations, the owner's alone: refunds, cancelling a subscription,
 * the payment settings. The provider is called after the commit: its
 * webhook (the dev provider's arrives at once) writes through another
 * connection and must not wait on this transaction. Its refund/cancel
 * event is what changes the order or the subscription, exactly as when
 * the creator acts on Stripe's own dashboard.
 */

export const refundOrder = defineOperation({
  name: "offers.refund_order",
  input: z.object({ id: idField() }),
  roles: ownerOnly,
  async run({ trx, input, record, services, afterCommit }) {
    const order = await trx.selectFrom("orders").selectAll().where("id", "=", input.id).executeTakeFirst();
    if (!order) throw notFound();
    if (order.status !== "paid" || !order.provider_payment_id) throw conflict("offers.admin.err_refund");
    const provider = requireProviderFor(services);
    await record(
      orderRefundRequested,
      {
        orderId: order.id,
        offerName: (await offerSnapshot(trx, order.offer_id)).offerName,
        amount: order.amount_paid,
        currency: order.currency,
      },
      { memberId: order.member_id },
    );
    const paymentId = order.provider_payment_id;
    // The same key on a retry: the provider refunds once.
    afterCommit(() => provider.refund(paymentId, `refund:${order.id}`));
    return { id: order.id };
  },
});

export const cancelSubscription = defineOperation({
  name: "offers.cancel_subscription",
  input: z.object({ id: idField(), when: formOne.transform((w) => (w === "now" ? "now" : "period_end")) }),
  roles: ownerOnly,
  async run({ trx, input, record, services, afterCommit }) {
    const sub = await trx.selectFrom("subscriptions").selectAll().where("id", "=", input.id).executeTakeFirst();
    if (!sub || !sub.provider_subscription_id) throw notFound();
    const provider = requireProviderFor(services);
    const now = input.when === "now";
    await record(
      subscriptionCancelRequested,
      { subscriptionId: sub.id, offerName: (await offerSnapshot(trx, sub.offer_id)).offerName, now },
      { memberId: sub.member_id },
    );
    const providerId = sub.provider_subscription_id;
    afterCommit(() =>
      provider.cancelSubscription(providerId, {
        atPeriodEnd: !now,
        idempotencyKey: `admin-cancel:${sub.id}:${sub.version}:${now ? "now" : "end"}`,
      }),
    );
    return { id: sub.id };
  },
});

/** Payment settings: Stripe Tax on checkouts. */
export const setPaymentSettings = defineOperation({
  name: "offers.set_payment_settings",
  input: z.object({ automatic_tax: field.checkbox() }),
  roles: ownerOnly,
  async run({ trx, input, record }) {
    await setAutomaticTax(trx, input.automatic_tax);
    await record(paymentSettingsChanged, { automaticTax: input.automatic_tax }, { memberId: null });
    return { automaticTax: input.automatic_tax };
  },
});
