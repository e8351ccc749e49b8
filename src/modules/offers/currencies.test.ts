import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startStripeStub, type StripeStub } from "../../../test/support/stripe-stub.ts";
import { field } from "../../platform/http/validation.ts";
import { formatMoney } from "../../platform/i18n/index.ts";
import { isStripeCurrency, minorUnits, stripeCurrencies } from "../../platform/payments/currencies.ts";
import { StripeProvider } from "../../platform/payments/stripe.ts";
import { amountInput, parseAmount } from "./money.ts";

/** Every Stripe currency with its minor units: typed amount → minor units → Stripe (real SDK, stub) → back → display. */
let stub: StripeStub;
let provider: StripeProvider;

before(async () => {
  stub = await startStripeStub();
  provider = new StripeProvider({ secretKey: stub.secretKey, webhookSecret: stub.webhookSecret, apiBase: stub.url });
});
after(() => stub.stop());

const cases = [
  { currency: "EUR", typed: "12,50", minor: 1250, fr: "12,50\u00a0€", en: "€12.50" },
  { currency: "JPY", typed: "1500", minor: 1500, fr: "1\u202f500\u00a0JPY", en: "JP¥1,500" },
  { currency: "XOF", typed: "5 000", minor: 5000, fr: "5\u202f000\u00a0F\u202fCFA", en: "F\u202fCFA\u00a05,000" },
] as const;

for (const c of cases) {
  test(`${c.currency}: ${c.typed} is ${c.minor} minor units at Stripe and back, shown as people write it`, async () => {
    const minor = parseAmount(c.typed, c.currency);
    assert.equal(minor, c.minor);
    const session = await provider.createCheckout({
      reference: `ref_${c.currency}`,
      mode: "payment",
      line: { offerId: "o", priceId: "p", name: "Guide", amount: minor!, currency: c.currency, interval: null },
      customerEmail: "lea@example.test",
      successUrl: "http://atelier.test/merci",
      cancelUrl: "http://atelier.test/offres",
      metadata: {},
      idempotencyKey: `checkout:${c.currency}`,
    });
    const sent = stub.sessions.get(session.id)!;
    assert.equal(sent.amount_total, c.minor, "Stripe received the amount in its own minor units");
    assert.equal(sent.currency, c.currency.toLowerCase());
    const events = stub.completeCheckout(session.id);
    const done = events.find((e) => e.type === "checkout.session.completed")!;
    const signed = stub.sign(done);
    const parsed = await provider.parseWebhook(signed.body, signed.headers);
    assert.equal(parsed.type, "checkout.completed");
    if (parsed.type !== "checkout.completed") return;
    assert.equal(parsed.amountTotal, c.minor);
    assert.equal(parsed.currency, c.currency);
    assert.equal(
      formatMoney("fr", parsed.amountTotal, parsed.currency).replace(/ /g, "\u202f"),
      c.fr.replace(/ /g, "\u202f"),
    );
    assert.equal(formatMoney("en", parsed.amountTotal, parsed.currency), c.en);
    assert.equal(parseAmount(amountInput(c.minor, c.currency), c.currency), c.minor, "the form shows what it reads");
  });
}

test("zero- and three-decimal currencies refuse amounts they cannot hold, and display their own decimals", () => {
  assert.equal(parseAmount("1500,5", "JPY"), null);
  assert.equal(parseAmount("10,25", "XOF"), null);
  assert.equal(parseAmount("1,250", "BHD"), 1250);
  assert.equal(parseAmount("1,2505", "KWD"), null);
  assert.equal(minorUnits("KWD"), 3);
  assert.equal(formatMoney("en", 1250, "BHD"), "BHD\u00a01.250");
  assert.equal(formatMoney("en", 100, "USD"), "US$1.00");
});

test("every Stripe currency is accepted by the setup and formats with Intl", () => {
  assert.ok(stripeCurrencies.length > 130);
  for (const code of stripeCurrencies) {
    assert.ok(isStripeCurrency(code));
    assert.equal(field.currency().parse(code.toLowerCase()), code);
    assert.ok(formatMoney("fr", 12345, code).length > 0);
  }
  assert.throws(() => field.currency().parse("XXX"));
});
