import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import ICAL from "ical.js";
import type { ParsedMail } from "mailparser";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { testClock } from "../../platform/time.ts";
import { runOperation } from "../../platform/operations.ts";
import { memberActor } from "../../platform/actor.ts";
import { book, makeCoachingOffer, makeMember, setupAvailability } from "./testing.ts";
import { cancelBooking, rescheduleBooking } from "./booking.ts";
import { sendDueReminders } from "./jobs.ts";

/*
 * The client's emails over SMTP: French or English with a plain-text part,
 * an iCalendar invitation (parsed with ical.js) whose UID stays and whose
 * SEQUENCE grows on reschedule and cancel; reminders 24 h and 1 h before,
 * each once, none after a cancellation; the creator's private notes in none.
 */
const clock = testClock("2026-03-20T08:00:00.000Z");
let app: TestApp;
const secret = "NOTE-PRIVEE-qzx";

before(async () => {
  app = await startTestApp({ clock });
  await setupAvailability(app);
});
after(async () => {
  await app?.stop();
});

function calendarOf(m: ParsedMail) {
  const att = m.attachments.find(
    (a) => a.contentType.startsWith("text/calendar") || a.contentType === "application/ics",
  );
  assert.ok(att, `an invitation is attached (${m.attachments.map((a) => a.contentType).join(",")})`);
  const text = att.content.toString("utf8");
  const comp = new ICAL.Component(ICAL.parse(text));
  const ev = comp.getFirstSubcomponent("vevent")!;
  return { text, method: comp.getFirstPropertyValue("method"), ev, event: new ICAL.Event(ev) };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await app.drainJobs();
}

test("invitation, update on reschedule, cancellation: one UID, SEQUENCE 0 → 1 → 2, times in UTC", async () => {
  const offer = await makeCoachingOffer(app, { paid: false });
  const m = await makeMember(app, "fr");
  const b = await book(app, m.id, offer.id, "2026-03-30T07:00:00.000Z", "America/New_York");
  await app.db.updateTable("coaching_bookings").set({ private_notes: secret }).where("id", "=", b.id).execute();
  await settle();
  const first = await app.mail.waitFor(
    (x) =>
      x.subject?.startsWith("Séance réservée") === true && x.to !== undefined && JSON.stringify(x.to).includes(m.email),
  );
  assert.ok(first.text && first.text.includes("meet.jit.si/Atelier-"), "plain-text part with the video link");
  assert.match(first.text!, /America\/New_York/);
  const inv = calendarOf(first);
  assert.equal(inv.method, "REQUEST");
  assert.equal(inv.event.sequence, 0);
  assert.match(inv.text, /DTSTART:20260330T070000Z\r\n/);
  assert.match(inv.text, /DTEND:20260330T080000Z\r\n/);
  assert.equal(inv.event.startDate.toJSDate().toISOString(), "2026-03-30T07:00:00.000Z");
  assert.match(String(inv.ev.getFirstPropertyValue("organizer")), /^mailto:owner@atelier\.test$/);
  assert.equal(String(inv.ev.getFirstPropertyValue("attendee")), `mailto:${m.email}`);
  assert.match(
    String(inv.ev.getFirstPropertyValue("location")),
    /^https:\/\/meet\.jit\.si\/Atelier-[A-Za-z0-9_-]{22}$/,
  );
  const uid = inv.event.uid;

  const s = app.running.services;
  await runOperation(s, rescheduleBooking, memberActor(m.id), {
    bookingId: b.id,
    startsAt: "2026-03-31T08:00:00.000Z",
  });
  await settle();
  const moved = calendarOf(
    await app.mail.waitFor(
      (x) => x.subject?.startsWith("Séance déplacée") === true && JSON.stringify(x.to).includes(m.email),
    ),
  );
  assert.equal(moved.method, "REQUEST");
  assert.equal(moved.event.uid, uid);
  assert.equal(moved.event.sequence, 1);
  assert.match(moved.text, /DTSTART:20260331T080000Z/);

  await runOperation(s, cancelBooking, memberActor(m.id), { bookingId: b.id });
  await settle();
  const cancelled = calendarOf(
    await app.mail.waitFor(
      (x) => x.subject?.startsWith("Séance annulée") === true && JSON.stringify(x.to).includes(m.email),
    ),
  );
  assert.equal(cancelled.method, "CANCEL");
  assert.equal(cancelled.event.uid, uid);
  assert.equal(cancelled.event.sequence, 2);
  assert.equal(cancelled.ev.getFirstPropertyValue("status"), "CANCELLED");

  for (const x of app.mail.to(m.email)) {
    assert.ok(!x.text?.includes(secret) && !String(x.html).includes(secret), "private notes never in an email");
    for (const a of x.attachments) assert.ok(!a.content.toString("utf8").includes(secret));
  }
});

test("an English client gets English mail", async () => {
  const offer = await makeCoachingOffer(app, { paid: false });
  const m = await makeMember(app, "en");
  await book(app, m.id, offer.id, "2026-04-01T07:00:00.000Z", "Asia/Tokyo");
  await settle();
  const mail = await app.mail.waitFor((x) => JSON.stringify(x.to).includes(m.email));
  assert.equal(mail.subject, "Session booked: Séance");
  assert.match(mail.text!, /Asia\/Tokyo/);
});

test("reminders 24 h and 1 h before: each exactly once, none after a cancellation", async () => {
  const offer = await makeCoachingOffer(app, { paid: false });
  const m = await makeMember(app, "fr");
  const gone = await makeMember(app, "fr");
  const start = "2026-04-02T08:00:00.000Z";
  await book(app, m.id, offer.id, start);
  const cancelled = await book(app, gone.id, offer.id, "2026-04-02T09:00:00.000Z");
  await runOperation(app.running.services, cancelBooking, memberActor(gone.id), { bookingId: cancelled.id });
  const at = (iso: string, minusMin: number) => Date.parse(iso) - minusMin * 60_000;
  assert.equal(await sendDueReminders(app.db, at(start, 25 * 60)), 0, "not yet");
  assert.equal(await sendDueReminders(app.db, at(start, 23 * 60)), 1);
  assert.equal(await sendDueReminders(app.db, at(start, 22 * 60)), 0, "24 h reminder once");
  // Two sweeps at once (two nodes) queue it once.
  const both = await Promise.all([sendDueReminders(app.db, at(start, 50)), sendDueReminders(app.db, at(start, 50))]);
  assert.equal(both[0] + both[1], 1);
  assert.equal(await sendDueReminders(app.db, at(start, 10)), 0);
  await settle();
  const reminders = app.mail.to(m.email).filter((x) => x.subject?.startsWith("Rappel"));
  assert.deepEqual(reminders.map((x) => x.subject).sort(), [
    "Rappel : Séance dans une heure",
    "Rappel : Séance demain",
  ]);
  assert.equal(app.mail.to(gone.email).filter((x) => x.subject?.startsWith("Rappel")).length, 0);
});
