import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { CsrfField, FormErrors, type Errors } from "../../platform/views/components.tsx";
import { assetUrl } from "../../platform/views/assets.ts";
import { FieldMessage, fieldAria } from "./admin-fields.tsx";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { countLiveHolders } from "../access/index.ts";
import { automaticTaxEnabled } from "./stripe-sync.ts";
import { priceLabel } from "./money.ts";
import { listOffers, offerPrices } from "./service.ts";
import { isTestMode } from "./context.ts";
import { moneyList, revenueFigures } from "./admin-sales.tsx";
import { NAME_MAX, SLUG_MAX, offerKinds as kinds } from "./operations/schemas.ts";

/** Offers: the list with this month's figures, a new offer (name, address filled from it, kind), tax settings. */

export async function offersList(
  c: AppContext,
  failed?: { values: { name: string; slug: string; kind: string }; errors: Errors; status: 422 | 409 },
) {
  const t = tr(c);
  const db = c.var.services.db;
  const errors = failed?.errors ?? {};
  const values = failed?.values ?? { name: "", slug: "", kind: "tier" };
  const offers = await listOffers(db);
  const prices = await offerPrices(
    db,
    offers.map((o) => o.id),
  );
  const figures = await revenueFigures(db, c.var.services.clock.now());
  const holders = await Promise.all(offers.map((o) => countLiveHolders(db, o.id)));
  const tax = await automaticTaxEnabled(db);
  return adminPage(
    c,
    t("offers.admin.title"),
    <div class="admin-offers">
      <div class="admin-top">
        <h1>{t("offers.admin.title")}</h1>
        <p class="stack-row">
          <a class="btn secondary small" href="/admin/sales">
            {t("offers.admin.sales")}
          </a>
          <a class="btn secondary small" href="/admin/discounts">
            {t("offers.admin.discounts")}
          </a>
          <a class="btn secondary small" href="/pricing">
            {t("offers.admin.view_pricing")}
          </a>
        </p>
      </div>
      <div class="stats">
        <div class="stat">
          <div class="value">{moneyList(c, figures.mrr)}</div>
          <div class="label">{t("offers.admin.mrr")}</div>
        </div>
        <div class="stat">
          <div class="value">{moneyList(c, figures.month)}</div>
          <div class="label">{t("offers.admin.month")}</div>
        </div>
        <div class="stat">
          <div class="value">{figures.activeSubscribers}</div>
          <div class="label">{t("offers.admin.subscribers")}</div>
        </div>
      </div>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("offers.admin.name")}</th>
              <th scope="col">{t("offers.admin.kind")}</th>
              <th scope="col">{t("offers.admin.prices")}</th>
              <th scope="col">{t("offers.admin.status")}</th>
              <th scope="col">{t("offers.admin.holders")}</th>
            </tr>
          </thead>
          <tbody>
            {offers.map((o, i) => (
              <tr>
                <td>
                  <a href={`/admin/offers/${o.id}`}>{o.name}</a>
                  <div class="muted small">/offers/{o.slug}</div>
                </td>
                <td>{t(`offers.kind.${o.kind}`)}</td>
                <td class="small">
                  {prices
                    .filter((p) => p.offer_id === o.id && p.active === 1)
                    .map((p) => priceLabel(t, c.var.locale, p))
                    .join(" · ") || t("offers.price.free")}
                </td>
                <td>
                  <span class={`badge ${o.status === "published" ? "ok" : o.status === "archived" ? "" : "warn"}`}>
                    {t(`offers.status.${o.status}`)}
                  </span>
                </td>
                <td>{holders[i]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="admin-section card">
        <h2>{t("offers.admin.new")}</h2>
        <FormErrors c={c} errors={errors} />
        <form method="post" action="/admin/offers" class="admin-form" novalidate>
          <CsrfField c={c} />
          <div class="row">
            <div class="field">
              <label for="f-name">{t("offers.admin.name")}</label>
              <input
                id="f-name"
                type="text"
                name="name"
                required
                maxlength={NAME_MAX}
                value={values.name}
                data-slug-source="f-slug"
                {...fieldAria(errors, "name")}
              />
              <FieldMessage c={c} errors={errors} name="name" />
            </div>
            <div class="field">
              <label for="f-slug">{t("offers.admin.slug")}</label>
              <p class="hint">{t("offers.admin.slug_hint")}</p>
              <input
                id="f-slug"
                type="text"
                name="slug"
                maxlength={SLUG_MAX}
                value={values.slug}
                autocomplete="off"
                spellcheck={false}
                data-slug-check="/admin/offers/slug-check"
                {...fieldAria(errors, "slug")}
              />
              <FieldMessage c={c} errors={errors} name="slug" />
              <p class="muted small slug-status" id="f-slug-status" aria-live="polite"></p>
            </div>
            <div class="field">
              <label for="f-kind">{t("offers.admin.kind")}</label>
              <select id="f-kind" name="kind" {...fieldAria(errors, "kind")}>
                {kinds.map((k) => (
                  <option value={k} selected={k === values.kind}>
                    {t(`offers.kind.${k}`)}
                  </option>
                ))}
              </select>
              <FieldMessage c={c} errors={errors} name="kind" />
            </div>
          </div>
          <p>
            <button type="submit">{t("offers.admin.create")}</button>
          </p>
        </form>
      </section>
      <section class="admin-section card" aria-labelledby="tax-title">
        <h2 id="tax-title">{t("offers.admin.tax_title")}</h2>
        <form method="post" action="/admin/offer-settings" class="admin-form">
          <CsrfField c={c} />
          <label class="check">
            <input type="checkbox" name="automatic_tax" checked={tax} /> {t("offers.admin.tax_label")}
          </label>
          <p class="hint">{t("offers.admin.tax_hint")}</p>
          {isTestMode(c) && <p class="muted small">{t("offers.admin.tax_dev")}</p>}
          <p>
            <button type="submit" class="secondary">
              {t("offers.admin.save")}
            </button>
          </p>
        </form>
      </section>
      <script src={assetUrl("offers-editor.js" as "app.js")} defer></script>
    </div>,
    failed?.status ?? 200,
  );
}
