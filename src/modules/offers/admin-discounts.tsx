import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formatDate } from "../../platform/i18n/index.ts";
import { CsrfField, FormErrors, type Errors } from "../../platform/views/components.tsx";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { money } from "./money.ts";
import { listOffers } from "./service.ts";
import { priceCurrencies as currencies } from "./operations/schemas.ts";

/** Discount codes: the list and the form for a new one. */

export async function discountsPage(c: AppContext, errors?: Errors) {
  const t = tr(c);
  const db = c.var.services.db;
  const codes = await db.selectFrom("discount_codes").selectAll().orderBy("created_at", "desc").execute();
  const offers = await listOffers(db);
  return adminPage(
    c,
    t("offers.admin.discounts"),
    <div class="admin-offers">
      <h1>{t("offers.admin.discounts")}</h1>
      <FormErrors c={c} errors={errors} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("offers.admin.code")}</th>
              <th scope="col">{t("offers.admin.value")}</th>
              <th scope="col">{t("offers.admin.uses")}</th>
              <th scope="col">{t("offers.admin.ends")}</th>
              <th scope="col"></th>
            </tr>
          </thead>
          <tbody>
            {codes.map((d) => (
              <tr>
                <td>
                  <code>{d.code}</code>
                </td>
                <td>{d.kind === "percent" ? `${d.value} %` : money(c.var.locale, d.value, d.currency ?? "EUR")}</td>
                <td>
                  {d.redemptions_count}
                  {d.max_redemptions !== null ? ` / ${d.max_redemptions}` : ""}
                </td>
                <td>{d.ends_at ? formatDate(c.var.locale, d.ends_at) : "—"}</td>
                <td>
                  <form method="post" action={`/admin/discounts/${d.id}/toggle`}>
                    <CsrfField c={c} />
                    <button type="submit" class="secondary small">
                      {t(d.active ? "offers.admin.deactivate" : "offers.admin.activate")}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="admin-section card">
        <h2>{t("offers.admin.new_code")}</h2>
        <form method="post" action="/admin/discounts" class="admin-form">
          <CsrfField c={c} />
          <div class="row">
            <div class="field">
              <label for="d-code">{t("offers.admin.code")}</label>
              <input id="d-code" type="text" name="code" required maxlength={40} />
            </div>
            <div class="field">
              <label for="d-kind">{t("offers.admin.discount_kind")}</label>
              <select id="d-kind" name="kind">
                <option value="percent">%</option>
                <option value="amount">{t("offers.admin.fixed_amount")}</option>
              </select>
            </div>
            <div class="field">
              <label for="d-value">{t("offers.admin.value")}</label>
              <input id="d-value" type="text" name="value" inputmode="decimal" required />
            </div>
            <div class="field">
              <label for="d-cur">{t("offers.admin.currency")}</label>
              <select id="d-cur" name="currency">
                {currencies.map((cur) => (
                  <option value={cur}>{cur}</option>
                ))}
              </select>
            </div>
          </div>
          <div class="row">
            <div class="field">
              <label for="d-max">{t("offers.admin.max_uses")}</label>
              <input id="d-max" name="max" type="number" min="1" />
            </div>
            <div class="field">
              <label for="d-start">{t("offers.admin.starts")}</label>
              <input id="d-start" name="starts" type="date" />
            </div>
            <div class="field">
              <label for="d-end">{t("offers.admin.ends")}</label>
              <input id="d-end" name="ends" type="date" />
            </div>
          </div>
          <fieldset>
            <legend>{t("offers.admin.code_offers")}</legend>
            {offers.map((o) => (
              <label class="check">
                <input type="checkbox" name="offers" value={o.id} /> {o.name}
              </label>
            ))}
          </fieldset>
          <p>
            <button type="submit">{t("offers.admin.create")}</button>
          </p>
        </form>
      </section>
    </div>,
    errors ? 422 : 200,
  );
}
