/**
 * The replay oracle's world (src/modules/offers/replay-oracle.test.ts): offers synced to the Stripe stub,
 * purchases started through startCheckout, the lifecycles driven on the stub with what each must leave
 * behind recorded in the model, and deliveries to POST /webhooks/stripe over real HTTP.
 */
import assert from "node:assert/strict";
import type { TestApp } from "../../../../test/support/app.ts";
import type { StripeStub, StubEvent } from "../../../../test/support/stripe-stub.ts";
import { syncOfferToStripe, type StripeProvider } from "../../../platform/payments/stripe.ts";
import { createOffer, offerPrices } from "../service.ts";
import { startCheckout } from "../checkout.ts";
import {
  newBuyerEmail,
  type Buyer,
  type ExpectedOrder,
  type ExpectedSub,
  type Kind,
  type PriceFx,
  type Rng,
  type Tally,
} from "./replay-model.ts";

export interface OracleWorld {
  app: TestApp;
  stub: StripeStub;
  provider: StripeProvider;
  endpoint: string;
}

/** The oracle's state and drivers; `attach` hands it the app and the stub once they are started. */
export function createReplayOracle(rnd: Rng) {
  let app!: TestApp;
  let stub!: StripeStub;
  let provider!: StripeProvider;
  let endpoint!: string;
  function attach(world: OracleWorld): void {
    ({ app, stub, provider, endpoint } = world);
  }

  const offer: Record<string, string> = {};
  const price: Record<string, PriceFx> = {};
  const existing: Array<{ id: string; email: string }> = [];

  /** Creates an offer through the offers module, then syncs its fixed prices to Stripe by id (as the admin does on publish). */
  async function insertOffer(
    slug: string,
    kind: "tier" | "product" | "tip",
    name: string,
    prices: Array<{
      key: string;
      amount: number;
      interval: "month" | "year" | null;
      pwyw?: boolean;
      min?: number;
      trialDays?: number;
    }>,
  ) {
    const row = await createOffer(
      app.db,
      { slug, kind, name, status: "published" },
      prices.map((p) => ({
        kind: p.interval ? "recurring" : "one_off",
        interval: p.interval,
        amount: p.amount,
        currency: "EUR",
        payWhatYouWant: !!p.pwyw,
        minAmount: p.min ?? 0,
        trialDays: p.trialDays ?? 0,
      })),
    );
    offer[slug] = row.id;
    const rows = (await offerPrices(app.db, [row.id])).sort((a, b) => a.position - b.position);
    prices.forEach((p, i) => {
      price[p.key] = {
        id: rows[i]!.id,
        offerId: row.id,
        amount: p.amount,
        interval: p.interval,
        pwyw: !!p.pwyw,
        trialDays: p.trialDays ?? 0,
        providerPriceId: null,
      };
    });
    const fixed = prices.filter((p) => !p.pwyw);
    if (!fixed.length) return;
    const sync = await syncOfferToStripe(
      provider.stripe,
      { id: row.id, name, active: true },
      fixed.map((p) => ({ id: price[p.key]!.id, amount: p.amount, currency: "EUR", interval: p.interval })),
    );
    await app.db
      .updateTable("offers")
      .set({ provider_product_id: sync.providerProductId })
      .where("id", "=", row.id)
      .execute();
    for (const p of fixed) {
      const id = price[p.key]!.id;
      await app.db.updateTable("prices").set({ provider_price_id: sync.prices[id]! }).where("id", "=", id).execute();
      price[p.key]!.providerPriceId = sync.prices[id]!;
    }
  }

  async function start(buyer: Buyer, p: PriceFx, amount: number | null, gift: { recipient: string } | null) {
    const started = await startCheckout(app.db, provider, {
      offerId: p.offerId,
      priceId: p.id,
      amount,
      email: buyer.email,
      memberId: buyer.memberId,
      locale: "fr",
      gift: gift ? { recipientEmail: gift.recipient } : null,
      publicUrl: app.url,
      secret: app.running.services.secret,
    });
    const sessionId = /\/pay\/(cs_test_[A-Za-z0-9]+)$/.exec(started.url)?.[1];
    assert.ok(sessionId, `checkout URL ${started.url}`);
    return { reference: started.reference, sessionId };
  }

  async function startOrder(
    buyer: Buyer,
    p: PriceFx,
    amount: number,
    gift: { recipient: string } | null,
  ): Promise<{ orderId: string; giftId: string | null; sessionId: string }> {
    const s = await start(buyer, p, p.pwyw ? amount : null, gift);
    const order = await app.db
      .selectFrom("orders")
      .select(["gift_id"])
      .where("id", "=", s.reference)
      .executeTakeFirstOrThrow();
    return { orderId: s.reference, giftId: order.gift_id, sessionId: s.sessionId };
  }

  async function startSubscription(buyer: Buyer, p: PriceFx): Promise<{ subRef: string; sessionId: string }> {
    const s = await start(buyer, p, null, null);
    return { subRef: s.reference, sessionId: s.sessionId };
  }

  const expectedOrders = new Map<string, ExpectedOrder>();
  const expectedSubs = new Map<string, ExpectedSub>();
  const kindsRun = new Map<string, number>();
  const foreignEmails: string[] = [];
  const foreignSubscriptionIds: string[] = [];
  /** Emails typed on Stripe's page that belong to another member (must never be touched). */
  const overrideEmails = new Set<string>();

  function pickBuyer(i: number): Buyer {
    const r = rnd.next();
    if (r < 0.45) {
      const m = rnd.pick(existing);
      return { memberId: m.id, email: m.email };
    }
    if (r < 0.55) {
      // Anonymous checkout started with an existing member's email: it is theirs, but nothing of theirs changes.
      const m = rnd.pick(existing);
      return { memberId: null, email: m.email };
    }
    return { memberId: null, email: newBuyerEmail(i) };
  }

  /** What the buyer types on Stripe's page: sometimes another member's address (never copied anywhere). */
  function typedEmail(buyer: Buyer): string | undefined {
    if (rnd.next() < 0.15) {
      const other = rnd.pick(existing).email;
      if (other !== buyer.email) {
        overrideEmails.add(other);
        return other;
      }
    }
    return undefined;
  }

  function subOf(sessionId: string): string {
    return stub.sessions.get(sessionId)!.subscription as string;
  }
  function paymentOf(sessionId: string): string {
    return stub.sessions.get(sessionId)!.payment_intent as string;
  }

  async function runLifecycle(i: number, kind: Kind): Promise<void> {
    kindsRun.set(kind, (kindsRun.get(kind) ?? 0) + 1);
    const buyer = pickBuyer(i);
    const email = typedEmail(buyer);
    const subscribe = async (key: string) => {
      const p = price[key]!;
      const s = await startSubscription(buyer, p);
      stub.completeCheckout(s.sessionId, email ? { email } : {});
      const exp: ExpectedSub = {
        buyer,
        status: p.trialDays > 0 ? "trialing" : "active",
        offerId: p.offerId,
        priceId: p.id,
        cancelAtPeriodEnd: false,
        paidInvoices: p.trialDays > 0 ? 0 : 1,
        refundedInvoices: 0,
        kind,
      };
      expectedSubs.set(s.subRef, exp);
      return { ...s, exp, subId: subOf(s.sessionId) };
    };
    const buy = async (key: string, amount: number, gift: { recipient: string } | null = null, delayed = false) => {
      const p = price[key]!;
      const o = await startOrder(buyer, p, amount, gift);
      const exp: ExpectedOrder = { buyer, offerId: p.offerId, status: "pending", gift: !!gift, giftId: o.giftId };
      expectedOrders.set(o.orderId, exp);
      return {
        ...o,
        exp,
        complete: () => stub.completeCheckout(o.sessionId, { ...(email ? { email } : {}), delayed }),
      };
    };

    switch (kind) {
      case "subscribe_renew": {
        const s = await subscribe(rnd.pick(["cercle_m", "cercle_y", "mecene_m"]));
        const n = rnd.int(1, 3);
        for (let k = 0; k < n; k++) stub.renew(s.subId);
        s.exp.paidInvoices += n;
        break;
      }
      case "subscribe_trial": {
        const s = await subscribe("cercle_trial");
        if (rnd.next() < 0.5) {
          stub.renew(s.subId); // the trial ends and the first real payment goes through
          s.exp.status = "active";
          s.exp.paidInvoices += 1;
        }
        break;
      }
      case "upgrade":
      case "downgrade": {
        const [from, to] = kind === "upgrade" ? ["cercle_m", "mecene_m"] : ["mecene_m", "cercle_m"];
        const s = await subscribe(from);
        if (rnd.next() < 0.5) {
          stub.renew(s.subId);
          s.exp.paidInvoices += 1;
        }
        const proration = kind === "upgrade" ? 700 : 0;
        stub.changePrice(s.subId, price[to]!.providerPriceId!, proration);
        if (proration) s.exp.paidInvoices += 1;
        s.exp.offerId = price[to]!.offerId;
        s.exp.priceId = price[to]!.id;
        break;
      }
      case "switch_yearly": {
        const s = await subscribe("cercle_m");
        stub.changePrice(s.subId, price.cercle_y!.providerPriceId!, 4200);
        s.exp.paidInvoices += 1;
        s.exp.priceId = price.cercle_y!.id;
        break;
      }
      case "fail_recover": {
        const s = await subscribe(rnd.pick(["cercle_m", "mecene_m"]));
        stub.failPayment(s.subId);
        stub.recover(s.subId);
        s.exp.paidInvoices += 1;
        break;
      }
      case "fail_lapse": {
        const s = await subscribe("cercle_m");
        stub.failPayment(s.subId);
        s.exp.status = "past_due";
        if (rnd.next() < 0.5) {
          stub.giveUp(s.subId);
          s.exp.status = "canceled";
        }
        break;
      }
      case "cancel_period_end":
      case "cancel_ended": {
        const s = await subscribe(rnd.pick(["cercle_m", "mecene_m"]));
        // Half through our own cancel button (the API), half through Stripe's portal.
        if (rnd.next() < 0.5)
          await provider.cancelSubscription(s.subId, { atPeriodEnd: true, idempotencyKey: `cancel:${s.subRef}` });
        else stub.cancelAtPeriodEnd(s.subId);
        s.exp.cancelAtPeriodEnd = true;
        if (kind === "cancel_ended") {
          stub.endPeriod(s.subId);
          s.exp.status = "canceled";
        }
        break;
      }
      case "cancel_now_admin": {
        const s = await subscribe("cercle_m");
        await provider.cancelSubscription(s.subId, { atPeriodEnd: false, idempotencyKey: `cancel-now:${s.subRef}` });
        s.exp.status = "canceled";
        break;
      }
      case "buy_fixed": {
        const o = await buy("carnet_fixed", 2400);
        o.complete();
        o.exp.status = "paid";
        break;
      }
      case "buy_pwyw": {
        const o = await buy("carnet_pwyw", rnd.int(500, 5000));
        o.complete();
        o.exp.status = "paid";
        break;
      }
      case "refund_dashboard":
      case "refund_admin": {
        const o = await buy(rnd.pick(["carnet_fixed", "carnet_pwyw"]), 2400);
        o.complete();
        if (kind === "refund_admin") await provider.refund(paymentOf(o.sessionId), `refund:${o.orderId}`);
        else stub.refundPayment(paymentOf(o.sessionId));
        o.exp.status = "refunded";
        break;
      }
      case "gift":
      case "gift_refunded": {
        const o = await buy("coffret", 3000, { recipient: `friend-${i}@oracle.test` });
        o.complete();
        o.exp.status = "paid";
        if (kind === "gift_refunded") {
          stub.refundPayment(paymentOf(o.sessionId));
          o.exp.status = "refunded";
        }
        break;
      }
      case "tip": {
        const o = await buy("tip", rnd.int(100, 2000));
        o.complete();
        o.exp.status = "paid";
        break;
      }
      case "sepa_paid":
      case "sepa_failed": {
        const o = await buy(rnd.pick(["carnet_fixed", "carnet_pwyw"]), 2400, null, true);
        o.complete();
        if (kind === "sepa_paid") {
          stub.asyncPaymentSucceeded(o.sessionId);
          o.exp.status = "paid";
        } else {
          stub.asyncPaymentFailed(o.sessionId);
          o.exp.status = "failed";
        }
        break;
      }
      case "refund_renewal": {
        // A renewal refunded from Stripe's dashboard: the invoice's order is refunded, the subscription goes on.
        const s = await subscribe("cercle_m");
        stub.renew(s.subId);
        s.exp.paidInvoices += 1;
        const invoiceId = stub.subscriptions.get(s.subId)!.latest_invoice as string;
        stub.refundPayment(stub.invoicePayments.get(invoiceId)!);
        s.exp.refundedInvoices += 1;
        break;
      }
      case "abandoned": {
        const o = await buy("carnet_pwyw", 900);
        stub.expireCheckout(o.sessionId);
        o.exp.status = "expired";
        break;
      }
    }
  }

  const tally: Tally = { requests: 0, applied: 0, duplicate: 0, ignored: 0, errors: 0 };
  const failedDeliveries: StubEvent[] = [];
  const timing = new Map<string, [number, number]>();

  async function deliver(event: StubEvent): Promise<string> {
    tally.requests++;
    const t = Date.now();
    const res = await stub.deliver(endpoint, event);
    const k = event.type;
    timing.set(k, [(timing.get(k)?.[0] ?? 0) + 1, (timing.get(k)?.[1] ?? 0) + Date.now() - t]);
    if (res.status !== 200) {
      tally.errors++;
      assert.equal(res.status, 500, `unexpected ${res.status} for ${event.type}: ${res.text}`);
      failedDeliveries.push(event);
      return "error";
    }
    const result = (JSON.parse(res.text) as { result: "applied" | "duplicate" | "ignored" }).result;
    tally[result]++;
    return result;
  }

  return {
    attach,
    insertOffer,
    runLifecycle,
    deliver,
    offer,
    existing,
    expectedOrders,
    expectedSubs,
    kindsRun,
    foreignEmails,
    foreignSubscriptionIds,
    overrideEmails,
    tally,
    failedDeliveries,
    timing,
  };
}
