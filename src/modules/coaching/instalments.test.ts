import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { startStripeStub, type StripeStub, type StubEvent } from "../../../test/support/stripe-stub.ts";
import { waitFor } from "../../../test/support/raw-http.ts";
import { StripeProvider } from "../../platform/payments/stripe.ts";
import { dispatchOutbox } from "../../platform/events/index.ts";
import { runOperation } from "../../platform/operations.ts";
import { systemActor } from "../../platform/actor.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { createOffer, offerPrices, startCheckout } from "../offers/index.ts";
import { createCoachingOffer, type CoachingOffer } from "./offers.ts";
import { book, makeMember, setupAvailability } from "./testing.ts";
import { computeSlots } from "./availability.ts";
import { loadRules } from "./settings.ts";
import { memberCredits } from "./credits.ts";
import { holdingsOf } from "../access/index.ts";

/*
 * A 5-session package payable in 3 monthly instalments of 120 €, through the real stripe SDK
 * against the stub and signed webhooks: the creator sets it in the offer editor, the client sees
 * "3 × 120,00 €", the sessions are granted at the first payment and only then, the subscription
 * is set to stop after the third payment and its end takes nothing away; a later instalment that
 * fails is past due (sessions kept while Stripe retries) and one that lapses takes back the
 * unused sessions.
 */
let app: TestApp;
let stub: StripeStub;
let provider: StripeProvider;
let endpoint: string;
let owner: TestClient;
let pkg: CoachingOffer;
let offerId = "";
let priceId = "";

before(async () => {
  stub = await startStripeStub();
  app = await startTestApp({ env: stub.env() });
  endpoint = `${app.url}/webhooks/stripe`;
  provider = new StripeProvider({ secretKey: stub.secretKey, webhookSecret: stub.webhookSecret, apiBase: stub.url });
  await setupAvailability(app);
  const staff = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  owner = app.client();
  owner.cookies.set("atl_s", (await createSession(app.db, "staff", staff.id)).token);
  const slug = `parcours-3x-${Date.now().toString(36)}`;
  const offer = await createOffer(app.db, { slug, kind: "product", name: "Parcours en 3 fois", status: "published" });
  offerId = offer.id;
  pkg = await runOperation(app.running.services, createCoachingOffer, systemActor("test"), {
    title: "Parcours 5 séances",
    slug,
    kind: "package",
    durationMin: 60,
    sessions: 5,
    validityDays: 180,
    offerId,
  });
});
after(async () => {
  await app?.stop();
  await stub?.stop();
});

const delivered = new Set<string>();
async function deliver(events: StubEvent[]): Promise<void> {
  for (const e of events) {
    delivered.add(e.id);
    const r = await stub.deliver(endpoint, e);
    assert.equal(r.status, 200, `${e.type}: ${r.text}`);
  }
}

/**
 * Runs the consumers and jobs, and delivers whatever our own calls to Stripe made it send (the
 * app's worker may also run a job on its own, so every event not yet delivered goes).
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await dispatchOutbox(app.db, app.running.services.clock);
    await app.drainJobs();
    await deliver(stub.events.filter((e) => !delivered.has(e.id)));
  }
}

function editorFields(overrides: Record<string, string>): Record<string, string> {
  return {
    name: "Parcours en 3 fois",
    slug: "",
    kind: "product",
    position: "0",
    summary: "",
    description: "",
    highlight_label: "",
    price_kind: "one_off",
    price_amount: "",
    price_currency: "EUR",
    price_trial_days: "0",
    price_instalments: "",
    action: "add_price",
    ...overrides,
  };
}

const left = async (memberId: string) =>
  (await memberCredits(app.db, memberId, new Date().toISOString())).find((c) => c.coachingOfferId === pkg.id)?.left ??
  0;

test("the creator sets 3 monthly instalments in the offer editor; refused counts say why", async () => {
  const path = `/admin/offers/${offerId}`;
  const page = await owner.get(path);
  assert.match(page.text, /name="price_instalments"/);
  assert.match(page.text, /Paiement en plusieurs fois/);
  for (const bad of ["1", "13", "2,5"]) {
    await owner.get(path);
    const slug = (await app.db.selectFrom("offers").select("slug").where("id", "=", offerId).executeTakeFirstOrThrow())
      .slug;
    const res = await owner.post(path, editorFields({ slug, price_amount: "120", price_instalments: bad }));
    assert.equal(res.status, 422, `instalments ${bad}`);
    assert.match(res.text, /2 à 12 mensualités/);
  }
  await owner.get(path);
  const slug = (await app.db.selectFrom("offers").select("slug").where("id", "=", offerId).executeTakeFirstOrThrow())
    .slug;
  const monthly = await owner.post(
    path,
    editorFields({ slug, price_kind: "month", price_amount: "120", price_instalments: "3" }),
  );
  assert.equal(monthly.status, 422, "instalments of a subscription are refused");
  await owner.get(path);
  const res = await owner.post(path, editorFields({ slug, price_amount: "120", price_instalments: "3" }));
  assert.equal(res.status, 303, res.text.slice(0, 300));
  const prices = await offerPrices(app.db, [offerId]);
  assert.equal(prices.length, 1);
  assert.deepEqual(
    { kind: prices[0]!.kind, interval: prices[0]!.interval, amount: prices[0]!.amount, n: prices[0]!.instalments },
    { kind: "recurring", interval: "month", amount: 12000, n: 3 },
  );
  priceId = prices[0]!.id;
  const fr = await app.client().get(`/offers/${slug}`);
  assert.match(fr.text, /3 × 120,00\s€ · en 3 mensualités, 360,00\s€ au total/);
  const enPage = await app.client().get(`/offers/${slug}`, { "accept-language": "en" });
  assert.match(enPage.text, /3 × €120\.00 · in 3 monthly instalments, €360\.00 in all/);
});

async function buy() {
  assert.ok(priceId, "the editor test made the price");
  const m = await makeMember(app, "fr");
  const started = await startCheckout(app.db, provider, {
    offerId,
    priceId,
    amount: null,
    email: m.email,
    memberId: m.id,
    locale: "fr",
    gift: null,
    publicUrl: app.url,
    secret: app.running.services.secret,
  });
  assert.equal(started.kind, "subscription");
  const sessionId = /\/pay\/(cs_test_[A-Za-z0-9]+)$/.exec(started.url)![1]!;
  assert.equal(stub.sessions.get(sessionId)!.mode, "subscription");
  await deliver(stub.completeCheckout(sessionId));
  await waitFor("the sessions are granted", async () => {
    await settle();
    return (await left(m.id)) === 5;
  });
  const subId = stub.sessions.get(sessionId)!.subscription as string;
  return { ...m, subId, reference: started.reference };
}

test("sessions at the first payment only; stopped after the third; its end takes nothing away", async () => {
  const client = await buy();
  await deliver(stub.renew(client.subId));
  await settle();
  assert.equal(await left(client.id), 5, "the second instalment grants nothing more");
  const sub = stub.subscriptions.get(client.subId)!;
  assert.equal(sub.cancel_at_period_end, false, "not stopped before the last payment");
  await deliver(stub.renew(client.subId));
  await waitFor("asked to stop after the third payment", async () => {
    await settle();
    const row = await app.db
      .selectFrom("subscriptions")
      .select("cancel_at_period_end")
      .where("id", "=", client.reference)
      .executeTakeFirstOrThrow();
    return stub.subscriptions.get(client.subId)!.cancel_at_period_end === true && row.cancel_at_period_end === 1;
  });
  const ours = await app.db
    .selectFrom("subscriptions")
    .selectAll()
    .where("id", "=", client.reference)
    .executeTakeFirstOrThrow();
  assert.equal(ours.instalments, 3);
  assert.equal(ours.cancel_at_period_end, 1);
  const paid = await app.db
    .selectFrom("events")
    .select("data")
    .where("member_id", "=", client.id)
    .where("type", "=", "subscription.paid")
    .orderBy("tx")
    .orderBy("id")
    .execute();
  assert.deepEqual(
    paid.map((p) => JSON.parse(p.data).instalment),
    [1, 2, 3],
  );
  await deliver(stub.endPeriod(client.subId));
  // Coaching has read the end of the subscription (paidInFull) and kept the sessions.
  await waitFor("coaching read the end", async () => {
    await settle();
    const ended = await app.db
      .selectFrom("events")
      .select(["id", "tx"])
      .where("member_id", "=", client.id)
      .where("type", "=", "subscription.changed")
      .orderBy("tx", "desc")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    assert.equal(
      JSON.parse(
        (await app.db.selectFrom("events").select("data").where("id", "=", ended.id).executeTakeFirstOrThrow()).data,
      ).paidInFull,
      true,
    );
    const c = await app.db
      .selectFrom("event_cursors")
      .select(["last_tx", "last_id"])
      .where("consumer", "=", "coaching.payments")
      .executeTakeFirstOrThrow();
    return Number(c.last_tx) > Number(ended.tx) || (Number(c.last_tx) === Number(ended.tx) && c.last_id >= ended.id);
  });
  assert.equal(await left(client.id), 5, "paid in full: the sessions stay");
  const access = await app.db
    .selectFrom("entitlements")
    .selectAll()
    .where("member_id", "=", client.id)
    .where("resource_id", "=", offerId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  assert.ok(access, "the purchase stays the client's");
  assert.equal(access.ends_at, null);
});

test("a failed later instalment keeps the sessions while Stripe retries; a lapse takes back the unused ones", async () => {
  const client = await buy();
  await deliver(stub.failPayment(client.subId));
  await settle();
  const ours = await app.db
    .selectFrom("subscriptions")
    .select("status")
    .where("id", "=", client.reference)
    .executeTakeFirstOrThrow();
  assert.equal(ours.status, "past_due");
  assert.equal(await left(client.id), 5);
  await deliver(stub.giveUp(client.subId));
  await waitFor("unpaid instalments: the unused sessions go", async () => {
    await settle();
    return (await left(client.id)) === 0;
  });
});

test("refunding one instalment is a share of the plan's total, not a full refund; all of it back is", async () => {
  const client = await buy();
  const instalmentPayments = async () =>
    (
      await app.db
        .selectFrom("orders")
        .select(["provider_payment_id", "status"])
        .where("subscription_id", "=", client.reference)
        .where("amount_paid", ">", 0)
        .orderBy("paid_at")
        .execute()
    ).map((o) => o.provider_payment_id!);
  const holds = async () => (await holdingsOf(app.db, client.id)).offers.has(offerId);
  const [first] = await instalmentPayments();
  assert.ok(first, "the first instalment's payment");
  // 120 € back of 360 € in all, 5 sessions: 1 session (not the 5 a full refund of the order would take).
  const refundEvents = stub.refundPayment(first);
  await deliver(refundEvents);
  await waitFor("one session taken back", async () => {
    await settle();
    return (await left(client.id)) === 4;
  });
  assert.ok(await holds(), "access stays after one instalment is refunded");
  const order = await app.db
    .selectFrom("orders")
    .select(["status", "amount_refunded"])
    .where("provider_payment_id", "=", first)
    .executeTakeFirstOrThrow();
  assert.deepEqual(order, { status: "refunded", amount_refunded: 12000 }, "the instalment's own order says so");
  await deliver(refundEvents); // replayed: nothing more
  await settle();
  assert.equal(await left(client.id), 4);

  await deliver(stub.renew(client.subId));
  await settle();
  const second = (await instalmentPayments())[1]!;
  await deliver(stub.refundPayment(second, 6000)); // 180 € of 360 €: 2 sessions in all
  await waitFor("a second session taken back", async () => {
    await settle();
    return (await left(client.id)) === 3;
  });
  await deliver(stub.renew(client.subId));
  await settle();
  const payments = await instalmentPayments();
  assert.equal(payments.length, 3);
  await deliver(stub.refundPayment(payments[1]!));
  await deliver(stub.refundPayment(payments[2]!));
  await waitFor("all of it given back: a full refund", async () => {
    await settle();
    return (await left(client.id)) === 0 && !(await holds());
  });
});

test("a plan ended early, then all it was paid given back: a full refund (upcoming session cancelled, access gone)", async () => {
  const client = await buy();
  const rules = await loadRules(app.db);
  const slot = computeSlots(rules, { durationMin: 60, now: Date.now() + 3 * 86_400_000, busy: [] })[0]!;
  const booked = await book(app, client.id, pkg.id, slot);
  assert.equal(booked.status, "confirmed");
  assert.equal(await left(client.id), 4);
  // The client stops after the first instalment: the plan ends unpaid in full, the unused sessions go.
  await deliver(stub.cancelNow(client.subId).events);
  await waitFor("the plan ended early", async () => {
    await settle();
    return (await left(client.id)) === 0;
  });
  const holds = async () => (await holdingsOf(app.db, client.id)).offers.has(offerId);
  const payment = await app.db
    .selectFrom("orders")
    .select("provider_payment_id")
    .where("subscription_id", "=", client.reference)
    .where("amount_paid", ">", 0)
    .executeTakeFirstOrThrow();
  // 120 € paid, 120 € back: all of it, though a third of the plan's price.
  await deliver(stub.refundPayment(payment.provider_payment_id!));
  const status = async () =>
    (
      await app.db
        .selectFrom("coaching_bookings")
        .select("status")
        .where("id", "=", booked.id)
        .executeTakeFirstOrThrow()
    ).status;
  await waitFor("a full refund: the upcoming session is cancelled", async () => {
    await settle();
    return (await status()) === "cancelled";
  });
  assert.equal(await holds(), false, "the access goes with a full refund");
  const events = await app.db
    .selectFrom("events")
    .select(["type", "data"])
    .where("member_id", "=", client.id)
    .where("type", "in", ["order.refunded", "order.partially_refunded", "coaching.credits_revoked"])
    .execute();
  assert.deepEqual(
    events.map((e) => e.type).sort(),
    ["coaching.credits_revoked", "order.refunded"],
    "one full refund, no partial one",
  );
  const revoked = JSON.parse(events.find((e) => e.type === "coaching.credits_revoked")!.data);
  assert.equal(revoked.full, true);
});
