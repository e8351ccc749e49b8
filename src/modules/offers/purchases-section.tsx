/** @jsxImportSource #html-jsx */
import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formatDate } from "../../platform/i18n/index.ts";
import { CsrfField } from "../../platform/views/components.tsx";
import { type Member } from "../members/index.ts";
import { holdingsOf, decide } from "../access/index.ts";
import { allMemberEntitlements } from "../access/index.ts";
import { downloadLink, fileResource } from "./downloads.tsx";
import { money } from "./money.ts";
import { memberPurchases } from "./account-queries.ts";
import { PlanProgress, PlanSummary, instalmentsPaidBySub } from "./instalment-views.tsx";

/** The purchases section of /account: orders, subscriptions, downloads and gifts, and the billing portal. */
export async function PurchasesSection({ c, member }: { c: AppContext; member: Member }) {
  const t = tr(c);
  const { db, secret } = c.var.services;
  const locale = c.var.locale;
  const tz = c.var.site.timeZone;
  const [{ orders, subscriptions: subs, gifts, customer, offerNames }, ents, holdings] = await Promise.all([
    memberPurchases(db, member.id),
    allMemberEntitlements(db, member.id),
    // The member was just read: their live entitlements tell what they hold, no need to ask if they exist.
    holdingsOf(db, member.id, undefined, { exists: true }),
  ]);
  // An instalment plan is a purchase paid over time, not a subscription: no renewal, no "cancel".
  const recurring = subs.filter((s) => s.instalments === 0);
  const plans = subs.filter((s) => s.instalments > 0);
  const planIds = new Set(plans.map((s) => s.id));
  const offerIds = [...holdings.offers];
  // Files of the offers held, and files another offer includes ("offer_file:<id>" or all of them).
  const includedFiles = [...holdings.resources].filter((r) => r.startsWith("offer_file:")).map((r) => r.slice(11));
  const allFiles = includedFiles.includes("*");
  const [plansPaid, files] = await Promise.all([
    instalmentsPaidBySub(
      db,
      plans.map((s) => s.id),
    ),
    offerIds.length
      ? db
          .selectFrom("offer_files")
          .innerJoin("offers", "offers.id", "offer_files.offer_id")
          .select([
            "offer_files.id",
            "offer_files.offer_id",
            "offer_files.name",
            "offer_files.size",
            "offers.name as offer_name",
          ])
          .where((eb) =>
            allFiles
              ? eb.lit(true)
              : includedFiles.length
                ? eb.or([eb("offer_files.offer_id", "in", offerIds), eb("offer_files.id", "in", includedFiles)])
                : eb("offer_files.offer_id", "in", offerIds),
          )
          .orderBy("offer_files.position")
          .execute()
      : [],
  ]);
  const downloads = files.filter((f) => decide({ kind: "member", memberId: member.id }, holdings, fileResource(f)));
  const access = ents.filter((e) => e.active && e.resourceKind === "offer");
  const claimed = c.req.query("gift") === "claimed";
  const canceled = c.req.query("canceled") === "1";
  return (
    <section class="card account-purchases stack" id="purchases" aria-labelledby="purchases-title">
      <h2 id="purchases-title">{t("offers.account.title")}</h2>
      {claimed && <p class="notice">{t("offers.account.gift_claimed")}</p>}
      {canceled && <p class="notice">{t("offers.account.canceled")}</p>}
      <h3>{t("offers.account.access")}</h3>
      {access.length === 0 ? (
        <p class="muted">
          {t("offers.account.no_access")} <a href="/pricing">{t("offers.account.see_offers")}</a>
        </p>
      ) : (
        <ul class="plain-list">
          {access.map((e) => (
            <li>
              <strong>{offerNames.get(e.resourceId) ?? e.resourceId}</strong>{" "}
              <span class="badge ok">
                {t(
                  e.sourceKind === "subscription" && planIds.has(e.sourceId)
                    ? "offers.source.instalments"
                    : `offers.source.${e.sourceKind}`,
                )}
              </span>{" "}
              <span class="muted small">
                {e.endsAt
                  ? t("offers.account.until", { date: formatDate(locale, e.endsAt, tz) })
                  : t("offers.account.forever")}
              </span>
            </li>
          ))}
        </ul>
      )}
      {recurring.length > 0 && (
        <>
          <h3>{t("offers.account.subscriptions")}</h3>
          {recurring.map((s) => (
            <div class="sub-row">
              <p>
                <strong>{s.name}</strong> — {money(locale, s.amount, s.currency)}{" "}
                {t(s.interval === "year" ? "offers.price.per_year" : "offers.price.per_month")}{" "}
                <span class={`badge ${s.status === "active" || s.status === "trialing" ? "ok" : "warn"}`}>
                  {t(`offers.sub.status.${s.status}`)}
                </span>
              </p>
              {s.current_period_end && s.status !== "canceled" && (
                <p class="muted small">
                  {t(s.cancel_at_period_end ? "offers.sub.ends_on" : "offers.sub.renews_on", {
                    date: formatDate(locale, s.current_period_end, tz),
                  })}
                </p>
              )}
              {["active", "trialing", "past_due"].includes(s.status) && s.cancel_at_period_end === 0 && (
                <details>
                  <summary>{t("offers.account.cancel")}</summary>
                  <form method="post" action={`/account/subscriptions/${s.id}/cancel`} class="stack">
                    <CsrfField c={c} />
                    <div class="field">
                      <label for={`reason-${s.id}`}>
                        {t("offers.account.cancel_reason")} <span class="muted small">({t("form.optional")})</span>
                      </label>
                      <textarea id={`reason-${s.id}`} name="reason" rows={2} maxlength={500}></textarea>
                    </div>
                    <p class="muted small">{t("offers.account.cancel_hint")}</p>
                    <p>
                      <button type="submit" class="secondary">
                        {t("offers.account.cancel_confirm")}
                      </button>
                    </p>
                  </form>
                </details>
              )}
            </div>
          ))}
        </>
      )}
      {plans.length > 0 && (
        <>
          <h3>{t("offers.account.plans")}</h3>
          {plans.map((s) => (
            <div class="sub-row">
              <p>
                <strong>{s.name}</strong> — <PlanSummary locale={locale} sub={s} />{" "}
                <span class={`badge ${s.status === "active" || s.status === "trialing" ? "ok" : "warn"}`}>
                  {t(`offers.sub.status.${s.status}`)}
                </span>
              </p>
              <PlanProgress locale={locale} tz={tz} sub={s} paid={plansPaid.get(s.id) ?? 0} />
            </div>
          ))}
        </>
      )}
      {customer && (
        <form method="post" action="/account/billing">
          <CsrfField c={c} />
          <button type="submit" class="secondary">
            {t("offers.account.billing")}
          </button>
          <span class="muted small"> {t("offers.account.billing_hint")}</span>
        </form>
      )}
      {downloads.length > 0 && (
        <>
          <h3>{t("offers.account.downloads")}</h3>
          <ul class="plain-list">
            {downloads.map((f) => (
              <li>
                <a href={downloadLink(secret, f.id, member.id)}>{f.name}</a>{" "}
                <span class="muted small">
                  ({f.offer_name}, {Math.max(1, Math.round(f.size / 1024))} Ko)
                </span>
              </li>
            ))}
          </ul>
          <p class="muted small">{t("offers.account.downloads_hint")}</p>
        </>
      )}
      {orders.length > 0 && (
        <>
          <h3>{t("offers.account.orders")}</h3>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("offers.account.date")}</th>
                  <th scope="col">{t("offers.account.item")}</th>
                  <th scope="col">{t("offers.account.amount")}</th>
                  <th scope="col">{t("offers.account.status")}</th>
                </tr>
              </thead>
              <tbody>
                {orders.map((o) => (
                  <tr>
                    <td>{formatDate(locale, o.paid_at ?? o.created_at, tz)}</td>
                    <td>
                      {o.name}
                      {o.kind === "gift" && <span class="muted small"> ({t("offers.account.gift")})</span>}
                    </td>
                    <td>
                      {money(locale, o.status === "pending" ? o.amount - o.discount_amount : o.amount_paid, o.currency)}
                    </td>
                    <td>{t(`offers.order.status.${o.status}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {gifts.length > 0 && (
        <>
          <h3>{t("offers.account.gifts")}</h3>
          <ul class="plain-list">
            {gifts.map((g) => (
              <li>
                {g.name} → {g.recipient_email} <span class="badge">{t(`offers.gift.status.${g.status}`)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
