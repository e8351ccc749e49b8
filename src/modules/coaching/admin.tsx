import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { notFound } from "../../platform/http/errors.ts";
import { readForm } from "../../platform/http/forms.ts";
import { formatDateTime, tCount } from "../../platform/i18n/index.ts";
import { adminPage, registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { CsrfField, TextArea } from "../../platform/views/components.tsx";
import { runOperation } from "../../platform/operations.ts";
import { getMember } from "../members/index.ts";
import { getSettings } from "./settings.ts";
import { markNoShow, rotateFeedToken, saveSessionNotes } from "./creator.ts";
import { getCoachingOffer } from "./offers.ts";
import { cancelBooking } from "./booking.ts";
import { memberCredits } from "./credits.ts";
import { latePaymentsWaiting } from "./late-payments.tsx";
import { actorOf } from "./admin-shared.ts";
import { availabilityRoutes } from "./admin-availability.tsx";
import { offerAdminRoutes } from "./admin-offers.tsx";

/** The creator's coaching screens, in plain words (no ids or keys shown). */

async function overviewPage(c: AppContext, feedUrl?: string) {
  const t = tr(c);
  const db = c.var.services.db;
  const now = c.var.services.clock.nowIso();
  const rows = await db
    .selectFrom("coaching_bookings")
    .innerJoin("coaching_offers", "coaching_offers.id", "coaching_bookings.coaching_offer_id")
    .select(["coaching_bookings.id", "coaching_bookings.member_id", "starts_at", "status", "title"])
    .where("status", "in", ["confirmed", "pending_payment", "no_show"])
    .orderBy("starts_at")
    .limit(500)
    .execute();
  const names = new Map<string, string>();
  for (const r of rows)
    if (!names.has(r.member_id)) names.set(r.member_id, (await getMember(db, r.member_id))?.name || "—");
  const zone = (await getSettings(db)).time_zone;
  const late = await latePaymentsWaiting(db);
  const list = (items: typeof rows) => (
    <ul class="coaching-sessions">
      {items.map((r) => (
        <li class="coaching-session">
          <a href={`/admin/coaching/sessions/${r.id}`}>
            <strong>{formatDateTime(c.var.locale, r.starts_at, zone)}</strong> · {r.title} · {names.get(r.member_id)}
          </a>{" "}
          <span class="muted small">{t(`coaching.status.${r.status}`)}</span>
        </li>
      ))}
    </ul>
  );
  return adminPage(
    c,
    t("coaching.admin.title"),
    <div class="admin-section">
      <p class="stack-row">
        <a class="btn" href="/admin/coaching/availability">
          {t("coaching.admin.availability")}
        </a>{" "}
        <a class="btn secondary" href="/admin/coaching/offers">
          {t("coaching.admin.offers")}
        </a>{" "}
        <a class="btn secondary" href="/admin/coaching/late-payments">
          {t("coaching.late.nav")}
        </a>
      </p>
      {late > 0 && (
        <p class="notice warn">
          <a href="/admin/coaching/late-payments">{tCount(c.var.locale, "coaching.late.waiting", late)}</a>
        </p>
      )}
      <h2>{t("coaching.admin.upcoming")}</h2>
      {list(rows.filter((r) => r.starts_at >= now))}
      <h2>{t("coaching.admin.past")}</h2>
      {list(
        rows
          .filter((r) => r.starts_at < now)
          .reverse()
          .slice(0, 50),
      )}
      <h2>{t("coaching.admin.feed")}</h2>
      <p class="muted">{t("coaching.admin.feed_help")}</p>
      {feedUrl && (
        <p class="notice coaching-feed">
          {t("coaching.admin.feed_new")} <code>{feedUrl}</code>
        </p>
      )}
      <form method="post" action="/admin/coaching/feed">
        <CsrfField c={c} />
        <button class="btn secondary" type="submit">
          {t("coaching.admin.feed_rotate")}
        </button>
      </form>
    </div>,
  );
}

async function sessionPage(c: AppContext, id: string) {
  const t = tr(c);
  const db = c.var.services.db;
  const b = await db.selectFrom("coaching_bookings").selectAll().where("id", "=", id).executeTakeFirst();
  if (!b) throw notFound();
  const offer = await getCoachingOffer(db, b.coaching_offer_id);
  const member = await getMember(db, b.member_id);
  const zone = (await getSettings(db)).time_zone;
  const credits = await memberCredits(db, b.member_id, c.var.services.clock.nowIso());
  const past = b.starts_at < c.var.services.clock.nowIso();
  return adminPage(
    c,
    `${offer.title} · ${member?.name || member?.email || ""}`,
    <div class="admin-section">
      <p>
        <strong>{formatDateTime(c.var.locale, b.starts_at, zone)}</strong> · {t(`coaching.status.${b.status}`)} ·{" "}
        <a href={b.video_url}>{t("coaching.admin.join_video")}</a>
      </p>
      <p class="muted">
        {member?.email} · {t("coaching.admin.client_zone", { zone: b.client_time_zone })} ·{" "}
        {credits
          .map((cr) => t(cr.left === 1 ? "coaching.account.left.one" : "coaching.account.left.other", { n: cr.left }))
          .join(" · ")}
      </p>
      <form method="post" action={`/admin/coaching/sessions/${b.id}/notes`} class="admin-form">
        <CsrfField c={c} />
        <TextArea
          c={c}
          name="privateNotes"
          label={t("coaching.admin.private_notes")}
          hint={t("coaching.admin.private_help")}
          rows={6}
          value={b.private_notes}
        />
        <TextArea
          c={c}
          name="sharedSummary"
          label={t("coaching.admin.shared_summary")}
          hint={t("coaching.admin.shared_help")}
          rows={6}
          value={b.shared_summary}
        />
        <button class="btn" type="submit">
          {t("coaching.admin.save")}
        </button>
      </form>
      <div class="stack-row">
        {past && b.status === "confirmed" && (
          <form method="post" action={`/admin/coaching/sessions/${b.id}/no-show`}>
            <CsrfField c={c} />
            <button class="btn secondary" type="submit">
              {t("coaching.admin.no_show")}
            </button>
          </form>
        )}
        {!past && (b.status === "confirmed" || b.status === "pending_payment") && (
          <form method="post" action={`/admin/coaching/sessions/${b.id}/cancel`}>
            <CsrfField c={c} />
            <button class="btn secondary" type="submit">
              {t("coaching.admin.cancel")}
            </button>
          </form>
        )}
      </div>
    </div>,
  );
}

export function adminRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/coaching", labelKey: "coaching.admin.nav", order: 45 });
  app.get("/admin/coaching", (c) => overviewPage(c));
  app.post("/admin/coaching/feed", async (c) => {
    await readForm(c);
    const token = await runOperation(c.var.services, rotateFeedToken, await actorOf(c), {});
    return overviewPage(c, `${c.var.services.config.publicUrl}/coaching/feed/${token}.ics`);
  });
  availabilityRoutes(app);
  offerAdminRoutes(app);
  app.get("/admin/coaching/sessions/:id", (c) => sessionPage(c, c.req.param("id")));
  app.post("/admin/coaching/sessions/:id/notes", async (c) => {
    const form = await readForm(c);
    await runOperation(c.var.services, saveSessionNotes, await actorOf(c), { ...form, bookingId: c.req.param("id") });
    return c.redirect(`/admin/coaching/sessions/${c.req.param("id")}`, 303);
  });
  app.post("/admin/coaching/sessions/:id/no-show", async (c) => {
    await readForm(c);
    await runOperation(c.var.services, markNoShow, await actorOf(c), { bookingId: c.req.param("id") });
    return c.redirect(`/admin/coaching/sessions/${c.req.param("id")}`, 303);
  });
  app.post("/admin/coaching/sessions/:id/cancel", async (c) => {
    await readForm(c);
    await runOperation(c.var.services, cancelBooking, await actorOf(c), { bookingId: c.req.param("id") });
    return c.redirect(`/admin/coaching/sessions/${c.req.param("id")}`, 303);
  });
}
