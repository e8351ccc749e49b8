import type { Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { safeEqual, sign } from "../../platform/security/tokens.ts";

/**
 * The one-click "reschedule or cancel" link of a booking's emails. Signed
 * with the site secret over the booking's id, its SEQUENCE and the link's end
 * (the session's start): nothing is stored, mails mint it at send time from
 * the booking as it is then. Moving or cancelling the session raises the
 * SEQUENCE, so every older link (a replayed one included) stops working and
 * says it is out of date; a link of another booking, a changed end or a made
 * up signature is refused the same way as an unknown id (nothing tells which
 * ids exist).
 */

const signature = (secret: string, bookingId: string, sequence: number, end: number) =>
  sign(secret, `coaching-manage:${bookingId}:${sequence}:${end}`);

export function manageLinkPath(
  secret: string,
  b: { id: string; sequence: number; starts_at: string },
  suffix = "",
): string {
  const end = Math.floor(Date.parse(b.starts_at) / 1000);
  return `/coaching/manage/${b.id}${suffix}?e=${end}&s=${signature(secret, b.id, b.sequence, end)}`;
}

export interface ManagedBooking {
  id: string;
  member_id: string;
  coaching_offer_id: string;
  starts_at: string;
  status: string;
  sequence: number;
  client_time_zone: string;
}

/** The booking a link opens, or a translated 4xx: 404 forged/unknown, 410 expired or out of date. */
export async function bookingForLink(
  db: Db,
  secret: string,
  bookingId: string,
  e: string | undefined,
  s: string | undefined,
  nowMs: number,
): Promise<ManagedBooking> {
  const bad = new AppError("not_found", 404, "coaching.manage.bad_link");
  if (!/^\d{1,12}$/.test(e ?? "") || !s || s.length > 100 || bookingId.length > 60) throw bad;
  const end = Number(e);
  const b = await db
    .selectFrom("coaching_bookings")
    .select(["id", "member_id", "coaching_offer_id", "starts_at", "status", "sequence", "client_time_zone"])
    .where("id", "=", bookingId)
    .executeTakeFirst();
  if (!b) throw bad;
  if (!safeEqual(s, signature(secret, b.id, b.sequence, end))) {
    // Signed for an earlier state of this booking: genuine, but the session moved or was cancelled since.
    for (let seq = b.sequence - 1; seq >= 0 && seq >= b.sequence - 50; seq--)
      if (safeEqual(s, signature(secret, b.id, seq, end)))
        throw new AppError("stale_link", 410, "coaching.manage.stale_link");
    throw bad;
  }
  if (end * 1000 <= nowMs || b.status !== "confirmed")
    throw new AppError("expired_link", 410, "coaching.manage.expired_link");
  return b;
}
