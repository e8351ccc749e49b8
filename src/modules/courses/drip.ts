import { DateTime, IANAZone } from "luxon";
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

// A zone's validity does not change while the process runs; asking luxon costs a DateTime per call.
const zones = new Map<string, IANAZone | null>();

/** The student's zone, or null for UTC (an unknown or empty zone). */
function zoneOf(zone: string): IANAZone | null {
  // UTC has no offset to ask Intl for (the follow-up job estimates every enrolment in UTC first).
  if (zone === "UTC" || zone === "Etc/UTC") return null;
  let z = zones.get(zone);
  if (z === undefined) {
    const candidate = IANAZone.create(zone);
    z = candidate.isValid ? candidate : null;
    if (zones.size < 1000) zones.set(zone, z);
  }
  return z;
}

const DAY_MS = 86_400_000;

/** Luxon's calendar arithmetic, the reference (and the fallback of the fast path below). */
function afterDaysLuxon(enrolledAt: string, zone: IANAZone | null, days: number): string {
  const enrolled = DateTime.fromISO(enrolledAt, { zone: "UTC" });
  return enrolled
    .setZone(zone ?? "UTC")
    .plus({ days })
    .toUTC()
    .toISO()!;
}

/**
 * N calendar days later at the same local time of day. On a lesson page this
 * runs for every drip section of every student, and luxon's `plus` in a zone
 * asks Intl for the offset several times; the same answer needs two offsets:
 * add N × 24 h, then correct by the change of offset between the two instants
 * (a DST change in between). Only when the corrected instant has yet another
 * offset (the local time does not exist that day, in a spring-forward gap)
 * does luxon decide; drip.test.ts checks both give the same instants.
 */
export function afterDaysAt(enrolledAt: string, zone: string, days: number): string {
  const z = zoneOf(zone);
  const t0 = Date.parse(enrolledAt);
  let t = t0 + days * DAY_MS;
  if (z) {
    const before = z.offset(t0);
    const after = z.offset(t);
    if (after !== before) {
      t += (before - after) * 60_000;
      if (z.offset(t) !== after) return afterDaysLuxon(enrolledAt, z, days);
    }
  }
  return new Date(t).toISOString();
}

/** The instant (ISO UTC) the section opens for a student who enrolled at `enrolledAt`, living in `zone`. */
export function unlockAt(rule: DripRule, enrolledAt: string, zone: string): string {
  if (rule.drip_kind === "after_days" && rule.drip_days && rule.drip_days > 0)
    return afterDaysAt(enrolledAt, zone, rule.drip_days);
  if (rule.drip_kind === "on_date" && rule.drip_date && isDripDate(rule.drip_date)) {
    const enrolled = DateTime.fromISO(enrolledAt, { zone: "UTC" });
    const opens = DateTime.fromISO(rule.drip_date, { zone: zoneOf(zone) ?? "UTC" })
      .startOf("day")
      .toUTC();
    return (opens > enrolled ? opens : enrolled).toISO()!;
  }
  // Open at enrolment (and any rule that is not complete): no calendar arithmetic.
  return new Date(Date.parse(enrolledAt)).toISOString();
}

/**
 * A zone moves a rule's instant by less than this from its UTC reckoning:
 * offsets span UTC−12 to UTC+14, and the largest single change of offset
 * (Samoa's skipped day, 2011) is a day.
 */
const ZONE_SLACK_MS = 2 * DAY_MS;

/**
 * True when the section is certainly open at `nowMs` whatever the student's
 * zone, decided without calendar arithmetic; null when only unlockAt can
 * tell. Most sections a student reads were opened days or weeks ago, and a
 * lesson page asks this for every drip section on every request: Intl's
 * offsets were a tenth of the page's time (bench/lesson-page.ts).
 */
export function surelyUnlocked(rule: DripRule, enrolledAt: string, nowMs: number): true | null {
  const enrolled = Date.parse(enrolledAt);
  let estimate = enrolled;
  if (rule.drip_kind === "after_days" && rule.drip_days && rule.drip_days > 0)
    estimate = enrolled + rule.drip_days * DAY_MS + ZONE_SLACK_MS;
  else if (rule.drip_kind === "on_date" && rule.drip_date && isDripDate(rule.drip_date))
    estimate = Math.max(enrolled, Date.parse(rule.drip_date) + ZONE_SLACK_MS);
  return estimate <= nowMs ? true : null;
}

/** For drip.test.ts: the reference the fast path must agree with. */
export const referenceAfterDays = (enrolledAt: string, zone: string, days: number) =>
  afterDaysLuxon(enrolledAt, zoneOf(zone), days);

/** Is the section open at `now` (ISO UTC)? ISO UTC strings of one format compare as text. */
export function isUnlocked(rule: DripRule, enrolledAt: string, zone: string, now: string): boolean {
  return Date.parse(unlockAt(rule, enrolledAt, zone)) <= Date.parse(now);
}
