import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { formValue, readForm } from "../../platform/http/forms.ts";
import { formatDateTime } from "../../platform/i18n/index.ts";
import { page } from "../../platform/views/layout.tsx";
import { CsrfField } from "../../platform/views/components.tsx";
import { runOperation } from "../../platform/operations.ts";
import { memberActor } from "../../platform/actor.ts";
import { safeEqual } from "../../platform/security/tokens.ts";
import { getMember } from "../members/index.ts";
import { cancelBooking, rescheduleBooking } from "./booking.ts";
import { getCoachingOffer } from "./offers.ts";
import { getSettings } from "./settings.ts";
import { SlotList } from "./public.tsx";
import { coachingHead } from "./assets.tsx";
import { bookingForLink, type ManagedBooking } from "./manage-link.ts";

/**
 * "Reschedule or cancel" from the email, without signing in: the signed link
 * (manage-link.ts) opens a confirmation page for that booking only; a GET
 * never changes anything; moving or cancelling is a POST carrying the page's
 * CSRF token, run as the booking's client through the same operations as
 * their account (the cancellation policy included).
 */

async function linked(c: AppContext): Promise<ManagedBooking> {
  const b = await bookingForLink(
    c.var.services.db,
    c.var.services.secret,
    c.req.param("id") ?? "",
    c.req.query("e"),
    c.req.query("s"),
    c.var.services.clock.nowMs(),
  );
  c.header("Cache-Control", "private, no-store");
  // The signed URL never leaves in a Referer ("no-referrer" would make the forms send "Origin: null").
  c.header("Referrer-Policy", "same-origin");
  return b;
}

/** The session middleware checks the token when a session is there; a visitor from the email has none, so here. */
async function checkedForm(c: AppContext) {
  const form = await readForm(c);
  const sent = formValue(form, "_csrf");
  if (!sent || !safeEqual(sent, c.var.csrfToken)) throw new AppError("csrf", 403);
  return form;
}

const query = (c: AppContext) =>
  `?e=${encodeURIComponent(c.req.query("e") ?? "")}&s=${encodeURIComponent(c.req.query("s") ?? "")}`;

async function context(c: AppContext, b: ManagedBooking) {
  const db = c.var.services.db;
  const member = await getMember(db, b.member_id);
  if (!member) throw new AppError("not_found", 404, "coaching.manage.bad_link");
  const offer = await getCoachingOffer(db, b.coaching_offer_id);
  const settings = await getSettings(db);
  const inTime = Date.parse(b.starts_at) - c.var.services.clock.nowMs() >= settings.cancel_hours * 3_600_000;
  // The zone the emails showed the time in (the one chosen when booking).
  const zone = b.client_time_zone || member.timeZone || "UTC";
  return { member, offer, settings, inTime, zone, when: formatDateTime(c.var.locale, b.starts_at, zone) };
}

function done(c: AppContext, key: "cancelled" | "moved", when: string) {
  const t = tr(c);
  return page(
    c,
    { title: t(`coaching.manage.${key}`), noindex: true, head: coachingHead() },
    <div class="narrow coaching-page">
      <h1>{t(`coaching.manage.${key}`)}</h1>
      <p>{t(`coaching.manage.${key}_body`, { when })}</p>
      <p>
        <a href="/account/coaching">{t("coaching.mail.button")}</a>
      </p>
    </div>,
  );
}

export function manageRoutes(app: Hono<AppEnv>): void {
  app.get("/coaching/manage/:id", async (c) => {
    const t = tr(c);
    const b = await linked(c);
    const x = await context(c, b);
    const base = `/coaching/manage/${b.id}`;
    return page(
      c,
      { title: t("coaching.manage.title"), noindex: true, head: coachingHead() },
      <div class="narrow coaching-page">
        <h1>{t("coaching.manage.title")}</h1>
        <p>
          <strong>{x.offer.title}</strong> · {x.when} <span class="muted small">({x.zone})</span>
        </p>
        <p class="muted">
          {x.inTime
            ? t("coaching.manage.in_time", { hours: x.settings.cancel_hours })
            : t("coaching.manage.too_late", { hours: x.settings.cancel_hours })}
        </p>
        <div class="actions">
          {x.inTime && (
            <a class="btn" href={`${base}/reschedule${query(c)}`}>
              {t("coaching.manage.reschedule")}
            </a>
          )}
          <form method="post" action={`${base}/cancel${query(c)}`}>
            <CsrfField c={c} />
            <button class="btn secondary" type="submit">
              {t("coaching.manage.cancel")}
            </button>
          </form>
        </div>
      </div>,
    );
  });

  app.post("/coaching/manage/:id/cancel", async (c) => {
    const b = await linked(c);
    await checkedForm(c);
    const x = await context(c, b);
    await runOperation(c.var.services, cancelBooking, memberActor(b.member_id), { bookingId: b.id });
    return done(c, "cancelled", x.when);
  });

  app.get("/coaching/manage/:id/reschedule", async (c) => {
    const t = tr(c);
    const b = await linked(c);
    const x = await context(c, b);
    if (!x.inTime) throw new AppError("too_late", 409, "coaching.error.too_late");
    const action = `/coaching/manage/${b.id}/reschedule${query(c)}`;
    return page(
      c,
      { title: t("coaching.manage.reschedule"), noindex: true, head: coachingHead() },
      <div class="narrow coaching-page">
        <h1>{t("coaching.manage.reschedule")}</h1>
        <p>
          {x.offer.title} · {x.when} <span class="muted small">({x.zone})</span>
        </p>
        <SlotList
          c={c}
          offer={x.offer}
          zone={x.zone}
          days={14}
          action={action}
          member={x.member}
          exceptBookingId={b.id}
        />
      </div>,
    );
  });

  app.post("/coaching/manage/:id/reschedule", async (c) => {
    const b = await linked(c);
    const form = await checkedForm(c);
    const x = await context(c, b);
    await runOperation(c.var.services, rescheduleBooking, memberActor(b.member_id), {
      bookingId: b.id,
      startsAt: formValue(form, "startsAt"),
    });
    const after = await c.var.services.db
      .selectFrom("coaching_bookings")
      .select("starts_at")
      .where("id", "=", b.id)
      .executeTakeFirstOrThrow();
    return done(c, "moved", formatDateTime(c.var.locale, after.starts_at, x.zone));
  });
}
