import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { readForm, formValue, type FormData } from "../../platform/http/forms.ts";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { CsrfField, Field, FormErrors, Select, TextArea, type Errors } from "../../platform/views/components.tsx";
import { runOperation } from "../../platform/operations.ts";
import { listOffers } from "../offers/index.ts";
import { createCoachingOffer, listCoachingOffers } from "./offers.ts";
import { actorOf, fieldsOr } from "./admin-shared.ts";

/** The creator's coaching offers: single sessions and packages, and what sells them. */

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

export function offerAdminRoutes(app: Hono<AppEnv>): void {
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
}
