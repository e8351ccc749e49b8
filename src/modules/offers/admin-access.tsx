import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { notFound } from "../../platform/http/errors.ts";
import { formatDate } from "../../platform/i18n/index.ts";
import { CsrfField, FormErrors, type Errors } from "../../platform/views/components.tsx";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { getMember } from "../members/index.ts";
import { allMemberEntitlements } from "../access/index.ts";
import { listOffers } from "./service.ts";

/** A member's access: what they hold and why, complimentary access given and taken back by hand. */

export async function memberAccessPage(c: AppContext, memberId: string, errors?: Errors) {
  const t = tr(c);
  const db = c.var.services.db;
  const member = await getMember(db, memberId);
  if (!member) throw notFound();
  const ents = await allMemberEntitlements(db, memberId);
  const offers = await listOffers(db);
  const names = new Map(offers.map((o) => [o.id, o.name]));
  return adminPage(
    c,
    t("offers.admin.access_title"),
    <div class="admin-offers">
      <p>
        <a href={`/admin/members/${memberId}`}>← {member.name || member.email}</a> ·{" "}
        <a href={`/admin/sales?member=${memberId}`}>{t("offers.admin.sales")}</a>
      </p>
      <h1>
        {t("offers.admin.access_title")} — {member.email}
      </h1>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("offers.admin.offer")}</th>
              <th scope="col">{t("offers.admin.source")}</th>
              <th scope="col">{t("offers.admin.ends")}</th>
              <th scope="col">{t("offers.account.status")}</th>
              <th scope="col"></th>
            </tr>
          </thead>
          <tbody>
            {ents.map((e) => (
              <tr>
                <td>
                  {e.resourceKind === "offer"
                    ? (names.get(e.resourceId) ?? e.resourceId)
                    : `${e.resourceKind}:${e.resourceId}`}
                </td>
                <td>
                  {t(`offers.source.${e.sourceKind}`)}
                  {e.note && <div class="muted small">{e.note}</div>}
                </td>
                <td>{e.endsAt ? formatDate(c.var.locale, e.endsAt) : t("offers.account.forever")}</td>
                <td>
                  <span class={`badge ${e.active ? "ok" : ""}`}>
                    {t(e.active ? "offers.admin.active" : "offers.admin.inactive")}
                  </span>
                  {e.revokeReason && <span class="muted small"> {e.revokeReason}</span>}
                </td>
                <td>
                  {e.active && (e.sourceKind === "complimentary" || e.sourceKind === "manual") && (
                    <form method="post" action={`/admin/members/${memberId}/access/${e.id}/revoke`}>
                      <CsrfField c={c} />
                      <button type="submit" class="secondary small">
                        {t("offers.admin.revoke")}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="admin-section card">
        <h2>{t("offers.admin.grant")}</h2>
        <FormErrors c={c} errors={errors} />
        <form method="post" action={`/admin/members/${memberId}/access`} class="admin-form">
          <CsrfField c={c} />
          <div class="row">
            <div class="field">
              <label for="g-offer">{t("offers.admin.offer")}</label>
              <select id="g-offer" name="offer">
                {offers
                  .filter((o) => o.status !== "archived")
                  .map((o) => (
                    <option value={o.id}>{o.name}</option>
                  ))}
              </select>
            </div>
            <div class="field">
              <label for="g-end">{t("offers.admin.ends")}</label>
              <input id="g-end" name="ends" type="date" />
              <p class="hint">{t("offers.admin.ends_hint")}</p>
            </div>
          </div>
          <div class="field">
            <label for="g-note">{t("offers.admin.note")}</label>
            <input id="g-note" type="text" name="note" maxlength={200} />
          </div>
          <p>
            <button type="submit">{t("offers.admin.grant_button")}</button>
          </p>
        </form>
      </section>
    </div>,
    errors ? 422 : 200,
  );
}
