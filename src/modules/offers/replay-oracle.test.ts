/**
 * The replay oracle (RELIABILITY.md, Payments): many customer lifecycles driven through the Stripe
 * stub, every resulting event delivered to POST /webhooks/stripe over real HTTP three times in a
 * shuffled order plus bursts of 20 concurrent duplicates; the final state must equal a model
 * computed from the script alone (not from the implementation): 0 double grants, 0 missing grants.
 *
 * ORACLE_SEED and ORACLE_LIFECYCLES override the defaults (a failure prints the seed).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { startStripeStub, type StripeStub, type StubEvent } from "../../../test/support/stripe-stub.ts";
import { StripeProvider, handledStripeEventTypes, syncOfferToStripe } from "../../platform/payments/stripe.ts";
import { nowIso } from "../../platform/ids.ts";
import { createMember, findMemberByEmail } from "../members/index.ts";
import { isLive } from "../access/index.ts";
import { createOffer, offerPrices } from "./service.ts";
import { giftClaimToken, startCheckout } from "./checkout.ts";
import { claimGift } from "./gifts.ts";

const SEED = Number(process.env.ORACLE_SEED ?? 20261123);
const LIFECYCLES = Number(process.env.ORACLE_LIFECYCLES ?? 200);
const COPIES = 3;
const BURSTS = 20;
const BURST_SIZE = 20;
const CONCURRENCY = Number(process.env.ORACLE_CONCURRENCY ?? 8);

/** mulberry32: small, fast, seeded. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    shuffle: <T>(xs: T[]): T[] => {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [xs[i], xs[j]] = [xs[j]!, xs[i]!];
      }
      return xs;
    },
  };
}
const rnd = prng(SEED);

let app: TestApp;
let stub: StripeStub;
let provider: StripeProvider;
let endpoint: string;

// ---------------------------------------------------------------------------
// fixtures: offers and prices (synced to the stub), members who already exist

interface PriceFx {
  id: string;
  offerId: string;
  amount: number;
  interval: "month" | "year" | null;
  pwyw: boolean;
  trialDays: number;
  providerPriceId: string | null;
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

// ---------------------------------------------------------------------------
// starting purchases through the offers module's startCheckout (pending row + Checkout Session on the stub)

interface Buyer {
  memberId: string | null;
  email: string;
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

// ---------------------------------------------------------------------------
// the model: what must be true at the end, written from the script alone

type OrderStatus = "pending" | "paid" | "failed" | "expired" | "refunded";
interface ExpectedOrder {
  buyer: Buyer;
  offerId: string;
  status: OrderStatus;
  gift: boolean;
  giftId: string | null;
}
interface ExpectedSub {
  buyer: Buyer;
  status: string;
  offerId: string;
  priceId: string;
  cancelAtPeriodEnd: boolean;
  paidInvoices: number;
  /** Paid invoices refunded since (money back; access follows the subscription's own status). */
  refundedInvoices: number;
  kind: Kind;
}
const expectedOrders = new Map<string, ExpectedOrder>();
const expectedSubs = new Map<string, ExpectedSub>();
const kindsRun = new Map<string, number>();
const foreignEmails: string[] = [];
const foreignSubscriptionIds: string[] = [];
/** Emails typed on Stripe's page that belong to another member (must never be touched). */
const overrideEmails = new Set<string>();

const kinds = [
  "subscribe_renew",
  "subscribe_trial",
  "upgrade",
  "downgrade",
  "switch_yearly",
  "fail_recover",
  "fail_lapse",
  "cancel_period_end",
  "cancel_ended",
  "cancel_now_admin",
  "buy_fixed",
  "buy_pwyw",
  "refund_dashboard",
  "refund_admin",
  "gift",
  "gift_refunded",
  "tip",
  "sepa_paid",
  "sepa_failed",
  "abandoned",
  "refund_renewal",
] as const;
type Kind = (typeof kinds)[number];

function newBuyerEmail(i: number): string {
  // A few new emails come back in a second lifecycle (one member, several purchases).
  return `buyer-${i % 7 === 0 ? i - (i % 14) : i}@oracle.test`;
}

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
    return { ...o, exp, complete: () => stub.completeCheckout(o.sessionId, { ...(email ? { email } : {}), delayed }) };
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

// ---------------------------------------------------------------------------
// delivery over real HTTP

interface Tally {
  requests: number;
  applied: number;
  duplicate: number;
  ignored: number;
  errors: number;
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

async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

// ---------------------------------------------------------------------------

let lifecycleMs = 0;
let deliveryMs = 0;

before(async () => {
  stub = await startStripeStub();
  app = await startTestApp({ env: stub.env() });
  endpoint = `${app.url}/webhooks/stripe`;
  provider = new StripeProvider({ secretKey: stub.secretKey, webhookSecret: stub.webhookSecret, apiBase: stub.url });

  await insertOffer("cercle", "tier", "Le cercle", [
    { key: "cercle_m", amount: 500, interval: "month" },
    { key: "cercle_y", amount: 5000, interval: "year" },
    { key: "cercle_trial", amount: 500, interval: "month", trialDays: 14 },
  ]);
  await insertOffer("mecene", "tier", "Les mécènes", [{ key: "mecene_m", amount: 1500, interval: "month" }]);
  await insertOffer("carnet", "product", "Carnet de glaçures", [
    { key: "carnet_fixed", amount: 2400, interval: null },
    { key: "carnet_pwyw", amount: 1200, interval: null, pwyw: true, min: 500 },
  ]);
  await insertOffer("coffret", "product", "Coffret cadeau", [{ key: "coffret", amount: 3000, interval: null }]);
  await insertOffer("pourboire", "tip", "Un pourboire", [
    { key: "tip", amount: 300, interval: null, pwyw: true, min: 100 },
  ]);

  for (let k = 0; k < 25; k++) {
    const m = await createMember(
      app.db,
      {
        email: `member-${k}@oracle.test`,
        name: `Membre ${k}`,
        locale: k % 2 ? "en" : "fr",
        status: "active",
        emailOptIn: k % 3 === 0,
        source: "import",
      },
      "system",
    );
    existing.push({ id: m.id, email: m.email });
  }
});

after(async () => {
  await app.stop();
  await stub.stop();
});

test(`replay oracle: ${Math.max(LIFECYCLES, kinds.length * 5)} lifecycles (seed ${SEED}), every event ×${COPIES} shuffled + ${BURSTS} bursts of ${BURST_SIZE} concurrent duplicates`, async () => {
  const membersBefore = await app.db.selectFrom("members").selectAll().orderBy("id").execute();

  let t0 = Date.now();
  // Every kind at least 5 times, the rest at random.
  const plan: Kind[] = [];
  for (const k of kinds) for (let n = 0; n < 5; n++) plan.push(k);
  while (plan.length < LIFECYCLES) plan.push(rnd.pick(kinds));
  rnd.shuffle(plan);
  for (let i = 0; i < plan.length; i++) await runLifecycle(i, plan[i]!);
  // Someone else's business in the same Stripe account: never ours, never a member.
  for (let k = 0; k < 5; k++) {
    const email = k === 0 ? existing[0]!.email : `stranger-${k}@elsewhere.test`;
    if (k > 0) foreignEmails.push(email);
    const events = stub.foreignActivity(email);
    foreignSubscriptionIds.push(
      ...events
        .filter((e) => e.type === "customer.subscription.created")
        .map((e) => (e.data.object as { id: string }).id),
    );
  }
  lifecycleMs = Date.now() - t0;
  // A Stripe endpoint is subscribed to the types it handles; a fifth of the others are sent anyway
  // (an endpoint set to "all events") to prove they are acknowledged and ignored.
  const handled = new Set<string>(handledStripeEventTypes);
  const events = stub.events.filter((e) => handled.has(e.type) || rnd.next() < 0.2);
  assert.ok(events.length >= LIFECYCLES * 3, `only ${events.length} events`);

  t0 = Date.now();
  // 1) Bursts: 20 events nobody has seen yet, each delivered 20 times at once — exactly one applies.
  const firsts = rnd
    .shuffle(
      events.filter((e) =>
        [
          "checkout.session.completed",
          "invoice.paid",
          "charge.refunded",
          "customer.subscription.created",
          "checkout.session.async_payment_succeeded",
        ].includes(e.type),
      ),
    )
    .slice(0, BURSTS);
  for (const e of firsts) {
    const results = await Promise.all(Array.from({ length: BURST_SIZE }, () => deliver(e)));
    const winners = results.filter((r) => r === "applied" || r === "ignored").length;
    assert.ok(winners <= 1, `${e.type} ${e.id} applied ${winners} times in one burst: ${results.join(",")}`);
  }
  // 2) Every event three times, shuffled, several in flight at once.
  const stream = rnd.shuffle(events.flatMap((e) => Array.from({ length: COPIES }, () => e)));
  await pool(stream, CONCURRENCY, deliver);
  // 3) Stripe retries what failed (500) until it is acknowledged.
  for (let round = 0; failedDeliveries.length && round < 5; round++) {
    const again = failedDeliveries.splice(0);
    await pool(again, CONCURRENCY, deliver);
  }
  deliveryMs = Date.now() - t0;
  console.log(
    `[replay-oracle] lifecycles ${lifecycleMs} ms, delivery ${deliveryMs} ms`,
    JSON.stringify(Object.fromEntries([...timing].map(([k, [n, ms]]) => [k, `${n}× ${Math.round(ms / n)}ms`]))),
  );
  assert.equal(failedDeliveries.length, 0, "deliveries still failing after 5 retry rounds");

  // 4) Gift recipients claim what was paid for; a refunded gift can no longer be claimed.
  const claimedGifts = new Map<string, string>();
  const recipientEmails: string[] = [];
  for (const exp of expectedOrders.values()) {
    if (!exp.gift || !exp.giftId) continue;
    const token = giftClaimToken(app.running.services.secret, exp.giftId);
    // A gift is claimed by the member who owns the address it was sent to.
    const gift = await app.db
      .selectFrom("gifts")
      .select("recipient_email")
      .where("id", "=", exp.giftId)
      .executeTakeFirstOrThrow();
    const known = await findMemberByEmail(app.db, gift.recipient_email);
    const recipient =
      known ??
      (await createMember(
        app.db,
        { email: gift.recipient_email, locale: "fr", status: "active", emailOptIn: false, source: "gift" },
        "system",
      ));
    if (!known) recipientEmails.push(recipient.email);
    if (exp.status === "refunded") {
      await assert.rejects(
        claimGift(app.db, token, recipient),
        (err: unknown) => (err as { status?: number }).status === 410,
      );
    } else if (rnd.next() < 0.7) {
      await claimGift(app.db, token, recipient);
      claimedGifts.set(exp.giftId, recipient.id);
    }
  }

  const db = app.db;
  const now = nowIso();

  // --- the event ledger: each event id exactly once
  const stored = await db.selectFrom("provider_events").select(["id"]).execute();
  assert.equal(stored.length, new Set(events.map((e) => e.id)).size, "every event stored exactly once");

  // --- members: resolve the expected owner of each purchase
  const members = await db.selectFrom("members").selectAll().execute();
  const byEmail = new Map(members.map((m) => [m.email, m]));
  const ownerOf = (b: Buyer) => b.memberId ?? byEmail.get(b.email)?.id;

  // --- orders
  const orders = await db.selectFrom("orders").selectAll().execute();
  const ordersById = new Map(orders.map((o) => [o.id, o]));
  const orderMismatches: string[] = [];
  for (const [id, exp] of expectedOrders) {
    const o = ordersById.get(id);
    if (!o || o.status !== exp.status) orderMismatches.push(`${id}: ${o?.status} ≠ ${exp.status}`);
    else if (
      exp.status !== "pending" &&
      exp.status !== "expired" &&
      exp.status !== "failed" &&
      o.member_id !== ownerOf(exp.buyer)
    )
      orderMismatches.push(`${id}: member ${o.member_id} ≠ ${ownerOf(exp.buyer)}`);
  }
  assert.deepEqual(orderMismatches, [], "order statuses");
  const gifts = await db.selectFrom("gifts").selectAll().execute();
  for (const g of gifts) {
    const exp = [...expectedOrders.values()].find((e) => e.giftId === g.id)!;
    assert.equal(
      g.status,
      exp.status === "refunded" ? "refunded" : claimedGifts.has(g.id) ? "claimed" : "paid",
      `gift ${g.id}`,
    );
  }

  // --- subscriptions (state copied from Stripe's truth, whatever the order of arrival)
  const subs = await db.selectFrom("subscriptions").selectAll().execute();
  const subsById = new Map(subs.map((s) => [s.id, s]));
  const subMismatches: string[] = [];
  for (const [id, exp] of expectedSubs) {
    const s = subsById.get(id);
    const got = s && {
      status: s.status,
      offerId: s.offer_id,
      priceId: s.price_id,
      cancelAtPeriodEnd: s.cancel_at_period_end === 1,
      member: s.member_id,
    };
    const want = {
      status: exp.status,
      offerId: exp.offerId,
      priceId: exp.priceId,
      cancelAtPeriodEnd: exp.cancelAtPeriodEnd,
      member: ownerOf(exp.buyer),
    };
    if (JSON.stringify(got) !== JSON.stringify(want))
      subMismatches.push(`${id}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
    const invoiceOrders = orders.filter((o) => o.kind === "subscription_invoice" && o.subscription_id === id);
    const invoices = invoiceOrders.length;
    const refunded = invoiceOrders.filter((o) => o.status === "refunded").length;
    if (refunded !== exp.refundedInvoices) {
      const pis = invoiceOrders.map((o) => o.provider_payment_id);
      const ledger = await db
        .selectFrom("provider_events")
        .select(["type", "object_id", "result"])
        .where("type", "=", "charge.refunded")
        .where("object_id", "in", pis.filter((x): x is string => !!x).concat("-"))
        .execute();
      subMismatches.push(
        `${id} (${exp.kind}): ${refunded} refunded invoice orders ≠ ${exp.refundedInvoices}; invoice orders ${JSON.stringify(invoiceOrders.map((o) => [o.provider_invoice_id, o.provider_payment_id, o.status]))}; refunds ${JSON.stringify(ledger)}`,
      );
    }
    if (invoices !== exp.paidInvoices) {
      const paid = [...stub.invoices.values()]
        .filter(
          (inv) =>
            (inv.parent as { subscription_details: { subscription: string } }).subscription_details.subscription ===
              s?.provider_subscription_id && inv.status === "paid",
        )
        .map((inv) => inv.id as string);
      const ledger = await db
        .selectFrom("provider_events")
        .select(["type", "object_id", "result"])
        .where("object_id", "in", paid.length ? paid : ["-"])
        .execute();
      subMismatches.push(
        `${id} (${exp.kind}): ${invoices} invoice orders ≠ ${exp.paidInvoices}; stub paid invoices ${paid.join(",")}; ledger ${JSON.stringify(ledger)}`,
      );
    }
  }
  assert.deepEqual(subMismatches, [], "subscriptions");

  // --- entitlements: the live set equals the model exactly
  const expectedLive = new Set<string>();
  for (const [id, exp] of expectedOrders)
    if (exp.status === "paid" && !exp.gift) expectedLive.add(`${ownerOf(exp.buyer)}|${exp.offerId}|order|${id}`);
  for (const [id, exp] of expectedSubs)
    if (exp.status === "active" || exp.status === "trialing")
      expectedLive.add(`${ownerOf(exp.buyer)}|${exp.offerId}|subscription|${id}`);
  for (const [giftId, memberId] of claimedGifts) expectedLive.add(`${memberId}|${offer.coffret}|gift|${giftId}`);
  const ents = await db.selectFrom("entitlements").selectAll().execute();
  const live = ents.filter((e) => isLive(e, now));
  const liveKeys = live.map((e) => `${e.member_id}|${e.resource_id}|${e.source_kind}|${e.source_id}`);
  const liveSet = new Set(liveKeys);
  const missing = [...expectedLive].filter((k) => !liveSet.has(k));
  const extra = [...liveSet].filter((k) => !expectedLive.has(k));
  const perSource = new Map<string, number>();
  for (const e of live)
    perSource.set(`${e.source_kind}|${e.source_id}`, (perSource.get(`${e.source_kind}|${e.source_id}`) ?? 0) + 1);
  const doubleGrants = [...perSource.values()].filter((n) => n > 1).length + (liveKeys.length - liveSet.size);
  assert.equal(doubleGrants, 0, "double grants");
  assert.deepEqual(missing, [], "missing grants");
  assert.deepEqual(extra, [], "grants that should not exist");

  // --- side effects happened once: one order.paid event per paid order
  const paidEvents = await db.selectFrom("events").select(["data"]).where("type", "=", "order.paid").execute();
  const paidCount = new Map<string, number>();
  for (const e of paidEvents) {
    const id = (JSON.parse(e.data) as { orderId: string }).orderId;
    paidCount.set(id, (paidCount.get(id) ?? 0) + 1);
  }
  for (const [id, exp] of expectedOrders) {
    const wasPaid = exp.status === "paid" || exp.status === "refunded";
    assert.equal(paidCount.get(id) ?? 0, wasPaid ? 1 : 0, `order.paid events for ${id}`);
  }

  // --- members: nobody's data overwritten, no stranger turned into a member
  const after = new Map(members.map((m) => [m.id, m]));
  for (const m of membersBefore) {
    const now2 = after.get(m.id);
    assert.ok(now2, `member ${m.email} still exists`);
    assert.deepEqual(
      { email: now2.email, name: now2.name, locale: now2.locale, status: now2.status, email_opt_in: now2.email_opt_in },
      { email: m.email, name: m.name, locale: m.locale, status: m.status, email_opt_in: m.email_opt_in },
      `member ${m.email} untouched`,
    );
  }
  for (const email of foreignEmails) assert.equal(byEmail.has(email), false, `${email} (not ours) became a member`);
  assert.equal(
    subs.filter((s) => s.provider_subscription_id && foreignSubscriptionIds.includes(s.provider_subscription_id))
      .length,
    0,
  );
  const expectedNewEmails = new Set<string>();
  for (const exp of expectedOrders.values())
    if (
      !exp.buyer.memberId &&
      !existing.some((m) => m.email === exp.buyer.email) &&
      (exp.status === "paid" || exp.status === "refunded")
    )
      expectedNewEmails.add(exp.buyer.email);
  for (const exp of expectedSubs.values())
    if (!exp.buyer.memberId && !existing.some((m) => m.email === exp.buyer.email))
      expectedNewEmails.add(exp.buyer.email);
  for (const e of recipientEmails) expectedNewEmails.add(e);
  const newEmails = members.map((m) => m.email).filter((e) => !membersBefore.some((b) => b.email === e));
  assert.deepEqual(
    newEmails.sort(),
    [...expectedNewEmails].sort(),
    "members created = the buyers of our own paid checkouts",
  );
  for (const email of overrideEmails) assert.ok(!newEmails.includes(email));

  console.log(
    `[replay-oracle] seed=${SEED} lifecycles=${plan.length} kinds=${kindsRun.size} events=${events.length} deliveries=${tally.requests} ` +
      `(applied ${tally.applied}, ignored ${tally.ignored}, duplicate ${tally.duplicate}, 500→retried ${tally.errors}) ` +
      `orders=${expectedOrders.size} subscriptions=${expectedSubs.size} gifts claimed=${claimedGifts.size} live grants=${live.length} ` +
      `lifecycles ${lifecycleMs} ms, delivery ${deliveryMs} ms`,
  );
  assert.equal(kindsRun.size, kinds.length, "every lifecycle kind ran");
});

test("forged, stale and unsigned deliveries of real-looking events are refused with 400 and change nothing", async () => {
  const count = async () => (await app.db.selectFrom("provider_events").select("id").execute()).length;
  const before = await count();
  const snapshot = async () =>
    JSON.stringify(await app.db.selectFrom("orders").select(["id", "status"]).orderBy("id").execute()) +
    JSON.stringify(
      await app.db.selectFrom("entitlements").select(["id", "revoked_at", "ends_at"]).orderBy("id").execute(),
    );
  const stateBefore = await snapshot();
  // An abandoned checkout, "completed" by a forger: the order must stay expired.
  const [abandonedId] = [...expectedOrders].find(([, e]) => e.status === "expired")!;
  const session = [...stub.sessions.values()].find(
    (s) => s.client_reference_id === abandonedId || (s.metadata as Record<string, string>).reference === abandonedId,
  )!;
  const forged: StubEvent = {
    ...stub.events[0]!,
    id: "evt_forged_0001",
    type: "checkout.session.completed",
    data: { object: { ...session, status: "complete", payment_status: "paid", payment_intent: "pi_forged" } },
  };
  const fresh = Math.floor(Date.now() / 1000);
  const attempts = [
    { name: "signed with another secret", ...stub.sign(forged, { secret: "whsec_attacker" }) },
    {
      name: "genuine signature, body changed",
      body: stub.sign(forged).body.replace('"payment_status": "paid"', '"payment_status": "paid" '),
      headers: stub.sign(forged).headers,
    },
    { name: "stale (10 minutes)", ...stub.sign(forged, { timestamp: fresh - 600 }) },
    { name: "replayed old delivery of a real event", ...stub.sign(stub.events[1]!, { timestamp: fresh - 3600 }) },
    { name: "no signature", body: JSON.stringify(forged), headers: { "content-type": "application/json" } },
  ];
  for (const a of attempts) {
    const res = await fetch(endpoint, { method: "POST", headers: a.headers, body: a.body });
    assert.equal(res.status, 400, a.name);
  }
  assert.equal(await count(), before, "no provider_events row written");
  assert.equal(await snapshot(), stateBefore, "no order or entitlement changed");
  assert.equal(
    (await app.db.selectFrom("orders").select("status").where("id", "=", abandonedId).executeTakeFirstOrThrow()).status,
    "expired",
  );
});
