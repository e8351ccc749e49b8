import assert from "node:assert/strict";
import { test } from "node:test";
import { lastCompleteLocalDay, localDayWindow } from "./digest-day.ts";

test("the digest's day is the site zone's calendar day, not UTC's", () => {
  // 23:30 UTC on 1 Dec is already 2 Dec in Paris and still 1 Dec in Los Angeles.
  const now = Date.parse("2026-12-01T23:30:00Z");
  assert.equal(lastCompleteLocalDay(now, "Europe/Paris"), "2026-12-01");
  assert.equal(lastCompleteLocalDay(now, "America/Los_Angeles"), "2026-11-30");
  assert.equal(lastCompleteLocalDay(now, "UTC"), "2026-11-30");
  assert.deepEqual(localDayWindow("2026-12-01", "Europe/Paris"), {
    from: "2026-11-30T23:00:00.000Z",
    until: "2026-12-01T23:00:00.000Z",
  });
  // The night clocks go back in Paris, the day has 25 hours.
  const autumn = localDayWindow("2026-10-25", "Europe/Paris");
  assert.equal(Date.parse(autumn.until) - Date.parse(autumn.from), 25 * 3_600_000);
  assert.deepEqual(localDayWindow("2026-12-01", "Asia/Tokyo"), {
    from: "2026-11-30T15:00:00.000Z",
    until: "2026-12-01T15:00:00.000Z",
  });
});
