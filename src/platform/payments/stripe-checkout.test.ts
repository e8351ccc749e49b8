import { test } from "node:test";
import assert from "node:assert/strict";
import { StripeProvider, syncOfferToStripe, stripeProductIdFor, stripeProviderFromConfig } from "./stripe.ts";
import { loadConfig } from "../config.ts";
import { assertEveryWriteIdempotent, checkoutRequest, lastOf, parse, useStripeStub } from "./testing.ts";

/** The Stripe provider against a local stub: configuration, checkouts, product and price sync. */
const t = useStripeStub();

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
  const first = await t.provider.createCheckout(req);
  const again = await t.provider.createCheckout(req);
  assert.equal(again.id, first.id, "same Idempotency-Key → same session");
  assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+\/pay\/cs_test_/);
  const posts = t.stub.requests.filter(
    (r) => r.method === "POST" && r.path === "/v1/checkout/sessions" && r.idempotencyKey === "checkout:ord_pwyw",
  );
  assert.equal(posts.length, 2);
  assert.equal(
    [...t.stub.sessions.values()].filter((s) => s.client_reference_id === "ord_1" && s.id === first.id).length,
    1,
  );
  const s = t.stub.sessions.get(first.id)!;
  assert.equal(s.mode, "payment");
  assert.equal(s.amount_total, 1850);
  assert.equal(s.currency, "eur");
  assert.equal(s.customer_email, "lea@example.test");
  assert.equal(s.customer_creation, "always");
  assert.deepEqual(s.metadata, { member_id: "mem_1", reference: "ord_1", offer_id: "off_1", price_id: "pri_1" });
  assert.deepEqual(t.stub.sessionDetails(first.id).paymentIntentData.metadata, s.metadata);
  // Same key, other parameters: Stripe refuses rather than silently returning the first session.
  await assert.rejects(t.provider.createCheckout({ ...req, line: { ...req.line, amount: 9999 } }), /same parameters/);
});

test("subscription checkout: synced price, trial days, existing customer reused, automatic tax", async () => {
  const sync = await syncOfferToStripe(t.provider.stripe, { id: "tier_1", name: "Cercle", active: true }, [
    { id: "pm", amount: 500, currency: "EUR", interval: "month" },
  ]);
  const customer = t.stub.createCustomer("lea@example.test");
  const res = await t.provider.createCheckout(
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
  const s = t.stub.sessions.get(res.id)!;
  assert.equal(s.customer, customer.id);
  assert.equal(s.customer_email, null, "an existing customer is passed by id, never by email");
  assert.deepEqual(s.automatic_tax, { enabled: true, liability: null, status: null });
  const details = t.stub.sessionDetails(res.id);
  assert.equal(details.price.id, sync.prices.pm);
  assert.equal(details.subscriptionData.trial_period_days, "14");
  assert.equal((details.subscriptionData.metadata as Record<string, string>).reference, "sub_ref_1");
  assert.deepEqual(details.customerUpdate, { address: "auto", name: "auto" });

  // The buyer pays: the subscription is trialing and carries our reference.
  const events = t.stub.completeCheckout(res.id);
  const completed = await parse(t, lastOf(events, "checkout.session.completed"));
  assert.equal(completed.type, "checkout.completed");
  if (completed.type !== "checkout.completed") return;
  assert.equal(completed.reference, "sub_ref_1");
  assert.equal(completed.mode, "subscription");
  assert.equal(completed.paid, true, "a trial needs no payment and is granted");
  assert.equal(completed.providerCustomerId, customer.id);
  assert.ok(completed.providerSubscriptionId);
  const snap = await t.provider.retrieveSubscription(completed.providerSubscriptionId);
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
  const first = await syncOfferToStripe(t.provider.stripe, offer, prices);
  assert.equal(first.providerProductId, stripeProductIdFor(offer.id));
  assert.equal(t.stub.products.get(first.providerProductId)?.name, "Atelier du jeudi");
  const month = t.stub.prices.get(first.prices.p_month!)!;
  assert.equal(month.unit_amount, 900);
  assert.deepEqual((month.recurring as { interval: string }).interval, "month");
  assert.equal((month.metadata as Record<string, string>).atelier_price_id, "p_month");

  const stored = prices.map((p) => ({ ...p, providerPriceId: first.prices[p.id] }));
  const before = t.stub.requests.length;
  const second = await syncOfferToStripe(
    t.provider.stripe,
    { ...offer, providerProductId: first.providerProductId },
    stored,
  );
  assert.deepEqual(second, first);
  assert.equal(
    t.stub.requests.slice(before).filter((r) => r.method === "POST").length,
    0,
    "nothing changed → nothing written",
  );

  // The stored id was lost (crash between Stripe's answer and our write): found again, not duplicated.
  const third = await syncOfferToStripe(t.provider.stripe, offer, prices);
  assert.deepEqual(third, first);

  // New amount: a new price; the old one stays for existing subscribers but is closed to new checkouts.
  const changed = await syncOfferToStripe(t.provider.stripe, { ...offer, name: "Atelier du jeudi soir" }, [
    { ...stored[0]!, amount: 1100 },
    stored[1]!,
  ]);
  assert.notEqual(changed.prices.p_month, first.prices.p_month);
  assert.equal(changed.prices.p_year, first.prices.p_year);
  assert.equal(t.stub.prices.get(changed.prices.p_month!)?.unit_amount, 1100);
  assert.equal(t.stub.prices.get(first.prices.p_month!)?.active, false);
  assert.equal(t.stub.products.get(first.providerProductId)?.name, "Atelier du jeudi soir");
  assert.equal([...t.stub.prices.values()].filter((p) => p.product === first.providerProductId).length, 3);
});

test("every POST the provider sent carried an Idempotency-Key", () => {
  assertEveryWriteIdempotent(t.stub, 12);
});
