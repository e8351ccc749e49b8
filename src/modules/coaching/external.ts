import ICAL from "ical.js";
import { DateTime } from "luxon";
import { isTimeZone } from "../../platform/http/validation.ts";
import { transaction, type Db } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import { getSettings, saveSettings } from "./settings.ts";

/**
 * The creator's external calendar (an ICS URL from Google, Outlook, Apple,
 * Nextcloud): its busy times block slots. Fetched by a recurring job; the
 * busy rows are replaced in one transaction, and a failure keeps the last
 * good ones and stores a plain-words error the creator sees on the
 * availability page ("" once a fetch works again).
 */
const MAX_BYTES = 5 * 1024 * 1024;
const HORIZON_DAYS = 400;

export type FetchError = "unreachable" | "status" | "too_large" | "not_calendar";

/**
 * An ICS time in ms. UTC and zones the file defines (VTIMEZONE) are ical.js's;
 * a TZID without its VTIMEZONE (common in exported feeds) is read as the IANA
 * zone it names, and a floating time as the creator's zone, with luxon.
 */
function instant(t: ICAL.Time, tzid: string | undefined, fallbackZone: string): number {
  const zoneId = t.zone?.tzid;
  if (zoneId && zoneId !== "floating") return t.toUnixTime() * 1000;
  const zone = tzid && isTimeZone(tzid) ? tzid : fallbackZone;
  return DateTime.fromObject(
    { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second },
    { zone },
  ).toMillis();
}

// The TZID parameter as written (ical.js keeps it on the time even when it knows no such zone).
const tzidOf = (t: ICAL.Time): string | undefined => (t as unknown as { timezone?: string }).timezone ?? undefined;

export function parseBusy(text: string, fromMs: number, toMs: number, zone = "UTC"): { start: number; end: number }[] {
  const comp = new ICAL.Component(ICAL.parse(text));
  if (comp.name !== "vcalendar") throw new Error("not_calendar");
  for (const tz of comp.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(tz);
  const out: { start: number; end: number }[] = [];
  for (const v of comp.getAllSubcomponents("vevent")) {
    const ev = new ICAL.Event(v);
    if (v.getFirstPropertyValue("transp") === "TRANSPARENT" || v.getFirstPropertyValue("status") === "CANCELLED")
      continue;
    const tzid = tzidOf(ev.startDate);
    const start = instant(ev.startDate, tzid, zone);
    const end = ev.endDate ? instant(ev.endDate, tzidOf(ev.endDate) ?? tzid, zone) : start;
    const durationMs = Math.max(0, end - start);
    if (ev.isRecurring()) {
      const it = ev.iterator();
      for (let i = 0, next = it.next(); next && i < 2000; i++, next = it.next()) {
        const s = instant(next, tzid, zone);
        if (s > toMs) break;
        if (s + durationMs > fromMs && durationMs > 0) out.push({ start: s, end: s + durationMs });
      }
      continue;
    }
    if (end > fromMs && start < toMs && end > start) out.push({ start, end });
  }
  return out;
}

export async function refreshBusyCalendar(
  db: Db,
  nowMs: number,
  fetchImpl: typeof fetch = fetch,
): Promise<FetchError | "ok" | "none"> {
  const settings = await getSettings(db);
  const at = new Date(nowMs).toISOString();
  if (!settings.ics_url) return "none";
  let problem: FetchError | null = null;
  let ranges: { start: number; end: number }[] = [];
  try {
    const res = await fetchImpl(settings.ics_url, { signal: AbortSignal.timeout(15_000), redirect: "follow" });
    if (!res.ok) problem = "status";
    else {
      const text = await res.text();
      if (text.length > MAX_BYTES) problem = "too_large";
      else
        try {
          ranges = parseBusy(text, nowMs - 86_400_000, nowMs + HORIZON_DAYS * 86_400_000, settings.time_zone);
        } catch {
          problem = "not_calendar";
        }
    }
  } catch {
    problem = "unreachable";
  }
  if (problem) {
    await saveSettings(db, { ics_error: problem, ics_checked_at: at }, at);
    return problem;
  }
  await transaction(db, async (trx) => {
    await trx.deleteFrom("coaching_busy").execute();
    for (let i = 0; i < ranges.length; i += 200)
      await trx
        .insertInto("coaching_busy")
        .values(
          ranges.slice(i, i + 200).map((r) => ({
            id: newId(),
            starts_at: new Date(r.start).toISOString(),
            ends_at: new Date(r.end).toISOString(),
          })),
        )
        .execute();
    await saveSettings(trx, { ics_error: "", ics_checked_at: at }, at);
  });
  return "ok";
}
