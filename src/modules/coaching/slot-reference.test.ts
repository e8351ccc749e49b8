import { test } from "node:test";
import assert from "node:assert/strict";
import { DateTime } from "luxon";
import {
  computeSlotTimes,
  slotTimesByLocalDay,
  type AvailabilityRules,
  type BusyRange,
  type SlotQuery,
} from "./availability.ts";

/*
 * The slot page's fast computation (busy times as grid cells, offsets read once per UTC day)
 * against the straightforward one written here with luxon for every date, bound and slot:
 * each start tested against every busy range, each label formatted in the client's zone. Both
 * must give the same starts and the same days and labels, for creators and clients in zones with
 * a one-hour DST (Paris, New York), a 30-minute one (Lord Howe), none (Tokyo, Dakar) and a
 * quarter-hour offset (Kathmandu), over windows around both 2026 DST changes.
 */

const zones = [
  "Europe/Paris",
  "America/New_York",
  "Asia/Tokyo",
  "Africa/Dakar",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
];
const CELL = 15 * 60_000;
const DAY = 86_400_000;

function luxonLocalToUtc(date: string, minutes: number, zone: string): number {
  const d = DateTime.fromISO(date, { zone });
  if (minutes >= 1440) return d.plus({ days: 1 }).toMillis();
  return DateTime.fromObject(
    { year: d.year, month: d.month, day: d.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone },
  ).toMillis();
}

function referenceSlots(rules: AvailabilityRules, q: SlotQuery): number[] {
  const zone = rules.timeZone;
  const earliest = Math.ceil(Math.max(q.now + rules.minNoticeMin * 60_000, q.from ?? -Infinity) / CELL) * CELL;
  const latest = Math.min(q.now + rules.windowDays * DAY, q.to ?? Infinity);
  const out: number[] = [];
  if (!(latest > earliest)) return out;
  const lastDate = DateTime.fromMillis(latest, { zone }).toISODate()!;
  for (let date = DateTime.fromMillis(earliest, { zone }).toISODate()!; date <= lastDate;) {
    const weekday = DateTime.fromISO(date, { zone: "UTC" }).weekday;
    const overrides = rules.overrides.filter((o) => o.date === date);
    const full = rules.maxPerDay > 0 && (q.perDay?.get(date) ?? 0) >= rules.maxPerDay;
    const hours = overrides.length
      ? overrides.some((o) => o.startMin === null || o.endMin === null)
        ? []
        : overrides.map((o) => ({ startMin: o.startMin!, endMin: o.endMin! }))
      : rules.weekly.filter((w) => w.weekday === weekday);
    const intervals = (full ? [] : hours)
      .filter((h) => h.endMin > h.startMin)
      .map((h) => ({ start: luxonLocalToUtc(date, h.startMin, zone), end: luxonLocalToUtc(date, h.endMin, zone) }))
      .filter((r) => r.end > r.start)
      .sort((a, b) => a.start - b.start);
    for (const iv of intervals)
      for (
        let s = Math.max(Math.ceil(iv.start / CELL) * CELL, earliest);
        s + q.durationMin * 60_000 <= iv.end;
        s += CELL
      ) {
        if (s > latest) break;
        const occStart = Math.floor((s - rules.bufferBeforeMin * 60_000) / CELL) * CELL;
        const occEnd = Math.ceil((s + q.durationMin * 60_000 + rules.bufferAfterMin * 60_000) / CELL) * CELL;
        if (q.busy.some((b) => b.end > b.start && b.start < occEnd && b.end > occStart)) continue;
        out.push(s);
      }
    date = DateTime.fromISO(date, { zone: "UTC" }).plus({ days: 1 }).toISODate()!;
  }
  return out;
}

function referenceDays(slots: number[], zone: string) {
  const days = new Map<string, { ms: number; label: string }[]>();
  for (const ms of slots) {
    const local = DateTime.fromMillis(ms, { zone });
    const date = local.toISODate()!;
    if (!days.has(date)) days.set(date, []);
    days.get(date)!.push({ ms, label: local.toFormat("HH:mm") });
  }
  return [...days].map(([date, times]) => ({ date, times }));
}

/** Deterministic numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
}

/** Busy times off the grid (any minute and second), some empty or reversed, a few long ones (one over a day). */
function busyTimes(now: number, random: () => number): BusyRange[] {
  return Array.from({ length: 60 }, (_, i) => {
    const start = now + Math.floor(random() * 12 * DAY);
    const length =
      i === 30
        ? DAY + 7_000
        : i % 17 === 0
          ? Math.floor((random() * DAY) / 3)
          : i % 13 === 0
            ? -60_000
            : Math.floor(random() * 3_000_000);
    return { start, end: start + length };
  });
}

// Days just before each zone's changes: Europe 29 March / 25 October, the USA 8 March / 1 November,
// Lord Howe 5 April (02:00 → 01:30) / 4 October (02:00 → 02:30).
const windows = ["2026-03-03", "2026-03-24", "2026-03-31", "2026-09-29", "2026-10-20", "2026-10-28"];

test("the slot page's computation equals the straightforward luxon one across DST changes", () => {
  const random = rng(20261202);
  let compared = 0;
  for (const creatorZone of zones)
    for (const [w, start] of windows.entries()) {
      const now = Date.parse(`${start}T${String(w * 3).padStart(2, "0")}:07:00Z`);
      const local = (days: number) => DateTime.fromMillis(now + days * DAY, { zone: creatorZone }).toISODate()!;
      const rules: AvailabilityRules = {
        timeZone: creatorZone,
        // Hours across the changes' nights (00:00–04:00, 01:30–03:00), an evening up to 24:00, a full day.
        weekly: [
          { weekday: 1, startMin: 480, endMin: 1200 },
          { weekday: 2, startMin: 540, endMin: 720 },
          { weekday: 2, startMin: 840, endMin: 1110 },
          { weekday: 4, startMin: 1020, endMin: 1440 },
          { weekday: 5, startMin: 0, endMin: 1440 },
          { weekday: 6, startMin: 90, endMin: 180 },
          { weekday: 7, startMin: 0, endMin: 240 },
          { weekday: 7, startMin: 1320, endMin: 1440 },
        ],
        overrides: [
          { date: local(3), startMin: null, endMin: null },
          { date: local(5), startMin: 60, endMin: 200 },
          { date: local(5), startMin: 600, endMin: 645 },
        ],
        bufferBeforeMin: (w % 3) * 10,
        bufferAfterMin: 15,
        minNoticeMin: 90,
        windowDays: 10,
        maxPerDay: w % 2 ? 2 : 0,
      };
      const q: SlotQuery = {
        durationMin: [30, 45, 60, 20][w % 4]!,
        now,
        from: now + DAY / 3,
        to: now + 9 * DAY,
        busy: busyTimes(now, random),
        perDay: new Map([
          [local(2), 2],
          [local(4), 1],
        ]),
      };
      const slots = computeSlotTimes(rules, q);
      assert.deepEqual(slots, referenceSlots(rules, q), `${creatorZone} from ${start}`);
      assert.ok(slots.length > 20, `${creatorZone} from ${start}: ${slots.length} slots`);
      for (const clientZone of zones) {
        assert.deepEqual(
          slotTimesByLocalDay(slots, clientZone),
          referenceDays(slots, clientZone),
          `${creatorZone} seen from ${clientZone}, from ${start}`,
        );
        compared++;
      }
    }
  assert.equal(compared, zones.length * windows.length * zones.length);
});

test("a slot is refused when a busy time overlaps its buffers by one millisecond, and offered when it only touches them", () => {
  const rules: AvailabilityRules = {
    timeZone: "Asia/Kathmandu",
    weekly: [{ weekday: 3, startMin: 600, endMin: 720 }],
    overrides: [],
    bufferBeforeMin: 10,
    bufferAfterMin: 5,
    minNoticeMin: 0,
    windowDays: 30,
    maxPerDay: 0,
  };
  const now = Date.parse("2026-03-02T00:00:00Z");
  // Wednesday 4 March 10:00 in Kathmandu (+05:45) is 04:15 UTC; a 30-minute session there occupies
  // 04:00 (10 minutes before, down to the grid) to 05:00 (5 minutes after, up to the grid).
  const tenAm = Date.parse("2026-03-04T04:15:00Z");
  const q = (busy: BusyRange[]) =>
    computeSlotTimes(rules, { durationMin: 30, now, from: tenAm, to: tenAm + 1, busy }).includes(tenAm);
  assert.equal(q([]), true);
  assert.equal(q([{ start: tenAm - 16 * 60_000, end: tenAm - 15 * 60_000 + 1 }]), false);
  assert.equal(q([{ start: tenAm - 16 * 60_000, end: tenAm - 15 * 60_000 }]), true);
  assert.equal(q([{ start: tenAm + 45 * 60_000 - 1, end: tenAm + 50 * 60_000 }]), false);
  assert.equal(q([{ start: tenAm + 45 * 60_000, end: tenAm + 50 * 60_000 }]), true);
  // A busy time of two weeks around it, and one ending before it starts (reversed), read as such.
  assert.equal(q([{ start: now, end: now + 14 * 86_400_000 }]), false);
  assert.equal(q([{ start: tenAm + 60_000, end: tenAm - 60_000 }]), true);
});
