import type { Hono } from "hono";
import { raw } from "hono/html";
import { sql } from "kysely";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { formValue, readForm } from "../../platform/http/forms.ts";
import { formatDate } from "../../platform/i18n/index.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { record } from "../../platform/events/index.ts";
import {
  accessGranted,
  accessRevoked,
  offerSnapshot,
  orderRefundRequested,
  subscriptionCancelRequested,
} from "./events.ts";
import { transaction, type Db } from "../../platform/db/index.ts";
import { CsrfField } from "../../platform/views/components.tsx";
import { adminPage, registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { getMember } from "../members/index.ts";
import { allMemberEntitlements, countLiveHolders, grantEntitlement, revokeEntitlement } from "../access/index.ts";
import { OFFER_UPLOAD_PATH, offerUpload, receiveOfferUpload, setOfferUploadLimit } from "./downloads.tsx";
import { automaticTaxEnabled, lastStripeSync, requestStripeSync, setAutomaticTax } from "./stripe-sync.ts";
import { stripeProviderFor } from "./webhooks.ts";
import { money, parseAmount, priceLabel } from "./money.ts";
import {
  addPrice,
  createOffer,
  getOffer,
  listOffers,
  offerIncludes,
  offerPrices,
  setOfferIncludes,
  setPriceActive,
  slugPattern,
  updateOffer,
  type OfferKind,
} from "./service.ts";
import { isTestMode, requireProvider } from "./context.ts";

/**
 * The creator's side: offers and prices, what a tier includes, files,
 * discount codes, sales (orders, subscriptions, MRR, revenue this month,
 * refund/cancel through the provider) and access granted by hand.
 */
const kinds: OfferKind[] = ["tier", "product", "tip"];
const currencies = ["EUR", "USD", "GBP", "CHF", "CAD"];

const bad = (field: string, key: string) => new AppError("invalid_input", 422, key, { [field]: { key } });

/** MRR (monthly value of live subscriptions) and revenue since the 1st, per currency. */
export async function revenueFigures(db: Db, now = new Date()) {
  const subs = await db
    .selectFrom("subscriptions")
    .select(["amount", "currency", "interval"])
    .where("status", "in", ["active", "past_due"])
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
    .executeTakeFirstOrThrow();
  return { mrr, month, activeSubscribers: Number(active.n) };
}

function moneyList(c: AppContext, m: Map<string, number>): string {
  if (m.size === 0) return money(c.var.locale, 0, "EUR");
  return [...m].map(([cur, v]) => money(c.var.locale, v, cur)).join(" + ");
}

async function offersList(c: AppContext, error?: string) {
  const t = tr(c);
  const db = c.var.services.db;
  const offers = await listOffers(db);
  const prices = await offerPrices(
    db,
    offers.map((o) => o.id),
  );
  const figures = await revenueFigures(db);
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
        {error && (
          <p class="form-errors" role="alert">
            {t(error)}
          </p>
        )}
        <form method="post" action="/admin/offers" class="admin-form">
          <CsrfField c={c} />
          <div class="row">
            <div class="field">
              <label for="n-name">{t("offers.admin.name")}</label>
              <input id="n-name" type="text" name="name" required maxlength={120} />
            </div>
            <div class="field">
              <label for="n-slug">{t("offers.admin.slug")}</label>
              <input id="n-slug" type="text" name="slug" required maxlength={64} pattern="[a-z0-9-]+" />
            </div>
            <div class="field">
              <label for="n-kind">{t("offers.admin.kind")}</label>
              <select id="n-kind" name="kind">
                {kinds.map((k) => (
                  <option value={k}>{t(`offers.kind.${k}`)}</option>
                ))}
              </select>
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
    </div>,
    error ? 422 : 200,
  );
}

async function offerEdit(
  c: AppContext,
  id: string,
  error?: string,
  status: 422 | 413 = 422,
  params?: Record<string, string | number>,
) {
  const t = tr(c);
  const db = c.var.services.db;
  const offer = await getOffer(db, id);
  if (!offer) throw new AppError("not_found", 404);
  const prices = await offerPrices(db, [id]);
  const includes = await offerIncludes(db, id);
  const files = await db.selectFrom("offer_files").selectAll().where("offer_id", "=", id).orderBy("position").execute();
  const base = `/admin/offers/${id}`;
  const stripe = !!stripeProviderFor(c.var.services.config);
  const sync = stripe ? await lastStripeSync(db, id) : undefined;
  return adminPage(
    c,
    offer.name,
    <div class="admin-offers">
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
        <form method="post" action={`${base}/status`} class="offer-row-actions">
          <CsrfField c={c} />
          {offer.status !== "published" && (
            <button type="submit" name="status" value="published" class="small">
              {t("offers.admin.publish")}
            </button>
          )}
          {offer.status !== "draft" && (
            <button type="submit" name="status" value="draft" class="secondary small">
              {t("offers.admin.unpublish")}
            </button>
          )}
          {offer.status !== "archived" && (
            <button type="submit" name="status" value="archived" class="secondary small">
              {t("offers.admin.archive")}
            </button>
          )}
        </form>
      </div>
      {error && (
        <p class="form-errors" role="alert">
          {t(error, params)}
        </p>
      )}
      <p class="muted small">{t("offers.admin.archive_hint")}</p>
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
      <section class="admin-section card">
        <h2>{t("offers.admin.details")}</h2>
        <form method="post" action={base} class="admin-form">
          <CsrfField c={c} />
          <div class="row">
            <div class="field">
              <label for="e-name">{t("offers.admin.name")}</label>
              <input id="e-name" type="text" name="name" value={offer.name} required maxlength={120} />
            </div>
            <div class="field">
              <label for="e-slug">{t("offers.admin.slug")}</label>
              <input id="e-slug" type="text" name="slug" value={offer.slug} required maxlength={64} />
            </div>
            <div class="field">
              <label for="e-kind">{t("offers.admin.kind")}</label>
              <select id="e-kind" name="kind">
                {kinds.map((k) => (
                  <option value={k} selected={k === offer.kind}>
                    {t(`offers.kind.${k}`)}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="e-pos">{t("offers.admin.position")}</label>
              <input id="e-pos" name="position" type="number" value={String(offer.position)} />
            </div>
          </div>
          <div class="field">
            <label for="e-sum">{t("offers.admin.summary")}</label>
            <input id="e-sum" type="text" name="summary" value={offer.summary} maxlength={200} />
          </div>
          <div class="field">
            <label for="e-desc">{t("offers.admin.description")}</label>
            <p class="hint">{t("offers.admin.markdown")}</p>
            <textarea id="e-desc" name="description" rows={8}>
              {offer.description_md}
            </textarea>
          </div>
          <label class="check">
            <input type="checkbox" name="highlight" checked={offer.highlight === 1} /> {t("offers.admin.highlight")}
          </label>
          <p>
            <button type="submit">{t("offers.admin.save")}</button>
          </p>
        </form>
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
            <li>
              <form method="post" action={`${base}/prices/${p.id}/toggle`} class="inline-form">
                <CsrfField c={c} />
                <span>
                  <strong>{priceLabel(t, c.var.locale, p)}</strong>
                  {p.trial_days > 0 && ` · ${t("offers.offer.trial", { days: p.trial_days })}`}{" "}
                  <span class={`badge ${p.active ? "ok" : ""}`}>
                    {t(p.active ? "offers.admin.active" : "offers.admin.inactive")}
                  </span>
                </span>
                <button type="submit" class="secondary small">
                  {t(p.active ? "offers.admin.deactivate" : "offers.admin.activate")}
                </button>
              </form>
            </li>
          ))}
        </ul>
        <form method="post" action={`${base}/prices`} class="admin-form">
          <CsrfField c={c} />
          <h3>{t("offers.admin.add_price")}</h3>
          <div class="row">
            <div class="field">
              <label for="p-kind">{t("offers.admin.price_kind")}</label>
              <select id="p-kind" name="kind">
                <option value="one_off">{t("offers.admin.one_off")}</option>
                <option value="month">{t("offers.admin.monthly")}</option>
                <option value="year">{t("offers.admin.yearly")}</option>
              </select>
            </div>
            <div class="field">
              <label for="p-amount">{t("offers.admin.amount")}</label>
              <input id="p-amount" type="text" name="amount" inputmode="decimal" required />
            </div>
            <div class="field">
              <label for="p-cur">{t("offers.admin.currency")}</label>
              <select id="p-cur" name="currency">
                {currencies.map((cur) => (
                  <option value={cur}>{cur}</option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="p-trial">{t("offers.admin.trial_days")}</label>
              <input id="p-trial" name="trial_days" type="number" min="0" max="365" value="0" />
            </div>
          </div>
          <label class="check">
            <input type="checkbox" name="pwyw" /> {t("offers.admin.pwyw")}
          </label>
          <div class="row">
            <div class="field">
              <label for="p-min">{t("offers.admin.min_amount")}</label>
              <input id="p-min" type="text" name="min_amount" inputmode="decimal" />
            </div>
            <div class="field">
              <label for="p-sug">{t("offers.admin.suggested")}</label>
              <input id="p-sug" type="text" name="suggested_amount" inputmode="decimal" />
            </div>
          </div>
          <p>
            <button type="submit" class="secondary">
              {t("offers.admin.add_price")}
            </button>
          </p>
        </form>
      </section>
      <section class="admin-section card">
        <h2>{t("offers.admin.includes")}</h2>
        <p class="muted small">{t("offers.admin.includes_hint")}</p>
        <form method="post" action={`${base}/includes`} class="admin-form">
          <CsrfField c={c} />
          <div class="field">
            <label for="i-list">{t("offers.admin.includes_label")}</label>
            <textarea id="i-list" name="includes" rows={4}>
              {includes.map((i) => `${i.kind}:${i.id}`).join("\n")}
            </textarea>
          </div>
          <p>
            <button type="submit" class="secondary">
              {t("offers.admin.save")}
            </button>
          </p>
        </form>
      </section>
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
              {t("offers.admin.upload_hint", { max: Math.floor(offerUpload.maxBytes / (1024 * 1024)) })}
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
    </div>,
    error ? status : 200,
  );
}

function parseMinor(
  form: Record<string, string | string[]>,
  name: string,
  currency: string,
  required: boolean,
): number | null {
  const raw = formValue(form, name).trim();
  if (!raw) {
    if (required) throw bad(name, "offers.error.amount_invalid");
    return null;
  }
  const v = parseAmount(raw, currency);
  if (v === null || v > 10_000_000) throw bad(name, "offers.error.amount_invalid");
  return v;
}

async function salesPage(c: AppContext) {
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
    revenueFigures(db),
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

async function discountsPage(c: AppContext, error?: string) {
  const t = tr(c);
  const db = c.var.services.db;
  const codes = await db.selectFrom("discount_codes").selectAll().orderBy("created_at", "desc").execute();
  const offers = await listOffers(db);
  return adminPage(
    c,
    t("offers.admin.discounts"),
    <div class="admin-offers">
      <h1>{t("offers.admin.discounts")}</h1>
      {error && (
        <p class="form-errors" role="alert">
          {t(error)}
        </p>
      )}
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
    error ? 422 : 200,
  );
}

async function memberAccessPage(c: AppContext, memberId: string) {
  const t = tr(c);
  const db = c.var.services.db;
  const member = await getMember(db, memberId);
  if (!member) throw new AppError("not_found", 404);
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
  );
}

function dateToIso(v: string): string | null {
  if (!v) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))) throw bad("ends", "offers.admin.bad_date");
  return new Date(`${v}T23:59:59.000Z`).toISOString();
}

export function adminRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/offers", labelKey: "offers.admin.nav", order: 40 });
  registerAdminNav({ href: "/admin/sales", labelKey: "offers.admin.sales", order: 41 });
  // Uploads stream to disk (platform/http/body.ts) with their own body limit.
  setOfferUploadLimit(offerUpload.maxBytes);
  const syncLater = (c: AppContext, offerId: string) =>
    requestStripeSync(c.var.services.db, c.var.services.config, offerId);

  app.get("/admin/offers", (c) => offersList(c));
  app.post("/admin/offers", async (c) => {
    const f = await readForm(c);
    const name = formValue(f, "name").trim().slice(0, 120);
    const slug = formValue(f, "slug").trim().toLowerCase();
    const kind = formValue(f, "kind") as OfferKind;
    if (!name) return offersList(c, "offers.admin.err_name");
    if (!slugPattern.test(slug)) return offersList(c, "offers.admin.err_slug");
    if (!kinds.includes(kind)) return offersList(c, "offers.admin.err_kind");
    try {
      const o = await createOffer(c.var.services.db, { name, slug, kind });
      return c.redirect(`/admin/offers/${o.id}`, 303);
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return offersList(c, "offers.error.slug_taken");
      throw err;
    }
  });
  app.get("/admin/offers/:id", (c) => offerEdit(c, c.req.param("id")));
  app.post("/admin/offers/:id", async (c) => {
    const id = c.req.param("id");
    const f = await readForm(c);
    const slug = formValue(f, "slug").trim().toLowerCase();
    const name = formValue(f, "name").trim().slice(0, 120);
    const kind = formValue(f, "kind") as OfferKind;
    if (!name) return offerEdit(c, id, "offers.admin.err_name");
    if (!slugPattern.test(slug)) return offerEdit(c, id, "offers.admin.err_slug");
    if (!kinds.includes(kind)) return offerEdit(c, id, "offers.admin.err_kind");
    try {
      await updateOffer(c.var.services.db, id, {
        name,
        slug,
        kind,
        summary: formValue(f, "summary").slice(0, 200),
        descriptionMd: formValue(f, "description").slice(0, 20000),
        position: Number.parseInt(formValue(f, "position"), 10) || 0,
        highlight: formValue(f, "highlight") === "on",
      });
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return offerEdit(c, id, "offers.error.slug_taken");
      throw err;
    }
    await syncLater(c, id);
    return c.redirect(`/admin/offers/${id}`, 303);
  });
  app.post("/admin/offers/:id/status", async (c) => {
    const status = formValue(await readForm(c), "status");
    if (status !== "draft" && status !== "published" && status !== "archived") throw new AppError("invalid_input", 400);
    const id = c.req.param("id");
    if (!(await getOffer(c.var.services.db, id))) throw new AppError("not_found", 404);
    await updateOffer(c.var.services.db, id, { status });
    await syncLater(c, id);
    return c.redirect(`/admin/offers/${id}`, 303);
  });
  app.post("/admin/offers/:id/prices", async (c) => {
    const id = c.req.param("id");
    const f = await readForm(c);
    if (!(await getOffer(c.var.services.db, id))) throw new AppError("not_found", 404);
    const currency = formValue(f, "currency");
    if (!currencies.includes(currency)) return offerEdit(c, id, "offers.admin.err_currency");
    const k = formValue(f, "kind");
    try {
      const amount = parseMinor(f, "amount", currency, true)!;
      const pwyw = formValue(f, "pwyw") === "on";
      const min = pwyw ? (parseMinor(f, "min_amount", currency, false) ?? 0) : amount;
      const suggested = pwyw ? (parseMinor(f, "suggested_amount", currency, false) ?? amount) : null;
      const trial = Math.min(365, Math.max(0, Number.parseInt(formValue(f, "trial_days"), 10) || 0));
      if (pwyw && (suggested ?? 0) < min) return offerEdit(c, id, "offers.admin.err_suggested");
      if (!pwyw && amount <= 0) return offerEdit(c, id, "offers.admin.err_amount");
      const existing = await offerPrices(c.var.services.db, [id]);
      await addPrice(c.var.services.db, id, {
        kind: k === "one_off" ? "one_off" : "recurring",
        interval: k === "year" ? "year" : k === "month" ? "month" : null,
        amount,
        currency,
        payWhatYouWant: pwyw,
        minAmount: min,
        suggestedAmount: suggested,
        trialDays: trial,
        position: existing.length,
      });
    } catch (err) {
      if (err instanceof AppError && err.status === 422) return offerEdit(c, id, "offers.admin.err_amount");
      throw err;
    }
    await syncLater(c, id);
    return c.redirect(`/admin/offers/${id}`, 303);
  });
  app.post("/admin/offers/:id/prices/:pid/toggle", async (c) => {
    const db = c.var.services.db;
    const p = await db
      .selectFrom("prices")
      .selectAll()
      .where("id", "=", c.req.param("pid"))
      .where("offer_id", "=", c.req.param("id"))
      .executeTakeFirst();
    if (!p) throw new AppError("not_found", 404);
    await setPriceActive(db, p.id, p.active !== 1);
    await syncLater(c, p.offer_id);
    return c.redirect(`/admin/offers/${p.offer_id}`, 303);
  });
  app.post("/admin/offers/:id/includes", async (c) => {
    const id = c.req.param("id");
    if (!(await getOffer(c.var.services.db, id))) throw new AppError("not_found", 404);
    const lines = formValue(await readForm(c), "includes")
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
    const list = [];
    for (const l of lines.slice(0, 200)) {
      const m = /^([a-z_]{2,30}):([A-Za-z0-9_*-]{1,64})$/.exec(l);
      if (!m) return offerEdit(c, id, "offers.admin.err_includes");
      list.push({ kind: m[1]!, id: m[2]! });
    }
    await setOfferIncludes(c.var.services.db, id, list);
    return c.redirect(`/admin/offers/${id}`, 303);
  });
  app.post(OFFER_UPLOAD_PATH, async (c) => {
    const id = c.req.query("offer") ?? "";
    if (!(await getOffer(c.var.services.db, id))) throw new AppError("not_found", 404);
    try {
      await receiveOfferUpload(c, id);
    } catch (err) {
      if (err instanceof AppError && (err.status === 422 || err.status === 413))
        return offerEdit(c, id, err.messageKey, err.status, err.params);
      throw err;
    }
    return c.redirect(`/admin/offers/${id}`, 303);
  });
  app.post("/admin/offer-settings", async (c) => {
    await setAutomaticTax(c.var.services.db, formValue(await readForm(c), "automatic_tax") === "on");
    return c.redirect("/admin/offers", 303);
  });

  app.get("/admin/sales", (c) => salesPage(c));
  app.post("/admin/orders/:id/refund", async (c) => {
    const db = c.var.services.db;
    const order = await db.selectFrom("orders").selectAll().where("id", "=", c.req.param("id")).executeTakeFirst();
    if (!order) throw new AppError("not_found", 404);
    if (order.status !== "paid" || !order.provider_payment_id)
      throw new AppError("conflict", 409, "offers.admin.err_refund");
    // The provider refunds; its charge.refunded event closes the access (exactly like a refund made on Stripe's dashboard).
    await requireProvider(c).refund(order.provider_payment_id, `refund:${order.id}`);
    await record(
      db,
      orderRefundRequested,
      {
        orderId: order.id,
        offerName: (await offerSnapshot(db, order.offer_id)).offerName,
        amount: order.amount_paid,
        currency: order.currency,
      },
      { memberId: order.member_id, actor: "staff" },
    );
    return c.redirect("/admin/sales", 303);
  });
  app.post("/admin/subscriptions/:id/cancel", async (c) => {
    const db = c.var.services.db;
    const sub = await db.selectFrom("subscriptions").selectAll().where("id", "=", c.req.param("id")).executeTakeFirst();
    if (!sub || !sub.provider_subscription_id) throw new AppError("not_found", 404);
    const now = formValue(await readForm(c), "when") === "now";
    await requireProvider(c).cancelSubscription(sub.provider_subscription_id, {
      atPeriodEnd: !now,
      idempotencyKey: `admin-cancel:${sub.id}:${sub.version}:${now ? "now" : "end"}`,
    });
    await record(
      db,
      subscriptionCancelRequested,
      { subscriptionId: sub.id, offerName: (await offerSnapshot(db, sub.offer_id)).offerName, now },
      { memberId: sub.member_id, actor: "staff" },
    );
    return c.redirect("/admin/sales", 303);
  });

  app.get("/admin/discounts", (c) => discountsPage(c));
  app.post("/admin/discounts", async (c) => {
    const f = await readForm(c);
    const code = formValue(f, "code").trim().toUpperCase();
    if (!/^[A-Z0-9_-]{2,40}$/.test(code)) return discountsPage(c, "offers.admin.err_code");
    const kind = formValue(f, "kind") === "amount" ? "amount" : "percent";
    const currency = formValue(f, "currency");
    if (!currencies.includes(currency)) return discountsPage(c, "offers.admin.err_currency");
    const value =
      kind === "percent" ? Number.parseInt(formValue(f, "value"), 10) : parseAmount(formValue(f, "value"), currency);
    if (value === null || !Number.isInteger(value) || value <= 0 || (kind === "percent" && value > 100))
      return discountsPage(c, "offers.admin.err_value");
    const max = formValue(f, "max") ? Number.parseInt(formValue(f, "max"), 10) : null;
    if (max !== null && (!Number.isInteger(max) || max < 1)) return discountsPage(c, "offers.admin.err_value");
    const offerIds = (Array.isArray(f.offers) ? f.offers : f.offers ? [f.offers] : []).filter((x) =>
      /^[0-9a-f-]{36}$/.test(x),
    );
    let starts: string | null, ends: string | null;
    try {
      starts = formValue(f, "starts") ? dateToIso(formValue(f, "starts"))!.replace("T23:59:59", "T00:00:00") : null;
      ends = dateToIso(formValue(f, "ends"));
    } catch {
      return discountsPage(c, "offers.admin.bad_date");
    }
    const at = nowIso();
    try {
      await c.var.services.db
        .insertInto("discount_codes")
        .values({
          id: newId(),
          code,
          kind,
          value,
          currency: kind === "amount" ? currency : null,
          offer_ids: JSON.stringify(offerIds),
          starts_at: starts,
          ends_at: ends,
          max_redemptions: max,
          redemptions_count: 0,
          active: 1,
          created_at: at,
          updated_at: at,
        })
        .execute();
    } catch {
      return discountsPage(c, "offers.admin.err_code_taken");
    }
    return c.redirect("/admin/discounts", 303);
  });
  app.post("/admin/discounts/:id/toggle", async (c) => {
    const db = c.var.services.db;
    const d = await db
      .selectFrom("discount_codes")
      .select(["id", "active"])
      .where("id", "=", c.req.param("id"))
      .executeTakeFirst();
    if (!d) throw new AppError("not_found", 404);
    await db
      .updateTable("discount_codes")
      .set({ active: d.active ? 0 : 1, updated_at: nowIso() })
      .where("id", "=", d.id)
      .execute();
    return c.redirect("/admin/discounts", 303);
  });

  app.get("/admin/members/:id/access", (c) => memberAccessPage(c, c.req.param("id")));
  app.post("/admin/members/:id/access", async (c) => {
    const db = c.var.services.db;
    const memberId = c.req.param("id");
    if (!(await getMember(db, memberId))) throw new AppError("not_found", 404);
    const f = await readForm(c);
    const offer = await getOffer(db, formValue(f, "offer"));
    if (!offer) throw bad("offer", "offers.error.not_available");
    const endsAt = dateToIso(formValue(f, "ends"));
    const note = formValue(f, "note").trim().slice(0, 200);
    await transaction(db, async (trx) => {
      await grantEntitlement(trx, {
        memberId,
        resourceKind: "offer",
        resourceId: offer.id,
        sourceKind: "complimentary",
        sourceId: newId(),
        endsAt,
        note,
      });
      await record(
        trx,
        accessGranted,
        { offerId: offer.id, offerName: offer.name, endsAt },
        { memberId, actor: "staff" },
      );
    });
    return c.redirect(`/admin/members/${memberId}/access`, 303);
  });
  app.post("/admin/members/:id/access/:eid/revoke", async (c) => {
    const db = c.var.services.db;
    const memberId = c.req.param("id");
    if (!(await revokeEntitlement(db, memberId, c.req.param("eid"), "staff"))) throw new AppError("not_found", 404);
    await record(db, accessRevoked, { entitlementId: c.req.param("eid") }, { memberId, actor: "staff" });
    return c.redirect(`/admin/members/${memberId}/access`, 303);
  });
}
