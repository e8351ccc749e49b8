import { DateTime } from "luxon";
import { sql } from "kysely";
import { toNumber, type Db } from "../../platform/db/index.ts";

/*
 * Member counts for the admin's dashboard. Each stays one or two aggregate
 * queries so the dashboard opens fast with 100,000+ members.
 */

export interface MemberStats {
  total: number;
  active: number;
  pending: number;
  subscribers: number;
  newLast30Days: number;
}

/**
 * Five counts, each answered from an index alone (status, status+opt-in,
 * created_at), so they stay fast at 100,000+ members; a single pass with
 * conditional sums would read every row.
 */
export async function memberStats(db: Db, now = new Date()): Promise<MemberStats> {
  const since = new Date(now.getTime() - 30 * 86400_000).toISOString();
  const count = () => db.selectFrom("members").select(db.fn.countAll().as("n"));
  const value = async (q: ReturnType<typeof count>) => toNumber((await q.executeTakeFirst())?.n);
  const [total, active, pending, subscribers, newLast30Days] = await Promise.all([
    value(count()),
    value(count().where("status", "=", "active")),
    value(count().where("status", "=", "pending")),
    value(count().where("status", "=", "active").where("email_opt_in", "=", 1)),
    value(count().where("created_at", ">=", since)),
  ]);
  return { total, active, pending, subscribers, newLast30Days };
}

export interface WeekBucket {
  /** The Monday that starts the week, in the site's time zone, as YYYY-MM-DD. */
  start: string;
  count: number;
}

/** Monday 00:00 of the week containing `d`, in `zone` (the site's time zone). */
export function weekStart(d: Date, zone = "UTC"): Date {
  return DateTime.fromJSDate(d, { zone }).startOf("week").toJSDate();
}

/**
 * New members per week over the last `weeks` weeks (the current one
 * included), weeks running Monday to Sunday in the site's time zone. One
 * query over the created_at index range, one conditional sum per week, so a
 * week boundary is exact in any zone (half-hour offsets and DST included).
 */
export async function newMembersPerWeek(db: Db, weeks = 12, now = new Date(), zone = "UTC"): Promise<WeekBucket[]> {
  const current = DateTime.fromJSDate(now, { zone }).startOf("week");
  const starts = Array.from({ length: weeks + 1 }, (_v, i) => current.minus({ weeks: weeks - 1 - i }));
  const bounds = starts.map((s) => s.toJSDate().toISOString());
  const row = await db
    .selectFrom("members")
    .select(
      starts
        .slice(0, weeks)
        .map((_s, i) =>
          sql<
            number | string | null
          >`sum(case when created_at >= ${bounds[i]} and created_at < ${bounds[i + 1]} then 1 else 0 end)`.as(`w${i}`),
        ),
    )
    .where("created_at", ">=", bounds[0]!)
    .where("created_at", "<", bounds[weeks]!)
    .executeTakeFirst();
  const counts = (row ?? {}) as Record<string, unknown>;
  return starts.slice(0, weeks).map((s, i) => ({ start: s.toISODate()!, count: toNumber(counts[`w${i}`]) }));
}
