import { ilike, likeEscape, toNumber, type Db } from "../../platform/db/index.ts";
import { memberContacts } from "../members/index.ts";

/*
 * Read models for the admin's overview pages. Each stays one or two
 * aggregate queries so the dashboard opens fast with 100,000+ members.
 */

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
    .select(["id", "type", "version", "data", "actor", "created_at", "member_id"])
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  // Names come from the members module (an erased member's events keep no name).
  const members = await memberContacts(
    db,
    rows.flatMap((r) => (r.member_id ? [r.member_id] : [])),
  );
  return rows.map((r) => {
    const m = r.member_id ? members.get(r.member_id) : undefined;
    return {
      id: r.id,
      type: r.type,
      version: Number(r.version),
      data: JSON.parse(r.data) as unknown,
      actor: r.actor,
      createdAt: r.created_at,
      memberId: r.member_id,
      memberName: m?.name ?? null,
      memberEmail: m?.email ?? null,
    };
  });
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
