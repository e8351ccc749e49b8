import { sql } from "kysely";
import { isPostgres, transaction, type Db } from "../db/index.ts";
import { enqueue, registerJobHandler, registerRecurringJob } from "../jobs/index.ts";
import type { Clock } from "../time.ts";
import { systemClock } from "../time.ts";
import { toEventRow, type EventRow } from "./log.ts";
import type { EventType } from "./catalogue.ts";

/**
 * The outbox: consumers of the event log (CRM, analytics, outgoing webhooks)
 * never query other modules' tables; each keeps a cursor in `event_cursors`
 * and a job moves it over new events in commit order, a batch at a time.
 *
 * Delivery is at least once: a batch and the cursor move commit together, so
 * a consumer that only writes to the database sees each event once; one with
 * outside effects (an HTTP call) may see a batch again after a crash and must
 * be idempotent (use the event id as the idempotency key).
 */

export interface ConsumerContext {
  /** The transaction the cursor moves in: write the consumer's own rows with it. */
  trx: Db;
  clock: Clock;
}

export interface Consumer {
  /** Stable name: it keys the cursor. Renaming a consumer starts it from the beginning. */
  name: string;
  /** Only these event types (all when absent). */
  events?: readonly EventType[];
  batchSize?: number;
  handle(events: EventRow[], ctx: ConsumerContext): Promise<void>;
}

const consumers = new Map<string, Consumer>();

export function defineConsumer(consumer: Consumer): Consumer {
  consumers.set(consumer.name, consumer);
  return consumer;
}

export function registeredConsumers(): Consumer[] {
  return [...consumers.values()];
}

/** Moves one consumer over at most one batch; returns how many events it handled. */
export async function advanceConsumer(db: Db, consumer: Consumer, clock: Clock = systemClock): Promise<number> {
  return transaction(db, async (trx) => {
    const at = clock.nowIso();
    await trx
      .insertInto("event_cursors")
      .values({ consumer: consumer.name, last_tx: 0, last_id: "", updated_at: at })
      .onConflict((oc) => oc.column("consumer").doNothing())
      .execute();
    // Writing first takes the row lock (PostgreSQL) or the write lock (SQLite):
    // two nodes never move the same cursor at once.
    const cursor = await trx
      .updateTable("event_cursors")
      .set({ updated_at: at })
      .where("consumer", "=", consumer.name)
      .returning(["last_tx", "last_id"])
      .executeTakeFirstOrThrow();
    const lastTx = Number(cursor.last_tx);
    let q = trx
      .selectFrom("events")
      .select(["id", "type", "version", "actor", "member_id", "data", "created_at", "tx"])
      .where((eb) => eb.or([eb("tx", ">", lastTx), eb.and([eb("tx", "=", lastTx), eb("id", ">", cursor.last_id)])]));
    // Only transactions older than every running one: none of them can still commit a smaller tx.
    if (isPostgres(trx)) q = q.where("tx", "<", sql<number>`pg_snapshot_xmin(pg_current_snapshot())::text::bigint`);
    if (consumer.events?.length)
      q = q.where(
        "type",
        "in",
        consumer.events.map((e) => e.type),
      );
    const rows = await q
      .orderBy("tx")
      .orderBy("id")
      .limit(consumer.batchSize ?? 200)
      .execute();
    const last = rows.at(-1);
    if (!last) return 0;
    await consumer.handle(rows.map(toEventRow), { trx, clock });
    await trx
      .updateTable("event_cursors")
      .set({ last_tx: Number(last.tx), last_id: last.id, updated_at: at })
      .where("consumer", "=", consumer.name)
      .execute();
    return rows.length;
  });
}

/** Moves every consumer until it has caught up (bounded); returns the events handled. */
export async function dispatchOutbox(db: Db, clock: Clock = systemClock, maxBatches = 50): Promise<number> {
  let total = 0;
  for (const consumer of consumers.values()) {
    for (let i = 0; i < maxBatches; i++) {
      const n = await advanceConsumer(db, consumer, clock);
      total += n;
      if (n === 0) break;
    }
  }
  return total;
}

export const outboxJob = "events.outbox";

/** Registers the outbox job: every 10 s, and soon after any operation that recorded events. */
export function registerOutboxJob(): void {
  registerRecurringJob(outboxJob, 10_000, async (_payload, ctx) => {
    await dispatchOutbox(ctx.db);
  });
  registerJobHandler(`${outboxJob}.now`, async (_payload, ctx) => {
    await dispatchOutbox(ctx.db);
  });
}

/** Asks for an outbox run now (at most one queued per second). */
export async function triggerOutbox(db: Db, clock: Clock = systemClock): Promise<void> {
  const second = Math.floor(clock.nowMs() / 1000);
  await enqueue(db, `${outboxJob}.now`, {}, { dedupeKey: `${outboxJob}:${second}`, maxAttempts: 3 });
}
