import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { notFound } from "../../platform/http/errors.ts";
import { formatDate, formatDateTime, type Locale } from "../../platform/i18n/index.ts";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { allMemberEntitlements, type Entitlement } from "../access/index.ts";
import { getMember, registerMemberFileSection, registerMemberMoney, type Member } from "../members/index.ts";
import { memberOrders, memberSubscriptions, getOrder } from "./fulfilment.ts";
import { listIncludables } from "./includables.ts";
import { liveSubscriptionStatuses, memberMoneyProvider } from "./member-money.ts";
import { money } from "./money.ts";
import { listOffers } from "./service.ts";

/*
 * The money part of the owner's page of a member (who pays what), and the
 * page of one order. Registered into the members module's member file, which
 * knows nothing of offers.
 */

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The short reference a buyer reads on their receipt. */
export function orderReference(id: string): string {
  return id.slice(-12).toUpperCase();
}

type Tr = (k: string, p?: Record<string, string | number>) => string;

function perInterval(t: Tr, interval: "month" | "year" | null): string {
  if (!interval) return "";
  return ` ${t(interval === "year" ? "offers.price.per_year" : "offers.price.per_month")}`;
}

function totals(locale: Locale, rows: { amount: number; currency: string }[]): string {
  const by = new Map<string, number>();
  for (const r of rows) by.set(r.currency, (by.get(r.currency) ?? 0) + r.amount);
  if (by.size === 0) return "—";
  return [...by].map(([cur, v]) => money(locale, v, cur)).join(" + ");
}

function statusClass(status: string): string {
  if (status === "paid" || status === "active" || status === "trialing") return "badge ok";
  if (status === "past_due" || status === "unpaid" || status === "failed") return "badge warn";
  return "badge";
}

async function resourceName(c: AppContext, names: Map<string, string>, e: Entitlement): Promise<string> {
  const t = tr(c);
  if (e.resourceKind === "offer") return names.get(e.resourceId) ?? t("offers.file.removedOffer");
  const kind = listIncludables().find((i) => i.kind === e.resourceKind);
  if (!kind) return t("offers.file.otherResource");
  if (e.resourceId === "*") return kind.allLabelKey ? t(kind.allLabelKey) : t(kind.labelKey);
  const item = (await kind.list(c.var.services.db)).find((x) => x.id === e.resourceId);
  return `${t(kind.labelKey)} · ${item?.title ?? t("offers.file.otherResource")}`;
}

export async function MemberMoneySection({ c, member }: { c: AppContext; member: Member }) {
  const t = tr(c);
  const db = c.var.services.db;
  const locale = c.var.locale;
  const tz = c.var.site.timeZone;
  const [orders, subs, ents, offers] = await Promise.all([
    memberOrders(db, member.id),
    memberSubscriptions(db, member.id),
    allMemberEntitlements(db, member.id, c.var.services.clock.nowIso()),
    listOffers(db),
  ]);
  const names = new Map(offers.map((o) => [o.id, o.name]));
  const paid = orders.filter((o) => o.status === "paid" || o.status === "refunded");
  const revenue = totals(
    locale,
    paid.map((o) => ({ amount: o.amount_paid - o.amount_refunded, currency: o.currency })),
  );
  const shownSubs = subs.filter((s) => s.status !== "pending");
  const liveSub = shownSubs.some((s) => (liveSubscriptionStatuses as readonly string[]).includes(s.status));
  const paying = liveSub ? "paying" : paid.length ? "customer" : "free";
  const entNames = await Promise.all(ents.map((e) => resourceName(c, names, e)));
  return (
    <section class="card member-section member-money" id="money" aria-labelledby="h-money">
      <h2 id="h-money">{t("offers.file.title")}</h2>
      <dl class="member-facts">
        <dt>{t("offers.file.revenue")}</dt>
        <dd data-revenue>{revenue}</dd>
        <dt>{t("offers.file.paying")}</dt>
        <dd>
          <span class={paying === "paying" ? "badge ok" : "badge"}>{t(`members.admin.paying.${paying}`)}</span>
        </dd>
      </dl>

      <h3>{t("offers.file.subscriptions")}</h3>
      {shownSubs.length === 0 ? (
        <p class="muted">{t("offers.file.noSubscriptions")}</p>
      ) : (
        <div class="table-wrap">
          <table class="member-subscriptions">
            <thead>
              <tr>
                <th scope="col">{t("offers.file.tier")}</th>
                <th scope="col">{t("offers.file.price")}</th>
                <th scope="col">{t("offers.file.status")}</th>
                <th scope="col">{t("offers.file.nextDate")}</th>
                <th scope="col">{t("offers.file.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {shownSubs.map((s) => {
                const ending = s.cancel_at_period_end === 1 || s.status === "canceled";
                const date = s.status === "canceled" ? (s.canceled_at ?? s.current_period_end) : s.current_period_end;
                return (
                  <tr data-subscription={s.id}>
                    <td>{names.get(s.offer_id) ?? t("offers.file.removedOffer")}</td>
                    <td data-label={t("offers.file.price")}>
                      {money(locale, s.amount, s.currency)}
                      {perInterval(t, s.interval)}
                    </td>
                    <td data-label={t("offers.file.status")}>
                      <span class={statusClass(s.status)}>{t(`offers.sub.status.${s.status}`)}</span>
                    </td>
                    <td data-label={t("offers.file.nextDate")}>
                      {date
                        ? t(ending ? "offers.file.endsOn" : "offers.file.renewsOn", {
                            date: formatDate(locale, date, tz),
                          })
                        : "—"}
                    </td>
                    <td data-label={t("offers.file.reason")}>
                      {s.cancel_reason ? <q>{s.cancel_reason}</q> : <span class="muted">—</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <h3>{t("offers.file.purchases")}</h3>
      {orders.length === 0 ? (
        <p class="muted">{t("offers.file.noPurchases")}</p>
      ) : (
        <div class="table-wrap">
          <table class="member-orders">
            <thead>
              <tr>
                <th scope="col">{t("offers.file.date")}</th>
                <th scope="col">{t("offers.file.what")}</th>
                <th scope="col">{t("offers.file.amount")}</th>
                <th scope="col">{t("offers.file.status")}</th>
                <th scope="col">{t("offers.file.order")}</th>
              </tr>
            </thead>
            <tbody>
              {orders.map((o) => (
                <tr data-order={o.id}>
                  <td class="strong">
                    <time datetime={o.paid_at ?? o.created_at}>
                      {formatDate(locale, o.paid_at ?? o.created_at, tz)}
                    </time>
                  </td>
                  <td data-label={t("offers.file.what")}>
                    {names.get(o.offer_id) ?? t("offers.file.removedOffer")}
                    <span class="muted small"> · {t(`offers.file.kind.${o.kind}`)}</span>
                  </td>
                  <td data-label={t("offers.file.amount")}>
                    {money(locale, o.status === "pending" ? o.amount : o.amount_paid, o.currency)}
                    {o.amount_refunded > 0 && (
                      <span class="muted small">
                        {" "}
                        · {t("offers.file.refunded", { amount: money(locale, o.amount_refunded, o.currency) })}
                      </span>
                    )}
                  </td>
                  <td data-label={t("offers.file.status")}>
                    <span class={statusClass(o.status)}>{t(`offers.order.status.${o.status}`)}</span>
                  </td>
                  <td data-label={t("offers.file.order")}>
                    <a href={`/admin/orders/${o.id}`}>{orderReference(o.id)}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h3>{t("offers.file.access")}</h3>
      {ents.length === 0 ? (
        <p class="muted">{t("offers.file.noAccess")}</p>
      ) : (
        <div class="table-wrap">
          <table class="member-access">
            <thead>
              <tr>
                <th scope="col">{t("offers.file.what")}</th>
                <th scope="col">{t("offers.file.source")}</th>
                <th scope="col">{t("offers.file.until")}</th>
                <th scope="col">{t("offers.file.status")}</th>
              </tr>
            </thead>
            <tbody>
              {ents.map((e, i) => (
                <tr data-entitlement={e.sourceKind}>
                  <td>{entNames[i]}</td>
                  <td data-label={t("offers.file.source")}>
                    {e.sourceKind === "order" && uuid.test(e.sourceId) ? (
                      <a href={`/admin/orders/${e.sourceId}`}>{t(`offers.source.${e.sourceKind}`)}</a>
                    ) : (
                      t(`offers.source.${e.sourceKind}`)
                    )}
                    {e.note && <span class="muted small"> · {e.note}</span>}
                  </td>
                  <td data-label={t("offers.file.until")}>
                    {e.endsAt ? formatDate(locale, e.endsAt, tz) : t("offers.account.forever")}
                  </td>
                  <td data-label={t("offers.file.status")}>
                    <span class={e.active ? "badge ok" : "badge"}>
                      {t(e.active ? "offers.admin.active" : "offers.admin.inactive")}
                    </span>
                    {e.revokeReason && <span class="muted small"> · {e.revokeReason}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="small">
        <a href={`/admin/members/${member.id}/access`}>{t("offers.file.manageAccess")}</a>
      </p>
    </section>
  );
}

async function orderPage(c: AppContext) {
  const t = tr(c);
  const db = c.var.services.db;
  const id = c.req.param("id") ?? "";
  if (!uuid.test(id)) throw notFound();
  const order = await getOrder(db, id.toLowerCase());
  if (!order) throw notFound();
  const locale = c.var.locale;
  const tz = c.var.site.timeZone;
  const offers = await listOffers(db);
  const offer = offers.find((o) => o.id === order.offer_id);
  const member = order.member_id ? await getMember(db, order.member_id) : undefined;
  const ref = orderReference(order.id);
  const m = (n: number) => money(locale, n, order.currency);
  return adminPage(
    c,
    t("offers.file.orderTitle", { ref }),
    <div class="members-admin order-page">
      <p class="small">
        {member ? (
          <a href={`/admin/members/${member.id}#money`}>‹ {member.name || member.email}</a>
        ) : (
          <a href="/admin/sales">‹ {t("offers.admin.sales")}</a>
        )}
      </p>
      <h1>{t("offers.file.orderTitle", { ref })}</h1>
      <section class="card">
        <dl class="member-facts">
          <dt>{t("offers.file.what")}</dt>
          <dd>
            {offer?.name ?? t("offers.file.removedOffer")}
            <span class="muted small"> · {t(`offers.file.kind.${order.kind}`)}</span>
          </dd>
          <dt>{t("offers.file.buyer")}</dt>
          <dd class="break">
            {member ? <a href={`/admin/members/${member.id}`}>{member.name || member.email}</a> : order.email}
          </dd>
          <dt>{t("offers.file.status")}</dt>
          <dd>
            <span class={statusClass(order.status)}>{t(`offers.order.status.${order.status}`)}</span>
          </dd>
          <dt>{t("offers.file.price")}</dt>
          <dd>{m(order.amount + order.discount_amount)}</dd>
          {order.discount_amount > 0 && (
            <>
              <dt>{t("offers.file.discount")}</dt>
              <dd>− {m(order.discount_amount)}</dd>
            </>
          )}
          <dt>{t("offers.file.paid")}</dt>
          <dd data-paid>{order.status === "pending" ? "—" : m(order.amount_paid)}</dd>
          {order.tax_amount !== null && order.tax_amount > 0 && (
            <>
              <dt>{t("offers.file.tax")}</dt>
              <dd data-tax>{m(order.tax_amount)}</dd>
            </>
          )}
          {order.amount_refunded > 0 && (
            <>
              <dt>{t("offers.file.refundedTitle")}</dt>
              <dd>
                {m(order.amount_refunded)}
                {order.refunded_at && ` · ${formatDateTime(locale, order.refunded_at, tz)}`}
              </dd>
            </>
          )}
          <dt>{t("offers.file.date")}</dt>
          <dd>{formatDateTime(locale, order.paid_at ?? order.created_at, tz)}</dd>
          <dt>{t("offers.file.reference")}</dt>
          <dd>
            <code>{ref}</code>
          </dd>
          {order.provider_payment_id && (
            <>
              <dt>{t("offers.file.providerReference")}</dt>
              <dd class="break small">{order.provider_payment_id}</dd>
            </>
          )}
        </dl>
      </section>
    </div>,
  );
}

/** Mounted by the offers module's routes(). */
export function memberFileRoutes(app: Hono<AppEnv>): void {
  registerMemberMoney(memberMoneyProvider);
  registerMemberFileSection("offers.money", (c, member) => <MemberMoneySection c={c} member={member} />, 20);
  app.get("/admin/orders/:id", (c) => orderPage(c));
}
