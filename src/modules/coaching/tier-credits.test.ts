import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { waitFor } from "../../../test/support/raw-http.ts";
import { dispatchOutbox } from "../../platform/events/index.ts";
import { newId } from "../../platform/ids.ts";
import type {
  CheckoutRequest,
  PaymentProvider,
  ProviderEvent,
  SubscriptionSnapshot,
} from "../../platform/payments/provider.ts";
import { applyProviderEvent, createOffer, setOfferIncludes, startCheckout } from "../offers/index.ts";
import { makeCoachingOffer, makeMember } from "./testing.ts";
import type { CoachingOffer } from "./offers.ts";

/*
 * Coaching as part of a membership tier, through offers' real webhook
 * fulfilment (a provider whose subscription is whatever the test says):
 * the first payment and each renewal give the tier's sessions for that
 * period, once whatever is replayed; the credits end with the period (or the
 * offer's shorter validity); ending at period end keeps them; a refund of a
 * renewal takes back that period's unused ones, a lapse all of them.
 */
class FakeProvider implements PaymentProvider {
  readonly name = "dev" as const;
  subs = new Map<string, SubscriptionSnapshot>();
  async createCheckout(req: CheckoutRequest) {
    return { id: `cs_${req.reference}`, url: `http://fake/${req.reference}` };
  }
  async parseWebhook(): Promise<ProviderEvent> {
    throw new Error("unused");
  }
  async retrieveSubscription(id: string) {
    const s = this.subs.get(id);
    if (!s) throw new Error("no such subscription");
    return structuredClone(s);
  }
  async refund() {}
  async cancelSubscription() {}
  async customerPortalUrl() {
    return "http://fake/portal";
  }
}

const provider = new FakeProvider();
const day = 86_400_000;
let app: TestApp;
let tier: { id: string; price: string };
let monthly: CoachingOffer; // 2 sessions a month, no validity of its own
let short: CoachingOffer; // 1 session valid 7 days
let ev = 0;
const evId = () => `evt_tier_${++ev}_${newId()}`;
const created = () => Math.floor(Date.now() / 1000);

before(async () => {
  app = await startTestApp();
  const t = await createOffer(
    app.db,
    { slug: `cercle-${newId()}`, kind: "tier", name: "Cercle", status: "published" },
    [{ kind: "recurring", interval: "month", amount: 4900, currency: "EUR" }],
  );
  const price = await app.db.selectFrom("prices").select("id").where("offer_id", "=", t.id).executeTakeFirstOrThrow();
  tier = { id: t.id, price: price.id };
  monthly = await makeCoachingOffer(app, { kind: "package", sessions: 2, paid: false });
  short = await makeCoachingOffer(app, { kind: "package", sessions: 1, validityDays: 7, paid: false });
  await setOfferIncludes(app.db, tier.id, [
    { kind: "coaching", id: monthly.id },
    { kind: "coaching", id: short.id },
  ]);
});
after(async () => {
  await app?.stop();
});

async function subscribe(email: string, sid: string, periodEnd: string): Promise<SubscriptionSnapshot> {
  const r = await startCheckout(app.db, provider, {
    offerId: tier.id,
    priceId: tier.price,
    email,
    locale: "fr",
    publicUrl: "http://127.0.0.1:1",
    secret: "test-secret",
  });
  const snap: SubscriptionSnapshot = {
    providerSubscriptionId: sid,
    providerCustomerId: `cus_${sid}`,
    status: "active",
    providerPriceId: null,
    priceId: tier.price,
    currentPeriodEnd: periodEnd,
    cancelAtPeriodEnd: false,
    canceledAt: null,
    metadata: { reference: r.reference },
  };
  provider.subs.set(sid, snap);
  await apply({
    id: evId(),
    type: "checkout.completed",
    created: created(),
    checkoutId: `cs_${r.reference}`,
    reference: r.reference,
    mode: "subscription",
    paid: true,
    amountTotal: 4900,
    currency: "eur",
    providerCustomerId: `cus_${sid}`,
    providerPaymentId: null,
    providerSubscriptionId: sid,
    customerEmail: null,
    metadata: { reference: r.reference },
  });
  return snap;
}

function invoicePaid(sid: string, invoiceId: string, periodEnd?: string): ProviderEvent {
  return {
    ...(periodEnd ? { periodEnd } : {}),
    id: evId(),
    type: "invoice.paid",
    created: created(),
    providerSubscriptionId: sid,
    amountPaid: 4900,
    currency: "eur",
    invoiceId,
    providerPaymentId: `pi_${invoiceId}`,
  };
}

/**
 * Applies a webhook event and waits until coaching's consumer has read every
 * event so far (on PostgreSQL the outbox holds back transactions newer than
 * any still running anywhere on the server, so one pass may not be enough).
 */
async function apply(e: ProviderEvent): Promise<void> {
  await applyProviderEvent(app.db, provider, e);
  const last = await app.db
    .selectFrom("events")
    .select(({ fn }) => fn.max("tx").as("tx"))
    .where("type", "in", ["subscription.paid", "subscription.changed", "order.refunded", "order.paid"])
    .executeTakeFirst();
  const target = Number(last?.tx ?? 0);
  await waitFor("coaching read the payments", async () => {
    await dispatchOutbox(app.db, app.running.services.clock);
    const cursor = await app.db
      .selectFrom("event_cursors")
      .select("last_tx")
      .where("consumer", "=", "coaching.payments")
      .executeTakeFirst();
    return Number(cursor?.last_tx ?? 0) >= target;
  });
}

async function credits(memberId: string) {
  return app.db
    .selectFrom("coaching_credits")
    .selectAll()
    .where("member_id", "=", memberId)
    .orderBy("expires_at")
    .orderBy("coaching_offer_id")
    .orderBy("seq")
    .execute();
}

test("a tier that includes coaching gives its sessions per billing period, once each, ending with the period", async () => {
  const m = await makeMember(app);
  const sid = `sub_${newId()}`;
  const p1 = new Date(Date.now() + 30 * day).toISOString();
  const snap = await subscribe(m.email, sid, p1);
  assert.equal((await credits(m.id)).length, 0, "no payment yet, no credit");

  // The first payment.
  await apply(invoicePaid(sid, `in_1_${sid}`));
  let rows = await credits(m.id);
  assert.equal(rows.filter((r) => r.coaching_offer_id === monthly.id).length, 2);
  assert.ok(rows.filter((r) => r.coaching_offer_id === monthly.id).every((r) => r.expires_at === p1));
  const s = rows.find((r) => r.coaching_offer_id === short.id)!;
  assert.ok(Date.parse(s.expires_at!) < Date.parse(p1), "the shorter validity wins");
  assert.ok(Math.abs(Date.parse(s.expires_at!) - (Date.now() + 7 * day)) < day);

  // The renewal: the next period's sessions, ending with it.
  const p2 = new Date(Date.parse(p1) + 30 * day).toISOString();
  provider.subs.set(sid, { ...snap, currentPeriodEnd: p2 });
  const renewal = invoicePaid(sid, `in_2_${sid}`);
  await apply(renewal);
  rows = await credits(m.id);
  assert.equal(rows.length, 6);
  assert.equal(rows.filter((r) => r.expires_at === p2).length, 2);

  // The same renewal replayed 3×, under its own id and under new ids, and a second invoice of the same period.
  for (let i = 0; i < 3; i++) {
    await apply(renewal);
    await apply({ ...renewal, id: evId() });
  }
  await apply(invoicePaid(sid, `in_2b_${sid}`));
  rows = await credits(m.id);
  assert.equal(rows.length, 6, "once per period");
  const granted = await app.db
    .selectFrom("events")
    .select("id")
    .where("member_id", "=", m.id)
    .where("type", "=", "coaching.credits_granted")
    .execute();
  assert.equal(granted.length, 4, "two offers × two periods");

  // Ending at period end keeps the period's credits.
  provider.subs.set(sid, { ...snap, currentPeriodEnd: p2, cancelAtPeriodEnd: true });
  await apply({ id: evId(), type: "subscription.changed", created: created(), providerSubscriptionId: sid });
  rows = await credits(m.id);
  assert.equal(rows.filter((r) => r.revoked_at).length, 0, "cancelling at period end takes nothing back");
});

test("a refunded renewal takes back its period's unused credits; a lapse the rest", async () => {
  const m = await makeMember(app, "en");
  const sid = `sub_${newId()}`;
  const p1 = new Date(Date.now() + 30 * day).toISOString();
  const snap = await subscribe(m.email, sid, p1);
  await apply(invoicePaid(sid, `in_1_${sid}`));
  const p2 = new Date(Date.parse(p1) + 30 * day).toISOString();
  provider.subs.set(sid, { ...snap, currentPeriodEnd: p2 });
  await apply(invoicePaid(sid, `in_2_${sid}`));

  // The first period's credit of the monthly offer is in use (a booking took it).
  const first = (await credits(m.id)).find((r) => r.coaching_offer_id === monthly.id && r.expires_at === p1)!;
  const bookingId = newId();
  await app.db.updateTable("coaching_credits").set({ booking_id: bookingId }).where("id", "=", first.id).execute();

  const refund: ProviderEvent = {
    id: evId(),
    type: "charge.refunded",
    created: created(),
    providerPaymentId: `pi_in_2_${sid}`,
    amountRefunded: 4900,
    fullyRefunded: true,
  };
  await apply(refund);
  await apply({ ...refund, id: evId() });
  let rows = await credits(m.id);
  const revoked = rows.filter((r) => r.revoked_at);
  assert.equal(revoked.length, 3, "the refunded period's three credits");
  assert.ok(revoked.every((r) => r.source === `subscription:${r.subscription_id}:${p2}`));
  assert.equal(rows.filter((r) => !r.revoked_at).length, 3, "the first period's stay");

  // The membership ends (unpaid): the unused ones go, the one in use stays with its booking.
  provider.subs.set(sid, { ...snap, currentPeriodEnd: p2, status: "unpaid" });
  await apply({ id: evId(), type: "subscription.changed", created: created(), providerSubscriptionId: sid });
  rows = await credits(m.id);
  assert.deepEqual(
    rows.filter((r) => !r.revoked_at).map((r) => r.booking_id),
    [bookingId],
  );
});

test("a payment delivered late still grants its own period (the invoice names it), not the current one", async () => {
  const m = await makeMember(app);
  const sid = `sub_${newId()}`;
  const p1 = new Date(Date.now() + 30 * day).toISOString();
  const p2 = new Date(Date.parse(p1) + 30 * day).toISOString();
  const snap = await subscribe(m.email, sid, p1);
  // The first invoice's webhook comes in after the renewal: the subscription already says p2.
  provider.subs.set(sid, { ...snap, currentPeriodEnd: p2 });
  await apply(invoicePaid(sid, `in_1_${sid}`, p1));
  await apply(invoicePaid(sid, `in_2_${sid}`, p2));
  const ends = (await credits(m.id)).filter((r) => r.coaching_offer_id === monthly.id).map((r) => r.expires_at);
  assert.deepEqual(ends, [p1, p1, p2, p2]);
});
