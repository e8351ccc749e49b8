import type { Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { CELL_MIN, localDate, occupied, type AvailabilityRules } from "./availability.ts";

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

export const dayFull = () => new AppError("day_full", 409, "coaching.error.day_full");

/** One creator per site; the key leaves room for more. */
export const COACH = "default";
/** Without a daily maximum, places are still taken (so a maximum set later counts them): a day has 96 quarter-hours. */
const NO_MAX_PLACES = 96;

/**
 * Takes the lowest free place n (1..max) of a local day for a booking. The
 * read only picks a candidate; the primary key (coach, day, n) decides: if a
 * concurrent booking took that place first (on PostgreSQL the insert waits
 * for its commit, then skips), read again and try the next one.
 */
export async function tryClaimDay(trx: Db, bookingId: string, day: string, maxPerDay: number): Promise<boolean> {
  const limit = maxPerDay > 0 ? maxPerDay : NO_MAX_PLACES;
  for (let attempt = 0; attempt < limit; attempt++) {
    const rows = await trx
      .selectFrom("coaching_day_claims")
      .select("n")
      .where("coach", "=", COACH)
      .where("day", "=", day)
      .execute();
    const taken = new Set(rows.map((r) => r.n));
    let n = 1;
    while (taken.has(n)) n++;
    if (n > limit) return false;
    const r = await trx
      .insertInto("coaching_day_claims")
      .values({ coach: COACH, day, n, booking_id: bookingId })
      .onConflict((oc) => oc.columns(["coach", "day", "n"]).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) return true;
  }
  return false;
}

/** Claims the booking's cells, then its place in the day; throws 409 (slot taken) or 422 (day full) otherwise. */
export async function claimBookingOrThrow(
  trx: Db,
  bookingId: string,
  rules: Pick<AvailabilityRules, "bufferBeforeMin" | "bufferAfterMin" | "maxPerDay" | "timeZone">,
  startsAt: string,
  endsAt: string,
): Promise<void> {
  await claimOrThrow(trx, bookingId, cellsOf(rules, startsAt, endsAt));
  if (!(await tryClaimDay(trx, bookingId, localDate(Date.parse(startsAt), rules.timeZone), rules.maxPerDay)))
    throw dayFull();
}

/** Like claimBookingOrThrow, without throwing: false (and nothing claimed) when the time or the day is gone. */
export async function tryClaimBooking(
  trx: Db,
  bookingId: string,
  rules: Pick<AvailabilityRules, "bufferBeforeMin" | "bufferAfterMin" | "maxPerDay" | "timeZone">,
  startsAt: string,
  endsAt: string,
): Promise<boolean> {
  const ok =
    (await tryClaim(trx, bookingId, cellsOf(rules, startsAt, endsAt))) &&
    (await tryClaimDay(trx, bookingId, localDate(Date.parse(startsAt), rules.timeZone), rules.maxPerDay));
  if (!ok) await releaseClaims(trx, bookingId);
  return ok;
}

/** Places taken per local day between two dates (inclusive), for hiding full days. */
export async function placesPerDay(db: Db, fromDate: string, toDate: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("coaching_day_claims")
    .select(["day", (eb) => eb.fn.countAll<number>().as("n")])
    .where("coach", "=", COACH)
    .where("day", ">=", fromDate)
    .where("day", "<=", toDate)
    .groupBy("day")
    .execute();
  return new Map(rows.map((r) => [r.day, Number(r.n)]));
}

export async function releaseClaims(trx: Db, bookingId: string): Promise<void> {
  await trx.deleteFrom("coaching_slot_claims").where("booking_id", "=", bookingId).execute();
  await trx.deleteFrom("coaching_day_claims").where("booking_id", "=", bookingId).execute();
}
