import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { freshDatabase, type FreshDatabase } from "../../../test/support/db.ts";
import { migrateToLatest, openDatabase, type Db, type DbHandle } from "../db/index.ts";
import type { Services } from "../http/context.ts";
import { claimJobs, enqueue, registerJobHandler, startWorker } from "./index.ts";

/** These handlers use only the database. */
const servicesOf = (db: Db) => ({ db }) as Services;

let database: FreshDatabase;
let handle: DbHandle;

before(async () => {
  database = await freshDatabase();
  handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  await migrateToLatest(handle.db);
});
after(async () => {
  await handle.close();
  await database.cleanup();
});

test("a dedupe key enqueues a job once", async () => {
  const first = await enqueue(handle.db, "test.noop", {}, { dedupeKey: "once" });
  const second = await enqueue(handle.db, "test.noop", {}, { dedupeKey: "once" });
  assert.ok(first);
  assert.equal(second, null);
  const rows = await handle.db.selectFrom("jobs").select("id").where("dedupe_key", "=", "once").execute();
  assert.equal(rows.length, 1);
});

test("a failing job is retried with backoff, then marked dead", async () => {
  let calls = 0;
  registerJobHandler("test.fails", async () => {
    calls++;
    throw new Error("boom");
  });
  const id = (await enqueue(handle.db, "test.fails", {}, { maxAttempts: 2 }))!;
  const worker = startWorker(servicesOf(handle.db), { pollMs: 10_000 });
  await worker.drain();
  let row = await handle.db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  assert.equal(row.state, "queued");
  assert.equal(row.attempts, 1);
  assert.match(row.last_error ?? "", /boom/);
  assert.ok(row.run_at > new Date().toISOString(), "retry is scheduled in the future");
  await handle.db
    .updateTable("jobs")
    .set({ run_at: new Date(0).toISOString() })
    .where("id", "=", id)
    .execute();
  await worker.drain();
  row = await handle.db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  assert.equal(row.state, "dead");
  assert.equal(calls, 2);
  await worker.stop();
});

test("concurrent claimers never take the same job", async () => {
  for (let i = 0; i < 60; i++) await enqueue(handle.db, "test.claim", { i });
  const claims = await Promise.all(Array.from({ length: 6 }, (_, w) => claimJobs(handle.db, `w${w}`, 15, 60_000)));
  const ids = claims.flat().map((j) => j.id);
  assert.equal(new Set(ids).size, ids.length, "no job claimed twice");
  assert.equal(ids.length, 60);
});
