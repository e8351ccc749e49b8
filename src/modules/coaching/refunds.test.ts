import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, type TestApp } from "../../../test/support/app.ts";
import { startStripeStub, type StripeStub, type StubEvent } from "../../../test/support/stripe-stub.ts";
import { waitFor } from "../../../test/support/raw-http.ts";
import { recipients as recipientsOf } from "../../../test/support/smtp.ts";
import { StripeProvider } from "../../platform/payments/stripe.ts";
import { dispatchOutbox } from "../../platform/events/index.ts";
import { runOperation } from "../../platform/operations.ts";
import { systemActor } from "../../platform/actor.ts";
import { createOffer, offerPrices, startCheckout } from "../offers/index.ts";
import { createCoachingOffer, type CoachingOffer } from "./offers.ts";
import { book, makeMember, setupAvailability } from "./testing.ts";
import { computeSlots } from "./availability.ts";
import { loadRules } from "./settings.ts";
import { memberCredits } from "./credits.ts";

/*
 * Refunds of a 5-session package at 600 €, through the real stripe SDK against the stub and
 * signed webhooks: a partial refund takes back its share of sessions (rounded down) from the
 * unused credits only, a replay takes nothing more, a goodwill refund under a session's price
 * takes none; a full refund takes every unused credit and cancels the upcoming sessions (with
 * the calendar cancellation). The client gets an email in their language each time, and the
 * creator one in theirs (the owner account's) per revocation of unused sessions, once.
 */
let app: TestApp;
let stub: StripeStub;
let provider: StripeProvider;
let endpoint: string;
let pkg: CoachingOffer;
let priceId: string;
let slots: string[] = [];

before(async () => {
  stub = await startStripeStub();
  app = await startTestApp({ env: stub.env() });
  endpoint = `${app.url}/webhooks/stripe`;
  provider = new StripeProvider({ secretKey: stub.secretKey, webhookSecret: stub.webhookSecret, apiBase: stub.url });
  await setupAvailability(app);
  const offer = await createOffer(
    app.db,
    { slug: `parcours-${Date.now().toString(36)}`, kind: "product", name: "Parcours 5 séances", status: "published" },
    [{ kind: "one_off", amount: 60000, currency: "EUR" }],
  );
  priceId = (await offerPrices(app.db, [offer.id]))[0]!.id;
  pkg = await runOperation(app.running.services, createCoachingOffer, systemActor("test"), {
    title: "Parcours 5 séances",
    slug: `parcours-${Date.now().toString(36)}`,
    kind: "package",
    durationMin: 60,
    sessions: 5,
    validityDays: 180,
    offerId: offer.id,
  });
  // Bookable times from two days ahead, one per day.
  const all = computeSlots(await loadRules(app.db), { durationMin: 60, now: Date.now() + 2 * 86_400_000, busy: [] });
  const byDay = new Map<string, string>();
  for (const s of all) if (!byDay.has(s.slice(0, 10))) byDay.set(s.slice(0, 10), s);
  slots = [...byDay.values()];
});
after(async () => {
  await app?.stop();
  await stub?.stop();
});

async function deliver(events: StubEvent[]): Promise<void> {
  for (const e of events) {
    const r = await stub.deliver(endpoint, e);
    assert.equal(r.status, 200, `${e.type}: ${r.text}`);
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await dispatchOutbox(app.db, app.running.services.clock);
    await app.drainJobs();
  }
}

/**
 * Waits until coaching's payment consumer has read the member's latest event of this type (on
 * PostgreSQL the outbox only hands over transactions older than every running one), then runs
 * the jobs it queued.
 */
async function consumed(memberId: string, type: string): Promise<void> {
  const ev = await app.db
    .selectFrom("events")
    .select(["id", "tx"])
    .where("member_id", "=", memberId)
    .where("type", "=", type)
    .orderBy("tx", "desc")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  await waitFor(`coaching read ${type}`, async () => {
    await dispatchOutbox(app.db, app.running.services.clock);
    const c = await app.db
      .selectFrom("event_cursors")
      .select(["last_tx", "last_id"])
      .where("consumer", "=", "coaching.payments")
      .executeTakeFirst();
    if (!c) return false;
    return Number(c.last_tx) > Number(ev.tx) || (Number(c.last_tx) === Number(ev.tx) && c.last_id >= ev.id);
  });
  await settle();
}

/** Buys the package through a Stripe Checkout; returns the member and the PaymentIntent. */
async function buy(locale: "fr" | "en") {
  const m = await makeMember(app, locale);
  const started = await startCheckout(app.db, provider, {
    offerId: pkg.offer_id!,
    priceId,
    amount: null,
    email: m.email,
    memberId: m.id,
    locale,
    gift: null,
    publicUrl: app.url,
    secret: app.running.services.secret,
  });
  const sessionId = /\/pay\/(cs_test_[A-Za-z0-9]+)$/.exec(started.url)![1]!;
  await deliver(stub.completeCheckout(sessionId));
  await waitFor("the credits are granted", async () => {
    await settle();
    return (await left(m.id)) === 5;
  });
  const pi = stub.sessions.get(sessionId)!.payment_intent as string;
  return { ...m, pi, orderId: started.reference };
}

const left = async (memberId: string) =>
  (await memberCredits(app.db, memberId, new Date().toISOString())).find((c) => c.coachingOfferId === pkg.id)?.left ??
  0;

const revokedEvents = (memberId: string) =>
  app.db
    .selectFrom("events")
    .select("data")
    .where("member_id", "=", memberId)
    .where("type", "=", "coaching.credits_revoked")
    .execute();

/** The creator's emails about this client's sessions taken back (the subject ends with the client's name). */
async function creatorMails(memberId: string) {
  await app.drainJobs();
  const m = await app.db.selectFrom("members").select("name").where("id", "=", memberId).executeTakeFirstOrThrow();
  return app.mail.to(ownerEmail).filter((x) => (x.subject ?? "").endsWith(` ${m.name}`));
}
const ownerLocale = (locale: "fr" | "en") =>
  app.db.updateTable("staff_users").set({ locale }).where("email", "=", ownerEmail).execute();

test("partial refunds take back their share of unused sessions, once; a goodwill refund takes none", async () => {
  const client = await buy("fr");
  const b = await book(app, client.id, pkg.id, slots[0]!, "America/New_York");
  assert.equal(await left(client.id), 4);

  // 50 € back (under one session's 120 €): money only.
  await deliver(stub.refundPayment(client.pi, 5000));
  await consumed(client.id, "order.partially_refunded");
  assert.equal(await left(client.id), 4, "a goodwill gesture keeps every session");
  const order = await app.db
    .selectFrom("orders")
    .selectAll()
    .where("id", "=", client.orderId)
    .executeTakeFirstOrThrow();
  assert.equal(order.status, "paid");
  assert.equal(order.amount_refunded, 5000);

  // 190 € more: 240 € in all = 2 sessions.
  const second = stub.refundPayment(client.pi, 19000);
  await deliver(second);
  await consumed(client.id, "order.partially_refunded");
  assert.equal(await left(client.id), 2, "two unused sessions taken back");
  const booked = await app.db
    .selectFrom("coaching_bookings")
    .selectAll()
    .where("id", "=", b.id)
    .executeTakeFirstOrThrow();
  assert.equal(booked.status, "confirmed", "the booked session stays booked");

  // The same webhook again, and an older one out of order: nothing more.
  for (const e of second) assert.equal(JSON.parse((await stub.deliver(endpoint, e)).text).result, "duplicate");
  await settle();
  assert.equal(await left(client.id), 2);
  const events = await revokedEvents(client.id);
  assert.equal(events.length, 1);
  assert.deepEqual(
    { count: JSON.parse(events[0]!.data).count, left: JSON.parse(events[0]!.data).left },
    { count: 2, left: 2 },
  );
  const mail = await app.mail.waitFor(
    (x) => x.subject?.startsWith("Votre remboursement") === true && JSON.stringify(x.to).includes(client.email),
  );
  assert.match(mail.text!, /190,00\s€/);
  assert.match(mail.text!, /2 séances non utilisées ont été retirées/);
  assert.match(mail.text!, /Il vous reste 2 séances de cet achat/);
  // The creator (French account) is told once, though the webhook came twice; the goodwill refund took none.
  const note = await app.mail.waitFor(
    (x) => recipientsOf(x).includes(ownerEmail) && /^Remboursement : 2 séances reprises à /.test(x.subject ?? ""),
  );
  assert.match(note.text!, /190,00\s€/);
  assert.match(note.text!, /2 séances non utilisées/);
  assert.match(note.text!, /Il lui reste 2 séances de cet achat/);
  assert.equal((await creatorMails(client.id)).length, 1, "one email per revocation");
});

test("refunding more sessions than are unused takes the unused ones; booked sessions stay", async () => {
  const client = await buy("en");
  await book(app, client.id, pkg.id, slots[1]!, "Asia/Tokyo");
  await book(app, client.id, pkg.id, slots[2]!, "Asia/Tokyo");
  await book(app, client.id, pkg.id, slots[3]!, "Asia/Tokyo");
  assert.equal(await left(client.id), 2);
  // 480 € of 600 € = 4 sessions, but only 2 are unused.
  await ownerLocale("en");
  await deliver(stub.refundPayment(client.pi, 48000));
  await consumed(client.id, "order.partially_refunded");
  assert.equal(await left(client.id), 0);
  const active = await app.db
    .selectFrom("coaching_bookings")
    .select("id")
    .where("member_id", "=", client.id)
    .where("status", "=", "confirmed")
    .execute();
  assert.equal(active.length, 3);
  const mail = await app.mail.waitFor(
    (x) => x.subject?.startsWith("Your refund") === true && JSON.stringify(x.to).includes(client.email),
  );
  assert.match(mail.text!, /2 unused sessions were taken off your account/);
  assert.match(mail.text!, /You have 0 sessions of this purchase left/);
  // The creator's account reads English: their note is in English.
  const [note] = await creatorMails(client.id);
  assert.match(note?.subject ?? "", /^Refund: 2 sessions taken back from /);
  assert.match(note!.text!, /took back 2 unused sessions/);
  assert.match(note!.text!, /They have 0 sessions of this purchase left to book/);
  await ownerLocale("fr");
});

test("a full refund after a partial one: every unused session goes and upcoming sessions are cancelled", async () => {
  const client = await buy("en");
  const b = await book(app, client.id, pkg.id, slots[4]!, "Africa/Dakar");
  await deliver(stub.refundPayment(client.pi, 12000));
  await consumed(client.id, "order.partially_refunded");
  assert.equal(await left(client.id), 3);
  await deliver(stub.refundPayment(client.pi));
  await consumed(client.id, "order.refunded");
  assert.equal(await left(client.id), 0);
  const order = await app.db
    .selectFrom("orders")
    .selectAll()
    .where("id", "=", client.orderId)
    .executeTakeFirstOrThrow();
  assert.equal(order.status, "refunded");
  const cancelled = await app.db
    .selectFrom("coaching_bookings")
    .selectAll()
    .where("id", "=", b.id)
    .executeTakeFirstOrThrow();
  assert.equal(cancelled.status, "cancelled");
  assert.equal(cancelled.sequence, 1);
  const credits = await app.db
    .selectFrom("coaching_credits")
    .select(["booking_id", "revoked_at"])
    .where("source", "=", `order:${client.orderId}`)
    .execute();
  assert.equal(credits.length, 5);
  assert.ok(
    credits.every((c) => c.revoked_at && !c.booking_id),
    "every credit revoked, none still on a booking",
  );
  await app.mail.waitFor(
    (x) => x.subject?.startsWith("Session cancelled") === true && JSON.stringify(x.to).includes(client.email),
  );
  const mail = await app.mail.waitFor(
    (x) =>
      x.subject?.startsWith("Your refund") === true &&
      JSON.stringify(x.to).includes(client.email) &&
      /in full/.test(x.text ?? ""),
  );
  // The three unused plus the one freed by the cancelled session.
  assert.match(mail.text!, /4 unused sessions were taken off/);
  assert.match(mail.text!, /1 upcoming session was cancelled/);
  const events = await revokedEvents(client.id);
  assert.equal(events.length, 2);
  assert.equal(JSON.parse(events[1]!.data).full, true);
  // The creator: one note per revocation, singular then plural, and the cancelled session.
  const notes = (await creatorMails(client.id)).map((x) => ({ subject: x.subject ?? "", text: x.text ?? "" }));
  assert.equal(notes.length, 2, notes.map((x) => x.subject).join("\n"));
  assert.ok(notes.some((x) => /^Remboursement : 1 séance reprise à /.test(x.subject)));
  const full = notes.find((x) => /^Remboursement : 4 séances reprises à /.test(x.subject));
  assert.ok(full, notes.map((x) => x.subject).join("\n"));
  assert.match(full.text, /remboursement complet/);
  assert.match(full.text, /1 séance à venir a été annulée/);
});
