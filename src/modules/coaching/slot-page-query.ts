import { sql, type CompiledQuery } from "kysely";
import { directSqliteRead, isPostgres, type Db } from "../../platform/db/index.ts";
import { nameStatement } from "../../platform/db/pg-named.ts";
import { occupied, type AvailabilityRules, type BusyRange } from "./availability.ts";
import type { CoachingOffer } from "./offers.ts";
import { activeStatuses, isoMsAt } from "./settings.ts";
import { COACH } from "./claims.ts";

/**
 * The slot page's data in one statement: the active offer by its slug, with
 * beside it the range's active bookings, the external busy times and (when
 * the creator caps sessions per day) the booked days, each packed by the
 * database into one string ("<start>|<end>,…", "<day>|<n>,…"). On PostgreSQL
 * each statement is a round trip, three a page were the page's largest wait;
 * on SQLite one value instead of ~800 row objects, and no query built per
 * request: the SQL is compiled once per dialect and cap, then run with the
 * bounds put in place of their stand-ins (as platform/db/prepared.ts does:
 * named on PostgreSQL, read straight on the SQLite connection).
 */

export interface SlotRange {
  /** Instants (UTC ISO) of the read: a day before the first shown, a day after the last. */
  from: string;
  until: string;
}

export interface SlotPageData {
  offer: CoachingOffer;
  busy: BusyRange[];
  /** Active bookings per creator-local date (only when rules.maxPerDay > 0). */
  perDay?: Map<string, number>;
}

const standIn = {
  slug: "\u0000slot-slug",
  from: "\u0000slot-from",
  until: "\u0000slot-until",
  fromDay: "\u0000slot-from-day",
  untilDay: "\u0000slot-until-day",
};
const compiled = new Map<string, CompiledQuery<Record<string, unknown>>>();

function compile(db: Db, withDays: boolean): CompiledQuery<Record<string, unknown>> {
  const pg = isPostgres(db);
  const key = `${pg ? "postgres" : "sqlite"} ${withDays}`;
  let q = compiled.get(key);
  if (q) return q;
  const agg = (v: string) => sql.raw(pg ? `string_agg(${v}, ',')` : `group_concat(${v}, ',')`);
  const { from, until } = standIn;
  const statuses = sql.raw(activeStatuses.map((x) => `'${x}'`).join(", "));
  const days = withDays
    ? sql`, (select ${agg(pg ? "day || '|' || n::text" : "day || '|' || n")} from (
        select day, count(*) as n from coaching_day_claims
          where coach = ${COACH} and day >= ${standIn.fromDay} and day <= ${standIn.untilDay} group by day
      ) as d) as slot_days`
    : sql``;
  q = sql<Record<string, unknown>>`select o.*,
    (select ${agg("starts_at || '|' || ends_at")} from coaching_bookings
      where status in (${statuses}) and ends_at > ${from} and starts_at < ${until}) as slot_booked,
    (select ${agg("starts_at || '|' || ends_at")} from coaching_busy
      where ends_at > ${from} and starts_at < ${until}) as slot_busy${days}
    from coaching_offers as o where o.slug = ${standIn.slug} and o.active = 1`.compile(db);
  compiled.set(key, q);
  if (pg) nameStatement(q.sql);
  return q;
}

/** Reads "<start>|<end>,…" in place (no split, no substrings for the usual 24-character instants). */
function readRanges(packed: unknown, into: BusyRange[], booked: AvailabilityRules | null): void {
  if (typeof packed !== "string" || packed === "") return;
  let i = 0;
  const n = packed.length;
  while (i < n) {
    const bar = packed.indexOf("|", i);
    let comma = packed.indexOf(",", bar);
    if (comma < 0) comma = n;
    const start = isoMsAt(packed, i, bar);
    const end = isoMsAt(packed, bar + 1, comma);
    into.push(booked ? occupied(booked, start, end) : { start, end });
    i = comma + 1;
  }
}

export async function slotPageData(
  db: Db,
  slug: string,
  rules: AvailabilityRules,
  range: SlotRange,
): Promise<SlotPageData | undefined> {
  const withDays = rules.maxPerDay > 0;
  const q = compile(db, withDays);
  const values: Record<string, string> = {
    [standIn.slug]: slug,
    [standIn.from]: range.from,
    [standIn.until]: range.until,
    [standIn.fromDay]: range.from.slice(0, 10),
    [standIn.untilDay]: range.until.slice(0, 10),
  };
  const parameters = q.parameters.map((p) => (typeof p === "string" && p in values ? values[p] : p));
  // On SQLite straight on the connection when no transaction is open (Kysely's connection round costs more than the read).
  const direct = isPostgres(db) ? undefined : directSqliteRead(db)?.(q.sql, parameters);
  const row = (direct ?? (await db.executeQuery<Record<string, unknown>>({ ...q, parameters })).rows)[0] as
    Record<string, unknown> | undefined;
  if (!row) return undefined;
  const { slot_booked, slot_busy, slot_days, ...offer } = row;
  const busy: BusyRange[] = [];
  readRanges(slot_booked, busy, rules);
  readRanges(slot_busy, busy, null);
  let perDay: Map<string, number> | undefined;
  if (withDays) {
    perDay = new Map();
    if (typeof slot_days === "string" && slot_days)
      for (const v of slot_days.split(",")) {
        const bar = v.indexOf("|");
        perDay.set(v.slice(0, bar), Number(v.slice(bar + 1)));
      }
  }
  return { offer: offer as unknown as CoachingOffer, busy, perDay };
}
