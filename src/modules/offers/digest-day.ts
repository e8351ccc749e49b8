import { DateTime } from "luxon";

/**
 * The owner's daily digest covers one calendar day in the site's zone (a
 * sale at 00:30 in Paris belongs to that Paris day, not to the UTC day before).
 */

/** The last day that has fully ended in `zone` at `nowMs`, as YYYY-MM-DD. */
export function lastCompleteLocalDay(nowMs: number, zone: string): string {
  return DateTime.fromMillis(nowMs, { zone }).minus({ days: 1 }).toISODate()!;
}

/** That local day's bounds as UTC ISO instants [from, until) (23 or 25 hours long on clock-change days). */
export function localDayWindow(day: string, zone: string): { from: string; until: string } {
  const start = DateTime.fromISO(day, { zone }).startOf("day");
  return { from: start.toUTC().toISO()!, until: start.plus({ days: 1 }).toUTC().toISO()! };
}
