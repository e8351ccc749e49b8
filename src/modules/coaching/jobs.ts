import { transaction, type Db } from "../../platform/db/index.ts";
import { record } from "../../platform/events/index.ts";
import { registerRecurringJob } from "../../platform/jobs/index.ts";
import { queueMail } from "../../platform/mail/index.ts";
import { systemClock } from "../../platform/time.ts";
import { expireHolds } from "./booking.ts";
import { registerCoachingMails } from "./mails.ts";
import { registerRefundMail } from "./refund-mail.ts";
import { registerLateMail } from "./late-mail.ts";
import { registerPaymentConsumer } from "./payments.ts";
import { refreshBusyCalendar } from "./external.ts";

const HOUR = 3_600_000;

/**
 * Reminders 24 h and 1 h before. A reminder is marked on the booking and its
 * mail queued in the same transaction (guarded by "not marked yet", with a
 * dedupe key per booking, start and kind), so a sweep that runs twice, on two
 * nodes, or again after a crash queues it once; a booking cancelled or moved
 * since is not reminded (the renderer checks the start it was queued for).
 */
export async function sendDueReminders(db: Db, nowMs: number, opts: { pauseMs?: number } = {}): Promise<number> {
  const now = new Date(nowMs).toISOString();
  const soon = new Date(nowMs + 24 * HOUR).toISOString();
  const due = await db
    .selectFrom("coaching_bookings")
    .select(["id", "starts_at", "reminder_24_at", "reminder_1_at"])
    .where("status", "=", "confirmed")
    .where("starts_at", ">", now)
    .where("starts_at", "<=", soon)
    .where((eb) => eb.or([eb("reminder_24_at", "is", null), eb("reminder_1_at", "is", null)]))
    .execute();
  let queued = 0;
  for (const b of due) {
    const within1h = Date.parse(b.starts_at) - nowMs <= HOUR;
    const hours = within1h ? 1 : 24;
    if (hours === 24 && b.reminder_24_at) continue;
    if (hours === 1 && b.reminder_1_at) continue;
    await transaction(db, async (trx) => {
      const marked = await trx
        .updateTable("coaching_bookings")
        .set(hours === 1 ? { reminder_1_at: now, reminder_24_at: b.reminder_24_at ?? now } : { reminder_24_at: now })
        .where("id", "=", b.id)
        .where("status", "=", "confirmed")
        .where("starts_at", "=", b.starts_at)
        .where(hours === 1 ? "reminder_1_at" : "reminder_24_at", "is", null)
        .executeTakeFirst();
      if (Number(marked.numUpdatedRows) === 0) return;
      await queueMail(
        trx,
        "coaching.reminder",
        { bookingId: b.id, hours, startsAt: b.starts_at },
        `coaching:rem${hours}:${b.id}:${b.starts_at}`,
      );
      queued++;
    });
    // The kill test slows the sweep down so a SIGKILL lands in the middle of it.
    if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
  }
  return queued;
}

/** Releases the holds whose payment did not come in time (also done before every claim). */
export async function releaseExpiredHolds(db: Db, nowMs: number): Promise<number> {
  const at = new Date(nowMs).toISOString();
  return transaction(db, (trx) =>
    expireHolds(trx, at, (event, payload, o) =>
      record(trx, event, payload, { memberId: o.memberId, actor: "system", at }),
    ),
  );
}

export function coachingJobs(): void {
  registerCoachingMails();
  registerLateMail();
  registerRefundMail();
  registerPaymentConsumer();
  registerRecurringJob("coaching.sweep", 60_000, async (_p, { db }) => {
    const now = systemClock.nowMs();
    await releaseExpiredHolds(db, now);
    await sendDueReminders(db, now);
  });
  registerRecurringJob("coaching.busy_calendar", 5 * 60_000, async (_p, { db }) => {
    await refreshBusyCalendar(db, systemClock.nowMs());
  });
}
