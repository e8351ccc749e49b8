import { sql } from "kysely";
import { isPostgres, type Db } from "../db/index.ts";
import { newId } from "../ids.ts";
import { actorKind, type Actor, type ActorKind } from "../actor.ts";
import type { z } from "zod";
import { findEventType, type EventType } from "./catalogue.ts";

/**
 * The append-only event log. Write an event in the same transaction as the
 * change it describes: if the transaction rolls back, the event is gone too.
 * Rows are never updated; erasing a member deletes theirs.
 *
 * Each row carries `tx`, a number that grows in commit order, so the outbox
 * can read "everything after" without ever skipping a row that committed
 * late: on PostgreSQL it is the writing transaction's id (the outbox only
 * reads ids older than every running transaction); on SQLite, whose single
 * writer commits one transaction at a time, a counter bumped under the write lock.
 */

export interface RecordOptions {
  memberId: string | null;
  actor: Actor | ActorKind;
  /** When it happened (defaults to now, from the caller's clock when given). */
  at?: string;
}

/** Records one declared event; the payload is checked against the event's schema. */
export async function record<T extends string, S extends z.ZodType>(
  trx: Db,
  event: EventType<T, S>,
  payload: z.output<S>,
  opts: RecordOptions,
): Promise<string> {
  if ((findEventType(event.type) as unknown) !== event) throw new Error(`Event type ${event.type} is not declared`);
  const data = event.payload.parse(payload) as unknown;
  const id = newId();
  const tx = isPostgres(trx) ? undefined : await nextSqliteTx(trx);
  await trx
    .insertInto("events")
    .values({
      id,
      member_id: opts.memberId,
      type: event.type,
      version: event.version,
      actor: typeof opts.actor === "string" ? opts.actor : actorKind(opts.actor),
      data: JSON.stringify(data ?? {}),
      created_at: opts.at ?? new Date().toISOString(),
      ...(tx === undefined ? {} : { tx }),
    })
    .execute();
  return id;
}

async function nextSqliteTx(trx: Db): Promise<number> {
  const row = await sql<{ n: number }>`UPDATE event_sequence SET n = n + 1 WHERE id = 1 RETURNING n`.execute(trx);
  return Number(row.rows[0]?.n ?? 0);
}

export interface EventRow {
  id: string;
  type: string;
  version: number;
  actor: string;
  memberId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

interface StoredEvent {
  id: string;
  type: string;
  version: number;
  actor: string;
  member_id: string | null;
  data: string;
  created_at: string;
}

export function toEventRow(r: StoredEvent): EventRow {
  return {
    id: r.id,
    type: r.type,
    version: Number(r.version),
    actor: r.actor,
    memberId: r.member_id,
    data: JSON.parse(r.data) as Record<string, unknown>,
    createdAt: r.created_at,
  };
}

/** A member's events, newest first, `before` an event id for paging. */
export async function memberEvents(
  db: Db,
  memberId: string,
  opts: { limit?: number; before?: string } = {},
): Promise<EventRow[]> {
  let q = db
    .selectFrom("events")
    .select(["id", "type", "version", "actor", "member_id", "data", "created_at"])
    .where("member_id", "=", memberId);
  if (opts.before) q = q.where("id", "<", opts.before);
  const rows = await q
    .orderBy("id", "desc")
    .limit(opts.limit ?? 50)
    .execute();
  return rows.map(toEventRow);
}
