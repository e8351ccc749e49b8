import { sql, type RawBuilder } from "kysely";
import type { Db } from "../../platform/db/index.ts";
import { holdsOfferSql, membersWithAccess } from "../access/index.ts";
import type { MemberMoney, MemberMoneyProvider, PayingStatus } from "../members/index.ts";
import { tierOffers } from "./terms.ts";

/*
 * Who pays what, for the owner's member list and member file. Revenue is what
 * was paid minus what was refunded (orders that were paid or refunded, gifts
 * counted for the buyer); a member is "paying" while a subscription is live
 * (active, trial, or a payment being retried), a "customer" once they have
 * paid anything, "free" otherwise. The SQL pieces are composed into the
 * members module's list query (one statement, whatever the filter).
 */

/** Subscription states in which the member still counts as a subscriber. */
export const liveSubscriptionStatuses = ["active", "trialing", "past_due"] as const;
const live = sql.join(liveSubscriptionStatuses.map((s) => sql.lit(s)));
const paidStates = sql`('paid', 'refunded')`;

function revenueSql(memberRef: string, currency: string): RawBuilder<number> {
  return sql<number>`(SELECT COALESCE(SUM(o.amount_paid - o.amount_refunded), 0) FROM orders o WHERE o.member_id = ${sql.ref(memberRef)} AND o.status IN ${paidStates} AND o.currency = ${currency.toUpperCase()})`;
}

function liveSubSql(memberRef: string): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM subscriptions s WHERE s.member_id = ${sql.ref(memberRef)} AND s.status IN (${live}))`;
}

function paidOnceSql(memberRef: string): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM orders o WHERE o.member_id = ${sql.ref(memberRef)} AND o.status IN ${paidStates})`;
}

function payingSql(memberRef: string, status: PayingStatus): RawBuilder<boolean> {
  if (status === "paying") return liveSubSql(memberRef);
  if (status === "customer") return sql<boolean>`(NOT ${liveSubSql(memberRef)} AND ${paidOnceSql(memberRef)})`;
  return sql<boolean>`(NOT ${liveSubSql(memberRef)} AND NOT ${paidOnceSql(memberRef)})`;
}

/** Revenue, paying status and tier of a page of members: a few queries, whatever the page size. */
export async function memberMoneySummaries(
  db: Db,
  memberIds: readonly string[],
  currency: string,
  at: string,
): Promise<Map<string, MemberMoney>> {
  const out = new Map<string, MemberMoney>();
  const ids = [...new Set(memberIds)];
  if (ids.length === 0) return out;
  for (const id of ids) out.set(id, { revenue: 0, paying: "free", tier: null });
  const cur = currency.toUpperCase();
  const [orders, subs, tiers] = await Promise.all([
    db
      .selectFrom("orders")
      .select(["member_id", "currency", sql<number>`SUM(amount_paid - amount_refunded)`.as("total")])
      .where("member_id", "in", ids)
      .where("status", "in", ["paid", "refunded"])
      .groupBy(["member_id", "currency"])
      .execute(),
    db
      .selectFrom("subscriptions")
      .select("member_id")
      .distinct()
      .where("member_id", "in", ids)
      .where("status", "in", [...liveSubscriptionStatuses])
      .execute(),
    tierOffers(db),
  ]);
  for (const o of orders) {
    const m = o.member_id ? out.get(o.member_id) : undefined;
    if (!m) continue;
    m.paying = "customer";
    if (o.currency === cur) m.revenue += Number(o.total);
  }
  for (const s of subs) {
    const m = s.member_id ? out.get(s.member_id) : undefined;
    if (m) m.paying = "paying";
  }
  // A tier held now, paid or given: the access policy's own answer.
  for (const tier of tiers) {
    const holders = await membersWithAccess(
      db,
      ids,
      { kind: "offer", id: tier.id, audience: { offers: [tier.id] } },
      at,
    );
    for (const id of holders) {
      const m = out.get(id);
      if (m && m.tier === null) m.tier = tier.name;
    }
  }
  return out;
}

export const memberMoneyProvider: MemberMoneyProvider = {
  async tiers(db) {
    return (await tierOffers(db)).filter((t) => t.status !== "archived").map(({ id, name }) => ({ id, name }));
  },
  summaries: memberMoneySummaries,
  revenueSql,
  payingSql: (memberRef, status) => payingSql(memberRef, status),
  tierSql: (memberRef, offerId, at) => holdsOfferSql(memberRef, [offerId], at),
};
