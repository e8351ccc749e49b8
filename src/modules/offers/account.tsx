import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { formValue, readForm } from "../../platform/http/forms.ts";
import { formatDate } from "../../platform/i18n/index.ts";
import { nowIso } from "../../platform/ids.ts";
import { record } from "../../platform/events/index.ts";
import { offerSnapshot, subscriptionCancelRequested } from "./events.ts";
import { CsrfField } from "../../platform/views/components.tsx";
import type { Db } from "../../platform/db/index.ts";
import {
  currentMember,
  registerAccountExport,
  registerAccountSection,
  registerEraseHook,
  type Member,
} from "../members/index.ts";
import { holdingsOf, decide } from "../access/index.ts";
import { allMemberEntitlements } from "../access/index.ts";
import { downloadLink, fileResource } from "./downloads.tsx";
import { money } from "./money.ts";
import { requireProvider } from "./context.ts";
import { PlanProgress, PlanSummary, instalmentsPaidBySub } from "./instalment-views.tsx";

/**
 * The member's side: purchases, subscriptions, downloads and gifts on
 * /account (through the members module's extension point), "manage
 * billing" (the provider's portal), cancel with a reason, data export and
 * erasure (orders are kept for accounting, without personal data).
 */
async function PurchasesSection({ c, member }: { c: AppContext; member: Member }) {
  const t = tr(c);
  const { db, secret } = c.var.services;
  const locale = c.var.locale;
  const tz = c.var.site.timeZone;
  const [orders, subs, ents, gifts, customer] = await Promise.all([
    db
      .selectFrom("orders")
      .innerJoin("offers", "offers.id", "orders.offer_id")
      .select([
        "orders.id",
        "orders.kind",
        "orders.status",
        "orders.amount_paid",
        "orders.amount",
        "orders.discount_amount",
        "orders.currency",
        "orders.created_at",
        "orders.paid_at",
        "offers.name",
      ])
      .where("orders.member_id", "=", member.id)
      .orderBy("orders.created_at", "desc")
      .limit(50)
      .execute(),
    db
      .selectFrom("subscriptions")
      .innerJoin("offers", "offers.id", "subscriptions.offer_id")
      .select([
        "subscriptions.id",
        "subscriptions.status",
        "subscriptions.amount",
        "subscriptions.currency",
        "subscriptions.interval",
        "subscriptions.current_period_end",
        "subscriptions.cancel_at_period_end",
        "subscriptions.instalments",
        "offers.name",
      ])
      .where("subscriptions.member_id", "=", member.id)
      .where("subscriptions.status", "not in", ["pending", "expired", "incomplete_expired"])
      .orderBy("subscriptions.created_at", "desc")
      .execute(),
    allMemberEntitlements(db, member.id),
    db
      .selectFrom("gifts")
      .innerJoin("offers", "offers.id", "gifts.offer_id")
      .select(["gifts.id", "gifts.recipient_email", "gifts.status", "offers.name"])
      .where("gifts.purchaser_member_id", "=", member.id)
      .orderBy("gifts.created_at", "desc")
      .execute(),
    db
      .selectFrom("provider_customers")
      .select("provider_customer_id")
      .where("member_id", "=", member.id)
      .executeTakeFirst(),
  ]);
  const holdings = await holdingsOf(db, member.id);
  const plansPaid = await instalmentsPaidBySub(
    db,
    subs.filter((s) => s.instalments > 0).map((s) => s.id),
  );
  const offerIds = [...holdings.offers];
  // Files of the offers held, and files another offer includes ("offer_file:<id>" or all of them).
  const includedFiles = [...holdings.resources].filter((r) => r.startsWith("offer_file:")).map((r) => r.slice(11));
  const allFiles = includedFiles.includes("*");
  const files = offerIds.length
    ? await db
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
    : [];
  const downloads = files.filter((f) => decide({ kind: "member", memberId: member.id }, holdings, fileResource(f)));
  const offerNames = new Map(
    (await db.selectFrom("offers").select(["id", "name"]).execute()).map((o) => [o.id, o.name]),
  );
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
              <span class="badge ok">{t(`offers.source.${e.sourceKind}`)}</span>{" "}
              <span class="muted small">
                {e.endsAt
                  ? t("offers.account.until", { date: formatDate(locale, e.endsAt, tz) })
                  : t("offers.account.forever")}
              </span>
            </li>
          ))}
        </ul>
      )}
      {subs.length > 0 && (
        <>
          <h3>{t("offers.account.subscriptions")}</h3>
          {subs.map((s) => (
            <div class="sub-row">
              <p>
                <strong>{s.name}</strong> —{" "}
                {s.instalments > 0 ? (
                  <PlanSummary locale={locale} sub={s} />
                ) : (
                  <>
                    {money(locale, s.amount, s.currency)}{" "}
                    {t(s.interval === "year" ? "offers.price.per_year" : "offers.price.per_month")}
                  </>
                )}{" "}
                <span class={`badge ${s.status === "active" || s.status === "trialing" ? "ok" : "warn"}`}>
                  {t(`offers.sub.status.${s.status}`)}
                </span>
              </p>
              {s.instalments > 0 && <PlanProgress locale={locale} tz={tz} sub={s} paid={plansPaid.get(s.id) ?? 0} />}
              {s.instalments === 0 && s.current_period_end && s.status !== "canceled" && (
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

async function exportPurchases(db: Db, member: Member) {
  const [orders, subscriptions, entitlements, gifts, discountRedemptions, providerCustomers] = await Promise.all([
    db
      .selectFrom("orders")
      .select([
        "id",
        "kind",
        "offer_id",
        "amount_paid",
        "amount_refunded",
        "currency",
        "status",
        "paid_at",
        "created_at",
      ])
      .where("member_id", "=", member.id)
      .execute(),
    db
      .selectFrom("subscriptions")
      .select([
        "id",
        "offer_id",
        "amount",
        "currency",
        "interval",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "cancel_reason",
        "created_at",
      ])
      .where("member_id", "=", member.id)
      .execute(),
    allMemberEntitlements(db, member.id),
    db
      .selectFrom("gifts")
      .select([
        "id",
        "offer_id",
        "purchaser_email",
        "recipient_email",
        "recipient_name",
        "message",
        "status",
        "claimed_at",
        "created_at",
      ])
      .where((eb) =>
        eb.or([
          eb("purchaser_member_id", "=", member.id),
          eb("claimed_by", "=", member.id),
          eb("recipient_email", "=", member.email),
        ]),
      )
      .execute(),
    db
      .selectFrom("discount_redemptions")
      .select(["code_id", "email", "amount_off", "status", "created_at"])
      .where((eb) => eb.or([eb("member_id", "=", member.id), eb("email", "=", member.email)]))
      .execute(),
    db
      .selectFrom("provider_customers")
      .select(["provider", "provider_customer_id", "created_at"])
      .where("member_id", "=", member.id)
      .execute(),
  ]);
  return { orders, subscriptions, entitlements, gifts, discountRedemptions, providerCustomers };
}

let registered = false;
export function registerAccountExtensions(): void {
  if (registered) return;
  registered = true;
  registerAccountSection((c, m) => <PurchasesSection c={c} member={m} />, { id: "offers-purchases", order: 20 });
  registerAccountExport("purchases", exportPurchases);
  // Accounting keeps orders (amount, date, offer); everything that names the person goes.
  registerEraseHook(async (trx, member) => {
    await trx
      .updateTable("orders")
      .set({ member_id: null, email: "", browser_token_hash: null, updated_at: nowIso() })
      .where("member_id", "=", member.id)
      .execute();
    await trx
      .updateTable("subscriptions")
      .set({ member_id: null, email: "", cancel_reason: null, browser_token_hash: null, updated_at: nowIso() })
      .where("member_id", "=", member.id)
      .execute();
    await trx
      .updateTable("gifts")
      .set({ recipient_email: "", recipient_name: "", message: "", purchaser_email: "" })
      .where((eb) =>
        eb.or([
          eb("purchaser_member_id", "=", member.id),
          eb("claimed_by", "=", member.id),
          eb("recipient_email", "=", member.email),
        ]),
      )
      .execute();
    await trx
      .updateTable("gifts")
      .set({ purchaser_member_id: null })
      .where("purchaser_member_id", "=", member.id)
      .execute();
    await trx.updateTable("gifts").set({ claimed_by: null }).where("claimed_by", "=", member.id).execute();
    await trx.deleteFrom("provider_customers").where("member_id", "=", member.id).execute();
    await trx
      .updateTable("discount_redemptions")
      .set({ member_id: null, email: "" })
      .where((eb) => eb.or([eb("member_id", "=", member.id), eb("email", "=", member.email)]))
      .execute();
    // The dev provider's stand-in for Stripe's records (test payments only).
    await trx
      .deleteFrom("dev_payment_objects")
      .where("data", "like", `%${JSON.stringify(member.email).slice(1, -1)}%`)
      .execute();
  });
}

export function accountRoutes(app: Hono<AppEnv>): void {
  app.post("/account/billing", async (c) => {
    const member = await currentMember(c);
    if (!member) throw new AppError("unauthenticated", 401);
    const provider = requireProvider(c);
    const db = c.var.services.db;
    const customer = await db
      .selectFrom("provider_customers")
      .select("provider_customer_id")
      .where("member_id", "=", member.id)
      .where("provider", "=", provider.name)
      .executeTakeFirst();
    if (!customer) throw new AppError("not_found", 404, "offers.error.no_billing");
    const url = await provider.customerPortalUrl(
      customer.provider_customer_id,
      `${c.var.services.config.publicUrl}/account`,
    );
    return c.redirect(url, 303);
  });

  app.post("/account/subscriptions/:id/cancel", async (c) => {
    const member = await currentMember(c);
    if (!member) throw new AppError("unauthenticated", 401);
    const db = c.var.services.db;
    // Someone else's subscription id is simply not found.
    const sub = await db
      .selectFrom("subscriptions")
      .selectAll()
      .where("id", "=", c.req.param("id"))
      .where("member_id", "=", member.id)
      .executeTakeFirst();
    if (!sub || !sub.provider_subscription_id) throw new AppError("not_found", 404);
    const reason = formValue(await readForm(c), "reason")
      .trim()
      .slice(0, 500);
    const provider = requireProvider(c);
    await db
      .updateTable("subscriptions")
      .set({ cancel_reason: reason || null, updated_at: nowIso() })
      .where("id", "=", sub.id)
      .execute();
    await record(
      db,
      subscriptionCancelRequested,
      {
        subscriptionId: sub.id,
        offerName: (await offerSnapshot(db, sub.offer_id)).offerName,
        ...(reason ? { reason } : {}),
      },
      { memberId: member.id, actor: "member" },
    );
    await provider.cancelSubscription(sub.provider_subscription_id, {
      atPeriodEnd: true,
      idempotencyKey: `cancel:${sub.id}:${sub.version}`,
    });
    return c.redirect("/account?canceled=1#purchases", 303);
  });
}
