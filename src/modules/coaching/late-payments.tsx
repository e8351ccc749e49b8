import type { Hono } from "hono";
import { z } from "zod";
import type { Db } from "../../platform/db/index.ts";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError, conflict, notFound } from "../../platform/http/errors.ts";
import { readForm } from "../../platform/http/forms.ts";
import { formatDateTime } from "../../platform/i18n/index.ts";
import { defineOperation, ownerOnly, runOperation } from "../../platform/operations.ts";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { CsrfField } from "../../platform/views/components.tsx";
import { currentStaff, staffActorOf } from "../staff/index.ts";
import { getMember } from "../members/index.ts";
import { refundOrder } from "../offers/index.ts";
import { getSettings } from "./settings.ts";
import { latePaymentRefunded } from "./events.ts";

/**
 * Late payments: a single session paid after its 15-minute hold ran out,
 * for a time someone else has booked since. The client keeps a credit (and
 * was told they can book another time or ask for their money back); the
 * creator sees each one here and may refund it in one click (owner only).
 * The refund revokes the unused credit and asks offers' refund in the same
 * transaction: a credit already used to book, or already refunded, is a 409
 * and nothing is asked of the payment provider.
 */

export type LateState = "credit_kept" | "rebooked" | "refunded";

export interface LatePayment {
  bookingId: string;
  memberId: string;
  orderId: string;
  title: string;
  startsAt: string;
  state: LateState;
}

/** The late payments, newest first, with what became of their credit. */
export async function latePayments(db: Db, limit = 100): Promise<LatePayment[]> {
  const rows = await db
    .selectFrom("coaching_bookings")
    .innerJoin("coaching_offers", "coaching_offers.id", "coaching_bookings.coaching_offer_id")
    .select([
      "coaching_bookings.id",
      "coaching_bookings.member_id",
      "coaching_bookings.order_id",
      "coaching_bookings.starts_at",
      "coaching_offers.title",
    ])
    .where("coaching_bookings.status", "=", "expired")
    .where("coaching_bookings.order_id", "is not", null)
    .orderBy("coaching_bookings.updated_at", "desc")
    .limit(limit)
    .execute();
  if (!rows.length) return [];
  const credits = await db
    .selectFrom("coaching_credits")
    .select(["source", "booking_id", "revoked_at"])
    .where(
      "source",
      "in",
      rows.map((r) => `order:${r.order_id}`),
    )
    .execute();
  return rows.map((r) => {
    const mine = credits.filter((c) => c.source === `order:${r.order_id}`);
    const state: LateState = mine.some((c) => c.revoked_at)
      ? "refunded"
      : mine.some((c) => c.booking_id)
        ? "rebooked"
        : "credit_kept";
    return {
      bookingId: r.id,
      memberId: r.member_id,
      orderId: r.order_id!,
      title: r.title,
      startsAt: r.starts_at,
      state,
    };
  });
}

export const refundLatePayment = defineOperation({
  name: "coaching.refund_late_payment",
  input: z.object({ bookingId: z.string().max(60) }),
  roles: ownerOnly,
  async run({ trx, actor, input, clock, record, services, afterCommit }) {
    const b = await trx
      .selectFrom("coaching_bookings")
      .innerJoin("coaching_offers", "coaching_offers.id", "coaching_bookings.coaching_offer_id")
      .select(["coaching_bookings.id", "member_id", "order_id", "status", "starts_at", "title"])
      .where("coaching_bookings.id", "=", input.bookingId)
      .executeTakeFirst();
    if (!b || b.status !== "expired" || !b.order_id) throw notFound();
    const at = clock.nowIso();
    const source = `order:${b.order_id}`;
    const used = await trx
      .selectFrom("coaching_credits")
      .select("id")
      .where("source", "=", source)
      .where((eb) => eb.or([eb("booking_id", "is not", null), eb("revoked_at", "is not", null)]))
      .executeTakeFirst();
    if (used) throw conflict("coaching.late.err_used");
    // Guarded on both columns: a booking taking this credit at the same moment makes one of the two fail.
    const r = await trx
      .updateTable("coaching_credits")
      .set({ revoked_at: at, updated_at: at })
      .where("source", "=", source)
      .where("booking_id", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw conflict("coaching.late.err_used");
    await record(
      latePaymentRefunded,
      { bookingId: b.id, title: b.title, startsAt: b.starts_at },
      { memberId: b.member_id },
    );
    // Offers' own refund, in this transaction; the provider is called after the commit, once (idempotency key).
    await runOperation(services, refundOrder, actor, { id: b.order_id }, { trx, afterCommit });
    return { orderId: b.order_id };
  },
});

async function latePage(c: AppContext, status: 200 | 409 = 200, errorKey?: string) {
  const t = tr(c);
  const db = c.var.services.db;
  const staff = await currentStaff(c);
  const zone = (await getSettings(db)).time_zone;
  const list = await latePayments(db);
  const names = new Map<string, string>();
  for (const p of list)
    if (!names.has(p.memberId)) {
      const m = await getMember(db, p.memberId);
      names.set(p.memberId, m ? m.name || m.email : "—");
    }
  return adminPage(
    c,
    t("coaching.late.title"),
    <div class="admin-section">
      <p class="muted">{t("coaching.late.lead")}</p>
      {errorKey && (
        <p class="notice warn" role="alert">
          {t(errorKey)}
        </p>
      )}
      {c.req.query("refunded") === "1" && <p class="notice">{t("coaching.late.done")}</p>}
      {list.length === 0 ? (
        <p class="muted">{t("coaching.late.empty")}</p>
      ) : (
        <ul class="coaching-sessions">
          {list.map((p) => (
            <li class="coaching-session">
              <strong>{names.get(p.memberId)}</strong> · {p.title} ·{" "}
              {t("coaching.late.was", { when: formatDateTime(c.var.locale, p.startsAt, zone) })}{" "}
              <span class="muted small">{t(`coaching.late.state.${p.state}`)}</span>
              {p.state === "credit_kept" &&
                (staff.role === "owner" ? (
                  <form
                    method="post"
                    action={`/admin/coaching/late-payments/${p.bookingId}/refund`}
                    class="inline-form"
                  >
                    <CsrfField c={c} />
                    <button type="submit" class="btn secondary">
                      {t("coaching.late.refund")}
                    </button>
                  </form>
                ) : (
                  <span class="muted small"> {t("coaching.late.owner_only")}</span>
                ))}
            </li>
          ))}
        </ul>
      )}
    </div>,
    status,
  );
}

/** How many late payments still wait for the creator (the overview's link shows it). */
export async function latePaymentsWaiting(db: Db): Promise<number> {
  return (await latePayments(db)).filter((p) => p.state === "credit_kept").length;
}

export function latePaymentRoutes(app: Hono<AppEnv>): void {
  app.get("/admin/coaching/late-payments", (c) => latePage(c));
  app.post("/admin/coaching/late-payments/:id/refund", async (c) => {
    await readForm(c);
    try {
      await runOperation(c.var.services, refundLatePayment, await staffActorOf(c), { bookingId: c.req.param("id") });
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return latePage(c, 409, err.messageKey);
      throw err;
    }
    return c.redirect("/admin/coaching/late-payments?refunded=1", 303);
  });
}
