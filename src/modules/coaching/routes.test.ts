import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { TestClient } from "../../../test/support/client.ts";
import { testClock } from "../../platform/time.ts";
import { loginOwner } from "../staff/testing.ts";
import { logIn, newClient } from "../members/testing.ts";
import { makeCoachingOffer, makeMember, setupAvailability } from "./testing.ts";

/*
 * The pages over HTTP: the public picker in the visitor's zone, booking with
 * CSRF, the client's sessions, the creator's notes and summary, the private
 * feed; then the IDOR sweep (another client's booking, notes, summary, link,
 * feed: 0 successes) and bad input (translated 4xx, nothing half-stored).
 */
const clock = testClock("2026-03-20T08:00:00.000Z");
let app: TestApp;
let owner: TestClient;
const secret = "NOTE-PRIVEE-7fq";
const summary = "Exercice : trois pages du matin.";

before(async () => {
  app = await startTestApp({ clock });
  await setupAvailability(app);
  owner = newClient(app);
  await loginOwner(owner);
});
after(async () => {
  await app?.stop();
});

async function member(locale: "fr" | "en" = "fr") {
  const m = await makeMember(app, locale);
  const client = newClient(app);
  await logIn(app, client, m.email);
  return { ...m, client };
}

test("book from New York time, creator notes and summary, private feed; another client gets nothing", async () => {
  const offer = await makeCoachingOffer(app, { paid: false });
  const anon = newClient(app);
  const pub = await anon.get("/coaching");
  assert.equal(pub.status, 200);
  assert.ok(pub.text.includes(`/coaching/${offer.slug}`));
  const ny = await anon.get(`/coaching/${offer.slug}?tz=America%2FNew_York`);
  assert.equal(ny.status, 200);
  // Monday 23 March 09:00 Paris = 08:00Z = 04:00 in New York (already on summer time).
  assert.match(ny.text, /lundi 23 mars[\s\S]*?>04:00</);
  assert.ok(!ny.text.includes('name="startsAt"'), "anonymous visitors see times, no booking form");
  const byPath = await anon.get(`/coaching/${offer.slug}/at/America/New_York`);
  assert.match(byPath.text, /lundi 23 mars[\s\S]*?>04:00</, "the zone in the path reads the same");
  assert.equal((await anon.get(`/coaching/${offer.slug}/at/Mars/Olympus`)).status, 200, "an unknown zone falls back");

  const a = await member();
  const page = await a.client.get(`/coaching/${offer.slug}?tz=America%2FNew_York`);
  assert.ok(page.text.includes('value="2026-03-23T08:00:00.000Z"'));
  const booked = await a.client.post(`/coaching/${offer.slug}/book`, {
    startsAt: "2026-03-23T08:00:00.000Z",
    timeZone: "America/New_York",
  });
  assert.equal(booked.status, 303, booked.text.slice(0, 500));
  const bookingId = new URL(booked.location!, app.url).searchParams.get("booked")!;
  const mine = await a.client.get("/account/coaching");
  const link = /https:\/\/meet\.jit\.si\/Atelier-[A-Za-z0-9_-]+/.exec(mine.text)?.[0];
  assert.ok(link, "the video link is on the client's page");
  const profile = await app.db
    .selectFrom("members")
    .select("time_zone")
    .where("id", "=", a.id)
    .executeTakeFirstOrThrow();
  assert.equal(profile.time_zone, "America/New_York", "the zone is remembered on the profile");

  // Another client tries to take the same time over HTTP: a translated 409.
  const b = await member();
  const race = await b.client.post(`/coaching/${offer.slug}/book`, {
    startsAt: "2026-03-23T08:00:00.000Z",
    timeZone: "Asia/Tokyo",
  });
  assert.equal(race.status, 409);
  assert.ok(race.text.includes("Ce créneau vient d’être pris"), race.text.slice(0, 300));

  // The creator writes notes and a summary after the session.
  const session = await owner.get(`/admin/coaching/sessions/${bookingId}`);
  assert.equal(session.status, 200);
  const saved = await owner.post(`/admin/coaching/sessions/${bookingId}/notes`, {
    privateNotes: secret,
    sharedSummary: summary,
  });
  assert.equal(saved.status, 303);
  clock.set("2026-03-23T10:00:00.000Z");
  const after = await a.client.get("/account/coaching");
  assert.ok(after.text.includes(summary), "the client sees the shared summary");
  assert.ok(!after.text.includes(secret), "never the private notes");
  const exported = await a.client.get("/account/export.json");
  assert.equal(exported.status, 200);
  assert.ok(exported.text.includes("trois pages") && !exported.text.includes(secret), "export: summary yes, notes no");

  // The creator's private feed: only by the current token.
  const rotated = await owner.post("/admin/coaching/feed", {});
  const feedUrl = /\/coaching\/feed\/[A-Za-z0-9_-]+\.ics/.exec(rotated.text)?.[0];
  assert.ok(feedUrl);
  const feed = await anon.get(feedUrl);
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get("content-type") ?? "", /text\/calendar/);
  assert.ok(feed.text.includes(`UID:coaching-${bookingId}@`) && !feed.text.includes(secret));
  const stored = await app.db.selectFrom("coaching_settings").select("feed_token_hash").executeTakeFirstOrThrow();
  assert.ok(!feedUrl.includes(stored.feed_token_hash!), "only the hash is stored");
  await owner.post("/admin/coaching/feed", {});
  assert.equal((await anon.get(feedUrl)).status, 404, "the old feed URL stops at once");

  // IDOR sweep: client B on client A's booking.
  const attempts = [
    await b.client.post(`/account/coaching/${bookingId}/cancel`, {}),
    await b.client.get(`/account/coaching/${bookingId}/reschedule`),
    await b.client.post(`/account/coaching/${bookingId}/reschedule`, { startsAt: "2026-03-25T08:00:00.000Z" }),
    await b.client.get(`/admin/coaching/sessions/${bookingId}`),
    await b.client.post(`/admin/coaching/sessions/${bookingId}/notes`, { privateNotes: "x", sharedSummary: "x" }),
    await anon.get(`/coaching/feed/${"A".repeat(43)}.ics`),
    await anon.get(`/coaching/feed/${bookingId}.ics`),
  ];
  assert.deepEqual(
    attempts.map((r) => r.status),
    [404, 404, 404, 303, 401, 404, 404],
  );
  const bPage = await b.client.get("/account/coaching");
  assert.ok(!bPage.text.includes(link!) && !bPage.text.includes(summary) && !bPage.text.includes(secret));
  const bExport = await b.client.get("/account/export.json");
  assert.ok(!bExport.text.includes(link!) && !bExport.text.includes(summary));
  const row = await app.db
    .selectFrom("coaching_bookings")
    .select(["status", "private_notes"])
    .where("id", "=", bookingId)
    .executeTakeFirstOrThrow();
  assert.deepEqual(row, { status: "confirmed", private_notes: secret }, "nothing changed");
});

test("bad input over HTTP: translated 4xx, nothing half-stored", async () => {
  clock.set("2026-03-20T08:00:00.000Z");
  const offer = await makeCoachingOffer(app, { paid: false });
  const a = await member("en");
  const count = async () => (await app.db.selectFrom("coaching_bookings").select("id").execute()).length;
  const before = await count();
  const bad = await a.client.post(`/coaching/${offer.slug}/book`, {
    startsAt: "next tuesday",
    timeZone: "Europe/Paris",
  });
  assert.equal(bad.status, 422);
  const past = await a.client.post(`/coaching/${offer.slug}/book`, {
    startsAt: "2026-03-19T08:00:00.000Z",
    timeZone: "Europe/Paris",
  });
  assert.equal(past.status, 422);
  const outside = await a.client.post(`/coaching/${offer.slug}/book`, {
    startsAt: "2026-03-21T08:00:00.000Z",
    timeZone: "Europe/Paris",
  });
  assert.equal(outside.status, 422);
  assert.equal(await count(), before);
  // The creator's forms: bad hours re-render with the error; huge notes are refused whole.
  const hours = await owner.post("/admin/coaching/availability", {
    timeZone: "Europe/Paris",
    mon: "9h-midi",
    bufferBeforeMin: "0",
    bufferAfterMin: "0",
    minNoticeHours: "0",
    windowDays: "90",
    maxPerDay: "0",
    cancelHours: "24",
    videoMode: "jitsi",
  });
  assert.equal(hours.status, 422);
  assert.ok(hours.text.includes("09:00-12:00, 14:00-18:00"), "the form says how to write hours");
  const weekly = await app.db.selectFrom("coaching_weekly_hours").select("id").execute();
  assert.equal(weekly.length, 5, "the old hours are untouched");
  const b = await app.db.selectFrom("coaching_bookings").select("id").executeTakeFirstOrThrow();
  const huge = await owner.post(`/admin/coaching/sessions/${b.id}/notes`, {
    privateNotes: "x".repeat(20_001),
    sharedSummary: "ok",
  });
  assert.equal(huge.status, 422);
  const row = await app.db
    .selectFrom("coaching_bookings")
    .select("shared_summary")
    .where("id", "=", b.id)
    .executeTakeFirstOrThrow();
  assert.notEqual(row.shared_summary, "ok");
  const good = await owner.post("/admin/coaching/availability", {
    timeZone: "Europe/Paris",
    mon: "09:00-12:00",
    tue: "14:00-18:00",
    overrides: "2026-12-24 fermé\n2026-12-27 10:00-12:00",
    bufferBeforeMin: "0",
    bufferAfterMin: "15",
    minNoticeHours: "12",
    windowDays: "60",
    maxPerDay: "4",
    cancelHours: "24",
    videoMode: "jitsi",
    jitsiBaseUrl: "https://meet.jit.si",
  });
  assert.equal(good.status, 303, good.text.slice(0, 400));
  assert.equal((await app.db.selectFrom("coaching_overrides").select("id").execute()).length, 2);
});
