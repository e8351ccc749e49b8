import { raw } from "hono/html";
import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { notFound } from "../../platform/http/errors.ts";
import { CsrfField, FormErrors, type Errors } from "../../platform/views/components.tsx";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { assetUrl } from "../../platform/views/assets.ts";
import { OFFER_UPLOAD_PATH, offerUpload } from "./downloads.tsx";
import { lastStripeSync } from "./stripe-sync.ts";
import { stripeProviderFor } from "./webhooks.ts";
import { priceLabel } from "./money.ts";
import { getOffer, offerIncludes, offerPrices } from "./service.ts";
import {
  DESCRIPTION_MAX,
  HIGHLIGHT_MAX,
  NAME_MAX,
  SLUG_MAX,
  SUMMARY_MAX,
  TRIAL_MAX,
  INSTALMENTS_MAX,
  offerKinds,
  priceCurrencies,
} from "./operations/schemas.ts";

import { Err, IncludesPicker, Input, invalid, valuesFromOffer, type EditorValues } from "./admin-editor-fields.tsx";

export { valuesFromForm, valuesFromOffer, type EditorValues } from "./admin-editor-fields.tsx";
/**
 * The offer editor: ONE form for everything typed (details, badge, what it
 * includes, a new price, price switches, status), so no button ever drops
 * what was typed elsewhere; a 422 re-renders the form from what was sent,
 * with each message beside its field. Only the file upload is its own form
 * (it streams to disk).
 */

export async function offerEditorPage(
  c: AppContext,
  id: string,
  state?: { values: EditorValues; errors: Errors; status: 422 | 409 | 413 },
) {
  const t = tr(c);
  const db = c.var.services.db;
  const offer = await getOffer(db, id);
  if (!offer) throw notFound();
  const prices = await offerPrices(db, [id]);
  const values = state?.values ?? valuesFromOffer(offer, await offerIncludes(db, id), c.var.site.currency);
  const errors = state?.errors ?? {};
  const files = await db.selectFrom("offer_files").selectAll().where("offer_id", "=", id).orderBy("position").execute();
  const base = `/admin/offers/${id}`;
  const stripe = !!stripeProviderFor(c.var.services.config);
  const sync = stripe ? await lastStripeSync(db, id) : undefined;
  const formErrors = Object.fromEntries(Object.entries(errors).filter(([k]) => k !== "_form"));
  return adminPage(
    c,
    offer.name,
    <div class="admin-offers offer-editor">
      <p>
        <a href="/admin/offers">← {t("offers.admin.title")}</a>
      </p>
      <div class="admin-top">
        <h1>
          {offer.name}{" "}
          <span class={`badge ${offer.status === "published" ? "ok" : "warn"}`}>
            {t(`offers.status.${offer.status}`)}
          </span>
        </h1>
      </div>
      {errors._form && (
        <p class="form-errors" role="alert">
          {t(errors._form.key, errors._form.params)}
        </p>
      )}
      <FormErrors c={c} errors={formErrors} />
      {sync && (
        <p class={`notice${sync.last_error ? " warn" : ""} stripe-sync`} role="status">
          {sync.state === "done"
            ? t("offers.admin.sync_done")
            : sync.last_error
              ? t("offers.admin.sync_failed", { attempts: sync.attempts, error: sync.last_error.slice(0, 200) })
              : t("offers.admin.sync_pending")}{" "}
          {sync.state !== "done" && <a href="/admin/jobs">{t("offers.admin.sync_jobs")}</a>}
        </p>
      )}
      <form method="post" action={base} class="admin-form" novalidate>
        <CsrfField c={c} />
        <section class="admin-section card">
          <h2>{t("offers.admin.details")}</h2>
          <div class="row">
            <Input
              t={t}
              errors={errors}
              name="name"
              label={t("offers.admin.name")}
              value={values.name}
              max={NAME_MAX}
              extra={{ required: true, "data-slug-source": "f-slug" }}
            />
            <Input
              t={t}
              errors={errors}
              name="slug"
              label={t("offers.admin.slug")}
              value={values.slug}
              max={SLUG_MAX}
              hint={t("offers.admin.slug_hint")}
              extra={{
                "data-slug-check": `/admin/offers/slug-check?offer=${id}`,
                autocomplete: "off",
                spellcheck: false,
              }}
            />
          </div>
          <p class="muted small slug-status" id="f-slug-status" aria-live="polite"></p>
          <div class="row">
            <div class="field">
              <label for="f-kind">{t("offers.admin.kind")}</label>
              <select id="f-kind" name="kind" {...invalid(errors, "kind")}>
                {offerKinds.map((k) => (
                  <option value={k} selected={k === values.kind}>
                    {t(`offers.kind.${k}`)}
                  </option>
                ))}
              </select>
              <Err t={t} errors={errors} name="kind" />
            </div>
            <Input
              t={t}
              errors={errors}
              name="position"
              label={t("offers.admin.position")}
              value={values.position}
              type="number"
            />
          </div>
          <Input
            t={t}
            errors={errors}
            name="summary"
            label={t("offers.admin.summary")}
            value={values.summary}
            max={SUMMARY_MAX}
          />
          <div class="field">
            <label for="f-description">{t("offers.admin.description")}</label>
            <p class="hint">{t("offers.admin.markdown")}</p>
            <textarea
              id="f-description"
              name="description"
              rows={8}
              maxlength={DESCRIPTION_MAX}
              {...invalid(errors, "description")}
            >
              {values.description}
            </textarea>
            <Err t={t} errors={errors} name="description" />
          </div>
          <div class="row">
            <label class="check">
              <input type="checkbox" name="highlight" checked={values.highlight} /> {t("offers.admin.highlight")}
            </label>
            <Input
              t={t}
              errors={errors}
              name="highlight_label"
              label={t("offers.admin.highlight_label")}
              value={values.highlight_label}
              max={HIGHLIGHT_MAX}
              hint={t("offers.admin.highlight_hint")}
              extra={{ placeholder: t("offers.pricing.recommended") }}
            />
          </div>
          <div class="row">
            <label class="check">
              <input type="checkbox" name="featured_home" checked={values.featured_home} />{" "}
              {t("offers.admin.featured_home")}
            </label>
            <p class="hint">{t("offers.admin.featured_home_hint")}</p>
          </div>
          {offer.description_html && (
            <details>
              <summary>{t("offers.admin.preview")}</summary>
              <div class="prose">{raw(offer.description_html)}</div>
            </details>
          )}
        </section>
        <section class="admin-section card">
          <h2>{t("offers.admin.prices")}</h2>
          <p class="muted small">{t("offers.admin.prices_hint")}</p>
          <ul class="plain-list">
            {prices.map((p) => (
              <li class="inline-form">
                <span>
                  <strong>{priceLabel(t, c.var.locale, p)}</strong>
                  {p.trial_days > 0 && ` · ${t("offers.offer.trial", { days: p.trial_days })}`}{" "}
                  <span class={`badge ${p.active ? "ok" : ""}`}>
                    {t(p.active ? "offers.admin.active" : "offers.admin.inactive")}
                  </span>
                </span>
                <button type="submit" name="action" value={`toggle:${p.id}`} class="secondary small">
                  {t(p.active ? "offers.admin.deactivate" : "offers.admin.activate")}
                </button>
              </li>
            ))}
          </ul>
          <h3>{t("offers.admin.add_price")}</h3>
          <p class="hint">{t("offers.admin.add_price_hint")}</p>
          <div class="row">
            <div class="field">
              <label for="f-price_kind">{t("offers.admin.price_kind")}</label>
              <select id="f-price_kind" name="price_kind">
                {(["month", "year", "one_off"] as const).map((k) => (
                  <option value={k} selected={values.price_kind === k}>
                    {t(
                      k === "month"
                        ? "offers.admin.monthly"
                        : k === "year"
                          ? "offers.admin.yearly"
                          : "offers.admin.one_off",
                    )}
                  </option>
                ))}
              </select>
            </div>
            <Input
              t={t}
              errors={errors}
              name="price_amount"
              label={t("offers.admin.amount")}
              value={values.price_amount}
              extra={{ inputmode: "decimal" }}
            />
            <div class="field">
              <label for="f-price_currency">{t("offers.admin.currency")}</label>
              <select id="f-price_currency" name="price_currency" {...invalid(errors, "price_currency")}>
                {priceCurrencies.map((cur) => (
                  <option value={cur} selected={values.price_currency === cur}>
                    {cur}
                  </option>
                ))}
              </select>
              <Err t={t} errors={errors} name="price_currency" />
            </div>
            <Input
              t={t}
              errors={errors}
              name="price_trial_days"
              label={t("offers.admin.trial_days")}
              value={values.price_trial_days}
              type="number"
              extra={{ min: 0, max: TRIAL_MAX }}
            />
          </div>
          <Input
            t={t}
            errors={errors}
            name="price_instalments"
            label={t("offers.admin.instalments")}
            hint={t("offers.admin.instalments_hint", { max: INSTALMENTS_MAX })}
            value={values.price_instalments}
            type="number"
            extra={{ min: 0, max: INSTALMENTS_MAX }}
          />
          <label class="check">
            <input type="checkbox" name="price_pwyw" checked={values.price_pwyw} /> {t("offers.admin.pwyw")}
          </label>
          <div class="row">
            <Input
              t={t}
              errors={errors}
              name="price_min_amount"
              label={t("offers.admin.min_amount")}
              value={values.price_min_amount}
              extra={{ inputmode: "decimal" }}
            />
            <Input
              t={t}
              errors={errors}
              name="price_suggested_amount"
              label={t("offers.admin.suggested")}
              value={values.price_suggested_amount}
              extra={{ inputmode: "decimal" }}
            />
          </div>
          <p>
            <button type="submit" name="action" value="add_price" class="secondary">
              {t("offers.admin.add_price")}
            </button>
          </p>
        </section>
        <section class="admin-section card">
          <h2>{t("offers.admin.includes")}</h2>
          <p class="muted small">{t("offers.admin.includes_hint")}</p>
          <IncludesPicker c={c} chosen={values.includes} />
          <Err t={t} errors={errors} name="includes" />
        </section>
        <div class="admin-section card offer-actions">
          <p class="muted small">{t("offers.admin.archive_hint")}</p>
          <p class="stack-row">
            <button type="submit" name="action" value="save">
              {t("offers.admin.save")}
            </button>
            {offer.status !== "published" && (
              <button type="submit" name="action" value="publish" class="secondary">
                {t("offers.admin.save_publish")}
              </button>
            )}
            {offer.status !== "draft" && (
              <button type="submit" name="action" value="unpublish" class="secondary">
                {t("offers.admin.unpublish")}
              </button>
            )}
            {offer.status !== "archived" && (
              <button type="submit" name="action" value="archive" class="secondary">
                {t("offers.admin.archive")}
              </button>
            )}
          </p>
        </div>
      </form>
      <section class="admin-section card">
        <h2>{t("offers.admin.files")}</h2>
        <ul class="plain-list">
          {files.map((f) => (
            <li>
              {f.name} <span class="muted small">({Math.max(1, Math.round(f.size / 1024))} Ko)</span>
            </li>
          ))}
        </ul>
        <form
          method="post"
          action={`${OFFER_UPLOAD_PATH}?offer=${id}`}
          enctype="multipart/form-data"
          class="admin-form"
        >
          {/* _csrf first: the streamed upload checks it before keeping any byte of the file. */}
          <CsrfField c={c} />
          <div class="field">
            <label for="f-file">{t("offers.admin.upload")}</label>
            <p class="hint">
              {t("offers.admin.upload_hint", { max: Math.floor(offerUpload.maxBytes / (1024 * 1024)) })}{" "}
              {t("offers.admin.upload_save_first")}
            </p>
            <input id="f-file" name="file" type="file" required />
          </div>
          <p>
            <button type="submit" class="secondary">
              {t("offers.admin.upload_button")}
            </button>
          </p>
        </form>
      </section>
      <script src={assetUrl("offers-editor.js" as "app.js")} defer></script>
    </div>,
    state?.status ?? 200,
  );
}
