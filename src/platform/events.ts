import type { Db } from "./db/index.ts";
import { newId, nowIso } from "./ids.ts";

/**
 * The append-only event log: every meaningful thing that happens to a member.
 * Write it in the same transaction as the change it describes. The timeline,
 * and later analytics and webhooks, read it. Never updated, only appended
 * (and erased with the member on account deletion).
 */
export interface EventInput {
  memberId: string | null;
  type: string;
  actor: "member" | "staff" | "system";
  data?: Record<string, unknown>;
  at?: string;
}

export async function recordEvent(db: Db, e: EventInput): Promise<string> {
  const id = newId();
  await db
    .insertInto("events")
    .values({
      id,
      member_id: e.memberId,
      type: e.type,
      actor: e.actor,
      data: JSON.stringify(e.data ?? {}),
      created_at: e.at ?? nowIso(),
    })
    .execute();
  return id;
}

export interface EventRow {
  id: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
  createdAt: string;
}

/** A member's events, newest first, `before` an event id for paging. */
export async function memberEvents(
  db: Db,
  memberId: string,
  opts: { limit?: number; before?: string } = {},
): Promise<EventRow[]> {
  let q = db.selectFrom("events").selectAll().where("member_id", "=", memberId);
  if (opts.before) q = q.where("id", "<", opts.before);
  const rows = await q
    .orderBy("id", "desc")
    .limit(opts.limit ?? 50)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    actor: r.actor,
    data: JSON.parse(r.data) as Record<string, unknown>,
    createdAt: r.created_at,
  }));
}
