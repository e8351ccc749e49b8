import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
import { readForm, formValue } from "../../platform/http/forms.ts";
import { formatDate, formatDateTime } from "../../platform/i18n/index.ts";
import { page } from "../../platform/views/layout.tsx";
import { CsrfField } from "../../platform/views/components.tsx";
import { runOperation } from "../../platform/operations.ts";
import { memberActor } from "../../platform/actor.ts";
import { currentMember, registerAccountSection, type Member } from "../members/index.ts";
import { cancelBooking, memberBookings, rescheduleBooking } from "./booking.ts";
import { memberCredits } from "./credits.ts";
import { getCoachingOffer, listCoachingOffers } from "./offers.ts";
import { cachedRules, getSettings } from "./settings.ts";
import { SlotList, zoneOf } from "./public.tsx";
import { ZonePicker } from "./zone-picker.tsx";
import { coachingHead } from "./assets.tsx";

/**
 * The client's side: their sessions (upcoming with the video link and the
 * cancellation rule, past with the summaries shared with them), credits left
 * and their expiry. Every query is by the logged-in member's id; another
 * client's booking is a 404. Private notes are never selected here.
 */

async function requireMember(c: AppContext): Promise<Member> {
  const m = await currentMember(c);
  if (!m) throw new AppError("unauthenticated", 401);
  return m;
}

async function sessionsPage(c: AppContext) {
  const t = tr(c);
  const member = await currentMember(c);
  if (!member) return c.redirect("/login?next=/account/coaching", 303);
  const db = c.var.services.db;
  const now = c.var.services.clock.nowIso();
  const zone = member.timeZone || "UTC";
  const bookings = (await memberBookings(db, member.id)).filter((b) => b.status !== "expired");
  const upcoming = bookings
    .filter((b) => b.ends_at > now && (b.status === "confirmed" || b.status === "pending_payment"))
    .reverse();
  const past = bookings.filter((b) => !upcoming.includes(b));
  const credits = await memberCredits(db, member.id, now);
  const offers = new Map((await listCoachingOffers(db)).map((o) => [o.id, o]));
  const settings = await getSettings(db);
  const locale = c.var.locale;
  return page(
    c,
    { title: t("coaching.account.title"), noindex: true, head: coachingHead() },
    <div class="narrow coaching-page">
      <h1>{t("coaching.account.title")}</h1>
      {c.req.query("booked") && <p class="notice">{t("coaching.account.booked")}</p>}
      <p class="muted small">{t("coaching.account.policy", { hours: settings.cancel_hours })}</p>
      <h2>{t("coaching.account.credits")}</h2>
      {credits.length === 0 && <p class="muted">{t("coaching.account.no_credits")}</p>}
      <ul class="plain-list">
        {credits.map((cr) => {
          const o = offers.get(cr.coachingOfferId);
          return (
            <li>
              <strong>{o?.title}</strong> —{" "}
              {t(cr.left === 1 ? "coaching.account.left.one" : "coaching.account.left.other", { n: cr.left })}
              {cr.nextExpiry &&
                ` · ${t("coaching.account.expires", { date: formatDate(locale, cr.nextExpiry, zone) })}`}
              {cr.left > 0 && o && (
                <>
                  {" "}
                  <a href={`/coaching/${o.slug}`}>{t("coaching.account.book_one")}</a>
                </>
              )}
            </li>
          );
        })}
      </ul>
      <h2>{t("coaching.account.upcoming")}</h2>
      {upcoming.length === 0 && <p class="muted">{t("coaching.account.none")}</p>}
      <ul class="coaching-sessions">
        {upcoming.map((b) => (
          <li class="coaching-session" data-booking={b.id}>
            <strong>{b.title}</strong>
            <div>
              {formatDateTime(locale, b.starts_at, zone)} <span class="muted small">({zone})</span>
            </div>
            {b.status === "pending_payment" ? (
              <p class="muted">{t("coaching.account.awaiting_payment")}</p>
            ) : (
              <p>
                {t("coaching.account.video")} <a href={b.video_url}>{b.video_url}</a>
              </p>
            )}
            <div class="actions">
              {b.status === "confirmed" && (
                <a class="btn secondary" href={`/account/coaching/${b.id}/reschedule`}>
                  {t("coaching.account.reschedule")}
                </a>
              )}
              <form method="post" action={`/account/coaching/${b.id}/cancel`}>
                <CsrfField c={c} />
                <button class="btn secondary" type="submit">
                  {t("coaching.account.cancel")}
                </button>
              </form>
            </div>
          </li>
        ))}
      </ul>
      <h2>{t("coaching.account.past")}</h2>
      {past.length === 0 && <p class="muted">{t("coaching.account.none")}</p>}
      <ul class="coaching-sessions">
        {past.map((b) => (
          <li class="coaching-session">
            <strong>{b.title}</strong> · {formatDateTime(locale, b.starts_at, zone)} ·{" "}
            <span class="muted">{t(`coaching.status.${b.status}`)}</span>
            {b.shared_summary && (
              <div>
                <h3>{t("coaching.account.summary")}</h3>
                <p class="coaching-summary">{b.shared_summary}</p>
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>,
  );
}

export function accountRoutes(app: Hono<AppEnv>): void {
  registerAccountSection(
    (c) => {
      const t = tr(c);
      return (
        <section class="account-section">
          <h2>{t("coaching.account.title")}</h2>
          <p>
            <a href="/account/coaching">{t("coaching.account.open")}</a>
          </p>
        </section>
      );
    },
    { id: "coaching", order: 30 },
  );
  app.get("/account/coaching", (c) => sessionsPage(c));

  app.post("/account/coaching/:id/cancel", async (c) => {
    const member = await requireMember(c);
    await readForm(c);
    await runOperation(c.var.services, cancelBooking, memberActor(member.id), { bookingId: c.req.param("id") });
    return c.redirect("/account/coaching", 303);
  });

  app.get("/account/coaching/:id/reschedule", async (c) => {
    const t = tr(c);
    const member = await requireMember(c);
    const db = c.var.services.db;
    const b = await db
      .selectFrom("coaching_bookings")
      .select(["id", "coaching_offer_id", "starts_at", "status"])
      .where("id", "=", c.req.param("id"))
      .where("member_id", "=", member.id)
      .executeTakeFirst();
    if (!b || b.status !== "confirmed") throw notFound();
    const offer = await getCoachingOffer(db, b.coaching_offer_id);
    const zone = zoneOf(c, member) ?? "UTC";
    const path = `/account/coaching/${b.id}/reschedule`;
    return page(
      c,
      { title: t("coaching.account.reschedule"), noindex: true, head: coachingHead() },
      <div class="narrow coaching-page">
        <h1>{t("coaching.account.reschedule")}</h1>
        <p>
          {offer.title} · {formatDateTime(c.var.locale, b.starts_at, zone)}
        </p>
        <ZonePicker
          c={c}
          zone={zone}
          action={path}
          slug={offer.slug}
          extra={[(await cachedRules(db)).timeZone, c.var.site.timeZone]}
          back={path}
        />
        <SlotList c={c} offer={offer} zone={zone} days={14} action={path} member={member} exceptBookingId={b.id} />
      </div>,
    );
  });

  app.post("/account/coaching/:id/reschedule", async (c) => {
    const member = await requireMember(c);
    const form = await readForm(c);
    await runOperation(c.var.services, rescheduleBooking, memberActor(member.id), {
      bookingId: c.req.param("id"),
      startsAt: formValue(form, "startsAt"),
    });
    return c.redirect("/account/coaching?moved=1", 303);
  });
}
