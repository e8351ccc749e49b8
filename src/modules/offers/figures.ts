import { sql } from "kysely";
import { DateTime } from "luxon";
import type { Db } from "../../platform/db/index.ts";
import { liveSubscriptionStatuses } from "./member-money.ts";
import { notCompletedPlan, notInstalmentPlan } from "./instalment-views.tsx";

/*
 * The owner's money at a glance (the dashboard): revenue this month, MRR, new
 * paying members and cancellations this month, and revenue per month for the
 * chart. Months are the site's calendar months (its time zone); amounts are
 * in the site's currency (money in other currencies is listed beside it).
 */

export interface MonthBucket {
  /** First day of the month, "2026-12-01", in the site's zone. */
  start: string;
  amount: number;
}

export interface SalesFigures {
  currency: string;
  revenueThisMonth: number;
  /** Monthly recurring revenue: live subscriptions, yearly ones counted as a twelfth. */
  mrr: number;
  /** Other currencies, when some prices are not in the site's currency. */
  otherRevenueThisMonth: Map<string, number>;
  otherMrr: Map<string, number>;
  newPayingThisMonth: number;
  cancellationsThisMonth: number;
  months: MonthBucket[];
}

/** The UTC instants of the starts of the last `count` months in the zone, oldest first, plus the next month's start. */
function monthStarts(now: Date, timeZone: string, count: number): { starts: string[]; days: string[]; end: string } {
  const here = DateTime.fromJSDate(now, { zone: timeZone }).startOf("month");
  const starts: string[] = [];
  const days: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const m = here.minus({ months: i });
    starts.push(m.toUTC().toISO()!);
    days.push(m.toISODate()!);
  }
  return { starts, days, end: here.plus({ months: 1 }).toUTC().toISO()! };
}

export async function salesFigures(
  db: Db,
  opts: { now: Date; timeZone: string; currency: string; months?: number },
): Promise<SalesFigures> {
  const currency = opts.currency.toUpperCase();
  const { starts, days, end } = monthStarts(opts.now, opts.timeZone, opts.months ?? 12);
  const monthStart = starts[starts.length - 1]!;
  const net = sql<number>`amount_paid - amount_refunded`;
  // One pass over the year's paid orders: a sum per month and currency.
  const buckets = starts.map((from, i) => {
    const to = starts[i + 1] ?? end;
    return sql<number>`SUM(CASE WHEN paid_at >= ${from} AND paid_at < ${to} THEN ${net} ELSE 0 END)`.as(`m${i}`);
  });
  const [monthly, subs, newPaying, cancels] = await Promise.all([
    db
      .selectFrom("orders")
      .select(["currency", ...buckets])
      .where("status", "in", ["paid", "refunded"])
      .where("paid_at", ">=", starts[0]!)
      .where("paid_at", "<", end)
      .groupBy("currency")
      .execute(),
    db
      .selectFrom("subscriptions")
      .select(["amount", "currency", "interval"])
      .where(notInstalmentPlan)
      .where(
        "status",
        "in",
        [...liveSubscriptionStatuses].filter((s) => s !== "trialing"),
      )
      .execute(),
    db
      .selectFrom(
        db
          .selectFrom("orders")
          .select(["member_id", sql<string>`MIN(paid_at)`.as("first_paid")])
          .where("status", "in", ["paid", "refunded"])
          .where("member_id", "is not", null)
          .groupBy("member_id")
          .as("firsts"),
      )
      .select(sql<number>`COUNT(*)`.as("n"))
      .where("first_paid", ">=", monthStart)
      .where("first_paid", "<", end)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("subscriptions")
      .select(sql<number>`COUNT(*)`.as("n"))
      // Each subscription counts once, in the site-zone month its cancellation was asked for (resumed ones not at all).
      .where("cancel_requested_at", ">=", monthStart)
      .where("cancel_requested_at", "<", end)
      .where(notCompletedPlan)
      .executeTakeFirstOrThrow(),
  ]);
  const last = starts.length - 1;
  const row = monthly.find((r) => r.currency === currency) as Record<string, unknown> | undefined;
  const months = days.map((start, i) => ({ start, amount: Number(row?.[`m${i}`] ?? 0) }));
  const otherRevenueThisMonth = new Map<string, number>();
  for (const r of monthly as Record<string, unknown>[]) {
    const v = Number(r[`m${last}`] ?? 0);
    if (r.currency !== currency && v !== 0) otherRevenueThisMonth.set(String(r.currency), v);
  }
  let mrr = 0;
  const otherMrr = new Map<string, number>();
  for (const s of subs) {
    const monthlyAmount = s.interval === "year" ? Math.round(s.amount / 12) : s.amount;
    if (s.currency === currency) mrr += monthlyAmount;
    else otherMrr.set(s.currency, (otherMrr.get(s.currency) ?? 0) + monthlyAmount);
  }
  return {
    currency,
    revenueThisMonth: months[last]?.amount ?? 0,
    mrr,
    otherRevenueThisMonth,
    otherMrr,
    newPayingThisMonth: Number(newPaying.n),
    cancellationsThisMonth: Number(cancels.n),
    months,
  };
}
