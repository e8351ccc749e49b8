import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  afterDaysAt,
  isDripDate,
  isUnlocked,
  referenceAfterDays,
  surelyUnlocked,
  unlockAt,
  type DripRule,
} from "./drip.ts";

const afterDays = (n: number): DripRule => ({ drip_kind: "after_days", drip_days: n, drip_date: null });
const onDate = (d: string): DripRule => ({ drip_kind: "on_date", drip_days: null, drip_date: d });
const immediate: DripRule = { drip_kind: "immediate", drip_days: null, drip_date: null };

describe("drip dates across DST changes (fixed instants, no real clock)", () => {
  it("Europe/Paris, spring forward (29 March 2026): 1 day after 10:00 CET is 10:00 CEST, 23 hours later", () => {
    const enrolled = "2026-03-28T09:00:00.000Z"; // 10:00 in Paris (UTC+1)
    assert.equal(unlockAt(afterDays(1), enrolled, "Europe/Paris"), "2026-03-29T08:00:00.000Z");
    assert.equal(isUnlocked(afterDays(1), enrolled, "Europe/Paris", "2026-03-29T07:59:59.000Z"), false);
    assert.equal(isUnlocked(afterDays(1), enrolled, "Europe/Paris", "2026-03-29T08:00:00.000Z"), true);
  });

  it("Europe/Paris, fall back (25 October 2026): 1 day after 10:00 CEST is 10:00 CET, 25 hours later", () => {
    const enrolled = "2026-10-24T08:00:00.000Z"; // 10:00 in Paris (UTC+2)
    assert.equal(unlockAt(afterDays(1), enrolled, "Europe/Paris"), "2026-10-25T09:00:00.000Z");
  });

  it("America/New_York, spring forward (8 March 2026) and fall back (1 November 2026)", () => {
    assert.equal(unlockAt(afterDays(1), "2026-03-07T15:00:00.000Z", "America/New_York"), "2026-03-08T14:00:00.000Z");
    assert.equal(unlockAt(afterDays(1), "2026-10-31T14:00:00.000Z", "America/New_York"), "2026-11-01T15:00:00.000Z");
    // A week that spans the change keeps the local time of day.
    assert.equal(unlockAt(afterDays(7), "2026-03-04T15:00:00.000Z", "America/New_York"), "2026-03-11T14:00:00.000Z");
  });

  it("a cohort date opens at local midnight, on each side of the change", () => {
    assert.equal(
      unlockAt(onDate("2026-03-29"), "2026-03-01T00:00:00.000Z", "Europe/Paris"),
      "2026-03-28T23:00:00.000Z",
    );
    assert.equal(
      unlockAt(onDate("2026-03-30"), "2026-03-01T00:00:00.000Z", "Europe/Paris"),
      "2026-03-29T22:00:00.000Z",
    );
    assert.equal(
      unlockAt(onDate("2026-10-26"), "2026-10-01T00:00:00.000Z", "Europe/Paris"),
      "2026-10-25T23:00:00.000Z",
    );
    assert.equal(
      unlockAt(onDate("2026-11-01"), "2026-10-01T00:00:00.000Z", "America/New_York"),
      "2026-11-01T04:00:00.000Z",
    );
    assert.equal(
      unlockAt(onDate("2026-11-02"), "2026-10-01T00:00:00.000Z", "America/New_York"),
      "2026-11-02T05:00:00.000Z",
    );
  });

  it("the same cohort date opens at different instants for Paris and New York students", () => {
    const paris = unlockAt(onDate("2026-09-01"), "2026-08-01T00:00:00.000Z", "Europe/Paris");
    const ny = unlockAt(onDate("2026-09-01"), "2026-08-01T00:00:00.000Z", "America/New_York");
    assert.equal(paris, "2026-08-31T22:00:00.000Z");
    assert.equal(ny, "2026-09-01T04:00:00.000Z");
  });

  it("a student who enrols after the cohort date gets the section at once; immediate opens at enrolment", () => {
    assert.equal(
      unlockAt(onDate("2026-01-10"), "2026-02-01T12:00:00.000Z", "Europe/Paris"),
      "2026-02-01T12:00:00.000Z",
    );
    assert.equal(unlockAt(immediate, "2026-02-01T12:00:00.000Z", "Europe/Paris"), "2026-02-01T12:00:00.000Z");
  });

  it("an unknown zone falls back to UTC rather than failing; bad dates are refused by isDripDate", () => {
    assert.equal(unlockAt(afterDays(2), "2026-03-28T09:00:00.000Z", "Mars/Olympus"), "2026-03-30T09:00:00.000Z");
    assert.equal(isDripDate("2026-02-30"), false);
    assert.equal(isDripDate("2026-2-3"), false);
    assert.equal(isDripDate("2026-02-28"), true);
  });
});

describe("the fast 'N days later' agrees with luxon's calendar arithmetic", () => {
  it("every hour of 2026 (both DST changes, gaps and repeated hours) in six zones, 1 to 40 days", () => {
    const zones = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC", "Nowhere/Zone"];
    let checked = 0;
    for (const zone of zones)
      for (let h = 0; h < 365 * 24; h += 7) {
        const enrolled = new Date(Date.UTC(2026, 0, 1) + h * 3_600_000 + (h % 4) * 15 * 60_000).toISOString();
        for (const days of [1, 7, 40]) {
          assert.equal(
            afterDaysAt(enrolled, zone, days),
            referenceAfterDays(enrolled, zone, days),
            `${zone} ${enrolled}`,
          );
          checked++;
        }
      }
    assert.ok(checked > 20_000);
  });
});

describe("a section 'surely open' without the zone's arithmetic is open in every zone", () => {
  it("after N days and on a date, in the zones furthest from UTC and across Samoa's skipped day", () => {
    const zones = ["Pacific/Kiritimati", "Etc/GMT+12", "Pacific/Apia", "Europe/Paris", "America/New_York", "UTC"];
    const rules: DripRule[] = [afterDays(1), afterDays(7), onDate("2011-12-30"), onDate("2026-03-29"), immediate];
    let sure = 0;
    for (const zone of zones)
      for (const rule of rules)
        for (const enrolled of ["2011-12-28T09:00:00.000Z", "2026-03-27T23:30:00.000Z"])
          for (let h = -24; h <= 24 * 12; h += 1) {
            const now = Date.parse(enrolled) + h * 3_600_000;
            if (!surelyUnlocked(rule, enrolled, now)) continue;
            sure++;
            assert.ok(
              Date.parse(unlockAt(rule, enrolled, zone)) <= now,
              `${zone} ${JSON.stringify(rule)} ${enrolled} +${h}h`,
            );
          }
    assert.ok(sure > 1000, `${sure} instants were sure`);
  });
});
