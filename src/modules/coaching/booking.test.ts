import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { testClock } from "../../platform/time.ts";
import { AppError } from "../../platform/http/errors.ts";
import { runOperation } from "../../platform/operations.ts";
import { memberActor, systemActor } from "../../platform/actor.ts";
import { dispatchOutbox, record } from "../../platform/events/index.ts";
import { transaction } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import { waitFor } from "../../../test/support/raw-http.ts";
import { orderPaid } from "../offers/index.ts";
import { book, makeCoachingOffer, makeMember, setupAvailability } from "./testing.ts";
import { cancelBooking, rescheduleBooking } from "./booking.ts";
import { memberCredits } from "./credits.ts";
import { releaseExpiredHolds } from "./jobs.ts";

/*
 * Booking on the real database (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL): the database refuses a second booking of the same
 * time, two bookings racing for one last credit get one, a hold ends after
 * 15 minutes, a late payment for a slot since taken becomes a credit.
 */
const clock = testClock("2026-03-20T08:00:00.000Z"); // a Friday, 09:00 in Paris
let app: TestApp;

before(async () => {
  app = await startTestApp({ clock });
  await setupAvailability(app);
});
after(async () => {
  await app?.stop();
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    if (err instanceof AppError) return `${err.status} ${err.messageKey}`;
    throw err;
  }
}

/** What fulfilment records when an order is paid (the outbox then hands it to coaching). */
async function pay(memberId: string, offerId: string): Promise<string> {
  const orderId = newId();
  await transaction(app.db, (trx) =>
    record(
      trx,
      orderPaid,
      { orderId, offerId, amount: 9000, currency: "EUR" },
      { memberId, actor: "system", at: clock.nowIso() },
    ),
  );
  await settleOutbox();
  return orderId;
}

/**
 * Runs the outbox until coaching's consumer has passed the last order.paid.
 * On PostgreSQL it only reads below the cluster's oldest running transaction,
 * so another test file's open transaction can delay it: wait, do not assume.
 */
async function settleOutbox(): Promise<void> {
  const last = await app.db
    .selectFrom("events")
    .select("id")
    .where("type", "=", "order.paid")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  await waitFor("coaching consumed the payment", async () => {
    await dispatchOutbox(app.db, clock);
    const cursor = await app.db
      .selectFrom("event_cursors")
      .select("last_id")
      .where("consumer", "=", "coaching.payments")
      .executeTakeFirst();
    return !!cursor && cursor.last_id >= last.id;
  });
}

test("50 clients race for one slot: exactly one booking, the others a translated 409, no credit spent", async () => {
  const offer = await makeCoachingOffer(app, { kind: "package", sessions: 1 });
  const members = await Promise.all(Array.from({ length: 50 }, () => makeMember(app)));
  for (const m of members) await pay(m.id, offer.offer_id!);
  const slot = "2026-03-23T09:00:00.000Z"; // Monday 10:00 Paris
  const results = await Promise.all(members.map((m) => code(book(app, m.id, offer.id, slot))));
  assert.equal(results.filter((r) => r === "ok").length, 1, results.join(","));
  assert.equal(results.filter((r) => r === "409 coaching.error.slot_taken").length, 49);
  const rows = await app.db.selectFrom("coaching_bookings").selectAll().where("starts_at", "=", slot).execute();
  assert.equal(rows.length, 1);
  const used = await app.db
    .selectFrom("coaching_credits")
    .select("id")
    .where("coaching_offer_id", "=", offer.id)
    .where("booking_id", "is not", null)
    .execute();
  assert.equal(used.length, 1, "only the winner's credit is used");
  // An overlapping start (same cells, other offer) is refused the same way.
  const other = await makeCoachingOffer(app, { paid: false, durationMin: 30 });
  assert.equal(
    await code(book(app, members[0]!.id, other.id, "2026-03-23T09:30:00.000Z")),
    "409 coaching.error.slot_taken",
  );
});

test("two bookings racing for the last credit of a package: one booked, one 'no session left', its slot free", async () => {
  const offer = await makeCoachingOffer(app, { kind: "package", sessions: 1 });
  const m = await makeMember(app);
  await pay(m.id, offer.offer_id!);
  const [a, b] = await Promise.all([
    code(book(app, m.id, offer.id, "2026-03-24T08:00:00.000Z")),
    code(book(app, m.id, offer.id, "2026-03-24T10:00:00.000Z")),
  ]);
  assert.deepEqual([a, b].sort(), ["409 coaching.error.no_credit", "ok"]);
  const mine = await app.db.selectFrom("coaching_bookings").select("id").where("member_id", "=", m.id).execute();
  assert.equal(mine.length, 1, "the refused booking left nothing behind");
  const claims = await app.db
    .selectFrom("coaching_slot_claims")
    .select("cell")
    .where("booking_id", "=", mine[0]!.id)
    .execute();
  assert.equal(claims.length, 4, "one hour = four cells");
  assert.equal((await memberCredits(app.db, m.id, clock.nowIso()))[0]!.left, 0);
});

test("a package grants N credits once; cancel in time gives one back exactly once; late cancel keeps it", async () => {
  const offer = await makeCoachingOffer(app, { kind: "package", sessions: 5, validityDays: 180 });
  const m = await makeMember(app);
  const orderId = await pay(m.id, offer.offer_id!);
  // The same payment seen again (replay) grants nothing more.
  await transaction(app.db, (trx) =>
    record(
      trx,
      orderPaid,
      { orderId, offerId: offer.offer_id!, amount: 9000, currency: "EUR" },
      { memberId: m.id, actor: "system" },
    ),
  );
  await settleOutbox();
  let credits = (await memberCredits(app.db, m.id, clock.nowIso()))[0]!;
  assert.equal(credits.left, 5);
  assert.equal(credits.nextExpiry, "2026-09-16T08:00:00.000Z");
  const b1 = await book(app, m.id, offer.id, "2026-03-25T08:00:00.000Z");
  const b2 = await book(app, m.id, offer.id, "2026-03-20T10:00:00.000Z"); // today 11:00 Paris: inside 24 h
  assert.equal((await memberCredits(app.db, m.id, clock.nowIso()))[0]!.left, 3);
  const actor = memberActor(m.id);
  const s = app.running.services;
  assert.deepEqual(await runOperation(s, cancelBooking, actor, { bookingId: b1.id }), { creditReturned: true });
  assert.equal(
    await code(runOperation(s, cancelBooking, actor, { bookingId: b1.id })),
    "409 coaching.error.not_active",
  );
  assert.deepEqual(await runOperation(s, cancelBooking, actor, { bookingId: b2.id }), { creditReturned: false });
  credits = (await memberCredits(app.db, m.id, clock.nowIso()))[0]!;
  assert.equal(credits.left, 4);
  assert.equal(credits.used, 1);
  // Both slots are free again.
  const again = await makeMember(app);
  const free = await makeCoachingOffer(app, { paid: false });
  assert.equal(await code(book(app, again.id, free.id, "2026-03-25T08:00:00.000Z")), "ok");
});

test("reschedule moves the claim and bumps the sequence; someone else's booking is a 404", async () => {
  const offer = await makeCoachingOffer(app, { paid: false });
  const m = await makeMember(app);
  const intruder = await makeMember(app);
  const b = await book(app, m.id, offer.id, "2026-03-26T08:00:00.000Z");
  const s = app.running.services;
  assert.equal(
    await code(
      runOperation(s, rescheduleBooking, memberActor(intruder.id), {
        bookingId: b.id,
        startsAt: "2026-03-26T09:00:00.000Z",
      }),
    ),
    "404 error.not_found",
  );
  assert.equal(
    await code(runOperation(s, cancelBooking, memberActor(intruder.id), { bookingId: b.id })),
    "404 error.not_found",
  );
  const r = await runOperation(s, rescheduleBooking, memberActor(m.id), {
    bookingId: b.id,
    startsAt: "2026-03-26T09:00:00.000Z",
  });
  assert.equal(r.sequence, 1);
  const cells = await app.db
    .selectFrom("coaching_slot_claims")
    .select("cell")
    .where("booking_id", "=", b.id)
    .orderBy("cell")
    .execute();
  assert.deepEqual(cells.map((c) => c.cell)[0], "2026-03-26T09:00:00.000Z");
  assert.equal(await code(book(app, intruder.id, offer.id, "2026-03-26T08:00:00.000Z")), "ok", "the old time is free");
});

test("bad input: past, outside hours, off the grid, malformed: translated 4xx, nothing stored", async () => {
  const offer = await makeCoachingOffer(app, { paid: false });
  const m = await makeMember(app);
  const before = (await app.db.selectFrom("coaching_bookings").select("id").execute()).length;
  assert.equal(await code(book(app, m.id, offer.id, "2026-03-19T08:00:00.000Z")), "422 coaching.error.past");
  assert.equal(await code(book(app, m.id, offer.id, "2026-03-23T15:00:00.000Z")), "422 coaching.error.not_available");
  assert.equal(await code(book(app, m.id, offer.id, "2026-03-23T08:10:00.000Z")), "422 coaching.error.not_available");
  assert.equal(await code(book(app, m.id, offer.id, "2026-02-30T08:00:00Z")), "422 error.invalid_input");
  assert.equal(await code(book(app, m.id, offer.id, "lundi 10h")), "422 error.invalid_input");
  assert.equal(
    await code(book(app, m.id, offer.id, "2026-03-23T08:00:00.000Z", "Mars/Olympus")),
    "422 error.invalid_input",
  );
  assert.equal(await code(book(app, m.id, newId(), "2026-03-23T08:00:00.000Z")), "404 error.not_found");
  assert.equal((await app.db.selectFrom("coaching_bookings").select("id").execute()).length, before);
});

test("a pending payment holds the slot 15 minutes; a late payment for a slot since taken becomes a credit", async () => {
  const offer = await makeCoachingOffer(app, { kind: "single" });
  const slow = await makeMember(app);
  const fast = await makeMember(app);
  const slot = "2026-03-27T08:00:00.000Z";
  const held = await book(app, slow.id, offer.id, slot);
  assert.equal(held.status, "pending_payment");
  assert.equal(await code(book(app, fast.id, offer.id, slot)), "409 coaching.error.slot_taken", "held");
  clock.advance(14 * 60_000);
  assert.equal(await code(book(app, fast.id, offer.id, slot)), "409 coaching.error.slot_taken", "still held at 14 min");
  clock.advance(60_000);
  assert.equal(await releaseExpiredHolds(app.db, clock.nowMs()), 1);
  const taken = await book(app, fast.id, offer.id, slot);
  assert.equal(taken.status, "pending_payment");
  await pay(fast.id, offer.offer_id!);
  await pay(slow.id, offer.offer_id!); // the webhook that comes too late
  const rows = await app.db
    .selectFrom("coaching_bookings")
    .select(["member_id", "status"])
    .where("starts_at", "=", slot)
    .execute();
  const byMember = Object.fromEntries(rows.map((r) => [r.member_id, r.status]));
  assert.equal(byMember[fast.id], "confirmed");
  assert.equal(byMember[slow.id], "expired");
  assert.equal(
    (await memberCredits(app.db, slow.id, clock.nowIso()))[0]!.left,
    1,
    "the late payer keeps a session to book",
  );
  const lost = await app.db
    .selectFrom("jobs")
    .select("payload")
    .where("dedupe_key", "like", "mail:coaching:lost:%")
    .execute();
  assert.equal(lost.length, 1);
  await runOperation(app.running.services, cancelBooking, systemActor("test"), { bookingId: taken.id });
});
