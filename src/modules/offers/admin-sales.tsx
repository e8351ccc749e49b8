import { sql } from "kysely";
import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import type { Db } from "../../platform/db/index.ts";
import { formatDate } from "../../platform/i18n/index.ts";
import { CsrfField } from "../../platform/views/components.tsx";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { money } from "./money.ts";
import { listOffers } from "./service.ts";
import { instalmentsDue, notInstalmentPlan } from "./instalment-views.tsx";

/** Sales: MRR, revenue this month, subscriptions and orders, with refund and cancel (the owner's). */

/** MRR (monthly value of live subscriptions) and revenue since the 1st, per currency. */
export async function revenueFigures(db: Db, now = new Date()) {
  const subs = await db
    .selectFrom("subscriptions")
    .select(["amount", "currency", "interval"])
    .where("status", "in", ["active", "past_due"])
    .where(notInstalmentPlan)
    .execute();
  const mrr = new Map<string, number>();
  for (const s of subs)
    mrr.set(s.currency, (mrr.get(s.currency) ?? 0) + (s.interval === "year" ? Math.round(s.amount / 12) : s.amount));
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
  const rows = await db
    .selectFrom("orders")
    .select(["currency", sql<number>`sum(amount_paid - amount_refunded)`.as("total")])
    .where("paid_at", ">=", start)
    .where("status", "in", ["paid", "refunded"])
    .groupBy("currency")
    .execute();
  const month = new Map(rows.map((r) => [r.currency, Number(r.total)]));
  const active = await db
    .selectFrom("subscriptions")
    .select(sql<number>`count(*)`.as("n"))
    .where("status", "in", ["active", "trialing"])
    .where(notInstalmentPlan)
    .executeTakeFirstOrThrow();
  // Instalment payments are one-off sales collected over time: in `month` as they come in, the rest here.
  return { mrr, month, activeSubscribers: Number(active.n), instalmentsDue: await instalmentsDue(db) };
}

export function moneyList(c: AppContext, m: Map<string, number>): string {
  if (m.size === 0) return money(c.var.locale, 0, "EUR");
  return [...m].map(([cur, v]) => money(c.var.locale, v, cur)).join(" + ");
}

export async function salesPage(c: AppContext) {
  const t = tr(c);
  const db = c.var.services.db;
  const offerFilter = c.req.query("offer") ?? "";
  const memberFilter = c.req.query("member") ?? "";
  let oq = db
    .selectFrom("orders")
    .innerJoin("offers", "offers.id", "orders.offer_id")
    .select([
      "orders.id",
      "orders.kind",
      "orders.email",
      "orders.member_id",
      "orders.amount_paid",
      "orders.amount",
      "orders.currency",
      "orders.status",
      "orders.created_at",
      "orders.paid_at",
      "orders.provider_payment_id",
      "offers.name",
    ]);
  let sq = db
    .selectFrom("subscriptions")
    .innerJoin("offers", "offers.id", "subscriptions.offer_id")
    .select([
      "subscriptions.id",
      "subscriptions.email",
      "subscriptions.member_id",
      "subscriptions.amount",
      "subscriptions.currency",
      "subscriptions.interval",
      "subscriptions.status",
      "subscriptions.current_period_end",
      "subscriptions.cancel_at_period_end",
      "subscriptions.cancel_reason",
      "subscriptions.provider_subscription_id",
      "offers.name",
    ]);
  if (offerFilter) {
    oq = oq.where("orders.offer_id", "=", offerFilter);
    sq = sq.where("subscriptions.offer_id", "=", offerFilter);
  }
  if (memberFilter) {
    oq = oq.where("orders.member_id", "=", memberFilter);
    sq = sq.where("subscriptions.member_id", "=", memberFilter);
  }
  const [orders, subs, offers, figures] = await Promise.all([
    oq.orderBy("orders.created_at", "desc").limit(100).execute(),
    sq.where("subscriptions.status", "!=", "pending").orderBy("subscriptions.created_at", "desc").limit(100).execute(),
    listOffers(db),
    revenueFigures(db, c.var.services.clock.now()),
  ]);
  const tz = c.var.site.timeZone;
  return adminPage(
    c,
    t("offers.admin.sales"),
    <div class="admin-offers">
      <div class="admin-top">
        <h1>{t("offers.admin.sales")}</h1>
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
        {figures.instalmentsDue.size > 0 && (
          <div class="stat">
            <div class="value">{moneyList(c, figures.instalmentsDue)}</div>
            <div class="label">{t("offers.admin.instalments_due")}</div>
          </div>
        )}
      </div>
      <form method="get" class="filters">
        <div class="field">
          <label for="s-offer">{t("offers.admin.offer")}</label>
          <select id="s-offer" name="offer">
            <option value="">{t("offers.admin.all")}</option>
            {offers.map((o) => (
              <option value={o.id} selected={o.id === offerFilter}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        {memberFilter && <input type="hidden" name="member" value={memberFilter} />}
        <button type="submit" class="secondary small">
          {t("offers.admin.filter")}
        </button>
      </form>
      <h2>{t("offers.account.subscriptions")}</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("offers.admin.member")}</th>
              <th scope="col">{t("offers.admin.offer")}</th>
              <th scope="col">{t("offers.account.amount")}</th>
              <th scope="col">{t("offers.account.status")}</th>
              <th scope="col">{t("offers.admin.period_end")}</th>
              <th scope="col"></th>
            </tr>
          </thead>
          <tbody>
            {subs.map((s) => (
              <tr>
                <td>{s.member_id ? <a href={`/admin/members/${s.member_id}/access`}>{s.email}</a> : s.email}</td>
                <td>{s.name}</td>
                <td>
                  {money(c.var.locale, s.amount, s.currency)}{" "}
                  {t(s.interval === "year" ? "offers.price.per_year" : "offers.price.per_month")}
                </td>
                <td>
                  <span class={`badge ${["active", "trialing"].includes(s.status) ? "ok" : "warn"}`}>
                    {t(`offers.sub.status.${s.status}`)}
                  </span>
                  {s.cancel_at_period_end === 1 && (
                    <div class="muted small">
                      {t("offers.admin.cancels")}
                      {s.cancel_reason ? ` — « ${s.cancel_reason} »` : ""}
                    </div>
                  )}
                </td>
                <td>{formatDate(c.var.locale, s.current_period_end, tz)}</td>
                <td>
                  {s.provider_subscription_id && !["canceled", "incomplete_expired"].includes(s.status) && (
                    <form method="post" action={`/admin/subscriptions/${s.id}/cancel`} class="inline-form">
                      <CsrfField c={c} />
                      <button type="submit" name="when" value="period_end" class="secondary small">
                        {t("offers.admin.cancel_end")}
                      </button>
                      <button type="submit" name="when" value="now" class="secondary small">
                        {t("offers.admin.cancel_now")}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{t("offers.account.orders")}</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("offers.account.date")}</th>
              <th scope="col">{t("offers.admin.member")}</th>
              <th scope="col">{t("offers.admin.offer")}</th>
              <th scope="col">{t("offers.account.amount")}</th>
              <th scope="col">{t("offers.account.status")}</th>
              <th scope="col"></th>
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => (
              <tr>
                <td>{formatDate(c.var.locale, o.paid_at ?? o.created_at, tz)}</td>
                <td>{o.member_id ? <a href={`/admin/members/${o.member_id}/access`}>{o.email}</a> : o.email}</td>
                <td>
                  {o.name}
                  {o.kind === "gift" && <span class="muted small"> ({t("offers.account.gift")})</span>}
                </td>
                <td>{money(c.var.locale, o.status === "pending" ? o.amount : o.amount_paid, o.currency)}</td>
                <td>{t(`offers.order.status.${o.status}`)}</td>
                <td>
                  {o.status === "paid" && o.provider_payment_id && (
                    <form method="post" action={`/admin/orders/${o.id}/refund`}>
                      <CsrfField c={c} />
                      <button type="submit" class="secondary small">
                        {t("offers.admin.refund")}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>,
  );
}
