import { DateTime } from "luxon";

/**
 * Slot computation, pure: the creator's rules are in their own time zone
 * (IANA), the answer is UTC instants. Each opening interval is converted to
 * UTC once and slots are stepped in real (UTC) minutes inside it, so:
 * - the hour that does not exist (spring forward) yields no slot, and an
 *   interval across it is one hour shorter;
 * - the hour that happens twice (fall back) yields both of its instants,
 *   and an interval across it is one hour longer.
 * A bound that falls in the missing hour moves forward (luxon's rule: 02:30
 * on the spring-forward night is 03:30); one in the repeated hour is its
 * first occurrence. Everything else (notice, window, buffers, busy times,
 * the daily maximum) is checked on UTC milliseconds.
 */

/** Slots and claims live on a 15-minute grid (UTC). */
export const CELL_MIN = 15;
const CELL_MS = CELL_MIN * 60_000;

export interface WeeklyHours {
  /** ISO weekday: 1 = Monday ... 7 = Sunday. */
  weekday: number;
  startMin: number;
  endMin: number;
}

export interface DateOverride {
  /** YYYY-MM-DD in the creator's zone. */
  date: string;
  /** Both null: closed that day (holiday). */
  startMin: number | null;
  endMin: number | null;
}

export interface AvailabilityRules {
  timeZone: string;
  weekly: WeeklyHours[];
  overrides: DateOverride[];
  bufferBeforeMin: number;
  bufferAfterMin: number;
  minNoticeMin: number;
  windowDays: number;
  maxPerDay: number;
}

export interface BusyRange {
  start: number;
  end: number;
}

export interface SlotQuery {
  durationMin: number;
  /** Now, in ms (from services.clock). */
  now: number;
  /** Optional narrower range (ms); the booking window still applies. */
  from?: number;
  to?: number;
  /** Times already taken: bookings (with their buffers) and external busy events. */
  busy: BusyRange[];
  /** Active bookings per creator-local date (YYYY-MM-DD), for the daily maximum. */
  perDay?: ReadonlyMap<string, number>;
}

// localToUtc is pure and luxon's zone arithmetic costs tens of microseconds: keep the answers (bounded).
const utcMemo = new Map<string, number>();

/** Wall-clock minutes of a local date → UTC ms (a time in the missing hour moves forward). */
export function localToUtc(date: string, minutes: number, zone: string): number {
  const key = `${zone} ${date} ${minutes}`;
  let v = utcMemo.get(key);
  if (v === undefined) {
    v = localToUtcUncached(date, minutes, zone);
    if (utcMemo.size > 50_000) utcMemo.clear();
    utcMemo.set(key, v);
  }
  return v;
}

/** The calendar's next date (zone-free arithmetic on YYYY-MM-DD). */
export function nextDate(date: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** ISO weekday (1 = Monday) of a calendar date: the same in every zone. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
}

function localToUtcUncached(date: string, minutes: number, zone: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const dt = DateTime.fromObject(
    { year: y, month: m, day: d, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone },
  );
  // 24:00 is the next midnight.
  return minutes >= 1440
    ? DateTime.fromObject({ year: y, month: m, day: d }, { zone }).plus({ days: 1 }).toMillis()
    : dt.toMillis();
}

/** The creator-local date (YYYY-MM-DD) of an instant. */
export function localDate(ms: number, zone: string): string {
  return wallOf(zone, wallFormat(zone), ms).slice(0, 10);
}

/** Opening intervals of one local date, in UTC ms, overrides first. */
export function openIntervals(rules: AvailabilityRules, date: string): BusyRange[] {
  const overrides = rules.overrides.filter((o) => o.date === date);
  return intervalsOf(rules, date, weekdayOf(date), overrides);
}

function intervalsOf(
  rules: AvailabilityRules,
  date: string,
  weekday: number,
  overrides: DateOverride[] | undefined,
): BusyRange[] {
  let hours: { startMin: number; endMin: number }[];
  if (overrides?.length) {
    if (overrides.some((o) => o.startMin === null || o.endMin === null)) return [];
    hours = overrides.map((o) => ({ startMin: o.startMin!, endMin: o.endMin! }));
  } else {
    hours = rules.weekly.filter((w) => w.weekday === weekday);
  }
  return hours
    .filter((h) => h.endMin > h.startMin)
    .map((h) => ({
      start: localToUtc(date, h.startMin, rules.timeZone),
      end: localToUtc(date, h.endMin, rules.timeZone),
    }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
}

/** Rounds up to the 15-minute grid. */
export function ceilToCell(ms: number): number {
  return Math.ceil(ms / CELL_MS) * CELL_MS;
}

/** The time a booking occupies: the session and its buffers, on the grid. */
export function occupied(
  rules: Pick<AvailabilityRules, "bufferBeforeMin" | "bufferAfterMin">,
  start: number,
  end: number,
): BusyRange {
  return {
    start: Math.floor((start - rules.bufferBeforeMin * 60_000) / CELL_MS) * CELL_MS,
    end: ceilToCell(end + rules.bufferAfterMin * 60_000),
  };
}

const DAY_MS = 86_400_000;
/** Calendar dates as day numbers (days since 1970-01-01): stepping and weekdays without string parsing. */
const dayNumber = (date: string): number =>
  Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
const dateStrings = new Map<number, string>();
function dateOfDay(n: number): string {
  let s = dateStrings.get(n);
  if (s === undefined) {
    s = new Date(n * DAY_MS).toISOString().slice(0, 10);
    if (dateStrings.size > 20_000) dateStrings.clear();
    dateStrings.set(n, s);
  }
  return s;
}

/** Every bookable start (UTC ISO) for a session of `durationMin`, in time order. */
export function computeSlots(rules: AvailabilityRules, q: SlotQuery): string[] {
  return computeSlotTimes(rules, q).map((ms) => new Date(ms).toISOString());
}

/**
 * Grid cells (15 minutes) touched by busy times, as prefix counts: `taken[k]` is the number of busy
 * cells before cell `first + k`, so a span of cells is free when both ends read the same count. A
 * busy range touches a cell when they overlap (an open interval), which is exactly when it overlaps
 * an occupied time made of whole cells: the answer is the same as testing every range, without
 * sorting or merging ~800 of them per month page. Ranges are laid out by a difference array, so a
 * long one (a holiday in the external calendar) costs two writes.
 */
function takenCells(busy: readonly BusyRange[], first: number, size: number): Int32Array {
  const edges = new Int32Array(size + 1);
  for (const r of busy) {
    if (!(r.end > r.start)) continue;
    const a = Math.max(Math.floor(r.start / CELL_MS) - first, 0);
    const b = Math.min(Math.ceil(r.end / CELL_MS) - first, size);
    if (a >= b) continue;
    edges[a]!++;
    edges[b]!--;
  }
  const taken = new Int32Array(size + 1);
  let depth = 0;
  for (let k = 0; k < size; k++) {
    depth += edges[k]!;
    taken[k + 1] = taken[k]! + (depth > 0 ? 1 : 0);
  }
  return taken;
}

/** The same starts as UTC milliseconds (the slot page formats only what it shows). */
export function computeSlotTimes(rules: AvailabilityRules, q: SlotQuery): number[] {
  const duration = q.durationMin * 60_000;
  const before = rules.bufferBeforeMin * 60_000;
  const after = rules.bufferAfterMin * 60_000;
  const earliest = ceilToCell(Math.max(q.now + rules.minNoticeMin * 60_000, q.from ?? -Infinity));
  const latest = Math.min(q.now + rules.windowDays * DAY_MS, q.to ?? Infinity);
  if (!(latest > earliest)) return [];
  const overrides = new Map<string, DateOverride[]>();
  for (const o of rules.overrides) {
    const list = overrides.get(o.date);
    if (list) list.push(o);
    else overrides.set(o.date, [o]);
  }
  const out: number[] = [];
  const first = dayNumber(localDate(earliest, rules.timeZone));
  const last = dayNumber(localDate(latest, rules.timeZone));
  // Every occupied time (buffers included, on the grid, as in occupied()) lies within these cells.
  const firstCell = Math.floor((earliest - before) / CELL_MS);
  // (No slot comes after the day loop's 800 days: a huge window costs no larger array.)
  const lastCell = Math.ceil((Math.min(latest, earliest + 802 * DAY_MS) + duration + after) / CELL_MS);
  const cells = Math.max(0, lastCell - firstCell);
  const taken = takenCells(q.busy, firstCell, cells);
  for (let day = first; day <= last && day - first < 800; day++) {
    const date = dateOfDay(day);
    if (rules.maxPerDay > 0 && (q.perDay?.get(date) ?? 0) >= rules.maxPerDay) continue;
    for (const iv of intervalsOf(rules, date, ((day + 3) % 7) + 1, overrides.get(date))) {
      for (let s = Math.max(ceilToCell(iv.start), earliest); s + duration <= iv.end && s <= latest; s += CELL_MS) {
        const a = Math.floor((s - before) / CELL_MS) - firstCell;
        const b = Math.ceil((s + duration + after) / CELL_MS) - firstCell;
        if (b > cells || taken[b] !== taken[a]) continue;
        out.push(s);
      }
    }
  }
  return out;
}

/** True when `startIso` is one of the slots (the booking operation's check before claiming). */
export function isBookable(rules: AvailabilityRules, q: SlotQuery, startIso: string): boolean {
  const start = Date.parse(startIso);
  return computeSlots(rules, { ...q, from: start, to: start + 1 }).includes(new Date(start).toISOString());
}

// One formatter per zone (building an Intl formatter costs far more than using it).
const wallFormats = new Map<string, Intl.DateTimeFormat>();
function wallFormat(zone: string): Intl.DateTimeFormat {
  let f = wallFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    if (wallFormats.size > 1000) wallFormats.clear();
    wallFormats.set(zone, f);
  }
  return f;
}

/** The zone's offset (ms) at an instant, read from the formatter ("2026-03-23, 04:00" = wall clock). */
function offsetAt(f: Intl.DateTimeFormat, ms: number): number {
  const t = f.format(new Date(ms));
  const wall = Date.UTC(
    Number(t.slice(0, 4)),
    Number(t.slice(5, 7)) - 1,
    Number(t.slice(8, 10)),
    Number(t.slice(12, 14)),
    Number(t.slice(15, 17)),
  );
  return wall - Math.floor(ms / 60_000) * 60_000;
}

// A zone's offset over one UTC day is a pure function of (zone, day): kept (bounded), like localToUtc's answers.
const dayOffsets = new Map<string, Map<number, number | null>>();
/** The zone's offset through UTC day `d` when it does not change that day (zones change at most once a day), else null. */
function steadyOffset(zone: string, f: Intl.DateTimeFormat, d: number): number | null {
  let byDay = dayOffsets.get(zone);
  if (!byDay) {
    if (dayOffsets.size > 1000) dayOffsets.clear();
    dayOffsets.set(zone, (byDay = new Map()));
  }
  let v = byDay.get(d);
  if (v === undefined) {
    const a = offsetAt(f, d * DAY_MS);
    v = a === offsetAt(f, (d + 1) * DAY_MS) ? a : null;
    if (byDay.size > 5000) byDay.clear();
    byDay.set(d, v);
  }
  return v;
}

/** Wall-clock "YYYY-MM-DDTHH:MM" of an instant in a zone. */
function wallOf(zone: string, f: Intl.DateTimeFormat, ms: number): string {
  const offset = steadyOffset(zone, f, Math.floor(ms / DAY_MS)) ?? offsetAt(f, ms);
  return new Date(ms + offset).toISOString().slice(0, 16);
}

/**
 * Groups slots by the client's local date, with their local wall time, for the picker.
 * Each slot is shifted by its UTC day's steady offset (the formatter is asked only on
 * the day a zone changes its offset).
 */
export function slotsByLocalDay(
  slots: string[],
  zone: string,
): { date: string; times: { iso: string; label: string }[] }[] {
  return slotTimesByLocalDay(slots.map(Date.parse), zone).map((d) => ({
    date: d.date,
    times: d.times.map((t) => ({ iso: new Date(t.ms).toISOString(), label: t.label })),
  }));
}

/** "00:00" … "23:59": a wall time's label by minute of the day, built once. */
const minuteLabels = Array.from(
  { length: 1440 },
  (_, m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`,
);

/**
 * slotsByLocalDay on milliseconds, with arithmetic instead of date strings: a month of slots is
 * ~1,000 of them per page, and formatting each as an ISO string (then parsing it back) was most
 * of the page's own time. The local day and minute come from the instant plus the zone's offset.
 */
export function slotTimesByLocalDay(
  slots: number[],
  zone: string,
): { date: string; times: { ms: number; label: string }[] }[] {
  const out: { date: string; times: { ms: number; label: string }[] }[] = [];
  // By local day number: a zone falling back at midnight shows a day's times again after the next day's.
  const byDay = new Map<number, { ms: number; label: string }[]>();
  const f = wallFormat(zone);
  let day = NaN;
  let list: { ms: number; label: string }[] = [];
  let offsetDay = NaN;
  let offset: number | null = null;
  for (const ms of slots) {
    const utcDay = Math.floor(ms / DAY_MS);
    if (utcDay !== offsetDay) {
      offsetDay = utcDay;
      offset = steadyOffset(zone, f, utcDay);
    }
    const local = ms + (offset ?? offsetAt(f, ms));
    const d = Math.floor(local / DAY_MS);
    if (d !== day) {
      day = d;
      const known = byDay.get(d);
      if (known) list = known;
      else {
        byDay.set(d, (list = []));
        out.push({ date: dateOfDay(d), times: list });
      }
    }
    list.push({ ms, label: minuteLabels[Math.floor((local - d * DAY_MS) / 60_000)]! });
  }
  return out;
}
