import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { readForm, formValue, type FormData } from "../../platform/http/forms.ts";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { CsrfField, Field, FormErrors, Select, TextArea, type Errors } from "../../platform/views/components.tsx";
import { runOperation } from "../../platform/operations.ts";
import { timeZones } from "../../platform/http/validation.ts";
import { getSettings, loadRules } from "./settings.ts";
import { saveAvailability } from "./creator.ts";
import { actorOf, fieldsOr } from "./admin-shared.ts";

/** The creator's weekly hours, date overrides, buffers, notice, window and daily maximum. */

const fmtRanges = (r: { startMin: number | null; endMin: number | null }[]) =>
  r
    .map(
      (x) =>
        `${String(Math.floor(x.startMin! / 60)).padStart(2, "0")}:${String(x.startMin! % 60).padStart(2, "0")}-${String(Math.floor(x.endMin! / 60)).padStart(2, "0")}:${String(x.endMin! % 60).padStart(2, "0")}`,
    )
    .join(", ");
const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

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

export function availabilityRoutes(app: Hono<AppEnv>): void {
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
}
