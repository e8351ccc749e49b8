import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { z } from "zod";
import { startTestServices, type TestServices } from "../../../test/support/services.ts";
import { isPostgres, transaction } from "../db/index.ts";
import { advanceConsumer, defineConsumer, defineEvent, record, type Consumer, type EventRow } from "./index.ts";

const ticked = defineEvent({
  type: "test.ticked",
  version: 1,
  payload: z.object({ n: z.number().int() }),
  example: { n: 1 },
  timeline: { fr: (p) => `Tic ${p.n}`, en: (p) => `Tick ${p.n}` },
});

let t: TestServices;
before(async () => {
  t = await startTestServices();
});
after(async () => {
  await t.stop();
});

/**
 * Moves a consumer until `done()` holds. On PostgreSQL the outbox only reads
 * transactions older than every running one in the cluster, so another
 * session's open transaction can hold it back for a moment: wait for the
 * state, never for a fixed time.
 */
async function advanceUntil(consumer: Consumer, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail("the consumer did not catch up");
    if ((await advanceConsumer(t.services.db, consumer)) === 0) await new Promise((r) => setImmediate(r));
  }
}

async function tick(n: number): Promise<string> {
  return record(t.services.db, ticked, { n }, { memberId: null, actor: "system" });
}

test("a consumer that crashes between batches resumes where it stopped, skipping nothing", async () => {
  for (let n = 1; n <= 5; n++) await tick(n);
  const seen: number[] = [];
  let crashOnBatch = 2;
  let batch = 0;
  const consumer = defineConsumer({
    name: "test.crashy",
    events: [ticked],
    batchSize: 2,
    async handle(events, { trx }) {
      batch++;
      // A consumer that writes only to the database, in the cursor's transaction: exactly once.
      for (const e of events)
        await trx
          .insertInto("settings")
          .values({ key: `seen:${e.id}`, value: "1", updated_at: t.clock.nowIso() })
          .execute();
      if (batch === crashOnBatch) throw new Error("worker died");
      seen.push(...events.map((e) => (e.data as { n: number }).n));
    },
  });
  await advanceUntil(consumer, () => batch === 1);
  assert.deepEqual(seen, [1, 2]);
  await assert.rejects(advanceConsumer(t.services.db, consumer), /worker died/);
  crashOnBatch = 0;
  await advanceUntil(consumer, () => seen.length === 5);
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  const rows = await t.services.db.selectFrom("settings").select("key").where("key", "like", "seen:%").execute();
  assert.equal(rows.length, 5, "the crashed batch's writes rolled back with it");
  // Caught up: nothing more until a new event.
  assert.equal(await advanceConsumer(t.services.db, consumer), 0);
  await tick(6);
  await advanceUntil(consumer, () => seen.length === 6);
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
});

test("an idempotent consumer with outside effects applies each event once despite redelivery", async () => {
  const delivered = new Map<string, number>();
  const sent: string[] = [];
  let failAfterSending = true;
  const consumer = defineConsumer({
    name: "test.webhook",
    events: [ticked],
    async handle(events: EventRow[]) {
      for (const e of events) {
        delivered.set(e.id, (delivered.get(e.id) ?? 0) + 1);
        // The event id is the idempotency key: a redelivered event is not sent twice.
        if (!sent.includes(e.id)) sent.push(e.id);
      }
      if (failAfterSending) throw new Error("crash after the HTTP call, before the cursor moved");
    },
  });
  const ids = (
    await t.services.db.selectFrom("events").select("id").where("type", "=", "test.ticked").orderBy("id").execute()
  ).map((r) => r.id);
  const deadline = Date.now() + 30_000;
  while (delivered.size === 0) {
    const moved = await advanceConsumer(t.services.db, consumer).catch((err: Error) => err);
    if (delivered.size) assert.match(String(moved), /crash after/);
    assert.ok(Date.now() < deadline, "the consumer was never called");
  }
  failAfterSending = false;
  await advanceUntil(consumer, () => [...delivered.values()].every((n) => n >= 2) && delivered.size === ids.length);
  assert.deepEqual(sent, ids, "every event sent once, in order");
  assert.ok(
    [...delivered.values()].every((n) => n >= 2),
    "at least once: the failed batch came again",
  );
});

test("an event whose transaction commits late is delivered, not skipped", async () => {
  const seen: number[] = [];
  const consumer = defineConsumer({
    name: "test.late",
    events: [ticked],
    async handle(events) {
      seen.push(...events.map((e) => (e.data as { n: number }).n));
    },
  });
  await advanceUntil(consumer, () => seen.length === 6);
  seen.length = 0;
  if (isPostgres(t.services.db)) {
    // A transaction records event 100, then stays open while event 101 commits.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let recorded!: () => void;
    const inside = new Promise<void>((r) => (recorded = r));
    const slow = transaction(t.services.db, async (trx) => {
      await record(trx, ticked, { n: 100 }, { memberId: null, actor: "system" });
      recorded();
      await gate;
    });
    await inside;
    await tick(101);
    await advanceConsumer(t.services.db, consumer);
    assert.deepEqual(seen, [], "nothing after a transaction still running");
    release();
    await slow;
    await advanceUntil(consumer, () => seen.length === 2);
    assert.deepEqual(seen, [100, 101]);
  } else {
    // SQLite's single writer commits one transaction at a time; `tx` follows that order.
    await transaction(t.services.db, async (trx) => {
      await record(trx, ticked, { n: 100 }, { memberId: null, actor: "system" });
      await record(trx, ticked, { n: 101 }, { memberId: null, actor: "system" });
    });
    await tick(102);
    const txs = (
      await t.services.db.selectFrom("events").select(["tx"]).where("type", "=", "test.ticked").orderBy("id").execute()
    ).map((r) => Number(r.tx));
    assert.deepEqual(
      txs,
      [...txs].sort((a, b) => a - b),
    );
    assert.equal(new Set(txs).size, txs.length);
    await advanceUntil(consumer, () => seen.length === 3);
    assert.deepEqual(seen, [100, 101, 102]);
  }
});
