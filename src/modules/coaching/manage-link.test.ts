import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { linkIn } from "../../../test/support/client.ts";
import { testClock } from "../../platform/time.ts";
import { book, makeCoachingOffer, makeMember, setupAvailability } from "./testing.ts";
import { sendDueReminders } from "./jobs.ts";
import { createCoachingOffer } from "./offers.ts";
import { runOperation } from "../../platform/operations.ts";
import { systemActor } from "../../platform/actor.ts";
import { AppError } from "../../platform/http/errors.ts";
import type { CoachingOffer } from "./offers.ts";

/*
 * "Reschedule or cancel" from the email: the invitation carries a signed
 * link that opens that booking's page without signing in; a GET changes
 * nothing, the change is a POST with the page's CSRF token; a forged link,
 * one of another booking, one whose end was changed, one replayed after the
 * change it made and one past the session's start are each a translated 4xx.
 */
const clock = testClock("2026-03-20T08:00:00.000Z");
let app: TestApp;
let offer: CoachingOffer;

before(async () => {
  app = await startTestApp({ clock });
  await setupAvailability(app);
  offer = await makeCoachingOffer(app, { paid: false });
});
after(async () => {
  await app?.stop();
});

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await app.drainJobs();
}

async function invitationLink(email: string, subject: string): Promise<string> {
  await settle();
  const m = await app.mail.waitFor(
    (x) => x.subject?.startsWith(subject) === true && JSON.stringify(x.to).includes(email),
  );
  assert.ok(m.html && m.html.includes("/coaching/manage/"), "the HTML part carries the link too");
  return linkIn(m.text!, app.url, "/coaching/manage/");
}

const status = async (id: string) =>
  (await app.db.selectFrom("coaching_bookings").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status;

test("the email's link cancels that booking once, with CSRF; forged, other-booking and replayed links are refused", async () => {
  const m = await makeMember(app, "fr");
  const a = await book(app, m.id, offer.id, "2026-03-30T07:00:00.000Z", "America/New_York");
  const b = await book(app, m.id, offer.id, "2026-03-31T07:00:00.000Z", "America/New_York");
  const link = await invitationLink(m.email, "Séance réservée");
  const [path, query] = link.split("?") as [string, string];
  const id = path.split("/").pop()!;
  assert.ok(id === a.id || id === b.id);
  const other = id === a.id ? b.id : a.id;

  const visitor = app.client();
  const page = await visitor.get(link, { "accept-language": "fr" });
  assert.equal(page.status, 200, page.text.slice(0, 300));
  assert.match(page.text, /Annuler la séance/);
  assert.equal(page.headers.get("cache-control"), "private, no-store");
  assert.equal(await status(id), "confirmed", "a GET changes nothing");

  const q = new URLSearchParams(query);
  const forged = new URLSearchParams(q);
  forged.set("s", `${q.get("s")!.slice(0, -2)}AA`);
  const longer = new URLSearchParams(q);
  longer.set("e", String(Number(q.get("e")) + 86_400));
  for (const bad of [
    `${path}?${forged}`,
    `/coaching/manage/${other}?${query}`,
    `${path}?${longer}`,
    `${path}?e=abc&s=${q.get("s")}`,
    `${path}`,
    `/coaching/manage/no-such-booking?${query}`,
  ]) {
    const r = await visitor.get(bad, { "accept-language": "fr" });
    assert.equal(r.status, 404, bad);
    assert.match(r.text, /Ce lien n’est pas valide/, bad);
    const p = await visitor.post(
      bad.replace(/(\/coaching\/manage\/[^/?]+)/, "$1/cancel"),
      {},
      { "accept-language": "en" },
    );
    assert.equal(p.status, 404, bad);
    assert.match(p.text, /This link is not valid/);
  }
  assert.equal(await status(other), "confirmed", "the other booking is untouched");

  // The state change needs the page's token.
  const noToken = await visitor.post(`${path}/cancel?${query}`, { _csrf: "" });
  assert.equal(noToken.status, 403);
  assert.equal(await status(id), "confirmed");
  const done = await visitor.post(`${path}/cancel?${query}`);
  assert.equal(done.status, 200, done.text.slice(0, 300));
  assert.match(done.text, /Séance annulée/);
  assert.equal(await status(id), "cancelled");

  // Replayed: the same link, after the change it made, is out of date (GET and POST alike).
  const again = await visitor.get(link, { "accept-language": "en" });
  assert.equal(again.status, 410);
  assert.match(again.text, /This link is out of date/);
  assert.equal((await visitor.post(`${path}/cancel?${query}`)).status, 410);
  assert.equal(await status(other), "confirmed");
});

test("the link moves the session; the old link is then out of date, the new email's works; past the start it expired", async () => {
  const m = await makeMember(app, "en");
  const a = await book(app, m.id, offer.id, "2026-04-01T07:00:00.000Z", "Asia/Tokyo");
  const link = await invitationLink(m.email, "Session booked");
  const path = link.split("?")[0]!;
  const query = link.split("?")[1]!;
  const visitor = app.client();
  const picker = await visitor.get(`${path}/reschedule?${query}`, { "accept-language": "en" });
  assert.equal(picker.status, 200, picker.text.slice(0, 300));
  assert.match(picker.text, /data-slot="2026-04-02T07:00:00.000Z"/);
  const moved = await visitor.post(`${path}/reschedule?${query}`, { startsAt: "2026-04-02T07:00:00.000Z" });
  assert.equal(moved.status, 200, moved.text.slice(0, 300));
  const row = await app.db
    .selectFrom("coaching_bookings")
    .select(["starts_at", "status"])
    .where("id", "=", a.id)
    .executeTakeFirstOrThrow();
  assert.deepEqual(row, { starts_at: "2026-04-02T07:00:00.000Z", status: "confirmed" });
  assert.equal((await visitor.get(link, { "accept-language": "en" })).status, 410, "the old link is out of date");
  const fresh = await invitationLink(m.email, "Session moved");
  assert.notEqual(fresh, link);
  assert.equal((await visitor.get(fresh)).status, 200);

  // Past the session's start the link has expired (translated).
  clock.set("2026-04-02T07:00:01.000Z");
  const late = await visitor.get(fresh, { "accept-language": "fr" });
  assert.equal(late.status, 410);
  assert.match(late.text, /Ce lien a expiré/);
  assert.equal(await status(a.id), "confirmed");
});

test("the reminder carries the link too, minted at send time: no job row holds it", async () => {
  const m = await makeMember(app, "en");
  const start = "2026-04-06T08:00:00.000Z";
  const b = await book(app, m.id, offer.id, start, "Africa/Dakar");
  assert.equal(await sendDueReminders(app.db, Date.parse(start) - 23 * 3_600_000), 1);
  await settle();
  const reminder = await app.mail.waitFor(
    (x) => x.subject?.startsWith("Reminder") === true && JSON.stringify(x.to).includes(m.email),
  );
  const link = linkIn(reminder.text!, app.url, `/coaching/manage/${b.id}`);
  assert.match(link, /\?e=\d+&s=[\w-]{43}$/);
  const visitor = app.client();
  assert.equal((await visitor.get(link)).status, 200);
  const signature = new URLSearchParams(link.split("?")[1]).get("s")!;
  const jobs = await app.db.selectFrom("jobs").select(["type", "payload"]).execute();
  assert.ok(jobs.length > 0);
  assert.ok(
    jobs.every((j) => !j.payload.includes(signature) && !j.payload.includes("/coaching/manage/")),
    "no job row holds the link",
  );
});

test("no coaching offer may take the link pages' address", async () => {
  await assert.rejects(
    runOperation(app.running.services, createCoachingOffer, systemActor("test"), {
      title: "Séance",
      slug: "manage",
      kind: "single",
      durationMin: 60,
      sessions: 1,
      validityDays: 0,
      offerId: null,
    }),
    (e: unknown) => e instanceof AppError && e.status === 422,
  );
});
