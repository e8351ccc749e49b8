import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { freshDatabase, type FreshDatabase } from "../../../test/support/db.ts";
import { migrateToLatest, openDatabase, transaction, type DbHandle, type Db } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import { createMember } from "../members/index.ts";
import { createOffer } from "../offers/index.ts";
import { grantEntitlement, revokeSource } from "./index.ts";

/**
 * Many transactions granting and revoking at once, for the same and for different members: each writes
 * its entitlement rows in one order (ascending source), so rows alone can never deadlock; the one-row
 * change counter every writer bumps must not add a cycle either. Bumped mid-transaction, the first
 * writer to bump would hold it while waiting for a row a second writer locked before reaching the
 * counter (PostgreSQL aborts one with "deadlock detected"); bumped last, once per transaction, it
 * cannot. On SQLite the transactions run one after the other: the same counts must hold.
 */
let database: FreshDatabase;
let handle: DbHandle;
let db: Db;
let offerId: string;
const members: string[] = [];
const sources = Array.from({ length: 8 }, () => newId()).sort();

before(async () => {
  database = await freshDatabase();
  handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  db = handle.db;
  await migrateToLatest(db);
  offerId = (await createOffer(db, { slug: "t", kind: "tier", name: "T", status: "published" })).id;
  for (const email of ["a@x.org", "b@x.org", "c@x.org"])
    members.push(
      (await createMember(db, { email, locale: "fr", status: "active", emailOptIn: false, source: "test" }, "system"))
        .id,
    );
});

after(async () => {
  await handle.close();
  await database.cleanup();
});

const counter = async (): Promise<number> =>
  Number((await db.selectFrom("access_changes").select("n").where("id", "=", 1).executeTakeFirstOrThrow()).n);

/** Source k always belongs to the same member: two transactions on one source write the same row. */
const grant = (trx: Db, k: number) =>
  grantEntitlement(trx, {
    memberId: members[k % members.length]!,
    resourceKind: "offer",
    resourceId: offerId,
    sourceKind: "order",
    sourceId: sources[k]!,
  });

async function wave(size: number, seed: number): Promise<void> {
  await Promise.all(
    Array.from({ length: size }, (_, i) =>
      transaction(db, async (trx) => {
        // Three sources in ascending order: neighbours overlap, so transactions wait on each other's rows.
        const first = (i + seed) % (sources.length - 2);
        await grant(trx, first);
        if ((i + seed) % 3 === 0) await revokeSource(trx, "order", sources[first + 1]!, "test");
        else await grant(trx, first + 1);
        await grant(trx, first + 2);
      }),
    ),
  );
}

test("20 concurrent transactions of grants and revokes over shared and separate members all commit", async () => {
  const start = await counter();
  await wave(20, 0);
  await wave(20, 1);
  assert.equal(await counter(), start + 40, "the counter moves once per transaction, whatever it wrote");
  const rows = await db.selectFrom("entitlements").select(["source_id", "member_id"]).execute();
  assert.equal(new Set(rows.map((r) => r.source_id)).size, sources.length, "every source granted");
  assert.equal(new Set(rows.map((r) => r.member_id)).size, members.length);
});

test("a write outside any transaction still bumps the counter at once", async () => {
  const start = await counter();
  await grant(db, 0);
  await revokeSource(db, "order", sources[0]!, "test");
  assert.equal(await counter(), start + 2);
});
