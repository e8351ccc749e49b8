import { z } from "zod";
import type { Db } from "../../platform/db/index.ts";
import { defineOperation, type Recorder } from "../../platform/operations.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
import { field } from "../../platform/http/validation.ts";
import { newId } from "../../platform/ids.ts";
import { queueMail } from "../../platform/mail/index.ts";
import type { Actor } from "../../platform/actor.ts";
import { isBookable } from "./availability.ts";
import { busyBetween, getSettings, loadRules } from "./settings.ts";
import { claimBookingOrThrow, releaseClaims } from "./claims.ts";
import { returnCredit, takeCredit } from "./credits.ts";
import { getCoachingOffer } from "./offers.ts";
import { mayBuy } from "./applications.ts";
import { meetingLink } from "./video.ts";
import { getMember } from "../members/index.ts";
import { holdExpired, sessionBooked, sessionCancelled, sessionRescheduled } from "./events.ts";
import type { CoachingBookingsTable } from "./tables.ts";

/** A booking awaiting payment holds its slot this long, then frees it. */
export const HOLD_MS = 15 * 60_000;

export type Booking = CoachingBookingsTable;

const isoInstant = z
  .string({ error: "validation.required" })
  .max(40, "validation.invalid")
  // A real calendar instant: "2026-02-30T08:00Z" would otherwise roll over to March.
  .refine(
    (s) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/.test(s) &&
      !Number.isNaN(Date.parse(s)) &&
      new Date(s).toISOString().slice(0, 16) === s.slice(0, 16),
    {
      message: "coaching.validation.date",
    },
  )
  .transform((s) => new Date(s).toISOString());

const badSlot = (key: string) => new AppError("invalid_input", 422, key, { startsAt: { key } });

/** Frees the slots of bookings whose payment did not come within the hold (run before any claim, and by the sweep job). */
export async function expireHolds(trx: Db, now: string, record?: Recorder): Promise<number> {
  const stale = await trx
    .selectFrom("coaching_bookings")
    .innerJoin("coaching_offers", "coaching_offers.id", "coaching_bookings.coaching_offer_id")
    .select([
      "coaching_bookings.id",
      "coaching_bookings.member_id",
      "coaching_bookings.starts_at",
      "coaching_offers.title",
    ])
    .where("status", "=", "pending_payment")
    .where("hold_expires_at", "<=", now)
    .execute();
  for (const b of stale) {
    const r = await trx
      .updateTable("coaching_bookings")
      .set({ status: "expired", updated_at: now })
      .where("id", "=", b.id)
      .where("status", "=", "pending_payment")
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) continue;
    await releaseClaims(trx, b.id);
    if (record)
      await record(holdExpired, { bookingId: b.id, title: b.title, startsAt: b.starts_at }, { memberId: b.member_id });
  }
  return stale.length;
}

/** Checks a start against the creator's rules (not against other bookings: the claim decides that). */
async function checkAvailable(trx: Db, startsAt: string, durationMin: number, nowMs: number) {
  if (Date.parse(startsAt) <= nowMs) throw badSlot("coaching.error.past");
  const rules = await loadRules(trx);
  const end = Date.parse(startsAt) + durationMin * 60_000;
  const from = new Date(Date.parse(startsAt) - 86_400_000).toISOString();
  const to = new Date(end + 86_400_000).toISOString();
  const ext = await busyBetween(trx, rules, from, to, { includeBookings: false });
  if (!isBookable(rules, { durationMin, now: nowMs, busy: ext.busy }, startsAt))
    throw badSlot("coaching.error.not_available");
  // Other bookings (the same time, the daily maximum) are the claims' to decide, in the database.
  return { rules, endsAt: new Date(end).toISOString() };
}

const bookInput = z.object({
  coachingOfferId: z.string({ error: "validation.required" }).max(60, "validation.invalid"),
  startsAt: isoInstant,
  timeZone: field.timeZone(),
});

const memberOf = (actor: Actor): string => {
  if (actor.kind !== "member") throw new AppError("unauthenticated", 401);
  return actor.memberId;
};

/**
 * A member books a slot: with a credit (package or session already paid),
 * free (discovery call), or held 15 minutes while they pay. One transaction:
 * hold expiry, availability check, cell claim (the database refuses a second
 * booking of the same time: 409 "this slot was just taken") and day place
 * (the daily maximum, also the database's: 409 "this day is full"), credit, booking
 * row, event, confirmation mail. A refused booking leaves nothing behind and
 * nothing charged (the checkout starts only after this succeeded).
 */
export const bookSession = defineOperation({
  name: "coaching.book",
  input: bookInput,
  authorize: (actor) => actor.kind === "member",
  async run({ trx, actor, input, clock, record }) {
    const memberId = memberOf(actor);
    const offer = await getCoachingOffer(trx, input.coachingOfferId);
    if (!offer.active) throw notFound();
    const now = clock.nowIso();
    if (!(await mayBuy(trx, memberId, offer, now)))
      throw new AppError("apply_first", 403, "coaching.error.apply_first");
    await expireHolds(trx, now, record);
    const { rules, endsAt } = await checkAvailable(trx, input.startsAt, offer.duration_min, clock.nowMs());
    const id = newId();
    await claimBookingOrThrow(trx, id, rules, input.startsAt, endsAt);
    let status: Booking["status"] = "confirmed";
    let creditId: string | null = null;
    if (offer.offer_id) {
      creditId = await takeCredit(trx, memberId, offer.id, id, now);
      if (!creditId) {
        if (offer.kind === "package") throw new AppError("no_credit", 409, "coaching.error.no_credit");
        status = "pending_payment";
      }
    }
    const settings = await getSettings(trx);
    const locale = (await getMember(trx, memberId))?.locale;
    const row: Booking = {
      id,
      coaching_offer_id: offer.id,
      member_id: memberId,
      starts_at: input.startsAt,
      ends_at: endsAt,
      status,
      hold_expires_at: status === "pending_payment" ? new Date(clock.nowMs() + HOLD_MS).toISOString() : null,
      order_id: null,
      credit_id: creditId,
      sequence: 0,
      video_url: meetingLink(settings),
      client_time_zone: input.timeZone,
      locale: locale ?? "fr",
      private_notes: "",
      shared_summary: "",
      reminder_24_at: null,
      reminder_1_at: null,
      cancelled_at: null,
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto("coaching_bookings").values(row).execute();
    await record(
      sessionBooked,
      { bookingId: id, title: offer.title, startsAt: row.starts_at, pendingPayment: status === "pending_payment" },
      { memberId },
    );
    if (status === "confirmed")
      await queueMail(trx, "coaching.invitation", { bookingId: id, sequence: 0 }, `coaching:inv:${id}:0`);
    return row;
  },
  present: (b) => ({ id: b.id, status: b.status, startsAt: b.starts_at, endsAt: b.ends_at }),
});

async function ownBooking(trx: Db, actor: Actor, id: string): Promise<Booking> {
  const b = await trx.selectFrom("coaching_bookings").selectAll().where("id", "=", id).executeTakeFirst();
  // Someone else's booking reads exactly like one that does not exist.
  if (!b || (actor.kind === "member" && b.member_id !== actor.memberId)) throw notFound();
  return b;
}

const byMemberOrStaff = (actor: Actor) => actor.kind === "member" || actor.kind === "staff" || actor.kind === "system";

/** Free cancellation until `cancel_hours` before; later the credit (or payment) is kept. The creator may always cancel (credit given back). */
export const cancelBooking = defineOperation({
  name: "coaching.cancel",
  input: z.object({ bookingId: z.string().max(60) }),
  authorize: byMemberOrStaff,
  async run({ trx, actor, input, clock, record }) {
    const b = await ownBooking(trx, actor, input.bookingId);
    if (b.status !== "confirmed" && b.status !== "pending_payment")
      throw new AppError("not_active", 409, "coaching.error.not_active");
    const now = clock.nowIso();
    const settings = await getSettings(trx);
    const inTime = Date.parse(b.starts_at) - clock.nowMs() >= settings.cancel_hours * 3_600_000;
    const byCreator = actor.kind !== "member";
    const creditReturned = inTime || byCreator ? await returnCredit(trx, b.id, now) : false;
    await trx
      .updateTable("coaching_bookings")
      .set({
        status: "cancelled",
        cancelled_at: now,
        sequence: b.sequence + 1,
        updated_at: now,
        credit_id: creditReturned ? null : b.credit_id,
      })
      .where("id", "=", b.id)
      .execute();
    await releaseClaims(trx, b.id);
    const offer = await getCoachingOffer(trx, b.coaching_offer_id);
    await record(
      sessionCancelled,
      {
        bookingId: b.id,
        title: offer.title,
        startsAt: b.starts_at,
        creditReturned,
        by: byCreator ? "creator" : "client",
      },
      { memberId: b.member_id },
    );
    if (b.status === "confirmed")
      await queueMail(trx, "coaching.cancel", { bookingId: b.id, sequence: b.sequence + 1 }, `coaching:cancel:${b.id}`);
    return { creditReturned };
  },
});

/** Moves a confirmed session to another free slot (same rules as cancelling); the invitation is updated (SEQUENCE + 1). */
export const rescheduleBooking = defineOperation({
  name: "coaching.reschedule",
  input: z.object({ bookingId: z.string().max(60), startsAt: isoInstant }),
  authorize: byMemberOrStaff,
  async run({ trx, actor, input, clock, record }) {
    const b = await ownBooking(trx, actor, input.bookingId);
    if (b.status !== "confirmed") throw new AppError("not_active", 409, "coaching.error.not_active");
    const settings = await getSettings(trx);
    if (actor.kind === "member" && Date.parse(b.starts_at) - clock.nowMs() < settings.cancel_hours * 3_600_000)
      throw new AppError("too_late", 409, "coaching.error.too_late");
    const offer = await getCoachingOffer(trx, b.coaching_offer_id);
    await expireHolds(trx, clock.nowIso(), record);
    const { rules, endsAt } = await checkAvailable(trx, input.startsAt, offer.duration_min, clock.nowMs());
    await releaseClaims(trx, b.id);
    await claimBookingOrThrow(trx, b.id, rules, input.startsAt, endsAt);
    const sequence = b.sequence + 1;
    await trx
      .updateTable("coaching_bookings")
      .set({
        starts_at: input.startsAt,
        ends_at: endsAt,
        sequence,
        reminder_24_at: null,
        reminder_1_at: null,
        updated_at: clock.nowIso(),
      })
      .where("id", "=", b.id)
      .execute();
    await record(
      sessionRescheduled,
      { bookingId: b.id, title: offer.title, startsAt: input.startsAt, previousStartsAt: b.starts_at },
      { memberId: b.member_id },
    );
    await queueMail(trx, "coaching.invitation", { bookingId: b.id, sequence }, `coaching:inv:${b.id}:${sequence}`);
    return { startsAt: input.startsAt, sequence };
  },
});

export async function memberBookings(db: Db, memberId: string): Promise<(Booking & { title: string })[]> {
  return db
    .selectFrom("coaching_bookings")
    .innerJoin("coaching_offers", "coaching_offers.id", "coaching_bookings.coaching_offer_id")
    .selectAll("coaching_bookings")
    .select("coaching_offers.title")
    .where("member_id", "=", memberId)
    .orderBy("starts_at", "desc")
    .execute();
}
