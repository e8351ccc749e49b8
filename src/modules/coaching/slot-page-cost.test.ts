import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { newClient } from "../members/testing.ts";
import { testClock } from "../../platform/time.ts";
import { queriesOf } from "../../../test/support/query-count.ts";
import { makeCoachingOffer, setupAvailability } from "./testing.ts";

/*
 * What one uncached slot page costs in SQL for an anonymous visitor, counted at the drivers: the
 * budget the booking-slots bench depends on (bench/booking-slots.ts). The rules are the one-second
 * copy; the offer, the busy ranges and the day counts come in one statement (slot-page-query.ts).
 */
let app: TestApp;

before(async () => {
  // A still clock: the rules copy (one second) must not expire between the warm-up and the count.
  app = await startTestApp({ clock: testClock("2026-03-20T08:00:00.000Z") });
  await setupAvailability(app, { max_per_day: 3 });
});
after(async () => app?.stop());

describe("the slot page's queries", () => {
  it("an anonymous visitor's uncached page reads one statement and writes nothing", async () => {
    const offer = await makeCoachingOffer(app, { paid: false });
    const anon = newClient(app);
    const path = `/coaching/${offer.slug}/at/America/New_York`;
    assert.equal((await anon.get(`${path}?warm=1`)).status, 200);
    let shown = "";
    const qs = await queriesOf(async () => {
      const res = await anon.get(`${path}?u=2`);
      assert.equal(res.status, 200);
      shown = res.text;
    });
    assert.match(shown, /lundi 23 mars[\s\S]*?>04:00</);
    assert.ok(!qs.some((q) => /^(insert|update|delete)/i.test(q)), qs.join("\n"));
    // The rules' one-second copy is kept on the real clock: on a slow machine it may expire between the
    // two requests, and its refresh (settings, weekly hours, overrides) is not the page's own cost.
    const own = qs.filter((q) => !/"coaching_(settings|weekly_hours|overrides)"/.test(q));
    assert.equal(own.length, 1, `${own.length} statements:\n${qs.join("\n")}`);
    for (const table of ["coaching_offers", "coaching_bookings", "coaching_busy", "coaching_day_claims"])
      assert.ok(own[0]!.includes(table), own[0]);
  });
});
