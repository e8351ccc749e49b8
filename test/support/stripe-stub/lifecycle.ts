/** The lifecycle drivers tests call: what Stripe does when the buyer acts or time passes; each returns the events it produced. */
import { clone, DAY, intervalSeconds, meta, obj, str, type StripeObj } from "./form.ts";
import type { StubEvent } from "./state.ts";
import { StripeServer } from "./server.ts";

export class StripeStub extends StripeServer {
  /**
   * The buyer pays on Stripe's page. `delayed` = a SEPA debit: the session completes unpaid and
   * the money arrives later (asyncPaymentSucceeded / asyncPaymentFailed). `email` = what the buyer
   * typed on Stripe's page (defaults to the session's customer_email).
   */
  completeCheckout(sessionId: string, opts: { delayed?: boolean; email?: string; name?: string } = {}): StubEvent[] {
    const mark = this.events.length;
    const session = this.get(this.sessions, "checkout.session", sessionId);
    if (session.status !== "open") throw new Error(`checkout ${sessionId} is ${String(session.status)}`);
    const internal = this.sessionDetails(sessionId);
    let customerId = session.customer as string | null;
    const email =
      opts.email ??
      (session.customer_email as string | null) ??
      (customerId ? (this.customers.get(customerId)?.email as string | null) : null);
    if (!customerId) customerId = this.createCustomer(email).id as string;
    session.customer = customerId;
    session.customer_details = {
      email,
      name: opts.name ?? null,
      address: null,
      phone: null,
      tax_exempt: "none",
      tax_ids: [],
    };
    session.status = "complete";
    const amount = session.amount_total as number;
    const currency = session.currency as string;
    if (session.mode === "payment") {
      const pi = this.newPaymentIntent(
        amount,
        currency,
        customerId,
        meta(internal.paymentIntentData.metadata),
        opts.delayed ? "processing" : "succeeded",
      );
      session.payment_intent = pi.id;
      session.payment_status = opts.delayed ? "unpaid" : "paid";
      if (!opts.delayed) this.emit("payment_intent.succeeded", pi);
      this.emit("checkout.session.completed", session);
    } else {
      const trialDays = Number(str(internal.subscriptionData.trial_period_days) ?? "0");
      const sub = this.newSubscription(customerId, internal.price, meta(internal.subscriptionData.metadata), trialDays);
      session.subscription = sub.id;
      this.emit("customer.subscription.created", sub);
      const invoice = this.newInvoice(sub, trialDays > 0 ? 0 : amount, true, "subscription_create");
      session.invoice = invoice.id;
      session.payment_status = trialDays > 0 ? "no_payment_required" : "paid";
      if (trialDays > 0) session.amount_total = 0;
      this.emit("invoice.created", invoice);
      this.emit("invoice.paid", invoice);
      this.emit("invoice.payment_succeeded", invoice);
      this.emit("checkout.session.completed", session);
    }
    return this.eventsSince(mark);
  }

  /** The delayed (SEPA) payment arrived. */
  asyncPaymentSucceeded(sessionId: string): StubEvent[] {
    const mark = this.events.length;
    const session = this.get(this.sessions, "checkout.session", sessionId);
    const pi = this.get(this.paymentIntents, "payment_intent", session.payment_intent as string);
    pi.status = "succeeded";
    pi.amount_received = pi.amount;
    this.newCharge(pi.id as string, pi.amount as number, pi.currency as string, pi.customer as string);
    session.payment_status = "paid";
    this.emit("payment_intent.succeeded", pi);
    this.emit("checkout.session.async_payment_succeeded", session);
    return this.eventsSince(mark);
  }

  /** The delayed (SEPA) payment bounced. */
  asyncPaymentFailed(sessionId: string): StubEvent[] {
    const mark = this.events.length;
    const session = this.get(this.sessions, "checkout.session", sessionId);
    const pi = this.get(this.paymentIntents, "payment_intent", session.payment_intent as string);
    pi.status = "requires_payment_method";
    this.emit("payment_intent.payment_failed", pi);
    this.emit("checkout.session.async_payment_failed", session);
    return this.eventsSince(mark);
  }

  /** The buyer never paid; the session expired. */
  expireCheckout(sessionId: string): StubEvent[] {
    const mark = this.events.length;
    const session = this.get(this.sessions, "checkout.session", sessionId);
    if (session.status !== "open") throw new Error(`checkout ${sessionId} is ${String(session.status)}`);
    session.status = "expired";
    this.emit("checkout.session.expired", session);
    return this.eventsSince(mark);
  }

  private advancePeriod(sub: StripeObj): StripeObj {
    const item = this.subscriptionItem(sub);
    const previous = { items: clone(sub.items), status: sub.status };
    item.current_period_start = item.current_period_end;
    item.current_period_end =
      (item.current_period_end as number) + intervalSeconds(str(obj(obj(item.price).recurring).interval));
    sub.billing_cycle_anchor = item.current_period_end;
    return previous;
  }

  /** The next period is charged successfully (also ends a trial). */
  renew(subscriptionId: string): StubEvent[] {
    const mark = this.events.length;
    const sub = this.liveSubscription(subscriptionId);
    const previous = this.advancePeriod(sub);
    sub.status = "active";
    sub.trial_end = sub.trial_end && (sub.trial_end as number) > this.lastTick ? this.lastTick : sub.trial_end;
    const invoice = this.newInvoice(sub, this.subscriptionPrice(sub).unit_amount as number, true, "subscription_cycle");
    this.emit("invoice.created", invoice);
    this.emit("invoice.paid", invoice);
    this.emit("customer.subscription.updated", sub, previous);
    return this.eventsSince(mark);
  }

  /** The renewal charge fails: the period moves on, the invoice stays open, the subscription is past_due. */
  failPayment(subscriptionId: string): StubEvent[] {
    const mark = this.events.length;
    const sub = this.liveSubscription(subscriptionId);
    const previous = this.advancePeriod(sub);
    sub.status = "past_due";
    const invoice = this.newInvoice(
      sub,
      this.subscriptionPrice(sub).unit_amount as number,
      false,
      "subscription_cycle",
    );
    this.emit("invoice.created", invoice);
    this.emit("invoice.payment_failed", invoice);
    this.emit("customer.subscription.updated", sub, previous);
    return this.eventsSince(mark);
  }

  /** A retry (or a new card) pays the open invoice. */
  recover(subscriptionId: string): StubEvent[] {
    const mark = this.events.length;
    const sub = this.liveSubscription(subscriptionId);
    const invoice = this.get(this.invoices, "invoice", sub.latest_invoice as string);
    if (invoice.status !== "open") throw new Error(`invoice ${invoice.id as string} is not open`);
    invoice.status = "paid";
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.attempt_count = 2;
    const piId = this.invoicePayments.get(invoice.id as string);
    if (piId) {
      const pi = this.paymentIntents.get(piId)!;
      pi.status = "succeeded";
      pi.amount_received = pi.amount;
      this.newCharge(piId, pi.amount as number, pi.currency as string, pi.customer as string);
    }
    const previous = { status: sub.status };
    sub.status = "active";
    this.emit("invoice.paid", invoice);
    this.emit("customer.subscription.updated", sub, previous);
    return this.eventsSince(mark);
  }

  /** Retries exhausted: Stripe cancels the subscription (settings "cancel after all retries fail"). */
  giveUp(subscriptionId: string): StubEvent[] {
    return this.cancelNow(subscriptionId, null, "payment_failed").events;
  }

  /** What the portal's "cancel" does: cancel at the end of the period. */
  cancelAtPeriodEnd(subscriptionId: string): StubEvent[] {
    const mark = this.events.length;
    this.updateSubscription(subscriptionId, { cancel_at_period_end: "true" }, null);
    return this.eventsSince(mark);
  }

  /** What the portal's "resume" does. */
  resume(subscriptionId: string): StubEvent[] {
    const mark = this.events.length;
    this.updateSubscription(subscriptionId, { cancel_at_period_end: "false" }, null);
    return this.eventsSince(mark);
  }

  /** Time reaches the end of a period set to cancel: the subscription ends. */
  endPeriod(subscriptionId: string): StubEvent[] {
    const sub = this.liveSubscription(subscriptionId);
    if (!sub.cancel_at_period_end) throw new Error(`subscription ${subscriptionId} is not set to cancel`);
    return this.cancelNow(subscriptionId, null, "cancellation_requested").events;
  }

  /** The member switches price in the portal (upgrade/downgrade); Stripe invoices the proration. */
  changePrice(subscriptionId: string, providerPriceId: string, prorationAmount = 0): StubEvent[] {
    const mark = this.events.length;
    const sub = this.liveSubscription(subscriptionId);
    this.updateSubscription(
      subscriptionId,
      { items: [{ id: this.subscriptionItem(sub).id, price: providerPriceId }] },
      null,
    );
    if (prorationAmount > 0) {
      const invoice = this.newInvoice(sub, prorationAmount, true, "subscription_update");
      this.emit("invoice.paid", invoice);
    }
    return this.eventsSince(mark);
  }

  /** A refund made in Stripe's dashboard (the API route does the same for our own refunds). */
  refundPayment(paymentIntentId: string, amount?: number): StubEvent[] {
    const mark = this.events.length;
    this.createRefund(
      { payment_intent: paymentIntentId, ...(amount !== undefined ? { amount: String(amount) } : {}) },
      null,
    );
    return this.eventsSince(mark);
  }

  /**
   * Someone else's business in the same Stripe account (a payment link, a dashboard subscription):
   * a customer, a product and a subscription carrying none of our metadata.
   */
  foreignActivity(email: string): StubEvent[] {
    const mark = this.events.length;
    const customer = this.createCustomer(email);
    const product = this.createProduct({ name: "Something else" });
    const price = this.priceObject(product.id as string, "eur", 1500, { interval: "month" }, {});
    this.emit("customer.created", customer);
    const sub = this.newSubscription(customer.id as string, price, {}, 0);
    this.emit("customer.subscription.created", sub);
    const invoice = this.newInvoice(sub, 1500, true, "subscription_create");
    this.emit("invoice.paid", invoice);
    const pi = this.newPaymentIntent(900, "eur", customer.id as string, {}, "succeeded");
    const sessionId = this.newId("cs");
    const session: StripeObj = {
      id: sessionId,
      object: "checkout.session",
      amount_subtotal: 900,
      amount_total: 900,
      automatic_tax: { enabled: false, liability: null, status: null },
      cancel_url: null,
      client_reference_id: null,
      created: this.tick(),
      currency: "eur",
      customer: customer.id,
      customer_creation: "always",
      customer_details: { email, name: null, address: null, phone: null, tax_exempt: "none", tax_ids: [] },
      customer_email: null,
      expires_at: this.lastTick + DAY,
      invoice: null,
      livemode: false,
      metadata: {},
      mode: "payment",
      payment_intent: pi.id,
      payment_status: "paid",
      status: "complete",
      subscription: null,
      success_url: null,
      url: null,
    };
    this.sessions.set(sessionId, session);
    this.emit("checkout.session.completed", session);
    this.refundPayment(pi.id as string);
    this.cancelNow(sub.id as string);
    return this.eventsSince(mark);
  }
}
