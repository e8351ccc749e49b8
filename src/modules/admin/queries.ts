import { sql } from "kysely";
import { ilike, likeEscape, toNumber, type Db } from "../../platform/db/index.ts";
import { isoIn } from "../../platform/ids.ts";

/*
 * Read models for the admin's overview pages. Each stays one or two
 * aggregate queries so the dashboard opens fast with 100,000+ members.
 */

export interface MemberStats {
  total: number;
  active: number;
  pending: number;
  subscribers: number;
  newLast30Days: number;
}

/**
 * Five counts, each answered from an index alone (status, status+opt-in,
 * created_at), so they stay fast at 100,000+ members; a single pass with
 * conditional sums would read every row.
 */
export async function memberStats(db: Db, now = new Date()): Promise<MemberStats> {
  const since = new Date(now.getTime() - 30 * 86400_000).toISOString();
  const count = () => db.selectFrom("members").select(db.fn.countAll().as("n"));
  const value = async (q: ReturnType<typeof count>) => toNumber((await q.executeTakeFirst())?.n);
  const [total, active, pending, subscribers, newLast30Days] = await Promise.all([
    value(count()),
    value(count().where("status", "=", "active")),
    value(count().where("status", "=", "pending")),
    value(count().where("status", "=", "active").where("email_opt_in", "=", 1)),
    value(count().where("created_at", ">=", since)),
  ]);
  return { total, active, pending, subscribers, newLast30Days };
}

export interface WeekBucket {
  /** Monday 00:00 UTC of the week, as YYYY-MM-DD. */
  start: string;
  count: number;
}

/** Monday 00:00 UTC of the week containing `d`. */
export function weekStart(d: Date): Date {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * 86400_000);
}

/**
 * New members per week over the last `weeks` weeks (the current one
 * included). The database groups by day (created_at is ISO text, so
 * substr(…, 1, 10) is the UTC day on both dialects) using the created_at
 * index for the range; days are folded into weeks here.
 */
export async function newMembersPerWeek(db: Db, weeks = 12, now = new Date()): Promise<WeekBucket[]> {
  const first = new Date(weekStart(now).getTime() - (weeks - 1) * 7 * 86400_000);
  const day = sql<string>`substr(created_at, 1, 10)`;
  const rows = await db
    .selectFrom("members")
    .select([day.as("day"), db.fn.countAll().as("n")])
    .where("created_at", ">=", first.toISOString())
    .groupBy(day)
    .execute();
  const buckets: WeekBucket[] = [];
  for (let i = 0; i < weeks; i++) buckets.push({ start: new Date(first.getTime() + i * 7 * 86400_000).toISOString().slice(0, 10), count: 0 });
  for (const r of rows) {
    const index = Math.floor((Date.parse(`${r.day}T00:00:00Z`) - first.getTime()) / (7 * 86400_000));
    const bucket = buckets[index];
    if (bucket) bucket.count += toNumber(r.n);
  }
  return buckets;
}

export interface RecentEvent {
  id: string;
  type: string;
  actor: string;
  createdAt: string;
  memberId: string | null;
  memberName: string | null;
  memberEmail: string | null;
}

/** The newest events across all members (events.id is a UUIDv7, so it sorts by time). */
export async function recentEvents(db: Db, limit = 10): Promise<RecentEvent[]> {
  const rows = await db
    .selectFrom("events")
    .leftJoin("members", "members.id", "events.member_id")
    .select(["events.id", "events.type", "events.actor", "events.created_at", "events.member_id", "members.name", "members.email"])
    .orderBy("events.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, type: r.type, actor: r.actor, createdAt: r.created_at, memberId: r.member_id, memberName: r.name ?? null, memberEmail: r.email ?? null }));
}

export const jobStates = ["queued", "running", "done", "dead"] as const;
export type JobState = (typeof jobStates)[number];

export function isJobState(value: unknown): value is JobState {
  return typeof value === "string" && (jobStates as readonly string[]).includes(value);
}

export interface JobRow {
  id: string;
  type: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  updatedAt: string;
  lastError: string | null;
}

/**
 * The newest jobs, optionally of one state. Unfiltered lists walk the primary
 * key (UUIDv7 = creation order); a state filter walks the (state, run_at) index.
 */
export async function listJobs(db: Db, opts: { state?: JobState; limit?: number } = {}): Promise<JobRow[]> {
  let q = db.selectFrom("jobs").select(["id", "type", "state", "attempts", "max_attempts", "run_at", "updated_at", "last_error"]);
  q = opts.state ? q.where("state", "=", opts.state).orderBy("run_at", "desc") : q.orderBy("id", "desc");
  const rows = await q.limit(opts.limit ?? 100).execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    state: r.state,
    attempts: toNumber(r.attempts),
    maxAttempts: toNumber(r.max_attempts),
    runAt: r.run_at,
    updatedAt: r.updated_at,
    lastError: r.last_error,
  }));
}

export interface MailboxRow {
  id: string;
  to: string;
  subject: string;
  createdAt: string;
}

/** Captured emails, newest first, optionally filtered by recipient; `before` is the last id of the previous page. */
export async function listMailbox(db: Db, opts: { q?: string; before?: string; limit?: number } = {}): Promise<MailboxRow[]> {
  let q = db.selectFrom("dev_mailbox").select(["id", "to_address", "subject", "created_at"]);
  const search = opts.q?.trim().toLowerCase();
  if (search) q = q.where(ilike(db, "to_address", `%${likeEscape(search)}%`));
  if (opts.before) q = q.where("id", "<", opts.before);
  const rows = await q.orderBy("id", "desc").limit(opts.limit ?? 50).execute();
  return rows.map((r) => ({ id: r.id, to: r.to_address, subject: r.subject, createdAt: r.created_at }));
}

export async function getMailboxMessage(db: Db, id: string) {
  return db.selectFrom("dev_mailbox").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The http(s) links of a text email, in order, without duplicates (confirmation and login links to click). */
export function linksIn(text: string): string[] {
  const found = text.match(/https?:\/\/[^\s<>"')\]]+/g) ?? [];
  return [...new Set(found.map((u) => u.replace(/[.,;:!?]+$/, "")))];
}

/** Removes what the cleanup job owns: expired magic links (kept one day for "link expired" pages). */
export async function pruneMagicLinks(db: Db): Promise<void> {
  await db.deleteFrom("magic_links").where("expires_at", "<", isoIn(-86400_000)).execute();
}
