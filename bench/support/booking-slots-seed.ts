/**
 * The booking-slots bench's data (shared with profiling scripts): weekly hours
 * Mon–Sat 08:00–20:00 in Paris, 20 overrides, 500 bookings and 1,000
 * external busy events over 60 days, and one page path per time zone.
 */
import type { Db } from "../../src/platform/db/index.ts";
import type { SeedResult } from "../../src/modules/demo/seed.ts";
import { newId } from "../../src/platform/ids.ts";
import { timeZones } from "../../src/platform/http/validation.ts";

export async function prepareBookingSlots(db: Db, seeded: SeedResult, zonesWanted: number, days = 7) {
  if (!seeded.coaching?.offers) throw new Error("the coaching demo did not run");
  const now = Date.now();
  const day = 86_400_000;
  // Weekly hours Monday–Saturday 08:00–20:00 in Paris, a short notice, no daily cap.
  await db.deleteFrom("coaching_weekly_hours").execute();
  await db
    .insertInto("coaching_weekly_hours")
    .values([1, 2, 3, 4, 5, 6].map((weekday) => ({ id: newId(), weekday, start_min: 480, end_min: 1200 })))
    .execute();
  await db.updateTable("coaching_settings").set({ min_notice_min: 120, max_per_day: 0, window_days: 60 }).execute();
  await db.deleteFrom("coaching_overrides").execute();
  await db
    .insertInto("coaching_overrides")
    .values(
      Array.from({ length: 20 }, (_, i) => {
        const date = new Date(now + (i * 3 + 1) * day).toISOString().slice(0, 10);
        return i % 2
          ? { id: newId(), date, start_min: null, end_min: null, note: "" }
          : { id: newId(), date, start_min: 600, end_min: 960, note: "" };
      }),
    )
    .execute();
  const offer = await db
    .selectFrom("coaching_offers")
    .select("id")
    .where("slug", "=", "appel-decouverte")
    .executeTakeFirstOrThrow();
  const member = await db.selectFrom("coaching_bookings").select("member_id").executeTakeFirstOrThrow();
  const at = new Date(now).toISOString();
  const grid = 15 * 60_000;
  const bookings = Array.from({ length: 500 }, (_, i) => {
    const start = Math.floor((now + day + i * ((60 * day) / 500)) / grid) * grid;
    return {
      id: newId(),
      coaching_offer_id: offer.id,
      member_id: member.member_id,
      starts_at: new Date(start).toISOString(),
      ends_at: new Date(start + 30 * 60_000).toISOString(),
      status: "confirmed" as const,
      hold_expires_at: null,
      order_id: null,
      credit_id: null,
      sequence: 0,
      video_url: "https://meet.jit.si/bench",
      client_time_zone: "Europe/Paris",
      locale: "fr",
      private_notes: "",
      shared_summary: "",
      reminder_24_at: null,
      reminder_1_at: null,
      cancelled_at: null,
      created_at: at,
      updated_at: at,
    };
  });
  for (let i = 0; i < bookings.length; i += 100)
    await db
      .insertInto("coaching_bookings")
      .values(bookings.slice(i, i + 100))
      .execute();
  const busy = Array.from({ length: 1000 }, (_, i) => {
    const start = now + (i * 60 * day) / 1000 + ((i * 7919) % 97) * 60_000;
    return {
      id: newId(),
      starts_at: new Date(start).toISOString(),
      ends_at: new Date(start + 25 * 60_000).toISOString(),
    };
  });
  for (let i = 0; i < busy.length; i += 200)
    await db
      .insertInto("coaching_busy")
      .values(busy.slice(i, i + 200))
      .execute();
  const zones = timeZones().filter((z) => z.includes("/"));
  const step = Math.max(1, Math.floor(zones.length / zonesWanted));
  const picked = zones.filter((_, i) => i % step === 0).slice(0, zonesWanted);
  return {
    paths: picked.map((z) => `/coaching/appel-decouverte/at/${z}${days === 7 ? "" : `?days=${days}`}`),
    details: {
      viewer: `anonymous visitors (no session cookie) in ${picked.length} time zones (one page per zone)`,
      // Anonymous: no session at all (distinctSessions stays the harness's count of cookies, 0); the zones make the pages distinct.
      distinctZones: picked.length,
      rules:
        "weekly hours Mon–Sat 08:00–20:00 Europe/Paris, 20 overrides, 500 bookings, 1,000 external busy events over 60 days",
      daysShown:
        days === 7
          ? "7 (the page's first week; next-week links page through the 60-day window)"
          : `${days} (?days=${days} on one page)`,
      memo: "no memo of slots or pages: bookings and busy times of the range are read and the slots computed and rendered for every request the page cache does not answer; the creator's rules (settings, weekly hours, overrides) come from a one-second copy, like the site settings",
    },
  };
}
