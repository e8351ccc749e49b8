import { DateTime } from "luxon";
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
  /** The Monday that starts the week, in the site's time zone, as YYYY-MM-DD. */
  start: string;
  count: number;
}

/** Monday 00:00 of the week containing `d`, in `zone` (the site's time zone). */
export function weekStart(d: Date, zone = "UTC"): Date {
  return DateTime.fromJSDate(d, { zone }).startOf("week").toJSDate();
}

/**
 * New members per week over the last `weeks` weeks (the current one
 * included), weeks running Monday to Sunday in the site's time zone. One
 * query over the created_at index range, one conditional sum per week, so a
 * week boundary is exact in any zone (half-hour offsets and DST included).
 */
export async function newMembersPerWeek(db: Db, weeks = 12, now = new Date(), zone = "UTC"): Promise<WeekBucket[]> {
  const current = DateTime.fromJSDate(now, { zone }).startOf("week");
  const starts = Array.from({ length: weeks + 1 }, (_v, i) => current.minus({ weeks: weeks - 1 - i }));
  const bounds = starts.map((s) => s.toJSDate().toISOString());
  const row = await db
    .selectFrom("members")
    .select(
      starts
        .slice(0, weeks)
        .map((_s, i) =>
          sql<
            number | string | null
          >`sum(case when created_at >= ${bounds[i]} and created_at < ${bounds[i + 1]} then 1 else 0 end)`.as(`w${i}`),
        ),
    )
    .where("created_at", ">=", bounds[0]!)
    .where("created_at", "<", bounds[weeks]!)
    .executeTakeFirst();
  const counts = (row ?? {}) as Record<string, unknown>;
  return starts.slice(0, weeks).map((s, i) => ({ start: s.toISODate()!, count: toNumber(counts[`w${i}`]) }));
}

export interface RecentEvent {
  id: string;
  type: string;
  version: number;
  data: unknown;
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
    .select([
      "events.id",
      "events.type",
      "events.version",
      "events.data",
      "events.actor",
      "events.created_at",
      "events.member_id",
      "members.name",
      "members.email",
    ])
    .orderBy("events.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    version: Number(r.version),
    data: JSON.parse(r.data) as unknown,
    actor: r.actor,
    createdAt: r.created_at,
    memberId: r.member_id,
    memberName: r.name ?? null,
    memberEmail: r.email ?? null,
  }));
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
  let q = db
    .selectFrom("jobs")
    .select(["id", "type", "state", "attempts", "max_attempts", "run_at", "updated_at", "last_error"]);
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
export async function listMailbox(
  db: Db,
  opts: { q?: string; before?: string; limit?: number } = {},
): Promise<MailboxRow[]> {
  let q = db.selectFrom("dev_mailbox").select(["id", "to_address", "subject", "created_at"]);
  const search = opts.q?.trim().toLowerCase();
  if (search) q = q.where(ilike(db, "to_address", `%${likeEscape(search)}%`));
  if (opts.before) q = q.where("id", "<", opts.before);
  const rows = await q
    .orderBy("id", "desc")
    .limit(opts.limit ?? 50)
    .execute();
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
