import { sql, type CompiledQuery } from "kysely";
import { isPostgres, type Db } from "../../platform/db/index.ts";
import { nameStatement } from "../../platform/db/pg-named.ts";
import type { AvailabilityRules, BusyRange } from "./availability.ts";
import { occupied } from "./availability.ts";
import type { CoachingSettingsTable } from "./tables.ts";

/** The creator's coaching settings; defaults until they save them once. */
export type CoachingSettings = CoachingSettingsTable;

export const defaultSettings = (at: string, timeZone = "Europe/Paris"): CoachingSettings => ({
  id: "default",
  time_zone: timeZone,
  buffer_before_min: 0,
  buffer_after_min: 15,
  min_notice_min: 720,
  window_days: 60,
  max_per_day: 4,
  cancel_hours: 24,
  video_mode: "jitsi",
  jitsi_base_url: "https://meet.jit.si",
  fixed_link: "",
  ics_url: "",
  ics_error: "",
  ics_checked_at: null,
  feed_token_hash: null,
  for_whom: "",
  not_for_whom: "",
  updated_at: at,
});

export async function getSettings(db: Db): Promise<CoachingSettings> {
  const row = await db.selectFrom("coaching_settings").selectAll().where("id", "=", "default").executeTakeFirst();
  return row ?? defaultSettings(new Date(0).toISOString());
}

/** Writes settings (creating the row the first time). */
export async function saveSettings(db: Db, patch: Partial<CoachingSettings>, at: string): Promise<void> {
  forgetRules(db);
  const current = await getSettings(db);
  const row = { ...current, ...patch, id: "default", updated_at: at };
  await db
    .insertInto("coaching_settings")
    .values(row)
    .onConflict((oc) => oc.column("id").doUpdateSet({ ...row }))
    .execute();
}

/**
 * The rules as the public slot pages read them: kept one second per database, like the site
 * settings (platform/settings.ts), and dropped at once when this process saves new ones (another
 * node sees them within the second). Bookings never use this copy: they read the rules in their
 * own transaction, and the claims decide.
 */
const RULES_MS = 1000;
const rulesCopies = new WeakMap<Db, { until: number; rules: Promise<AvailabilityRules> }>();

export function cachedRules(db: Db): Promise<AvailabilityRules> {
  const hit = rulesCopies.get(db);
  if (hit && hit.until > Date.now()) return hit.rules;
  const rules = loadRules(db);
  rulesCopies.set(db, { until: Date.now() + RULES_MS, rules });
  rules.catch(() => rulesCopies.delete(db));
  return rules;
}

export function forgetRules(db: Db): void {
  rulesCopies.delete(db);
}

export async function loadRules(db: Db): Promise<AvailabilityRules> {
  const s = await getSettings(db);
  const weekly = await db
    .selectFrom("coaching_weekly_hours")
    .selectAll()
    .orderBy("weekday")
    .orderBy("start_min")
    .execute();
  const overrides = await db.selectFrom("coaching_overrides").selectAll().orderBy("date").execute();
  return {
    timeZone: s.time_zone,
    weekly: weekly.map((w) => ({ weekday: w.weekday, startMin: w.start_min, endMin: w.end_min })),
    overrides: overrides.map((o) => ({ date: o.date, startMin: o.start_min, endMin: o.end_min })),
    bufferBeforeMin: s.buffer_before_min,
    bufferAfterMin: s.buffer_after_min,
    minNoticeMin: s.min_notice_min,
    windowDays: s.window_days,
    maxPerDay: s.max_per_day,
  };
}

export const activeStatuses = ["pending_payment", "confirmed"] as const;

/** What blocks slots between two instants: active bookings (with buffers) and the external calendar's busy times. */
export async function busyBetween(
  db: Db,
  rules: AvailabilityRules,
  from: string,
  to: string,
  opts: { exceptBookingId?: string; includeBookings?: boolean } = {},
): Promise<{ busy: BusyRange[]; bookingStarts: string[] }> {
  const busy: BusyRange[] = [];
  const bookingStarts: string[] = [];
  if (!opts.exceptBookingId && opts.includeBookings !== false) {
    // The slot page's read, every request: one row carrying every range (see busyPacked).
    const packed = await busyPacked(db, from, to);
    if (packed)
      for (const v of packed.split(",")) {
        const bar = v.indexOf("|");
        const startsAt = v.slice(1, bar);
        const start = isoMs(startsAt);
        const end = isoMs(v.slice(bar + 1));
        if (v.charCodeAt(0) === 49) {
          busy.push(occupied(rules, start, end));
          bookingStarts.push(startsAt);
        } else busy.push({ start, end });
      }
    return { busy, bookingStarts };
  }
  for (const r of await busyQuery(db, from, to, opts).execute()) {
    const start = isoMs(r.starts_at);
    const end = isoMs(r.ends_at);
    if (Number(r.kind) === 1) {
      busy.push(occupied(rules, start, end));
      bookingStarts.push(r.starts_at);
    } else busy.push({ start, end });
  }
  return { busy, bookingStarts };
}

/** One statement for both sources: active bookings (kind 1, buffers added by the caller) and external busy times (kind 0). */
function busyQuery(db: Db, from: string, to: string, opts: { exceptBookingId?: string; includeBookings?: boolean }) {
  let bookings = db
    .selectFrom("coaching_bookings")
    .select([sql<number>`1`.as("kind"), "starts_at", "ends_at"])
    .where("status", "in", [...activeStatuses])
    .where("ends_at", ">", from)
    .where("starts_at", "<", to);
  if (opts.exceptBookingId) bookings = bookings.where("id", "!=", opts.exceptBookingId);
  const external = db
    .selectFrom("coaching_busy")
    .select([sql<number>`0`.as("kind"), "starts_at", "ends_at"])
    .where("ends_at", ">", from)
    .where("starts_at", "<", to);
  return opts.includeBookings === false ? external : bookings.unionAll(external);
}

const standIn = { from: "\u0000busy-from", to: "\u0000busy-to" };
const compiledBusy = new Map<string, CompiledQuery<{ v: string | null }>>();

/**
 * The same ranges as busyQuery, packed by the database into one string ("1<start>|<end>,0<start>|<end>…",
 * 1 = a booking): a month is ~800 ranges, and reading them as one value instead of ~800 row objects
 * was most of the page's own time. Its SQL is compiled once per dialect, then run with the two
 * bounds put in place of their stand-ins (as platform/db/prepared.ts does; named on PostgreSQL).
 */
async function busyPacked(db: Db, from: string, to: string): Promise<string | null> {
  const dialect = isPostgres(db) ? "postgres" : "sqlite";
  let q = compiledBusy.get(dialect);
  if (!q) {
    const agg = sql.raw(dialect === "postgres" ? "string_agg" : "group_concat");
    const f = standIn.from;
    const t = standIn.to;
    q = sql<{ v: string | null }>`select ${agg}(v, ',') as v from (
      select '1' || starts_at || '|' || ends_at as v from coaching_bookings
        where status in (${sql.raw(activeStatuses.map((x) => `'${x}'`).join(", "))}) and ends_at > ${f} and starts_at < ${t}
      union all
      select '0' || starts_at || '|' || ends_at as v from coaching_busy where ends_at > ${f} and starts_at < ${t}
    ) as ranges`.compile(db);
    compiledBusy.set(dialect, q);
    if (dialect === "postgres") nameStatement(q.sql);
  }
  const parameters = q.parameters.map((p) => (p === standIn.from ? from : p === standIn.to ? to : p));
  return (await db.executeQuery<{ v: string | null }>({ ...q, parameters })).rows[0]?.v ?? null;
}

/**
 * Milliseconds of a stored instant. Times are written by toISOString ("2026-03-30T07:00:00.000Z"),
 * read here by position (a month of busy times is ~800 of them per page); any other form goes
 * through Date.parse.
 */
export function isoMs(s: string): number {
  return isoMsAt(s, 0, s.length);
}

/** isoMs of the instant written in s from i to j (a packed list is read without cutting it up). */
export function isoMsAt(s: string, i: number, j: number): number {
  if (j - i !== 24 || s.charCodeAt(i + 23) !== 90 || s.charCodeAt(i + 10) !== 84) return Date.parse(s.slice(i, j));
  // Digits read in place, written out (a loop per field cost a sixth more on ~1,600 instants a page).
  const d = (k: number) => s.charCodeAt(i + k) - 48;
  const month = d(5) * 10 + d(6);
  // Days from the civil date (Howard Hinnant's algorithm), integers only.
  const y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3) - (month <= 2 ? 1 : 0);
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + d(8) * 10 + d(9) - 1;
  const days = era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
  return (
    days * 86_400_000 +
    (d(11) * 10 + d(12)) * 3_600_000 +
    (d(14) * 10 + d(15)) * 60_000 +
    (d(17) * 10 + d(18)) * 1000 +
    d(20) * 100 +
    d(21) * 10 +
    d(22)
  );
}
