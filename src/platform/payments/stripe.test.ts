import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  normaliseStripeEvent,
  StripeProvider,
  syncOfferToStripe,
  stripeProductIdFor,
  stripeProviderFromConfig,
} from "./stripe.ts";
import { WebhookSignatureError, type CheckoutRequest, type ProviderEvent } from "./provider.ts";
import { loadConfig } from "../config.ts";
import { startStripeStub, type StripeStub, type StubEvent } from "../../../test/support/stripe-stub.ts";

let stub: StripeStub;
let provider: StripeProvider;

before(async () => {
  stub = await startStripeStub();
  provider = new StripeProvider({ secretKey: stub.secretKey, webhookSecret: stub.webhookSecret, apiBase: stub.url });
});
after(async () => {
  await stub.stop();
});

function checkoutRequest(over: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return {
    reference: "ord_1",
    mode: "payment",
    line: {
      offerId: "off_1",
      priceId: "pri_1",
      name: "Carnet de glaçures",
      amount: 1850,
      currency: "EUR",
      interval: null,
    },
    customerEmail: "lea@example.test",
    successUrl: "http://atelier.test/merci",
    cancelUrl: "http://atelier.test/offres",
    metadata: { member_id: "mem_1" },
    idempotencyKey: `checkout:${Math.random()}`,
    ...over,
  };
}

async function parse(event: StubEvent): Promise<ProviderEvent> {
  const d = stub.sign(event);
  return provider.parseWebhook(d.body, d.headers);
}

function lastOf(events: StubEvent[], type: string): StubEvent {
  const e = events.filter((x) => x.type === type).at(-1);
  assert.ok(e, `no ${type} among ${events.map((x) => x.type).join(", ")}`);
  return e;
}

test("config: STRIPE_API_BASE is optional and only used when set", () => {
  const base = { STRIPE_SECRET_KEY: "sk_test_x", STRIPE_WEBHOOK_SECRET: "whsec_x" };
  assert.equal(loadConfig(base).stripeApiBase, undefined);
  assert.equal(
    loadConfig({ ...base, STRIPE_API_BASE: "http://127.0.0.1:12111" }).stripeApiBase,
    "http://127.0.0.1:12111",
  );
  assert.throws(() => loadConfig({ ...base, STRIPE_API_BASE: "ftp://x" }), /STRIPE_API_BASE/);
  assert.equal(stripeProviderFromConfig(loadConfig({})), null);
  assert.ok(stripeProviderFromConfig(loadConfig(base)) instanceof StripeProvider);
});

test("pay-what-you-want checkout: inline price, our ids in metadata, a customer created, idempotent", async () => {
  const req = checkoutRequest({ idempotencyKey: "checkout:ord_pwyw" });
  const first = await provider.createCheckout(req);
  const again = await provider.createCheckout(req);
  assert.equal(again.id, first.id, "same Idempotency-Key → same session");
  assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+\/pay\/cs_test_/);
  const posts = stub.requests.filter(
    (r) => r.method === "POST" && r.path === "/v1/checkout/sessions" && r.idempotencyKey === "checkout:ord_pwyw",
  );
  assert.equal(posts.length, 2);
  assert.equal(
    [...stub.sessions.values()].filter((s) => s.client_reference_id === "ord_1" && s.id === first.id).length,
    1,
  );
  const s = stub.sessions.get(first.id)!;
  assert.equal(s.mode, "payment");
  assert.equal(s.amount_total, 1850);
  assert.equal(s.currency, "eur");
  assert.equal(s.customer_email, "lea@example.test");
  assert.equal(s.customer_creation, "always");
  assert.deepEqual(s.metadata, { member_id: "mem_1", reference: "ord_1", offer_id: "off_1", price_id: "pri_1" });
  assert.deepEqual(stub.sessionDetails(first.id).paymentIntentData.metadata, s.metadata);
  // Same key, other parameters: Stripe refuses rather than silently returning the first session.
  await assert.rejects(provider.createCheckout({ ...req, line: { ...req.line, amount: 9999 } }), /same parameters/);
});

test("subscription checkout: synced price, trial days, existing customer reused, automatic tax", async () => {
  const sync = await syncOfferToStripe(provider.stripe, { id: "tier_1", name: "Cercle", active: true }, [
    { id: "pm", amount: 500, currency: "EUR", interval: "month" },
  ]);
  const customer = stub.createCustomer("lea@example.test");
  const res = await provider.createCheckout(
    checkoutRequest({
      reference: "sub_ref_1",
      mode: "subscription",
      line: {
        offerId: "tier_1",
        priceId: "pm",
        name: "Cercle",
        amount: 500,
        currency: "EUR",
        interval: "month",
        trialDays: 14,
        providerPriceId: sync.prices.pm,
      },
      providerCustomerId: customer.id as string,
      automaticTax: true,
    }),
  );
  const s = stub.sessions.get(res.id)!;
  assert.equal(s.customer, customer.id);
  assert.equal(s.customer_email, null, "an existing customer is passed by id, never by email");
  assert.deepEqual(s.automatic_tax, { enabled: true, liability: null, status: null });
  const details = stub.sessionDetails(res.id);
  assert.equal(details.price.id, sync.prices.pm);
  assert.equal(details.subscriptionData.trial_period_days, "14");
  assert.equal((details.subscriptionData.metadata as Record<string, string>).reference, "sub_ref_1");
  assert.deepEqual(details.customerUpdate, { address: "auto", name: "auto" });

  // The buyer pays: the subscription is trialing and carries our reference.
  const events = stub.completeCheckout(res.id);
  const completed = await parse(lastOf(events, "checkout.session.completed"));
  assert.equal(completed.type, "checkout.completed");
  if (completed.type !== "checkout.completed") return;
  assert.equal(completed.reference, "sub_ref_1");
  assert.equal(completed.mode, "subscription");
  assert.equal(completed.paid, true, "a trial needs no payment and is granted");
  assert.equal(completed.providerCustomerId, customer.id);
  assert.ok(completed.providerSubscriptionId);
  const snap = await provider.retrieveSubscription(completed.providerSubscriptionId);
  assert.equal(snap.status, "trialing");
  assert.equal(snap.priceId, "pm");
  assert.equal(snap.metadata.reference, "sub_ref_1");
  assert.ok(snap.currentPeriodEnd && Date.parse(snap.currentPeriodEnd) > Date.now() + 13 * 86_400_000);
});

test("product and price sync: created once, reused, a changed amount makes a new price", async () => {
  const offer = { id: "019a-offer-sync", name: "Atelier du jeudi", description: "Un soir par semaine", active: true };
  const prices = [
    { id: "p_month", amount: 900, currency: "EUR", interval: "month" as const },
    { id: "p_year", amount: 9000, currency: "EUR", interval: "year" as const },
  ];
  const first = await syncOfferToStripe(provider.stripe, offer, prices);
  assert.equal(first.providerProductId, stripeProductIdFor(offer.id));
  assert.equal(stub.products.get(first.providerProductId)?.name, "Atelier du jeudi");
  const month = stub.prices.get(first.prices.p_month!)!;
  assert.equal(month.unit_amount, 900);
  assert.deepEqual((month.recurring as { interval: string }).interval, "month");
  assert.equal((month.metadata as Record<string, string>).atelier_price_id, "p_month");

  const stored = prices.map((p) => ({ ...p, providerPriceId: first.prices[p.id] }));
  const before = stub.requests.length;
  const second = await syncOfferToStripe(
    provider.stripe,
    { ...offer, providerProductId: first.providerProductId },
    stored,
  );
  assert.deepEqual(second, first);
  assert.equal(
    stub.requests.slice(before).filter((r) => r.method === "POST").length,
    0,
    "nothing changed → nothing written",
  );

  // The stored id was lost (crash between Stripe's answer and our write): found again, not duplicated.
  const third = await syncOfferToStripe(provider.stripe, offer, prices);
  assert.deepEqual(third, first);

  // New amount: a new price; the old one stays for existing subscribers but is closed to new checkouts.
  const changed = await syncOfferToStripe(provider.stripe, { ...offer, name: "Atelier du jeudi soir" }, [
    { ...stored[0]!, amount: 1100 },
    stored[1]!,
  ]);
  assert.notEqual(changed.prices.p_month, first.prices.p_month);
  assert.equal(changed.prices.p_year, first.prices.p_year);
  assert.equal(stub.prices.get(changed.prices.p_month!)?.unit_amount, 1100);
  assert.equal(stub.prices.get(first.prices.p_month!)?.active, false);
  assert.equal(stub.products.get(first.providerProductId)?.name, "Atelier du jeudi soir");
  assert.equal([...stub.prices.values()].filter((p) => p.product === first.providerProductId).length, 3);
});

test("one-off purchase paid by card, then refunded through the API", async () => {
  const res = await provider.createCheckout(checkoutRequest({ reference: "ord_card" }));
  const events = stub.completeCheckout(res.id, { email: "someone-else@example.test" });
  const completed = await parse(lastOf(events, "checkout.session.completed"));
  assert.equal(completed.type, "checkout.completed");
  if (completed.type !== "checkout.completed") return;
  assert.equal(completed.paid, true);
  assert.equal(completed.amountTotal, 1850);
  assert.equal(completed.currency, "EUR");
  assert.equal(completed.reference, "ord_card");
  assert.equal(completed.customerEmail, "someone-else@example.test");
  assert.match(completed.providerPaymentId ?? "", /^pi_/);
  assert.equal(completed.providerSubscriptionId, null);

  const mark = stub.events.length;
  await provider.refund(completed.providerPaymentId!, "refund:ord_card");
  await provider.refund(completed.providerPaymentId!, "refund:ord_card"); // a retry: replayed, not a second refund
  assert.equal([...stub.refunds.values()].filter((r) => r.payment_intent === completed.providerPaymentId).length, 1);
  const refunded = await parse(lastOf(stub.events.slice(mark), "charge.refunded"));
  assert.deepEqual(
    { ...refunded, id: "", created: 0 },
    {
      id: "",
      created: 0,
      type: "charge.refunded",
      providerPaymentId: completed.providerPaymentId,
      amountRefunded: 1850,
      fullyRefunded: true,
    },
  );
});

test("SEPA: completed unpaid, granted only on async_payment_succeeded; failure and expiry normalised", async () => {
  const a = await provider.createCheckout(checkoutRequest({ reference: "ord_sepa" }));
  const completed = await parse(lastOf(stub.completeCheckout(a.id, { delayed: true }), "checkout.session.completed"));
  assert.equal(completed.type === "checkout.completed" && completed.paid, false);
  const ok = await parse(lastOf(stub.asyncPaymentSucceeded(a.id), "checkout.session.async_payment_succeeded"));
  assert.equal(ok.type, "checkout.async_payment_succeeded");
  assert.equal(ok.type === "checkout.async_payment_succeeded" && ok.reference, "ord_sepa");

  const b = await provider.createCheckout(checkoutRequest({ reference: "ord_sepa_ko" }));
  stub.completeCheckout(b.id, { delayed: true });
  const ko = await parse(lastOf(stub.asyncPaymentFailed(b.id), "checkout.session.async_payment_failed"));
  assert.equal(ko.type, "checkout.async_payment_failed");

  const c = await provider.createCheckout(checkoutRequest({ reference: "ord_abandoned" }));
  const expired = await parse(lastOf(stub.expireCheckout(c.id), "checkout.session.expired"));
  assert.equal(expired.type === "checkout.expired" && expired.reference, "ord_abandoned");
});

test("subscription lifecycle: events carry only ids; the snapshot is re-read from Stripe", async () => {
  const sync = await syncOfferToStripe(provider.stripe, { id: "tier_life", name: "Cercle", active: true }, [
    { id: "life_m", amount: 500, currency: "EUR", interval: "month" },
    { id: "life_y", amount: 5000, currency: "EUR", interval: "year" },
  ]);
  const res = await provider.createCheckout(
    checkoutRequest({
      reference: "subref_life",
      mode: "subscription",
      line: {
        offerId: "tier_life",
        priceId: "life_m",
        name: "Cercle",
        amount: 500,
        currency: "EUR",
        interval: "month",
        providerPriceId: sync.prices.life_m,
      },
    }),
  );
  const created = stub.completeCheckout(res.id);
  const subId = stub.sessions.get(res.id)!.subscription as string;
  const changed = await parse(lastOf(created, "customer.subscription.created"));
  assert.deepEqual(
    { type: changed.type, sub: changed.type === "subscription.changed" && changed.providerSubscriptionId },
    { type: "subscription.changed", sub: subId },
  );
  const paid = await parse(lastOf(created, "invoice.paid"));
  assert.equal(paid.type === "invoice.paid" && paid.providerSubscriptionId, subId);
  assert.equal(paid.type === "invoice.paid" && paid.amountPaid, 500);
  // The PaymentIntent is looked up (expand payments): a refund of this invoice can be matched to it.
  assert.match((paid.type === "invoice.paid" && paid.providerPaymentId) || "", /^pi_test_/);
  assert.ok(
    stub.requests.some(
      (r) =>
        r.method === "GET" && r.path.startsWith("/v1/invoices/") && JSON.stringify(r.params.expand) === '["payments"]',
    ),
  );
  const ignored = await parse(lastOf(created, "invoice.created"));
  assert.deepEqual(
    { type: ignored.type, providerType: ignored.type === "ignored" && ignored.providerType },
    { type: "ignored", providerType: "invoice.created" },
  );

  const failed = await parse(lastOf(stub.failPayment(subId), "invoice.payment_failed"));
  assert.equal(failed.type === "invoice.payment_failed" && failed.providerSubscriptionId, subId);
  assert.equal((await provider.retrieveSubscription(subId)).status, "past_due");
  stub.recover(subId);
  assert.equal((await provider.retrieveSubscription(subId)).status, "active");

  stub.changePrice(subId, sync.prices.life_y!, 4500);
  const upgraded = await provider.retrieveSubscription(subId);
  assert.equal(upgraded.priceId, "life_y", "our price id comes from the new Stripe price, not stale metadata");
  assert.equal(upgraded.providerPriceId, sync.prices.life_y);

  await provider.cancelSubscription(subId, { atPeriodEnd: true, idempotencyKey: "cancel:subref_life" });
  const pending = await provider.retrieveSubscription(subId);
  assert.equal(pending.status, "active");
  assert.equal(pending.cancelAtPeriodEnd, true);
  assert.ok(pending.canceledAt);
  stub.endPeriod(subId);
  const ended = await provider.retrieveSubscription(subId);
  assert.equal(ended.status, "canceled");

  const portal = await provider.customerPortalUrl(ended.providerCustomerId, "http://atelier.test/compte");
  assert.match(portal, /\/billing\/bps_test_/);

  const res2 = await provider.createCheckout(
    checkoutRequest({
      reference: "subref_now",
      mode: "subscription",
      line: {
        offerId: "tier_life",
        priceId: "life_m",
        name: "Cercle",
        amount: 500,
        currency: "EUR",
        interval: "month",
        providerPriceId: sync.prices.life_m,
      },
    }),
  );
  stub.completeCheckout(res2.id);
  const sub2 = stub.sessions.get(res2.id)!.subscription as string;
  await provider.cancelSubscription(sub2, { atPeriodEnd: false, idempotencyKey: "cancel-now:subref_now" });
  assert.equal((await provider.retrieveSubscription(sub2)).status, "canceled");
  await assert.rejects(provider.retrieveSubscription("sub_does_not_exist"), /No such subscription/);
});

test("webhook signatures: forged, stale, wrong secret or missing are refused; a fresh one is accepted", async () => {
  const res = await provider.createCheckout(checkoutRequest({ reference: "ord_sig" }));
  const event = lastOf(stub.completeCheckout(res.id), "checkout.session.completed");
  const good = stub.sign(event);
  assert.equal((await provider.parseWebhook(good.body, good.headers)).id, event.id);

  const tampered = good.body.replace('"amount_total": 1850', '"amount_total": 1');
  assert.notEqual(tampered, good.body);
  await assert.rejects(provider.parseWebhook(tampered, good.headers), WebhookSignatureError);
  // Re-serialised JSON (what a body parser would hand over) no longer matches: the raw body is required.
  await assert.rejects(
    provider.parseWebhook(JSON.stringify(JSON.parse(good.body)), good.headers),
    WebhookSignatureError,
  );
  const stale = stub.sign(event, { timestamp: Math.floor(Date.now() / 1000) - 301 });
  await assert.rejects(provider.parseWebhook(stale.body, stale.headers), WebhookSignatureError);
  const wrong = stub.sign(event, { secret: "whsec_someone_else" });
  await assert.rejects(provider.parseWebhook(wrong.body, wrong.headers), WebhookSignatureError);
  await assert.rejects(provider.parseWebhook(good.body, { "content-type": "application/json" }), WebhookSignatureError);
  await assert.rejects(provider.parseWebhook(good.body, { "stripe-signature": "t=1,v1=00" }), WebhookSignatureError);
});

test("every POST the provider sent carried an Idempotency-Key", () => {
  const posts = stub.requests.filter((r) => r.method === "POST" || r.method === "DELETE");
  assert.ok(posts.length >= 20, `only ${posts.length} writes`);
  assert.deepEqual(
    posts.filter((r) => !r.idempotencyKey).map((r) => `${r.method} ${r.path}`),
    [],
  );
  assert.ok(stub.requests.every((r) => r.status !== 401));
});

test("Stripe Tax: the VAT of a checkout and of a renewal invoice is carried, none when absent", () => {
  const session = (amountTax: number | null) =>
    ({
      id: "evt_tax",
      type: "checkout.session.completed",
      created: 1,
      data: {
        object: {
          id: "cs_tax",
          mode: "payment",
          payment_status: "paid",
          amount_total: 1200,
          total_details: amountTax === null ? null : { amount_tax: amountTax, amount_discount: 0, amount_shipping: 0 },
          currency: "eur",
          metadata: {},
          client_reference_id: "ord_tax",
          customer: null,
          payment_intent: "pi_tax",
          subscription: null,
          customer_details: null,
          customer_email: null,
        },
      },
    }) as unknown as Parameters<typeof normaliseStripeEvent>[0];
  const taxed = normaliseStripeEvent(session(200));
  assert.equal(taxed.type === "checkout.completed" && taxed.amountTax, 200);
  const untaxed = normaliseStripeEvent(session(null));
  assert.equal(untaxed.type === "checkout.completed" && untaxed.amountTax, null);
  const invoice = normaliseStripeEvent({
    id: "evt_inv",
    type: "invoice.paid",
    created: 1,
    data: {
      object: {
        id: "in_1",
        amount_paid: 1200,
        currency: "eur",
        parent: { subscription_details: { subscription: "sub_1" } },
        total_taxes: [{ amount: 150 }, { amount: 50 }],
        lines: { data: [{ period: { start: 1_767_225_600, end: 1_769_904_000 } }, { period: { end: 1_769_000_000 } }] },
      },
    },
  } as unknown as Parameters<typeof normaliseStripeEvent>[0]);
  assert.equal(invoice.type === "invoice.paid" && invoice.amountTax, 200);
  assert.equal(invoice.type === "invoice.paid" && invoice.periodEnd, "2026-02-01T00:00:00.000Z");
});
