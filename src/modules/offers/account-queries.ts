import { jsonArrayFrom as pgJsonArray } from "kysely/helpers/postgres";
import { jsonArrayFrom as sqliteJsonArray } from "kysely/helpers/sqlite";
import { isPostgres, type Db } from "../../platform/db/index.ts";
import { prepared } from "../../platform/db/prepared.ts";

// The account page's queries, their SQL built once (every personal page view builds them otherwise).
const ordersOf = (db: Db, memberId: string) =>
  db
    .selectFrom("orders")
    .innerJoin("offers", "offers.id", "orders.offer_id")
    .select([
      "orders.id",
      "orders.kind",
      "orders.status",
      "orders.amount_paid",
      "orders.amount",
      "orders.discount_amount",
      "orders.currency",
      "orders.created_at",
      "orders.paid_at",
      "offers.name",
    ])
    .where("orders.member_id", "=", memberId)
    .orderBy("orders.created_at", "desc")
    .limit(50);
const subscriptionsOf = (db: Db, memberId: string) =>
  db
    .selectFrom("subscriptions")
    .innerJoin("offers", "offers.id", "subscriptions.offer_id")
    .select([
      "subscriptions.id",
      "subscriptions.status",
      "subscriptions.amount",
      "subscriptions.currency",
      "subscriptions.interval",
      "subscriptions.current_period_end",
      "subscriptions.cancel_at_period_end",
      "subscriptions.instalments",
      "offers.name",
    ])
    .where("subscriptions.member_id", "=", memberId)
    .where("subscriptions.status", "not in", ["pending", "expired", "incomplete_expired"])
    .orderBy("subscriptions.created_at", "desc");
const giftsOf = (db: Db, memberId: string) =>
  db
    .selectFrom("gifts")
    .innerJoin("offers", "offers.id", "gifts.offer_id")
    .select(["gifts.id", "gifts.recipient_email", "gifts.status", "offers.name"])
    .where("gifts.purchaser_member_id", "=", memberId)
    .orderBy("gifts.created_at", "desc");
const customerOf = (db: Db, memberId: string) =>
  db.selectFrom("provider_customers").select("provider_customer_id").where("member_id", "=", memberId);
// Every offer's name, for the access list (an entitlement names its offer by id).
const offerNamesQuery = (db: Db) => db.selectFrom("offers").select(["id", "name"]);

const memberOrders = prepared(ordersOf);
const memberSubscriptions = prepared(subscriptionsOf);
const memberGifts = prepared(giftsOf);
const providerCustomer = prepared(customerOf);
const offerNames = prepared((db) => offerNamesQuery(db));

type Rows<F extends (db: Db, memberId: string) => { execute(): Promise<unknown[]> }> = Awaited<
  ReturnType<ReturnType<F>["execute"]>
>;

export interface MemberPurchases {
  orders: Rows<typeof ordersOf>;
  subscriptions: Rows<typeof subscriptionsOf>;
  gifts: Rows<typeof giftsOf>;
  customer: Rows<typeof customerOf>[number] | undefined;
  offerNames: Map<string, string>;
}

/*
 * PostgreSQL: all of it in one statement, each list a JSON array beside the
 * others (json_agg over the ordered subquery keeps its order, as the post
 * page's query does). Each statement is a round trip there, and the account
 * page made five of them for these lists.
 */
const purchasesRow = prepared((db, memberId) =>
  db.selectNoFrom([
    pgJsonArray(ordersOf(db, memberId)).as("orders"),
    pgJsonArray(subscriptionsOf(db, memberId)).as("subscriptions"),
    pgJsonArray(giftsOf(db, memberId)).as("gifts"),
    pgJsonArray(customerOf(db, memberId)).as("customer"),
    pgJsonArray(offerNamesQuery(db)).as("offer_names"),
  ]),
);
// The same on SQLite, where the tests compare it with the separate statements (account-queries.test.ts).
const purchasesRowSqlite = prepared((db, memberId) =>
  db.selectNoFrom([
    sqliteJsonArray(ordersOf(db, memberId)).as("orders"),
    sqliteJsonArray(subscriptionsOf(db, memberId)).as("subscriptions"),
    sqliteJsonArray(giftsOf(db, memberId)).as("gifts"),
    sqliteJsonArray(customerOf(db, memberId)).as("customer"),
    sqliteJsonArray(offerNamesQuery(db)).as("offer_names"),
  ]),
);

// PostgreSQL's driver parses json columns; SQLite returns the text.
const parsed = <T>(v: unknown): T[] => (typeof v === "string" ? (JSON.parse(v) as T[]) : (v as T[]));

/** In one statement (the JSON form), whatever the database. */
export async function memberPurchasesInOne(db: Db, memberId: string): Promise<MemberPurchases> {
  const row = (await (isPostgres(db) ? purchasesRow : purchasesRowSqlite)(db, memberId))[0]!;
  return {
    orders: parsed(row.orders),
    subscriptions: parsed(row.subscriptions),
    gifts: parsed(row.gifts),
    customer: parsed<MemberPurchases["customer"] & object>(row.customer)[0],
    offerNames: new Map(parsed<{ id: string; name: string }>(row.offer_names).map((o) => [o.id, o.name])),
  };
}

/**
 * The member's orders, subscriptions, gifts, billing customer and the offers'
 * names. PostgreSQL: one statement (memberPurchasesInOne). SQLite runs its
 * statements in process, with no round trip to save: five small queries.
 */
export async function memberPurchases(db: Db, memberId: string): Promise<MemberPurchases> {
  return isPostgres(db) ? memberPurchasesInOne(db, memberId) : memberPurchasesApart(db, memberId);
}

/** The same, one small statement each. */
export async function memberPurchasesApart(db: Db, memberId: string): Promise<MemberPurchases> {
  const [orders, subscriptions, gifts, customer, names] = await Promise.all([
    memberOrders(db, memberId),
    memberSubscriptions(db, memberId),
    memberGifts(db, memberId),
    providerCustomer(db, memberId),
    offerNames(db, ""),
  ]);
  return { orders, subscriptions, gifts, customer: customer[0], offerNames: new Map(names.map((o) => [o.id, o.name])) };
}
