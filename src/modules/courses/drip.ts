import { DateTime } from "luxon";
import type { DripKind } from "./tables.ts";

/**
 * When a section opens for one student. Rules are calendar rules in the
 * student's own time zone, computed with luxon so DST changes never move them:
 *
 * - immediate: at enrolment;
 * - after_days N: N calendar days after enrolment, at the same local time of
 *   day (a student who enrolled at 10:00 in Paris gets the next section at
 *   10:00 Paris time, even across the night the clocks change);
 * - on_date D: at 00:00 on D in the student's zone (a cohort start), or at
 *   enrolment when they enrolled after it.
 *
 * Times in and out are ISO-8601 UTC, like every time column.
 */
export interface DripRule {
  drip_kind: DripKind;
  drip_days: number | null;
  drip_date: string | null;
}

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

export function isDripDate(value: string): boolean {
  return datePattern.test(value) && DateTime.fromISO(value, { zone: "UTC" }).isValid;
}

function zoneOrUtc(zone: string): string {
  return DateTime.now().setZone(zone).isValid ? zone : "UTC";
}

/** The instant (ISO UTC) the section opens for a student who enrolled at `enrolledAt`, living in `zone`. */
export function unlockAt(rule: DripRule, enrolledAt: string, zone: string): string {
  const tz = zoneOrUtc(zone);
  const enrolled = DateTime.fromISO(enrolledAt, { zone: "UTC" });
  if (rule.drip_kind === "after_days" && rule.drip_days && rule.drip_days > 0) {
    return enrolled.setZone(tz).plus({ days: rule.drip_days }).toUTC().toISO()!;
  }
  if (rule.drip_kind === "on_date" && rule.drip_date && isDripDate(rule.drip_date)) {
    const opens = DateTime.fromISO(rule.drip_date, { zone: tz }).startOf("day").toUTC();
    return (opens > enrolled ? opens : enrolled).toISO()!;
  }
  return enrolled.toISO()!;
}

/** Is the section open at `now` (ISO UTC)? ISO UTC strings of one format compare as text. */
export function isUnlocked(rule: DripRule, enrolledAt: string, zone: string, now: string): boolean {
  return Date.parse(unlockAt(rule, enrolledAt, zone)) <= Date.parse(now);
}
