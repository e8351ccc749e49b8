import type { FieldError } from "../../../platform/http/errors.ts";
import { payingStatuses, sortKeys, type MemberFilter, type SortKey } from "./queries.ts";
import type { PayingStatus } from "./money.ts";
import { minorUnits } from "../../../platform/payments/currencies.ts";

/*
 * The list's filters as they travel in the URL (?q=&status=&newsletter=&from=&until=&source=&tier=&paying=&revenue=&sort=).
 * A value that does not parse is ignored and reported next to its field, so a
 * hand-edited URL never breaks the page.
 */

/** The filter exactly as typed, to refill the form and build links. */
export interface RawFilter {
  q: string;
  status: string;
  newsletter: string;
  from: string;
  until: string;
  source: string;
  tier: string;
  paying: string;
  /** Minimum lifetime revenue, as typed ("50", "12,50"), in the site's currency. */
  revenue: string;
  sort: string;
}

const rawKeys: (keyof RawFilter)[] = [
  "q",
  "status",
  "newsletter",
  "from",
  "until",
  "source",
  "tier",
  "paying",
  "revenue",
  "sort",
];
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "50", "12,50", "1 200.5" in minor units of the currency, or null. */
export function parseMinorAmount(text: string, currency: string): number | null {
  const s = text.replace(/[\s\u00a0\u202f]/g, "");
  const m = /^(\d{1,12})(?:[.,](\d+))?$/.exec(s);
  if (!m) return null;
  const d = minorUnits(currency);
  const frac = m[2] ?? "";
  if (frac.length > d) return null;
  return Number(m[1]) * 10 ** d + (frac ? Number(frac.padEnd(d, "0")) : 0);
}

export function readRawFilter(query: (name: string) => string | undefined): RawFilter {
  const out = {} as RawFilter;
  for (const k of rawKeys) out[k] = (query(k) ?? "").slice(0, 200);
  return out;
}

/** The query string of a filter, with extra parameters (cursor, page) appended. */
export function filterQuery(raw: RawFilter, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const k of rawKeys) if (raw[k] && !(k === "sort" && raw[k] === "newest")) p.set(k, raw[k]);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : "";
}

export function parseFilter(
  raw: RawFilter,
  timeZone: string,
  currency = "EUR",
): { filter: MemberFilter; errors: Record<string, FieldError> } {
  const errors: Record<string, FieldError> = {};
  const q = raw.q.normalize("NFC").trim();
  const status = raw.status === "pending" || raw.status === "active" ? raw.status : "";
  const newsletter = raw.newsletter === "yes" || raw.newsletter === "no" ? raw.newsletter : "";
  const sort: SortKey = (sortKeys as readonly string[]).includes(raw.sort) ? (raw.sort as SortKey) : "newest";
  let joinedFrom: string | null = null;
  let joinedUntil: string | null = null;
  if (raw.from) {
    const day = parseDay(raw.from);
    if (day) joinedFrom = new Date(zonedMidnightUtc(day, timeZone)).toISOString();
    else errors.from = { key: "members.admin.filter.badDate" };
  }
  if (raw.until) {
    const day = parseDay(raw.until);
    // "until" includes the whole day: everything before the next local midnight.
    if (day) joinedUntil = new Date(zonedMidnightUtc({ ...day, d: day.d + 1 }, timeZone)).toISOString();
    else errors.until = { key: "members.admin.filter.badDate" };
  }
  const source = raw.source.trim();
  const tier = uuid.test(raw.tier) ? raw.tier.toLowerCase() : "";
  if (raw.tier && !tier) errors.tier = { key: "members.admin.filter.badChoice" };
  const paying = (payingStatuses as readonly string[]).includes(raw.paying) ? (raw.paying as PayingStatus) : "";
  let revenueMin: number | null = null;
  if (raw.revenue.trim()) {
    revenueMin = parseMinorAmount(raw.revenue, currency);
    if (revenueMin === null) errors.revenue = { key: "members.admin.filter.badAmount" };
  }
  return {
    filter: { q, status, newsletter, joinedFrom, joinedUntil, source, tier, paying, revenueMin, sort },
    errors,
  };
}

interface Day {
  y: number;
  m: number;
  d: number;
}

/** A real calendar date written YYYY-MM-DD (what <input type=date> sends). */
export function parseDay(text: string): Day | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1970 || y > 9999 || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return { y, m: mo, d };
}

/** Milliseconds the zone is ahead of UTC at that instant. */
function zoneOffsetMs(timeZone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return (
    Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) -
    Math.floor(utcMs / 1000) * 1000
  );
}

/** The UTC instant of 00:00 on that day in the zone (Date.UTC normalises day overflow such as the 32nd). */
export function zonedMidnightUtc(day: Day, timeZone: string): number {
  const guess = Date.UTC(day.y, day.m - 1, day.d);
  const first = guess - zoneOffsetMs(timeZone, guess);
  // A second pass settles days where the offset changes (daylight saving).
  return guess - zoneOffsetMs(timeZone, first);
}
