/** Payment intents, charges, invoices, subscriptions and refunds: the money side, which the API and the lifecycle drivers share. */
import { bool, clone, DAY, int, intervalSeconds, meta, obj, str, StubError, type StripeObj } from "./form.ts";
import type { StubEvent } from "./state.ts";
import { StripeCatalog } from "./catalog.ts";

export class StripeBilling extends StripeCatalog {
  protected newCharge(piId: string, amount: number, currency: string, customer: string | null): StripeObj {
    const charge: StripeObj = {
      id: this.newId("ch"),
      object: "charge",
      amount,
      amount_captured: amount,
      amount_refunded: 0,
      captured: true,
      created: this.tick(),
      currency,
      customer,
      livemode: false,
      paid: true,
      payment_intent: piId,
      refunded: false,
      status: "succeeded",
    };
    this.charges.set(charge.id as string, charge);
    const pi = this.paymentIntents.get(piId);
    if (pi) pi.latest_charge = charge.id;
    return charge;
  }

  protected newPaymentIntent(
    amount: number,
    currency: string,
    customer: string | null,
    metadata: Record<string, string>,
    status: string,
  ): StripeObj {
    const pi: StripeObj = {
      id: this.newId("pi"),
      object: "payment_intent",
      amount,
      amount_received: status === "succeeded" ? amount : 0,
      currency,
      customer,
      metadata,
      status,
      latest_charge: null,
      created: this.tick(),
      livemode: false,
    };
    this.paymentIntents.set(pi.id as string, pi);
    if (status === "succeeded") this.newCharge(pi.id as string, amount, currency, customer);
    return pi;
  }

  protected newInvoice(sub: StripeObj, amount: number, paid: boolean, reason: string): StripeObj {
    const customer = sub.customer as string;
    const currency = this.subscriptionPrice(sub).currency as string;
    const pi =
      amount > 0
        ? this.newPaymentIntent(amount, currency, customer, {}, paid ? "succeeded" : "requires_payment_method")
        : null;
    const item = this.subscriptionItem(sub);
    const invoice: StripeObj = {
      id: this.newId("in"),
      object: "invoice",
      amount_due: amount,
      amount_paid: paid ? amount : 0,
      amount_remaining: paid ? 0 : amount,
      attempt_count: 1,
      billing_reason: reason,
      created: this.tick(),
      currency,
      customer,
      livemode: false,
      parent: {
        type: "subscription_details",
        quote_details: null,
        subscription_details: { subscription: sub.id, metadata: clone(sub.metadata) },
      },
      period_start: item.current_period_start,
      period_end: item.current_period_end,
      status: paid ? "paid" : "open",
      status_transitions: { paid_at: paid ? this.lastTick : null },
      total: amount,
    };
    this.invoices.set(invoice.id as string, invoice);
    this.invoicePayments.set(invoice.id as string, pi ? (pi.id as string) : null);
    sub.latest_invoice = invoice.id;
    return invoice;
  }

  /** GET /v1/invoices/:id; `payments` only when expanded, as in Stripe's API. */
  protected invoiceView(id: string, p: StripeObj): StripeObj {
    const invoice = this.get(this.invoices, "invoice", id);
    const expand = Array.isArray(p.expand) ? (p.expand as string[]) : [];
    if (!expand.includes("payments")) return invoice;
    const piId = this.invoicePayments.get(id) ?? null;
    const pi = piId ? this.paymentIntents.get(piId) : undefined;
    const data = pi
      ? [
          {
            id: `inpay_${piId}`,
            object: "invoice_payment",
            amount_paid: pi.status === "succeeded" ? pi.amount : null,
            amount_requested: pi.amount,
            currency: pi.currency,
            invoice: id,
            is_default: true,
            livemode: false,
            payment: { type: "payment_intent", payment_intent: piId },
            status: pi.status === "succeeded" ? "paid" : "open",
          },
        ]
      : [];
    return {
      ...invoice,
      payments: { object: "list", data, has_more: false, url: `/v1/invoice_payments?invoice=${id}` },
    };
  }

  /** Invoice id → the PaymentIntent that pays it. */
  readonly invoicePayments = new Map<string, string | null>();

  subscriptionItem(sub: StripeObj): StripeObj {
    return (obj(sub.items).data as StripeObj[])[0]!;
  }

  subscriptionPrice(sub: StripeObj): StripeObj {
    return obj(this.subscriptionItem(sub).price);
  }

  protected newSubscription(
    customer: string,
    price: StripeObj,
    metadata: Record<string, string>,
    trialDays: number,
  ): StripeObj {
    const now = this.tick();
    const end = trialDays > 0 ? now + trialDays * DAY : now + intervalSeconds(str(obj(price.recurring).interval));
    const id = this.newId("sub");
    const sub: StripeObj = {
      id,
      object: "subscription",
      billing_cycle_anchor: end,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
      collection_method: "charge_automatically",
      created: now,
      currency: price.currency,
      customer,
      ended_at: null,
      items: {
        object: "list",
        data: [
          {
            id: this.newId("si"),
            object: "subscription_item",
            created: now,
            current_period_start: now,
            current_period_end: end,
            metadata: {},
            price: clone(price),
            quantity: 1,
            subscription: id,
          },
        ],
        has_more: false,
        total_count: 1,
        url: `/v1/subscription_items?subscription=${id}`,
      },
      latest_invoice: null,
      livemode: false,
      metadata,
      start_date: now,
      status: trialDays > 0 ? "trialing" : "active",
      trial_end: trialDays > 0 ? end : null,
      trial_start: trialDays > 0 ? now : null,
    };
    this.subscriptions.set(id, sub);
    return sub;
  }

  protected updateSubscription(id: string, p: StripeObj, key: string | null): StripeObj {
    const sub = this.get(this.subscriptions, "subscription", id);
    if (sub.status === "canceled")
      throw new StubError(
        400,
        "invalid_request_error",
        "A canceled subscription can only update its cancellation_details and metadata.",
        "resource_missing",
      );
    const previous: StripeObj = {};
    const cape = bool(p.cancel_at_period_end);
    if (cape !== undefined && cape !== sub.cancel_at_period_end) {
      previous.cancel_at_period_end = sub.cancel_at_period_end;
      previous.cancel_at = sub.cancel_at;
      previous.canceled_at = sub.canceled_at;
      sub.cancel_at_period_end = cape;
      sub.cancel_at = cape ? this.subscriptionItem(sub).current_period_end : null;
      sub.canceled_at = cape ? this.tick() : null;
    }
    const items = Array.isArray(p.items) ? (p.items as StripeObj[]) : [];
    if (items[0] && str(items[0].price)) {
      const price = this.get(this.prices, "price", items[0].price as string);
      previous.items = clone(sub.items);
      this.subscriptionItem(sub).price = clone(price);
    }
    if (p.metadata) {
      previous.metadata = clone(sub.metadata);
      sub.metadata = { ...obj(sub.metadata), ...meta(p.metadata) };
    }
    this.emit("customer.subscription.updated", sub, previous, key);
    return sub;
  }

  protected createRefund(p: StripeObj, key: string | null): StripeObj {
    let charge: StripeObj | undefined;
    const piId = str(p.payment_intent);
    if (piId) {
      const pi = this.get(this.paymentIntents, "payment_intent", piId);
      charge = pi.latest_charge ? this.charges.get(pi.latest_charge as string) : undefined;
      if (!charge)
        throw new StubError(
          400,
          "invalid_request_error",
          `This PaymentIntent (${piId}) does not have a successful charge to refund.`,
          "charge_not_refundable",
          "payment_intent",
        );
    } else if (str(p.charge)) charge = this.get(this.charges, "charge", p.charge as string);
    else
      throw new StubError(
        400,
        "invalid_request_error",
        "One of the following params should be provided for this request: payment_intent or charge.",
        "parameter_missing",
      );
    const remaining = (charge.amount as number) - (charge.amount_refunded as number);
    if (remaining <= 0)
      throw new StubError(
        400,
        "invalid_request_error",
        `Charge ${charge.id as string} has already been refunded.`,
        "charge_already_refunded",
      );
    const amount = p.amount !== undefined ? int(p.amount, "amount") : remaining;
    if (amount > remaining)
      throw new StubError(
        400,
        "invalid_request_error",
        "Refund amount is greater than unrefunded amount on charge",
        "amount_too_large",
        "amount",
      );
    const refund: StripeObj = {
      id: this.newId("re"),
      object: "refund",
      amount,
      charge: charge.id,
      created: this.tick(),
      currency: charge.currency,
      payment_intent: charge.payment_intent,
      status: "succeeded",
      metadata: meta(p.metadata),
    };
    this.refunds.set(refund.id as string, refund);
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded = (charge.amount_refunded as number) + amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    this.emit("refund.created", refund, undefined, key);
    this.emit("charge.refunded", charge, previous, key);
    return refund;
  }

  protected liveSubscription(id: string): StripeObj {
    const sub = this.get(this.subscriptions, "subscription", id);
    if (sub.status === "canceled") throw new Error(`subscription ${id} is canceled`);
    return sub;
  }

  /** Cancels at once (API DELETE /v1/subscriptions/:id, or the lifecycle drivers). */
  cancelNow(
    subscriptionId: string,
    key: string | null = null,
    reason = "cancellation_requested",
  ): { subscription: StripeObj; events: StubEvent[] } {
    const mark = this.events.length;
    const sub = this.liveSubscription(subscriptionId);
    const previous = { status: sub.status };
    sub.status = "canceled";
    sub.canceled_at = sub.canceled_at ?? this.tick();
    sub.ended_at = this.tick();
    sub.cancellation_details = { comment: null, feedback: null, reason };
    this.emit("customer.subscription.deleted", sub, previous, key);
    return { subscription: sub, events: this.eventsSince(mark) };
  }
}
