import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { freshDatabase, type FreshDatabase } from "../../../test/support/db.ts";
import { migrateToLatest, openDatabase, type DbHandle, type Db } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import { createMember } from "../members/index.ts";
import { createOffer, setOfferIncludes } from "../offers/index.ts";
import {
  ACCESS_CACHE_MS,
  canAccess,
  filterAccessible,
  grantEntitlement,
  revokeSource,
  type Resource,
} from "./index.ts";
import { INCLUDES_CHECK_MS } from "./includes-cache.ts";

/*
 * The per-process copy of the offers' includes (includes-cache.ts): an
 * offer's changed contents take effect at once in this process and within
 * INCLUDES_CHECK_MS from another one, and a refund or a lapse still closes
 * access as before (the copy holds no one's entitlements).
 */
let database: FreshDatabase;
let handle: DbHandle;
let db: Db;
let offerId: string;
const course = (id: string): Resource => ({ kind: "course", id, audience: "nobody" });

before(async () => {
  database = await freshDatabase();
  handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  db = handle.db;
  await migrateToLatest(db);
  offerId = (await createOffer(db, { slug: "cours", kind: "product", name: "Cours", status: "published" })).id;
  await setOfferIncludes(db, offerId, [{ kind: "course", id: "c1" }]);
});
after(async () => {
  await handle.close();
  await database.cleanup();
});

async function buyer(email: string, endsAt: string | null = null) {
  const id = (
    await createMember(db, { email, locale: "fr", status: "active", emailOptIn: false, source: "test" }, "system")
  ).id;
  const order = newId();
  await grantEntitlement(db, {
    memberId: id,
    resourceKind: "offer",
    resourceId: offerId,
    sourceKind: "order",
    sourceId: order,
    endsAt,
  });
  return { viewer: { kind: "member" as const, memberId: id }, order };
}

/** Asks until the answer is `want` (another process's change is seen at the next check), within `ms`. */
async function eventually(ask: () => Promise<boolean>, want: boolean, ms: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if ((await ask()) === want) return performance.now() - t0;
    if (performance.now() - t0 > ms) assert.fail(`still ${!want} after ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

test("an offer's changed includes take effect on the next request in this process", async () => {
  const b = await buyer("a@x.org");
  assert.equal(await canAccess(db, b.viewer, course("c1")), true);
  assert.equal(await canAccess(db, b.viewer, course("c2")), false);
  await setOfferIncludes(db, offerId, [{ kind: "course", id: "c2" }]);
  assert.equal(await canAccess(db, b.viewer, course("c1")), false, "a removed include closes at once");
  assert.equal(await canAccess(db, b.viewer, course("c2")), true, "an added include opens at once");
  assert.deepEqual(
    (await filterAccessible(db, b.viewer, [course("c1"), course("c2")])).map((r) => r.id),
    ["c2"],
  );
  await setOfferIncludes(db, offerId, [{ kind: "course", id: "*" }]);
  assert.equal(await canAccess(db, b.viewer, course("c9")), true, "kind:* covers every id");
  await setOfferIncludes(db, offerId, [{ kind: "course", id: "c1" }]);
});

test("another process's change to the includes is seen within INCLUDES_CHECK_MS (the access_changes counter)", async () => {
  const b = await buyer("b@x.org");
  const ask = () => canAccess(db, b.viewer, course("c1"));
  assert.equal(await ask(), true);
  // Another node rewrites the includes in its transaction, counter bumped; this process was not told.
  await db.deleteFrom("offer_includes").where("offer_id", "=", offerId).execute();
  // Until the counter moves, this process answers from its copy: the includes are not read per request.
  assert.equal(await ask(), true);
  await db
    .updateTable("access_changes")
    .set((eb) => ({ n: eb("n", "+", 1) }))
    .where("id", "=", 1)
    .execute();
  const took = await eventually(ask, false, INCLUDES_CHECK_MS * 5);
  assert.ok(took <= INCLUDES_CHECK_MS * 5, `${took} ms`);
  await setOfferIncludes(db, offerId, [{ kind: "course", id: "c1" }]);
  assert.equal(await ask(), true);
});

test("a refund closes access at once and a lapse on the second, whatever the includes copy holds", async () => {
  const refunded = await buyer("r@x.org");
  assert.equal(await canAccess(db, refunded.viewer, course("c1")), true);
  await revokeSource(db, "order", refunded.order, "refund");
  assert.equal(await canAccess(db, refunded.viewer, course("c1")), false);

  const endsAt = new Date(Date.now() + 30_000).toISOString();
  const lapsing = await buyer("l@x.org", endsAt);
  const before = new Date(Date.parse(endsAt) - 1).toISOString();
  const after = new Date(Date.parse(endsAt) + 1).toISOString();
  assert.equal(await canAccess(db, lapsing.viewer, course("c1"), before), true);
  assert.equal(await canAccess(db, lapsing.viewer, course("c1"), after), false, "closed the moment it ends");
});

test("a refund on another process closes access here within ACCESS_CACHE_MS (well under 60 s)", async () => {
  const b = await buyer("other@x.org");
  const ask = () => canAccess(db, b.viewer, course("c1"));
  assert.equal(await ask(), true);
  // Another node refunds: the row revoked and the counter bumped there, nothing invalidated here.
  await db
    .updateTable("entitlements")
    .set({ revoked_at: new Date().toISOString(), revoke_reason: "refund" })
    .where("source_id", "=", b.order)
    .execute();
  await db
    .updateTable("access_changes")
    .set((eb) => ({ n: eb("n", "+", 1) }))
    .where("id", "=", 1)
    .execute();
  const took = await eventually(ask, false, ACCESS_CACHE_MS + 2_000);
  assert.ok(took < 60_000, `${took} ms`);
});
