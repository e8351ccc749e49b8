import { after, test } from "node:test";
import assert from "node:assert/strict";
import { normaliseStripeEvent, syncOfferToStripe } from "./stripe.ts";
import { WebhookSignatureError } from "./provider.ts";
import { assertEveryWriteIdempotent, checkoutRequest, lastOf, parse, useStripeStub } from "./testing.ts";

/** The Stripe provider against a local stub: payments, refunds, subscriptions and webhooks reduced to our events. */
const t = useStripeStub();
// The writes of this file (refunds, cancellations) carry their keys too (the checkout file tests its own).
after(() => assertEveryWriteIdempotent(t.stub, 15));

test("one-off purchase paid by card, then refunded through the API", async () => {
  const res = await t.provider.createCheckout(checkoutRequest({ reference: "ord_card" }));
  const events = t.stub.completeCheckout(res.id, { email: "someone-else@example.test" });
  const completed = await parse(t, lastOf(events, "checkout.session.completed"));
  assert.equal(completed.type, "checkout.completed");
  if (completed.type !== "checkout.completed") return;
  assert.equal(completed.paid, true);
  assert.equal(completed.amountTotal, 1850);
  assert.equal(completed.currency, "EUR");
  assert.equal(completed.reference, "ord_card");
  assert.equal(completed.customerEmail, "someone-else@example.test");
  assert.match(completed.providerPaymentId ?? "", /^pi_/);
  assert.equal(completed.providerSubscriptionId, null);

  const mark = t.stub.events.length;
  await t.provider.refund(completed.providerPaymentId!, "refund:ord_card");
  await t.provider.refund(completed.providerPaymentId!, "refund:ord_card"); // a retry: replayed, not a second refund
  assert.equal([...t.stub.refunds.values()].filter((r) => r.payment_intent === completed.providerPaymentId).length, 1);
  const refunded = await parse(t, lastOf(t.stub.events.slice(mark), "charge.refunded"));
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
  const a = await t.provider.createCheckout(checkoutRequest({ reference: "ord_sepa" }));
  const completed = await parse(
    t,
    lastOf(t.stub.completeCheckout(a.id, { delayed: true }), "checkout.session.completed"),
  );
  assert.equal(completed.type === "checkout.completed" && completed.paid, false);
  const ok = await parse(t, lastOf(t.stub.asyncPaymentSucceeded(a.id), "checkout.session.async_payment_succeeded"));
  assert.equal(ok.type, "checkout.async_payment_succeeded");
  assert.equal(ok.type === "checkout.async_payment_succeeded" && ok.reference, "ord_sepa");

  const b = await t.provider.createCheckout(checkoutRequest({ reference: "ord_sepa_ko" }));
  t.stub.completeCheckout(b.id, { delayed: true });
  const ko = await parse(t, lastOf(t.stub.asyncPaymentFailed(b.id), "checkout.session.async_payment_failed"));
  assert.equal(ko.type, "checkout.async_payment_failed");

  const c = await t.provider.createCheckout(checkoutRequest({ reference: "ord_abandoned" }));
  const expired = await parse(t, lastOf(t.stub.expireCheckout(c.id), "checkout.session.expired"));
  assert.equal(expired.type === "checkout.expired" && expired.reference, "ord_abandoned");
});

test("subscription lifecycle: events carry only ids; the snapshot is re-read from Stripe", async () => {
  const sync = await syncOfferToStripe(t.provider.stripe, { id: "tier_life", name: "Cercle", active: true }, [
    { id: "life_m", amount: 500, currency: "EUR", interval: "month" },
    { id: "life_y", amount: 5000, currency: "EUR", interval: "year" },
  ]);
  const res = await t.provider.createCheckout(
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
  const created = t.stub.completeCheckout(res.id);
  const subId = t.stub.sessions.get(res.id)!.subscription as string;
  const changed = await parse(t, lastOf(created, "customer.subscription.created"));
  assert.deepEqual(
    { type: changed.type, sub: changed.type === "subscription.changed" && changed.providerSubscriptionId },
    { type: "subscription.changed", sub: subId },
  );
  const paid = await parse(t, lastOf(created, "invoice.paid"));
  assert.equal(paid.type === "invoice.paid" && paid.providerSubscriptionId, subId);
  assert.equal(paid.type === "invoice.paid" && paid.amountPaid, 500);
  // The PaymentIntent is looked up (expand payments): a refund of this invoice can be matched to it.
  assert.match((paid.type === "invoice.paid" && paid.providerPaymentId) || "", /^pi_test_/);
  assert.ok(
    t.stub.requests.some(
      (r) =>
        r.method === "GET" && r.path.startsWith("/v1/invoices/") && JSON.stringify(r.params.expand) === '["payments"]',
    ),
  );
  const ignored = await parse(t, lastOf(created, "invoice.created"));
  assert.deepEqual(
    { type: ignored.type, providerType: ignored.type === "ignored" && ignored.providerType },
    { type: "ignored", providerType: "invoice.created" },
  );

  const failed = await parse(t, lastOf(t.stub.failPayment(subId), "invoice.payment_failed"));
  assert.equal(failed.type === "invoice.payment_failed" && failed.providerSubscriptionId, subId);
  assert.equal((await t.provider.retrieveSubscription(subId)).status, "past_due");
  t.stub.recover(subId);
  assert.equal((await t.provider.retrieveSubscription(subId)).status, "active");

  t.stub.changePrice(subId, sync.prices.life_y!, 4500);
  const upgraded = await t.provider.retrieveSubscription(subId);
  assert.equal(upgraded.priceId, "life_y", "our price id comes from the new Stripe price, not stale metadata");
  assert.equal(upgraded.providerPriceId, sync.prices.life_y);

  await t.provider.cancelSubscription(subId, { atPeriodEnd: true, idempotencyKey: "cancel:subref_life" });
  const pending = await t.provider.retrieveSubscription(subId);
  assert.equal(pending.status, "active");
  assert.equal(pending.cancelAtPeriodEnd, true);
  assert.ok(pending.canceledAt);
  t.stub.endPeriod(subId);
  const ended = await t.provider.retrieveSubscription(subId);
  assert.equal(ended.status, "canceled");

  const portal = await t.provider.customerPortalUrl(ended.providerCustomerId, "http://atelier.test/compte");
  assert.match(portal, /\/billing\/bps_test_/);

  const res2 = await t.provider.createCheckout(
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
  t.stub.completeCheckout(res2.id);
  const sub2 = t.stub.sessions.get(res2.id)!.subscription as string;
  await t.provider.cancelSubscription(sub2, { atPeriodEnd: false, idempotencyKey: "cancel-now:subref_now" });
  assert.equal((await t.provider.retrieveSubscription(sub2)).status, "canceled");
  await assert.rejects(t.provider.retrieveSubscription("sub_does_not_exist"), /No such subscription/);
});

test("webhook signatures: forged, stale, wrong secret or missing are refused; a fresh one is accepted", async () => {
  const res = await t.provider.createCheckout(checkoutRequest({ reference: "ord_sig" }));
  const event = lastOf(t.stub.completeCheckout(res.id), "checkout.session.completed");
  const good = t.stub.sign(event);
  assert.equal((await t.provider.parseWebhook(good.body, good.headers)).id, event.id);

  const tampered = good.body.replace('"amount_total": 1850', '"amount_total": 1');
  assert.notEqual(tampered, good.body);
  await assert.rejects(t.provider.parseWebhook(tampered, good.headers), WebhookSignatureError);
  // Re-serialised JSON (what a body parser would hand over) no longer matches: the raw body is required.
  await assert.rejects(
    t.provider.parseWebhook(JSON.stringify(JSON.parse(good.body)), good.headers),
    WebhookSignatureError,
  );
  const stale = t.stub.sign(event, { timestamp: Math.floor(Date.now() / 1000) - 301 });
  await assert.rejects(t.provider.parseWebhook(stale.body, stale.headers), WebhookSignatureError);
  const wrong = t.stub.sign(event, { secret: "whsec_someone_else" });
  await assert.rejects(t.provider.parseWebhook(wrong.body, wrong.headers), WebhookSignatureError);
  await assert.rejects(
    t.provider.parseWebhook(good.body, { "content-type": "application/json" }),
    WebhookSignatureError,
  );
  await assert.rejects(t.provider.parseWebhook(good.body, { "stripe-signature": "t=1,v1=00" }), WebhookSignatureError);
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
