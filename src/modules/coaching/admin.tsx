import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
import { readForm, formValue, type FormData } from "../../platform/http/forms.ts";
import { formatDateTime, tCount } from "../../platform/i18n/index.ts";
import { adminPage, registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { CsrfField, Field, FormErrors, Select, TextArea, type Errors } from "../../platform/views/components.tsx";
import { runOperation } from "../../platform/operations.ts";
import { staffActor, type Actor } from "../../platform/actor.ts";
import { timeZones } from "../../platform/http/validation.ts";
import { currentStaff } from "../staff/index.ts";
import { getMember } from "../members/index.ts";
import { listOffers } from "../offers/index.ts";
import { getSettings, loadRules } from "./settings.ts";
import { markNoShow, rotateFeedToken, saveAvailability, saveSessionNotes } from "./creator.ts";
import { createCoachingOffer, getCoachingOffer, listCoachingOffers } from "./offers.ts";
import { cancelBooking } from "./booking.ts";
import { memberCredits } from "./credits.ts";
import { latePaymentsWaiting } from "./late-payments.tsx";

/** The creator's coaching screens, in plain words (no ids or keys shown). */

async function actorOf(c: AppContext): Promise<Actor> {
  const s = await currentStaff(c);
  return staffActor(s.id, s.role);
}

const fmtRanges = (r: { startMin: number | null; endMin: number | null }[]) =>
  r
    .map(
      (x) =>
        `${String(Math.floor(x.startMin! / 60)).padStart(2, "0")}:${String(x.startMin! % 60).padStart(2, "0")}-${String(Math.floor(x.endMin! / 60)).padStart(2, "0")}:${String(x.endMin! % 60).padStart(2, "0")}`,
    )
    .join(", ");
const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

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

async function availabilityPage(c: AppContext, values?: FormData, errors?: Errors, saved = false) {
  const t = tr(c);
  const db = c.var.services.db;
  const s = await getSettings(db);
  const rules = await loadRules(db);
  const v = (name: string, fallback: string) => (values ? formValue(values, name) : fallback);
  const overrides = rules.overrides
    .map((o) => (o.startMin === null ? `${o.date} ${t("coaching.admin.closed_word")}` : `${o.date} ${fmtRanges([o])}`))
    .join("\n");
  return adminPage(
    c,
    t("coaching.admin.availability"),
    <form method="post" action="/admin/coaching/availability" class="admin-form">
      <CsrfField c={c} />
      {saved && <p class="notice">{t("coaching.admin.saved")}</p>}
      <FormErrors c={c} errors={errors} />
      {s.ics_error && <p class="notice warn">{t(`coaching.admin.ics_error.${s.ics_error}`)}</p>}
      <Select
        c={c}
        name="timeZone"
        label={t("coaching.admin.zone")}
        value={v("timeZone", s.time_zone)}
        errors={errors}
        options={timeZones().map((z) => ({ value: z, label: z }))}
      />
      <h2>{t("coaching.admin.weekly")}</h2>
      <p class="muted small">{t("coaching.admin.weekly_help")}</p>
      {days.map((d, i) => (
        <Field
          c={c}
          name={d}
          label={t(`coaching.day.${d}`)}
          errors={errors}
          value={v(d, fmtRanges(rules.weekly.filter((w) => w.weekday === i + 1)))}
          placeholder="09:00-12:00, 14:00-17:00"
        />
      ))}
      <TextArea
        c={c}
        name="overrides"
        label={t("coaching.admin.overrides")}
        hint={t("coaching.admin.overrides_help")}
        rows={4}
        errors={errors}
        value={v("overrides", overrides)}
      />
      <div class="grid-2">
        <Field
          c={c}
          name="bufferBeforeMin"
          type="number"
          required
          label={t("coaching.admin.buffer_before")}
          errors={errors}
          value={v("bufferBeforeMin", String(s.buffer_before_min))}
        />
        <Field
          c={c}
          name="bufferAfterMin"
          type="number"
          required
          label={t("coaching.admin.buffer_after")}
          errors={errors}
          value={v("bufferAfterMin", String(s.buffer_after_min))}
        />
        <Field
          c={c}
          name="minNoticeHours"
          type="number"
          required
          label={t("coaching.admin.notice")}
          errors={errors}
          value={v("minNoticeHours", String(Math.round(s.min_notice_min / 60)))}
        />
        <Field
          c={c}
          name="windowDays"
          type="number"
          required
          label={t("coaching.admin.window")}
          errors={errors}
          value={v("windowDays", String(s.window_days))}
        />
        <Field
          c={c}
          name="maxPerDay"
          type="number"
          required
          label={t("coaching.admin.max_per_day")}
          errors={errors}
          value={v("maxPerDay", String(s.max_per_day))}
        />
        <Field
          c={c}
          name="cancelHours"
          type="number"
          required
          label={t("coaching.admin.cancel_hours")}
          errors={errors}
          value={v("cancelHours", String(s.cancel_hours))}
        />
      </div>
      <h2>{t("coaching.admin.video")}</h2>
      <Select
        c={c}
        name="videoMode"
        label={t("coaching.admin.video_mode")}
        value={v("videoMode", s.video_mode)}
        errors={errors}
        options={[
          { value: "jitsi", label: t("coaching.admin.video_jitsi") },
          { value: "fixed", label: t("coaching.admin.video_fixed") },
        ]}
      />
      <Field
        c={c}
        name="jitsiBaseUrl"
        label={t("coaching.admin.jitsi_url")}
        errors={errors}
        value={v("jitsiBaseUrl", s.jitsi_base_url)}
        inputmode="url"
      />
      <Field
        c={c}
        name="fixedLink"
        label={t("coaching.admin.fixed_link")}
        errors={errors}
        value={v("fixedLink", s.fixed_link)}
        inputmode="url"
      />
      <h2>{t("coaching.admin.external")}</h2>
      <Field
        c={c}
        name="icsUrl"
        label={t("coaching.admin.ics_url")}
        hint={t("coaching.admin.ics_help")}
        errors={errors}
        value={v("icsUrl", s.ics_url)}
        inputmode="url"
      />
      <h2>{t("coaching.admin.public_page")}</h2>
      <TextArea
        c={c}
        name="forWhom"
        label={t("coaching.public.for")}
        rows={3}
        errors={errors}
        value={v("forWhom", s.for_whom)}
      />
      <TextArea
        c={c}
        name="notForWhom"
        label={t("coaching.public.not_for")}
        rows={3}
        errors={errors}
        value={v("notForWhom", s.not_for_whom)}
      />
      <button class="btn" type="submit">
        {t("coaching.admin.save")}
      </button>
    </form>,
    errors ? 422 : 200,
  );
}

async function offersPage(c: AppContext, values?: FormData, errors?: Errors) {
  const t = tr(c);
  const db = c.var.services.db;
  const offers = await listCoachingOffers(db);
  const sellable = await listOffers(db, { status: ["published", "draft"] });
  const v = (name: string, fallback = "") => (values ? formValue(values, name) : fallback);
  return adminPage(
    c,
    t("coaching.admin.offers"),
    <div class="admin-section">
      <ul class="coaching-sessions">
        {offers.map((o) => (
          <li class="coaching-session">
            <strong>{o.title}</strong> ·{" "}
            {t(o.kind === "package" ? "coaching.offer.package_line" : "coaching.offer.single_line", {
              minutes: o.duration_min,
              n: o.sessions,
            })}{" "}
            <a href={`/coaching/${o.slug}`}>{t("coaching.admin.view_public")}</a> ·{" "}
            <a href={`/admin/coaching/offers/${o.id}/questions`}>{t("coaching.apply.questions")}</a>
          </li>
        ))}
      </ul>
      <h2>{t("coaching.admin.new_offer")}</h2>
      <form method="post" action="/admin/coaching/offers" class="admin-form">
        <CsrfField c={c} />
        <FormErrors c={c} errors={errors} />
        <Field c={c} name="title" required label={t("coaching.admin.offer_title")} errors={errors} value={v("title")} />
        <Field
          c={c}
          name="slug"
          required
          label={t("coaching.admin.offer_slug")}
          hint={t("coaching.admin.offer_slug_help")}
          errors={errors}
          value={v("slug")}
        />
        <TextArea
          c={c}
          name="description"
          label={t("coaching.admin.offer_description")}
          rows={3}
          errors={errors}
          value={v("description")}
        />
        <Select
          c={c}
          name="kind"
          label={t("coaching.admin.offer_kind")}
          value={v("kind", "single")}
          errors={errors}
          options={[
            { value: "single", label: t("coaching.admin.kind_single") },
            { value: "package", label: t("coaching.admin.kind_package") },
          ]}
        />
        <div class="grid-2">
          <Field
            c={c}
            name="durationMin"
            type="number"
            required
            label={t("coaching.admin.duration")}
            errors={errors}
            value={v("durationMin", "60")}
          />
          <Field
            c={c}
            name="sessions"
            type="number"
            required
            label={t("coaching.admin.sessions")}
            errors={errors}
            value={v("sessions", "1")}
          />
          <Field
            c={c}
            name="validityDays"
            type="number"
            required
            label={t("coaching.admin.validity")}
            errors={errors}
            value={v("validityDays", "0")}
          />
        </div>
        <Select
          c={c}
          name="offerId"
          label={t("coaching.admin.sold_by")}
          hint={t("coaching.admin.sold_by_help")}
          value={v("offerId", "")}
          errors={errors}
          options={[
            { value: "", label: t("coaching.admin.free") },
            ...sellable.map((o) => ({ value: o.id, label: o.name })),
          ]}
        />
        <button class="btn" type="submit">
          {t("coaching.admin.create")}
        </button>
      </form>
    </div>,
    errors ? 422 : 200,
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

function fieldsOr(err: unknown): Errors {
  if (err instanceof AppError && err.status === 422 && Object.keys(err.fields).length) return err.fields;
  throw err;
}

export function adminRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/coaching", labelKey: "coaching.admin.nav", order: 45 });
  app.get("/admin/coaching", (c) => overviewPage(c));
  app.post("/admin/coaching/feed", async (c) => {
    await readForm(c);
    const token = await runOperation(c.var.services, rotateFeedToken, await actorOf(c), {});
    return overviewPage(c, `${c.var.services.config.publicUrl}/coaching/feed/${token}.ics`);
  });
  app.get("/admin/coaching/availability", (c) =>
    availabilityPage(c, undefined, undefined, c.req.query("saved") === "1"),
  );
  app.post("/admin/coaching/availability", async (c) => {
    const form = await readForm(c);
    try {
      await runOperation(c.var.services, saveAvailability, await actorOf(c), form);
    } catch (err) {
      return availabilityPage(c, form, fieldsOr(err));
    }
    return c.redirect("/admin/coaching/availability?saved=1", 303);
  });
  app.get("/admin/coaching/offers", (c) => offersPage(c));
  app.post("/admin/coaching/offers", async (c) => {
    const form = await readForm(c);
    try {
      await runOperation(c.var.services, createCoachingOffer, await actorOf(c), {
        ...form,
        offerId: formValue(form, "offerId") || null,
      });
    } catch (err) {
      return offersPage(c, form, fieldsOr(err));
    }
    return c.redirect("/admin/coaching/offers", 303);
  });
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
