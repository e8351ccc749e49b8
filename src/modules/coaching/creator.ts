import { z } from "zod";
import { anyStaff, defineOperation, ownerOnly } from "../../platform/operations.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
import { field } from "../../platform/http/validation.ts";
import { newId } from "../../platform/ids.ts";
import { hashToken, randomToken } from "../../platform/security/tokens.ts";
import { forgetRules, saveSettings } from "./settings.ts";
import { getCoachingOffer } from "./offers.ts";
import { sessionNoShow, summaryShared } from "./events.ts";

/** The creator's side: availability, notes, summaries, no-shows, the private calendar feed. */

const hhmm = /^([01]\d|2[0-4]):([0-5]\d)$/;
const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** "09:00-12:00, 14:00-18:00" → minute ranges (on the 15-minute grid, in order, not overlapping). */
export function parseRanges(text: string): { startMin: number; endMin: number }[] | null {
  const parts = text
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter(Boolean);
  const out: { startMin: number; endMin: number }[] = [];
  for (const p of parts) {
    const m = /^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/.exec(p);
    if (!m) return null;
    const [a, b] = [m[1]!.padStart(5, "0"), m[2]!.padStart(5, "0")];
    if (!hhmm.test(a) || !hhmm.test(b)) return null;
    const r = { startMin: toMin(a), endMin: toMin(b) };
    if (r.endMin > 1440 || r.endMin <= r.startMin || r.startMin % 15 || r.endMin % 15) return null;
    if (out.length && out[out.length - 1]!.endMin > r.startMin) return null;
    out.push(r);
  }
  return out;
}

/** One override per line: "2026-12-24 closed|fermé" or "2026-12-27 10:00-12:00". */
export function parseOverrides(
  text: string,
): { date: string; startMin: number | null; endMin: number | null; note: string }[] | null {
  const out: { date: string; startMin: number | null; endMin: number | null; note: string }[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(\d{4}-\d{2}-\d{2})\s+(.+)$/.exec(line);
    if (!m) return null;
    const date = m[1]!;
    if (new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) return null;
    const rest = m[2]!.trim();
    if (/^(closed|fermé|ferme)$/i.test(rest)) {
      out.push({ date, startMin: null, endMin: null, note: "" });
      continue;
    }
    const ranges = parseRanges(rest);
    if (!ranges || !ranges.length) return null;
    for (const r of ranges) out.push({ date, ...r, note: "" });
  }
  return out.length > 400 ? null : out;
}

const minutes = (max: number) =>
  z.coerce
    .number({ error: "validation.invalid" })
    .int("validation.invalid")
    .min(0, "validation.invalid")
    .max(max, "validation.invalid");
const weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

export const availabilityInput = z.object({
  timeZone: field.timeZone(),
  ...Object.fromEntries(weekdays.map((d) => [d, field.text(200, { optional: true }).default("")])),
  overrides: field.longText(20_000, { optional: true }).default(""),
  bufferBeforeMin: minutes(120).refine((n) => n % 15 === 0, "validation.invalid"),
  bufferAfterMin: minutes(120).refine((n) => n % 15 === 0, "validation.invalid"),
  minNoticeHours: minutes(24 * 30),
  windowDays: minutes(365).refine((n) => n >= 1, "validation.invalid"),
  maxPerDay: minutes(24),
  cancelHours: minutes(24 * 14),
  videoMode: z.enum(["jitsi", "fixed"], { error: "validation.invalid" }),
  jitsiBaseUrl: field.text(200, { optional: true }).default("https://meet.jit.si"),
  fixedLink: field.text(500, { optional: true }).default(""),
  icsUrl: field.text(1000, { optional: true }).default(""),
  forWhom: field.longText(4000, { optional: true }).default(""),
  notForWhom: field.longText(4000, { optional: true }).default(""),
}) as unknown as z.ZodType<AvailabilityForm>;

export interface AvailabilityForm {
  timeZone: string;
  mon: string;
  tue: string;
  wed: string;
  thu: string;
  fri: string;
  sat: string;
  sun: string;
  overrides: string;
  bufferBeforeMin: number;
  bufferAfterMin: number;
  minNoticeHours: number;
  windowDays: number;
  maxPerDay: number;
  cancelHours: number;
  videoMode: "jitsi" | "fixed";
  jitsiBaseUrl: string;
  fixedLink: string;
  icsUrl: string;
  forWhom: string;
  notForWhom: string;
}

const fieldErr = (name: string, key: string) => new AppError("invalid_input", 422, key, { [name]: { key } });
const httpsUrl = (s: string) => {
  try {
    const u = new URL(s);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
};

export const saveAvailability = defineOperation({
  name: "coaching.save_availability",
  input: availabilityInput,
  roles: anyStaff,
  async run({ trx, input, clock, services, afterCommit }) {
    // The public pages' copy of the rules is dropped once the new ones are committed.
    afterCommit(() => forgetRules(services.db));
    const weekly: { weekday: number; startMin: number; endMin: number }[] = [];
    weekdays.forEach((d, i) => {
      const ranges = parseRanges(input[d]);
      if (!ranges) throw fieldErr(d, "coaching.error.hours");
      for (const r of ranges) weekly.push({ weekday: i + 1, ...r });
    });
    const overrides = parseOverrides(input.overrides);
    if (!overrides) throw fieldErr("overrides", "coaching.error.override");
    for (const [name, value] of [
      ["jitsiBaseUrl", input.jitsiBaseUrl],
      ["fixedLink", input.fixedLink],
      ["icsUrl", input.icsUrl],
    ] as const)
      if (value && !httpsUrl(value)) throw fieldErr(name, "coaching.error.url");
    if (input.videoMode === "fixed" && !input.fixedLink) throw fieldErr("fixedLink", "coaching.error.url");
    const at = clock.nowIso();
    await saveSettings(
      trx,
      {
        time_zone: input.timeZone,
        buffer_before_min: input.bufferBeforeMin,
        buffer_after_min: input.bufferAfterMin,
        min_notice_min: input.minNoticeHours * 60,
        window_days: input.windowDays,
        max_per_day: input.maxPerDay,
        cancel_hours: input.cancelHours,
        video_mode: input.videoMode,
        jitsi_base_url: input.jitsiBaseUrl || "https://meet.jit.si",
        fixed_link: input.fixedLink,
        ics_url: input.icsUrl,
        for_whom: input.forWhom,
        not_for_whom: input.notForWhom,
      },
      at,
    );
    await trx.deleteFrom("coaching_weekly_hours").execute();
    if (weekly.length)
      await trx
        .insertInto("coaching_weekly_hours")
        .values(weekly.map((w) => ({ id: newId(), weekday: w.weekday, start_min: w.startMin, end_min: w.endMin })))
        .execute();
    await trx.deleteFrom("coaching_overrides").execute();
    if (overrides.length)
      await trx
        .insertInto("coaching_overrides")
        .values(
          overrides.map((o) => ({ id: newId(), date: o.date, start_min: o.startMin, end_min: o.endMin, note: o.note })),
        )
        .execute();
  },
});

const bookingId = z.object({ bookingId: z.string().max(60) });

export const saveSessionNotes = defineOperation({
  name: "coaching.save_notes",
  input: z.object({
    bookingId: z.string().max(60),
    privateNotes: field.longText(20_000, { optional: true }).default(""),
    sharedSummary: field.longText(20_000, { optional: true }).default(""),
  }),
  roles: anyStaff,
  async run({ trx, input, clock, record }) {
    const b = await trx
      .selectFrom("coaching_bookings")
      .selectAll()
      .where("id", "=", input.bookingId)
      .executeTakeFirst();
    if (!b) throw notFound();
    await trx
      .updateTable("coaching_bookings")
      .set({ private_notes: input.privateNotes, shared_summary: input.sharedSummary, updated_at: clock.nowIso() })
      .where("id", "=", b.id)
      .execute();
    if (input.sharedSummary && input.sharedSummary !== b.shared_summary) {
      const offer = await getCoachingOffer(trx, b.coaching_offer_id);
      await record(
        summaryShared,
        { bookingId: b.id, title: offer.title, startsAt: b.starts_at },
        { memberId: b.member_id },
      );
    }
  },
});

export const markNoShow = defineOperation({
  name: "coaching.no_show",
  input: bookingId,
  roles: anyStaff,
  async run({ trx, input, clock, record }) {
    const b = await trx
      .selectFrom("coaching_bookings")
      .selectAll()
      .where("id", "=", input.bookingId)
      .executeTakeFirst();
    if (!b) throw notFound();
    if (b.status !== "confirmed" || Date.parse(b.starts_at) > clock.nowMs())
      throw new AppError("not_active", 409, "coaching.error.not_past");
    await trx
      .updateTable("coaching_bookings")
      .set({ status: "no_show", updated_at: clock.nowIso() })
      .where("id", "=", b.id)
      .execute();
    const offer = await getCoachingOffer(trx, b.coaching_offer_id);
    await record(
      sessionNoShow,
      { bookingId: b.id, title: offer.title, startsAt: b.starts_at },
      { memberId: b.member_id },
    );
  },
});

/** A new private feed URL: the old one stops working at once; only the token's hash is kept. */
export const rotateFeedToken = defineOperation({
  name: "coaching.rotate_feed",
  input: z.object({}),
  roles: ownerOnly,
  async run({ trx, clock }) {
    const token = randomToken(32);
    await saveSettings(trx, { feed_token_hash: hashToken(token) }, clock.nowIso());
    return token;
  },
});
