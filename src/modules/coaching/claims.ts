import type { Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { CELL_MIN, occupied, type AvailabilityRules } from "./availability.ts";

/**
 * Claims the 15-minute cells a booking occupies (buffers included). Each cell
 * is a primary key: `ON CONFLICT DO NOTHING` inserts only free cells, and if
 * fewer than all were inserted another booking holds one, so the caller's
 * transaction is rolled back with a 409. On PostgreSQL a concurrent insert of
 * the same key waits for the other transaction and then skips: the database,
 * not a read before the write, decides who got the slot.
 */
export function cellsOf(
  rules: Pick<AvailabilityRules, "bufferBeforeMin" | "bufferAfterMin">,
  startsAt: string,
  endsAt: string,
): string[] {
  const occ = occupied(rules, Date.parse(startsAt), Date.parse(endsAt));
  const cells: string[] = [];
  for (let t = occ.start; t < occ.end; t += CELL_MIN * 60_000) cells.push(new Date(t).toISOString());
  return cells;
}

export const slotTaken = () => new AppError("slot_taken", 409, "coaching.error.slot_taken");

export async function tryClaim(trx: Db, bookingId: string, cells: string[]): Promise<boolean> {
  const r = await trx
    .insertInto("coaching_slot_claims")
    .values(cells.map((cell) => ({ cell, booking_id: bookingId })))
    .onConflict((oc) => oc.column("cell").doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === cells.length;
}

export async function claimOrThrow(trx: Db, bookingId: string, cells: string[]): Promise<void> {
  if (!(await tryClaim(trx, bookingId, cells))) throw slotTaken();
}

export async function releaseClaims(trx: Db, bookingId: string): Promise<void> {
  await trx.deleteFrom("coaching_slot_claims").where("booking_id", "=", bookingId).execute();
}
