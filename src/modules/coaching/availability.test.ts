import { test } from "node:test";
import assert from "node:assert/strict";
import { computeSlots, isBookable, localToUtc, slotsByLocalDay, type AvailabilityRules } from "./availability.ts";

/*
 * The slot computation across both DST changes of Europe/Paris in 2026
 * (29 March: 02:00 → 03:00 does not exist; 25 October: 02:00–03:00 happens
 * twice), seen by clients in New York (who change on 8 March and 1 November),
 * Tokyo and Dakar (no DST).
 */

const base: AvailabilityRules = {
  timeZone: "Europe/Paris",
  weekly: [],
  overrides: [],
  bufferBeforeMin: 0,
  bufferAfterMin: 0,
  minNoticeMin: 0,
  windowDays: 400,
  maxPerDay: 0,
};
const now = Date.parse("2026-01-01T00:00:00Z");
const day = (rules: AvailabilityRules, date: string, durationMin = 60) =>
  computeSlots(rules, {
    durationMin,
    now,
    from: localToUtc(date, 0, rules.timeZone),
    to: localToUtc(date, 1440, rules.timeZone) - 1,
    busy: [],
  });
const labels = (slots: string[], zone: string) =>
  slotsByLocalDay(slots, zone).flatMap((d) => d.times.map((t) => t.label));

test("spring forward in Paris: the hour that does not exist gives no slot, the night is an hour shorter", () => {
  const rules = { ...base, weekly: [{ weekday: 7, startMin: 0, endMin: 240 }] };
  const slots = day(rules, "2026-03-29");
  assert.equal(slots[0], "2026-03-28T23:00:00.000Z");
  assert.equal(slots.at(-1), "2026-03-29T01:00:00.000Z");
  assert.equal(slots.length, 9, "00:00 CET → 04:00 CEST is 3 real hours: 9 one-hour starts on a 15-minute grid");
  const paris = labels(slots, "Europe/Paris");
  assert.ok(!paris.some((l) => l.startsWith("02:")), `no 02:xx in Paris: ${paris.join(" ")}`);
  assert.deepEqual(paris.slice(-2), ["01:45", "03:00"]);
  // An opening inside the missing hour moves forward (02:30 → 03:30 CEST).
  const late = day({ ...base, weekly: [{ weekday: 7, startMin: 150, endMin: 300 }] }, "2026-03-29");
  assert.deepEqual(late, ["2026-03-29T01:30:00.000Z", "2026-03-29T01:45:00.000Z", "2026-03-29T02:00:00.000Z"]);
});

test("fall back in Paris: the hour that happens twice gives both of its instants", () => {
  const rules = { ...base, weekly: [{ weekday: 7, startMin: 0, endMin: 240 }] };
  const slots = day(rules, "2026-10-25");
  assert.equal(slots[0], "2026-10-24T22:00:00.000Z");
  assert.equal(slots.at(-1), "2026-10-25T02:00:00.000Z");
  assert.equal(slots.length, 17, "00:00 CEST → 04:00 CET is 5 real hours");
  assert.equal(new Set(slots).size, slots.length, "every instant once");
  const paris = labels(slots, "Europe/Paris");
  assert.equal(paris.filter((l) => l === "02:00").length, 2, "02:00 CEST and 02:00 CET are two slots");
  assert.equal(paris.filter((l) => l === "02:30").length, 2);
  // Dakar (UTC all year) sees a plain sequence of distinct times.
  const dakar = labels(slots, "Africa/Dakar");
  assert.equal(new Set(dakar).size, dakar.length);
  assert.equal(dakar[0], "22:00");
});

const mornings = { ...base, weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMin: 540, endMin: 720 })) };

test("Paris 09:00 seen from New York, Tokyo and Dakar around both DST changes", () => {
  const cases: [string, string, string, string, string][] = [
    // Paris date, UTC, New York, Tokyo, Dakar
    ["2026-03-02", "2026-03-02T08:00:00.000Z", "03:00", "17:00", "08:00"], // both on winter time
    ["2026-03-23", "2026-03-23T08:00:00.000Z", "04:00", "17:00", "08:00"], // New York already on summer time
    ["2026-03-30", "2026-03-30T07:00:00.000Z", "03:00", "16:00", "07:00"], // both on summer time
    ["2026-10-19", "2026-10-19T07:00:00.000Z", "03:00", "16:00", "07:00"],
    ["2026-10-26", "2026-10-26T08:00:00.000Z", "04:00", "17:00", "08:00"], // Paris back, New York not yet
    ["2026-11-02", "2026-11-02T08:00:00.000Z", "03:00", "17:00", "08:00"],
  ];
  for (const [date, utc, ny, tokyo, dakar] of cases) {
    const slots = day(mornings, date);
    assert.equal(slots[0], utc, date);
    assert.equal(labels(slots, "America/New_York")[0], ny, `${date} New York`);
    assert.equal(labels(slots, "Asia/Tokyo")[0], tokyo, `${date} Tokyo`);
    assert.equal(labels(slots, "Africa/Dakar")[0], dakar, `${date} Dakar`);
    assert.equal(slots.length, 9, "09:00–12:00, one hour, every 15 minutes");
  }
});

test("New York's own spring-forward night: a client there never sees a 02:xx time", () => {
  // 07:00–09:00 Paris on Sunday 8 March = 01:00–03:00 New York before the change... which skips 02:xx.
  const rules = { ...base, weekly: [{ weekday: 7, startMin: 420, endMin: 540 }] };
  const slots = day(rules, "2026-03-08", 15);
  const ny = labels(slots, "America/New_York");
  assert.ok(!ny.some((l) => l.startsWith("02:")), ny.join(" "));
  assert.equal(slots.length, 8);
});

test("a late Paris evening is the next day in Tokyo", () => {
  const rules = { ...base, weekly: [{ weekday: 1, startMin: 1080, endMin: 1140 }] };
  const slots = day(rules, "2026-06-01");
  const tokyo = slotsByLocalDay(slots, "Asia/Tokyo");
  assert.equal(tokyo[0]!.date, "2026-06-02");
  assert.equal(tokyo[0]!.times[0]!.label, "01:00");
});

test("overrides, holidays, buffers, notice, window, busy times and the daily maximum", () => {
  const rules: AvailabilityRules = {
    ...mornings,
    overrides: [
      { date: "2026-06-02", startMin: null, endMin: null },
      { date: "2026-06-06", startMin: 840, endMin: 960 }, // a Saturday afternoon
    ],
  };
  assert.deepEqual(day(rules, "2026-06-02"), [], "holiday");
  assert.equal(day(rules, "2026-06-06")[0], "2026-06-06T12:00:00.000Z", "Saturday 14:00 CEST");
  // Busy 09:30–09:45 Paris (07:30–07:45Z); with 15-minute buffers a one-hour session needs 08:00Z or later.
  const busy = [{ start: Date.parse("2026-06-01T07:30:00Z"), end: Date.parse("2026-06-01T07:45:00Z") }];
  const q = {
    durationMin: 60,
    now,
    busy,
    from: Date.parse("2026-06-01T00:00:00Z"),
    to: Date.parse("2026-06-01T23:00:00Z"),
  };
  const hhmm = (slots: string[]) => slots.map((s) => s.slice(11, 16));
  assert.deepEqual(hhmm(computeSlots(rules, q)), ["07:45", "08:00", "08:15", "08:30", "08:45", "09:00"]);
  assert.deepEqual(hhmm(computeSlots({ ...rules, bufferBeforeMin: 15, bufferAfterMin: 15 }, q)), [
    "08:00",
    "08:15",
    "08:30",
    "08:45",
    "09:00",
  ]);
  // Minimum notice: 12 hours from 20:00Z the evening before leaves only starts from 08:00Z.
  const evening = Date.parse("2026-05-31T20:00:00Z");
  const noticed = computeSlots({ ...rules, minNoticeMin: 720 }, { ...q, busy: [], now: evening });
  assert.equal(noticed[0], "2026-06-01T08:00:00.000Z");
  // Booking window: 1 day ahead from that evening stops at 20:00Z on 1 June (all of that morning fits).
  const windowed = computeSlots({ ...rules, windowDays: 1 }, { durationMin: 60, now: evening, busy: [] });
  assert.ok(windowed.every((s) => s < "2026-06-01T20:00:00.000Z") && windowed.length === 9, windowed.join());
  // Daily maximum: a full day offers nothing.
  const full = computeSlots({ ...rules, maxPerDay: 2 }, { ...q, busy: [], perDay: new Map([["2026-06-01", 2]]) });
  assert.deepEqual(full, []);
  // isBookable: a grid start inside the hours yes; off-grid, outside the hours, or busy no.
  assert.equal(isBookable(rules, q, "2026-06-01T08:15:00.000Z"), true);
  assert.equal(isBookable(rules, q, "2026-06-01T08:10:00.000Z"), false);
  assert.equal(isBookable(rules, q, "2026-06-01T12:00:00.000Z"), false);
  assert.equal(isBookable(rules, q, "2026-06-01T07:00:00.000Z"), false);
});

test("the slot page's arithmetic labels and days match luxon in every kind of zone, across DST changes", async () => {
  const { DateTime } = await import("luxon");
  const { slotTimesByLocalDay } = await import("./availability.ts");
  const { isoMs } = await import("./settings.ts");
  // Every 15 minutes over the weeks of both 2026 changes (Europe, America, Lord Howe's 30-minute one).
  const ranges = [
    ["2026-03-06T00:00:00Z", "2026-04-06T00:00:00Z"],
    ["2026-10-02T00:00:00Z", "2026-11-04T00:00:00Z"],
  ] as const;
  const zones = [
    "Europe/Paris",
    "America/New_York",
    "Asia/Tokyo",
    "Africa/Dakar",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Pacific/Chatham",
  ];
  for (const [a, b] of ranges) {
    const times: number[] = [];
    for (let t = Date.parse(a); t < Date.parse(b); t += 15 * 60_000) times.push(t);
    for (const zone of zones) {
      const got = slotTimesByLocalDay(times, zone).flatMap((d) => d.times.map((x) => `${d.date} ${x.label}`));
      const want = times.map((t) => DateTime.fromMillis(t, { zone }).toFormat("yyyy-MM-dd HH:mm"));
      assert.deepEqual(got.sort(), want.sort(), zone);
    }
  }
  const instants = [0, Date.parse("2026-03-29T01:00:00.000Z"), Date.parse("2099-12-31T23:59:59.999Z")];
  // Leap days, month ends and centuries included: 2,000 instants spread over 1970–2200.
  for (let i = 0; i < 2000; i++) instants.push(Math.floor(((i * 7919) % 2000) * 3_629_746_800 + i * 86_399_999));
  instants.push(Date.parse("2000-02-29T12:00:00.000Z"), Date.parse("2100-03-01T00:00:00.000Z"));
  for (const t of instants) {
    const s = new Date(t).toISOString();
    assert.equal(isoMs(s), t, s);
  }
  assert.equal(
    isoMs("2026-03-29T01:00:00Z"),
    Date.parse("2026-03-29T01:00:00Z"),
    "another form goes through Date.parse",
  );
});
