import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { testClock } from "../../platform/time.ts";
import { logIn, newClient } from "../members/testing.ts";
import { makeCoachingOffer, makeMember, setupAvailability } from "./testing.ts";

/*
 * The slot page carries a short zone list (the shown zone, the creator's, ~40 common cities, in the
 * reader's language) and links to the full list on its own page, which works without JavaScript:
 * each zone is a link to the slot page in that zone (or back to a member's reschedule page).
 */
const clock = testClock("2026-03-20T08:00:00.000Z");
let app: TestApp;

before(async () => {
  app = await startTestApp({ clock });
  await setupAvailability(app);
});
after(async () => {
  await app?.stop();
});

const options = (html: string) => [...html.matchAll(/<option value="([^"]+)"( selected)?>([^<]*)</g)];

test("the slot page holds a short zone list; the full list is one link away and leads back to the times", async () => {
  const offer = await makeCoachingOffer(app, { paid: false });
  const anon = newClient(app);
  const ny = await anon.get(`/coaching/${offer.slug}?tz=America%2FNew_York`);
  assert.equal(ny.status, 200);
  const opts = options(ny.text);
  assert.ok(opts.length >= 20 && opts.length <= 50, `short list, got ${opts.length}`);
  assert.equal(opts.filter((o) => o[2]).length, 1, "exactly one selected");
  assert.equal(opts[0]?.[1], "America/New_York", "the shown zone first");
  assert.equal(opts[0]?.[2], " selected");
  assert.equal(new Set(opts.map((o) => o[1])).size, opts.length, "no zone twice");
  assert.ok(
    opts.some((o) => o[1] === "Europe/Paris" && o[3]?.startsWith("Paris")),
    "labelled by city",
  );
  assert.ok(Buffer.byteLength(ny.text) < 16_000, `page weight ${Buffer.byteLength(ny.text)} bytes`);

  // A rare zone is kept on top, selected, without losing the common ones.
  const rare = options((await anon.get(`/coaching/${offer.slug}/at/Asia/Tehran`)).text);
  assert.deepEqual([rare[0]?.[1], rare[0]?.[2]], ["Asia/Tehran", " selected"]);
  assert.ok(rare.some((o) => o[1] === "Europe/Paris"));

  // The full list, in French by city, each a link to the slot page in that zone.
  assert.ok(ny.text.includes(`href="/coaching/${offer.slug}/zones"`));
  const all = await anon.get(`/coaching/${offer.slug}/zones`);
  assert.equal(all.status, 200);
  const links = [...all.text.matchAll(/href="\/coaching\/[^/]+\/at\/([^"]+)"/g)].map((m) => m[1]);
  assert.ok(links.length > 400, `all zones, got ${links.length}`);
  assert.ok(links.includes("Asia/Tehran") && links.includes("Europe/Paris"));
  assert.match(all.text, /Afrique/);
  const kathmandu = await anon.get(`/coaching/${offer.slug}/at/Asia/Tehran`);
  // Monday 23 March 09:00 Paris = 08:00Z = 11:30 in Tehran.
  assert.match(kathmandu.text, /lundi 23 mars[\s\S]*?>11:30</);
  assert.equal((await anon.get(`/coaching/nope/zones`)).status, 404);

  // A hostile ?back= is ignored: links go to the public page, never elsewhere.
  const evil = await anon.get(`/coaching/${offer.slug}/zones?back=${encodeURIComponent("//evil.example/x")}`);
  assert.ok(!evil.text.includes("evil.example"));
});

test("a member rescheduling comes back to their reschedule page with the zone chosen", async () => {
  const offer = await makeCoachingOffer(app, { paid: false });
  const m = await makeMember(app, "en");
  const client = newClient(app);
  await logIn(app, client, m.email);
  const booked = await client.post(`/coaching/${offer.slug}/book`, {
    startsAt: "2026-03-23T08:00:00.000Z",
    timeZone: "Europe/Paris",
  });
  assert.equal(booked.status, 303);
  const id = /booked=([^&]+)/.exec(booked.headers.get("location") ?? "")?.[1];
  assert.ok(id);
  const res = await client.get(`/account/coaching/${id}/reschedule`);
  const back = `/account/coaching/${id}/reschedule`;
  assert.ok(res.text.includes(`/coaching/${offer.slug}/zones?back=${encodeURIComponent(back)}`));
  const all = await client.get(`/coaching/${offer.slug}/zones?back=${encodeURIComponent(back)}`);
  assert.ok(all.text.includes(`href="${back}?tz=Asia%2FTehran"`));
  assert.match(all.text, /Africa/);
});
