import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { testClock } from "../../platform/time.ts";
import { refreshBusyCalendar } from "./external.ts";
import { busyBetween, getSettings, loadRules, saveSettings } from "./settings.ts";
import { computeSlots } from "./availability.ts";
import { setupAvailability } from "./testing.ts";

/* The creator's external calendar by ICS URL, served by a local node:http server. */
const clock = testClock("2026-03-20T08:00:00.000Z");
let app: TestApp;
let server: http.Server;
let base = "";
let answer: { status: number; body: string } = { status: 200, body: "" };

const ics = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//Test//EN",
  "BEGIN:VEVENT",
  "UID:a@test",
  "DTSTAMP:20260301T000000Z",
  "DTSTART:20260323T083000Z",
  "DTEND:20260323T093000Z",
  "SUMMARY:Dentiste",
  "END:VEVENT",
  "BEGIN:VEVENT",
  "UID:b@test",
  "DTSTAMP:20260301T000000Z",
  "DTSTART;TZID=Europe/Paris:20260324T090000",
  "DTEND;TZID=Europe/Paris:20260324T100000",
  "RRULE:FREQ=WEEKLY;COUNT=3",
  "SUMMARY:Cours",
  "END:VEVENT",
  "BEGIN:VEVENT",
  "UID:c@test",
  "DTSTAMP:20260301T000000Z",
  "DTSTART:20260325T080000Z",
  "DTEND:20260325T110000Z",
  "TRANSP:TRANSPARENT",
  "SUMMARY:Rappel libre",
  "END:VEVENT",
  "END:VCALENDAR",
].join("\r\n");

before(async () => {
  app = await startTestApp({ clock });
  await setupAvailability(app);
  server = http.createServer((_req, res) => {
    res.writeHead(answer.status, { "content-type": "text/calendar" });
    res.end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server?.close();
  await app?.stop();
});

test("busy times from an ICS URL block slots; failures keep the last good copy and show a plain error", async () => {
  await saveSettings(app.db, { ics_url: `${base}/cal.ics` }, clock.nowIso());
  answer = { status: 200, body: ics };
  assert.equal(await refreshBusyCalendar(app.db, clock.nowMs()), "ok");
  const rows = await app.db.selectFrom("coaching_busy").selectAll().orderBy("starts_at").execute();
  assert.deepEqual(
    rows.map((r) => r.starts_at),
    ["2026-03-23T08:30:00.000Z", "2026-03-24T08:00:00.000Z", "2026-03-31T07:00:00.000Z", "2026-04-07T07:00:00.000Z"],
    "one-off, weekly ×3 in Paris time across the DST change; the transparent event is not busy",
  );
  assert.ok(!JSON.stringify(rows).includes("Dentiste"), "titles are not kept");
  const rules = await loadRules(app.db);
  const { busy } = await busyBetween(app.db, rules, "2026-03-23T00:00:00Z", "2026-03-24T00:00:00Z");
  // The slot page's packed read (one string from the database) finds exactly what the row read finds.
  const viaRows = await busyBetween(app.db, rules, "2026-03-23T00:00:00Z", "2026-03-24T00:00:00Z", {
    exceptBookingId: "none",
  });
  const order = (r: { start: number; end: number }[]) => [...r].sort((a, b) => a.start - b.start || a.end - b.end);
  assert.deepEqual(order(busy), order(viaRows.busy));
  assert.equal(busy.length, 1);
  const monday = computeSlots(rules, {
    durationMin: 60,
    now: clock.nowMs(),
    busy,
    from: Date.parse("2026-03-23T00:00:00Z"),
    to: Date.parse("2026-03-23T23:00:00Z"),
  });
  assert.deepEqual(
    monday.map((s) => s.slice(11, 16)),
    ["09:30", "09:45", "10:00"],
  );

  answer = { status: 500, body: "oops" };
  assert.equal(await refreshBusyCalendar(app.db, clock.nowMs()), "status");
  assert.equal((await getSettings(app.db)).ics_error, "status");
  assert.equal((await app.db.selectFrom("coaching_busy").select("id").execute()).length, 4, "last good copy kept");
  answer = { status: 200, body: "<html>not a calendar</html>" };
  assert.equal(await refreshBusyCalendar(app.db, clock.nowMs()), "not_calendar");
  await saveSettings(app.db, { ics_url: "http://127.0.0.1:1/nothing.ics" }, clock.nowIso());
  assert.equal(await refreshBusyCalendar(app.db, clock.nowMs()), "unreachable");
  await saveSettings(app.db, { ics_url: `${base}/cal.ics` }, clock.nowIso());
  answer = { status: 200, body: ics };
  assert.equal(await refreshBusyCalendar(app.db, clock.nowMs()), "ok");
  assert.equal((await getSettings(app.db)).ics_error, "", "the error clears once it works again");
});
