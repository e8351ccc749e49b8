import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { testClock } from "../../platform/time.ts";
import { runOperation } from "../../platform/operations.ts";
import { memberActor } from "../../platform/actor.ts";
import { logIn, newClient } from "../members/testing.ts";
import { makeCoachingOffer, makeMember, setupAvailability } from "./testing.ts";
import { bookSession, cancelBooking, rescheduleBooking } from "./booking.ts";

/*
 * The daily maximum is the database's: each booking takes a numbered place
 * (1..max) of its local day, (coach, day, place) being the primary key. Ten
 * clients posting at once for ten different times of one day (all free, so
 * the cell claims let every one through) → exactly `max` bookings, the
 * others a translated 409, nothing left behind; on SQLite and PostgreSQL.
 */
const clock = testClock("2026-03-20T08:00:00.000Z"); // Friday
const MAX = 3;
let app: TestApp;

before(async () => {
  app = await startTestApp({ clock });
  await setupAvailability(app, { max_per_day: MAX });
});
after(async () => {
  await app?.stop();
});

async function client(locale: "fr" | "en" = "fr") {
  const m = await makeMember(app, locale);
  const c = newClient(app);
  await logIn(app, c, m.email);
  return { ...m, c };
}

// Monday 23 March, 09:00–12:00 Paris = 08:00Z–11:00Z: twelve quarter-hour starts for a 15-minute session.
const monday = Array.from({ length: 12 }, (_, i) =>
  new Date(Date.parse("2026-03-23T08:00:00.000Z") + i * 15 * 60_000).toISOString(),
);

const onMonday = (app: TestApp) =>
  app.db
    .selectFrom("coaching_bookings")
    .select(["id", "member_id", "starts_at"])
    .where("status", "in", ["confirmed", "pending_payment"])
    .where("starts_at", ">=", "2026-03-23T00:00:00.000Z")
    .where("starts_at", "<", "2026-03-24T00:00:00.000Z")
    .execute();

test("ten parallel HTTP bookings of different times on one day: exactly the daily maximum pass", async () => {
  const offer = await makeCoachingOffer(app, { paid: false, durationMin: 15 });
  const clients = await Promise.all(Array.from({ length: 10 }, (_, i) => client(i % 2 ? "en" : "fr")));
  for (const x of clients) await x.c.get(`/coaching/${offer.slug}`); // each its CSRF token
  const results = await Promise.all(
    clients.map((x, i) => x.c.post(`/coaching/${offer.slug}/book`, { startsAt: monday[i]!, timeZone: "Africa/Dakar" })),
  );
  const statuses = results.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 303).length, MAX, statuses.join(","));
  assert.equal(statuses.filter((s) => s === 409).length, 10 - MAX, statuses.join(","));
  results.forEach((r, i) => {
    if (r.status !== 409) return;
    const text = i % 2 ? "This day is fully booked" : "Cette journée est complète";
    assert.ok(r.text.includes(text), `translated message for client ${i}`);
  });
  const rows = await onMonday(app);
  assert.equal(rows.length, MAX);
  const places = await app.db
    .selectFrom("coaching_day_claims")
    .select(["n", "booking_id"])
    .where("day", "=", "2026-03-23")
    .orderBy("n")
    .execute();
  assert.deepEqual(
    places.map((p) => p.n),
    [1, 2, 3],
  );
  assert.deepEqual(new Set(places.map((p) => p.booking_id)), new Set(rows.map((r) => r.id)));
  const cells = await app.db.selectFrom("coaching_slot_claims").select("booking_id").execute();
  assert.ok(
    cells.every((c) => rows.some((r) => r.id === c.booking_id)),
    "the refused bookings left no cell claimed",
  );

  // Another day is not affected; moving a session into the full day is refused; a cancellation frees a place.
  const other = clients.find((_, i) => results[i]!.status === 409)!;
  const tuesday = await runOperation(app.running.services, bookSession, memberActor(other.id), {
    coachingOfferId: offer.id,
    startsAt: "2026-03-24T08:00:00.000Z",
    timeZone: "Africa/Dakar",
  });
  assert.equal(tuesday.status, "confirmed");
  await assert.rejects(
    runOperation(app.running.services, rescheduleBooking, memberActor(other.id), {
      bookingId: tuesday.id,
      startsAt: monday[11]!,
    }),
    (err: { status?: number; messageKey?: string }) =>
      err.status === 409 && err.messageKey === "coaching.error.day_full",
  );
  const winner = rows[0]!;
  await runOperation(app.running.services, cancelBooking, memberActor(winner.member_id), { bookingId: winner.id });
  await runOperation(app.running.services, rescheduleBooking, memberActor(other.id), {
    bookingId: tuesday.id,
    startsAt: monday[11]!,
  });
  assert.equal((await onMonday(app)).length, MAX, "the freed place was taken again, never more");
});

test("the page hides a day that is full", async () => {
  const offer = await makeCoachingOffer(app, { paid: false, durationMin: 15 });
  const anon = newClient(app);
  const page = await anon.get(`/coaching/${offer.slug}/at/Europe/Paris`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('aria-label="2026-03-24"'), "Tuesday is shown");
  assert.ok(!page.text.includes('aria-label="2026-03-23"'), "Monday is full: no time shown");
});
