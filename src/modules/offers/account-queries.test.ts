import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { freshDatabase, type FreshDatabase } from "../../../test/support/db.ts";
import { queriesOf } from "../../../test/support/query-count.ts";
import { migrateToLatest, openDatabase, type DbHandle } from "../../platform/db/index.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { seedDemo } from "../demo/index.ts";
import { memberPurchasesApart, memberPurchasesInOne } from "./account-queries.ts";

/*
 * The account page reads a member's purchases in one statement on PostgreSQL
 * (JSON arrays) and in five small ones on SQLite. Both forms must give the
 * very same lists, in the same order, with the same types (numbers stay
 * numbers, nulls stay null), on both databases.
 */

let fresh: FreshDatabase;
let handle: DbHandle;
let buyers: string[];

before(async () => {
  fresh = await freshDatabase();
  handle = openDatabase({ databaseUrl: fresh.databaseUrl, dataDir: fresh.dataDir });
  await migrateToLatest(handle.db);
  await seedDemo(handle.db, { members: 60, now: new Date("2026-11-20T10:00:00Z") });
  const db = handle.db;
  const withOrders = await db.selectFrom("orders").select("member_id").where("member_id", "is not", null).execute();
  buyers = [...new Set(withOrders.map((o) => o.member_id!))];
  // A gift bought by the first buyer (the demo has none), with a name that JSON must carry as is.
  const order = await db
    .selectFrom("orders")
    .select(["id", "offer_id"])
    .where("member_id", "=", buyers[0]!)
    .executeTakeFirstOrThrow();
  await db
    .insertInto("gifts")
    .values({
      id: newId(),
      order_id: order.id,
      offer_id: order.offer_id,
      price_id: null,
      purchaser_member_id: buyers[0]!,
      purchaser_email: "buyer@example.test",
      recipient_email: 'l\u00e9a "\u00e9" <x>@example.test',
      recipient_name: "Léa",
      message: "",
      duration_days: null,
      claim_token_hash: newId(),
      status: "paid",
      claimed_by: null,
      claimed_at: null,
      created_at: nowIso(),
      updated_at: nowIso(),
    })
    .execute();
});
after(async () => {
  await handle.close();
  await fresh.cleanup();
});

describe("a member's purchases for the account page", () => {
  it("in one statement: the same lists as the separate queries, for every buyer and someone with none", async () => {
    assert.ok(buyers.length >= 3, `the demo has buyers (${buyers.length})`);
    const nobody = { id: newId() };
    for (const id of [...buyers, nobody.id]) {
      const apart = await memberPurchasesApart(handle.db, id);
      const inOne = await memberPurchasesInOne(handle.db, id);
      assert.deepEqual(inOne, apart, `member ${id}`);
    }
    const first = await memberPurchasesInOne(handle.db, buyers[0]!);
    assert.ok(first.orders.length > 0 && first.gifts.length === 1, "the first buyer has orders and the gift");
    assert.equal(typeof first.orders[0]!.amount_paid, "number");
    const none = await memberPurchasesInOne(handle.db, nobody.id);
    assert.deepEqual([none.orders, none.subscriptions, none.gifts, none.customer], [[], [], [], undefined]);
    assert.ok(none.offerNames.size > 0, "every offer's name, whoever asks");
  });

  it("the orders keep their order, newest first, and stop at 50", async () => {
    const db = handle.db;
    const id = buyers[0]!;
    const offer = await db.selectFrom("offers").select("id").executeTakeFirstOrThrow();
    const base = Date.parse("2026-01-01T00:00:00Z");
    for (let i = 0; i < 55; i++)
      await db
        .insertInto("orders")
        .values({
          id: newId(),
          kind: "purchase",
          member_id: id,
          email: "buyer@example.test",
          offer_id: offer.id,
          price_id: null,
          subscription_id: null,
          gift_id: null,
          amount: 100 + i,
          discount_amount: i % 3,
          discount_code_id: null,
          amount_paid: i % 2 ? 100 + i : 0,
          amount_refunded: 0,
          tax_amount: null,
          currency: "EUR",
          status: i % 2 ? "paid" : "pending",
          provider: "dev",
          provider_checkout_id: null,
          provider_payment_id: null,
          provider_invoice_id: null,
          provider_customer_id: null,
          created_member: 0,
          browser_token_hash: null,
          locale: "fr",
          paid_at: i % 2 ? new Date(base + i * 3600_000).toISOString() : null,
          refunded_at: null,
          created_at: new Date(base + i * 3600_000).toISOString(),
          updated_at: nowIso(),
        })
        .execute();
    const inOne = await memberPurchasesInOne(db, id);
    assert.deepEqual(inOne.orders, (await memberPurchasesApart(db, id)).orders);
    assert.equal(inOne.orders.length, 50);
    const dates = inOne.orders.map((o) => o.created_at);
    assert.deepEqual(dates, [...dates].sort().reverse());
  });

  it("is one statement in the JSON form", async () => {
    const qs = await queriesOf(() => memberPurchasesInOne(handle.db, buyers[0]!));
    assert.equal(qs.length, 1, qs.join("\n"));
  });
});
