import os from "node:os";
import { sql } from "kysely";
import { dialectOf, type Db } from "../db/index.ts";
import { newId, nowIso, isoIn } from "../ids.ts";
import { errorFields, log } from "../log.ts";
import type { z } from "zod";
import type { Services } from "../http/context.ts";

/**
 * A durable job queue in the database (no Redis). Jobs are claimed in one
 * statement: on PostgreSQL with FOR UPDATE SKIP LOCKED, so several worker
 * processes never take the same job; on SQLite the single writer lock gives
 * the same guarantee. A job that throws is retried with exponential backoff
 * until max_attempts, then marked dead (visible in the admin). A job whose
 * worker died (lock older than `lockTimeoutMs`) is taken again, so handlers
 * must be idempotent.
 */

export interface JobContext {
  db: Db;
  /** The app's services (config, mail, clock, secret...): jobs never remember them in module state. */
  services: Services;
  jobId: string;
  attempt: number;
}
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

/** A typed job: its payload is parsed with `payload` before `run` sees it. */
export interface JobDefinition<S extends z.ZodType> {
  type: string;
  payload: S;
  run(payload: z.output<S>, ctx: JobContext): Promise<void>;
}

export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}

/** Registers a typed job; a payload that does not parse is logged and dropped (retrying cannot fix it). */
export function registerJob<S extends z.ZodType>(def: JobDefinition<S>): void {
  registerJobHandler(def.type, async (raw, ctx) => {
    const parsed = def.payload.safeParse(raw);
    if (!parsed.success) {
      log.warn("job payload refused", { jobId: ctx.jobId, type: def.type, issues: parsed.error.issues.length });
      return;
    }
    await def.run(parsed.data, ctx);
  });
}

/** Enqueues a typed job (the payload is checked against its schema first). */
export function enqueueJob<S extends z.ZodType>(
  db: Db,
  def: JobDefinition<S>,
  payload: z.input<S>,
  opts: EnqueueOptions = {},
): Promise<string | null> {
  return enqueue(db, def.type, def.payload.parse(payload), opts);
}

const handlers = new Map<string, JobHandler>();

export function registerJobHandler(type: string, handler: JobHandler): void {
  handlers.set(type, handler);
}

const recurring = new Map<string, number>();

/** A job type that runs every `everyMs` (cleanup, digests); each slot is enqueued once across all nodes. */
export function registerRecurringJob(type: string, everyMs: number, handler: JobHandler): void {
  registerJobHandler(type, handler);
  recurring.set(type, everyMs);
}

export async function enqueueRecurring(db: Db, now = Date.now()): Promise<void> {
  for (const [type, everyMs] of recurring) {
    const slot = Math.floor(now / everyMs) * everyMs;
    await enqueue(db, type, {}, { dedupeKey: `recurring:${type}:${slot}`, runAt: new Date(slot), maxAttempts: 1 });
  }
}

export interface EnqueueOptions {
  runAt?: Date;
  /** A second enqueue with the same key is ignored (while the first row exists). */
  dedupeKey?: string;
  maxAttempts?: number;
}

/** Adds a job; returns its id, or null when a job with the same dedupe key exists. */
export async function enqueue(
  db: Db,
  type: string,
  payload: unknown,
  opts: EnqueueOptions = {},
): Promise<string | null> {
  const id = newId();
  const at = nowIso();
  const result = await db
    .insertInto("jobs")
    .values({
      id,
      type,
      payload: JSON.stringify(payload ?? {}),
      state: "queued",
      run_at: (opts.runAt ?? new Date()).toISOString(),
      attempts: 0,
      max_attempts: opts.maxAttempts ?? 5,
      dedupe_key: opts.dedupeKey ?? null,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 1) > 0 ? id : null;
}

export function backoffMs(attempt: number): number {
  return Math.min(60 * 60 * 1000, 2 ** attempt * 1000);
}

interface ClaimedJob {
  id: string;
  type: string;
  payload: string;
  attempts: number;
  max_attempts: number;
}

export async function claimJobs(db: Db, workerId: string, limit: number, lockTimeoutMs: number): Promise<ClaimedJob[]> {
  const now = nowIso();
  const staleBefore = isoIn(-lockTimeoutMs);
  const skipLocked = dialectOf(db) === "postgres" ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  const result = await sql<ClaimedJob>`
    UPDATE jobs SET state = 'running', locked_by = ${workerId}, locked_at = ${now}, attempts = attempts + 1, updated_at = ${now}
    WHERE id IN (
      SELECT id FROM jobs
      WHERE (state = 'queued' AND run_at <= ${now}) OR (state = 'running' AND locked_at < ${staleBefore})
      ORDER BY run_at LIMIT ${limit} ${skipLocked}
    )
    RETURNING id, type, payload, attempts, max_attempts`.execute(db);
  return result.rows;
}

async function settle(db: Db, job: ClaimedJob, workerId: string, error: unknown): Promise<void> {
  const at = nowIso();
  const base = db.updateTable("jobs").where("id", "=", job.id).where("locked_by", "=", workerId);
  if (error === undefined) {
    await base
      .set({ state: "done", finished_at: at, updated_at: at, locked_by: null, locked_at: null, last_error: null })
      .execute();
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  const dead = job.attempts >= job.max_attempts;
  await base
    .set({
      state: dead ? "dead" : "queued",
      run_at: dead ? at : isoIn(backoffMs(job.attempts)),
      last_error: message.slice(0, 2000),
      finished_at: dead ? at : null,
      updated_at: at,
      locked_by: null,
      locked_at: null,
    })
    .execute();
  log.warn("job failed", { jobId: job.id, type: job.type, attempt: job.attempts, dead, ...errorFields(error) });
}

/** Runs one claimed job with its handler and records the outcome. */
async function runJob(services: Services, job: ClaimedJob, workerId: string): Promise<void> {
  const db = services.db;
  const handler = handlers.get(job.type);
  try {
    if (!handler) throw new Error(`No handler registered for job type "${job.type}"`);
    await handler(JSON.parse(job.payload), { db, services, jobId: job.id, attempt: job.attempts });
    await settle(db, job, workerId, undefined);
  } catch (err) {
    await settle(db, job, workerId, err ?? new Error("job failed"));
  }
}

export interface WorkerOptions {
  pollMs?: number;
  batchSize?: number;
  lockTimeoutMs?: number;
}

export interface Worker {
  /** Claims and runs due jobs until none is left; returns how many ran. For tests and the CLI. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts polling for jobs; stop() waits for the running batch to finish (graceful shutdown). */
export function startWorker(services: Services, opts: WorkerOptions = {}): Worker {
  const db = services.db;
  const workerId = `${os.hostname()}:${process.pid}:${newId().slice(-6)}`;
  const pollMs = opts.pollMs ?? 500;
  const batchSize = opts.batchSize ?? 10;
  const lockTimeoutMs = opts.lockTimeoutMs ?? 5 * 60 * 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<number> = Promise.resolve(0);

  async function tick(): Promise<number> {
    const jobs = await claimJobs(db, workerId, batchSize, lockTimeoutMs);
    await Promise.all(jobs.map((job) => runJob(services, job, workerId)));
    return jobs.length;
  }

  let lastRecurring = 0;
  async function drain(): Promise<number> {
    if (Date.now() - lastRecurring > 30_000) {
      lastRecurring = Date.now();
      await enqueueRecurring(db);
    }
    let total = 0;
    for (let i = 0; i < 1000; i++) {
      const n = await tick();
      total += n;
      if (n === 0) break;
    }
    return total;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      // Chained on `current`, so a polling round and an explicit drain() never
      // overlap: when drain() resolves, every job it saw has finished.
      current = current
        .then(drain, drain)
        .catch((err: unknown) => {
          log.error("job worker tick failed", errorFields(err));
          return 0;
        })
        .finally(schedule);
    }, pollMs);
  }
  schedule();

  return {
    drain: () => (current = current.then(drain, drain)),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current.catch(() => 0);
    },
  };
}

export interface JobSummary {
  state: string;
  count: number;
}

export async function jobCounts(db: Db): Promise<JobSummary[]> {
  const rows = await db
    .selectFrom("jobs")
    .select(["state", db.fn.countAll().as("count")])
    .groupBy("state")
    .execute();
  return rows.map((r) => ({ state: r.state, count: Number(r.count) }));
}

/** Puts a dead job back in the queue (admin "retry"). */
export async function retryJob(db: Db, id: string): Promise<void> {
  const at = nowIso();
  await db
    .updateTable("jobs")
    .set({ state: "queued", run_at: at, attempts: 0, updated_at: at, finished_at: null })
    .where("id", "=", id)
    .where("state", "=", "dead")
    .execute();
}

/** Deletes finished jobs older than `days` (their dedupe keys were time-slotted, so nothing re-runs). */
export async function pruneJobs(db: Db, days: number): Promise<void> {
  await db
    .deleteFrom("jobs")
    .where("state", "=", "done")
    .where("finished_at", "<", isoIn(-days * 86400_000))
    .execute();
}
