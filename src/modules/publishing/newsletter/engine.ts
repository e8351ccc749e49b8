import { sql } from "kysely";
import { memberSql } from "../../members/index.ts";
import type { NewsletterConfig } from "../../../platform/config.ts";
import { toNumber, transaction, type Db } from "../../../platform/db/index.ts";
import { enqueue } from "../../../platform/jobs/index.ts";
import { newId } from "../../../platform/ids.ts";
import { log } from "../../../platform/log.ts";
import { getSetting } from "../../../platform/settings.ts";
import type { Clock } from "../../../platform/time.ts";
import type { SendServices } from "./runtime.ts";
import { segmentWhere, parseSegmentJson, type Segment } from "./segments.ts";

/**
 * Crash-safe bulk sending.
 *
 * 1. Starting a send writes one delivery row per recipient (INSERT ... SELECT
 *    from the segment, in the same transaction as the state change and the
 *    batch jobs), before anything is sent.
 * 2. A batch job (deliver.ts) claims the rows of its batch (queued -> sending, with a
 *    lease owned by this process), re-checks consent and suppressions, renders
 *    per recipient with the paywall decided by the access policy (membersWithAccess), and sends through
 *    the SMTP pool. Each row is marked `accepted` as soon as the server said
 *    250 (group commit: one UPDATE for whatever was accepted meanwhile), so a
 *    kill -9 can only repeat the few messages in flight.
 * 3. Leases are renewed (outcomes.ts) while a process works; a dead process's rows become
 *    claimable once their lease runs out. A watchdog job per running send
 *    re-enqueues batches that have claimable rows (stale leases, or queued
 *    rows nobody is working on), so a send always resumes.
 * 4. "finished" is written by one conditional UPDATE that only succeeds when
 *    no row of the send is queued or sending: never early.
 */

export const BATCH_JOB = "newsletter.batch";
export const START_JOB = "newsletter.start";
export const WATCH_JOB = "newsletter.watch";
export const TICK_JOB = "newsletter.tick";
export const TRACKING_SETTING = "newsletter.tracking";

export type SendRow = Awaited<ReturnType<typeof getSend>> & object;

export async function getSend(db: Db, id: string) {
  return db.selectFrom("newsletter_sends").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function trackingEnabled(db: Db): Promise<boolean> {
  return (await getSetting<boolean>(db, TRACKING_SETTING)) === true;
}

export interface CreateSendInput {
  postId: string;
  subject: string;
  segment: Segment;
  /** null = now. */
  scheduledAt: Date | null;
  createdBy: string | null;
}

/** Creates a send; "now" also starts it (rows + batch jobs) in the same transaction. */
export async function createSend(
  s: Pick<SendServices, "db" | "config" | "clock">,
  input: CreateSendInput,
): Promise<string> {
  const { db, clock } = s;
  const id = newId();
  const at = clock.nowIso();
  await transaction(db, async (trx) => {
    await trx
      .insertInto("newsletter_sends")
      .values({
        id,
        post_id: input.postId,
        subject: input.subject,
        segment: JSON.stringify(input.segment),
        state: "scheduled",
        scheduled_at: input.scheduledAt ? input.scheduledAt.toISOString() : at,
        started_at: null,
        finished_at: null,
        recipients: 0,
        created_by: input.createdBy,
        heartbeat_at: null,
        resume_count: 0,
        created_at: at,
        updated_at: at,
      })
      .execute();
    if (input.scheduledAt)
      await enqueue(
        trx,
        START_JOB,
        { sendId: id },
        { runAt: input.scheduledAt, dedupeKey: `nl:start:${id}`, maxAttempts: 10 },
      );
    else await startSendIn(trx, s.config.newsletter, clock, id);
  });
  return id;
}

export async function cancelScheduled(db: Db, clock: Clock, id: string): Promise<boolean> {
  const r = await db
    .updateTable("newsletter_sends")
    .set({ state: "cancelled", updated_at: clock.nowIso() })
    .where("id", "=", id)
    .where("state", "=", "scheduled")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** scheduled -> sending: delivery rows, batch jobs and the watchdog, all or nothing. */
export async function startSend(s: Pick<SendServices, "db" | "config" | "clock">, id: string): Promise<void> {
  await transaction(s.db, (trx) => startSendIn(trx, s.config.newsletter, s.clock, id));
}

async function startSendIn(trx: Db, nl: NewsletterConfig, clock: Clock, id: string): Promise<void> {
  const at = clock.nowIso();
  const moved = await trx
    .updateTable("newsletter_sends")
    .set({ state: "sending", started_at: at, heartbeat_at: at, updated_at: at })
    .where("id", "=", id)
    .where("state", "=", "scheduled")
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) === 0) return;
  const send = (await getSend(trx, id))!;
  const segment = parseSegmentJson(send.segment);
  const size = nl.batchSize;
  // One statement, numbered rows: 100,000 recipients take well under a second. The batch size is a
  // literal: a bound JS number is a REAL on SQLite, which would make the division fractional.
  await sql`INSERT INTO newsletter_deliveries (send_id, member_id, email, batch_no, state, attempts, updated_at)
    SELECT ${id}, m.id, m.email, CAST((ROW_NUMBER() OVER (ORDER BY m.id) - 1) / ${sql.lit(size)} AS INTEGER), 'queued', 0, ${at}
    FROM ${memberSql.from("m")} WHERE ${segmentWhere(trx, segment, at)}`.execute(trx);
  const n = toNumber(
    (
      await trx
        .selectFrom("newsletter_deliveries")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("send_id", "=", id)
        .executeTakeFirst()
    )?.n,
  );
  await trx.updateTable("newsletter_sends").set({ recipients: n }).where("id", "=", id).execute();
  const batches = Math.ceil(n / size);
  for (let b = 0; b < batches; b++)
    await enqueue(trx, BATCH_JOB, { sendId: id, batch: b }, { dedupeKey: `nl:b:${id}:${b}`, maxAttempts: 10 });
  await enqueueWatch(trx, nl, clock, id);
  if (n === 0) await tryFinish(trx, clock, id);
}

async function enqueueWatch(db: Db, nl: NewsletterConfig, clock: Clock, id: string): Promise<void> {
  const slot = Math.floor(clock.nowMs() / nl.watchMs) + 1;
  // Time-slotted key: however many watch chains a crash leaves, they merge into one per slot.
  await enqueue(
    db,
    WATCH_JOB,
    { sendId: id },
    { runAt: new Date(slot * nl.watchMs), dedupeKey: `nl:w:${id}:${slot}`, maxAttempts: 3 },
  );
}

/** The only way a send becomes finished: when not one row is left queued or sending. */
export async function tryFinish(db: Db, clock: Clock, id: string): Promise<boolean> {
  const at = clock.nowIso();
  const r = await sql`UPDATE newsletter_sends SET state = 'finished', finished_at = ${at}, updated_at = ${at}
    WHERE id = ${id} AND state = 'sending'
    AND NOT EXISTS (SELECT 1 FROM newsletter_deliveries d WHERE d.send_id = ${id} AND d.state IN ('queued', 'sending'))`.execute(
    db,
  );
  const done = Number(r.numAffectedRows ?? 0) > 0;
  if (done) log.info("newsletter send finished", { sendId: id });
  return done;
}

/**
 * Job: the watchdog of a running send. Finishes it when everything is
 * settled; otherwise re-enqueues the batches that have claimable rows nobody
 * works on (a lease that ran out, or queued rows while no progress was made
 * for a whole lease), then schedules its next round.
 */
export async function runWatch(
  s: Pick<SendServices, "db" | "config" | "clock">,
  payload: { sendId: string },
): Promise<void> {
  const { db, clock } = s;
  const nl = s.config.newsletter;
  const send = await getSend(db, payload.sendId);
  if (!send || send.state !== "sending") return;
  if (await tryFinish(db, clock, send.id)) return;
  const now = clock.nowIso();
  const stalled = !send.heartbeat_at || send.heartbeat_at < new Date(clock.nowMs() - nl.leaseMs).toISOString();
  const rows = await db
    .selectFrom("newsletter_deliveries")
    .select("batch_no")
    .distinct()
    .where("send_id", "=", send.id)
    .where((eb) => {
      const stale = eb.and([eb("state", "=", "sending"), eb("lease_until", "<", now)]);
      return stalled ? eb.or([stale, eb("state", "=", "queued")]) : stale;
    })
    .execute();
  if (rows.length > 0) {
    const round = send.resume_count + 1;
    await transaction(db, async (trx) => {
      for (const r of rows)
        await enqueue(
          trx,
          BATCH_JOB,
          { sendId: send.id, batch: r.batch_no },
          { dedupeKey: `nl:b:${send.id}:${r.batch_no}:r${round}`, maxAttempts: 10 },
        );
      await trx
        .updateTable("newsletter_sends")
        .set({ resume_count: round, heartbeat_at: now, updated_at: now })
        .where("id", "=", send.id)
        .execute();
    });
    log.info("newsletter send resumed", { sendId: send.id, batches: rows.length, round });
  }
  await enqueueWatch(db, nl, clock, send.id);
}

/** Recurring: starts due scheduled sends and makes sure every running send has its watchdog. */
export async function runTick(s: Pick<SendServices, "db" | "config" | "clock">): Promise<void> {
  const { db, clock } = s;
  const now = clock.nowIso();
  const due = await db
    .selectFrom("newsletter_sends")
    .select("id")
    .where("state", "=", "scheduled")
    .where("scheduled_at", "<=", now)
    .execute();
  for (const d of due) await startSend(s, d.id);
  const running = await db.selectFrom("newsletter_sends").select("id").where("state", "=", "sending").execute();
  for (const r of running) await enqueueWatch(db, s.config.newsletter, clock, r.id);
}
