import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { formValue, readForm, safeRedirectPath } from "../../platform/http/forms.ts";
import { page } from "../../platform/views/layout.tsx";
import { CsrfField } from "../../platform/views/components.tsx";
import { formatDate } from "../../platform/i18n/index.ts";
import { requireDev } from "./context.ts";
import { money } from "./money.ts";

/**
 * The dev provider's pages: a checkout (pay, pay with a delayed method,
 * cancel) and a billing portal (cancel/resume, switch price, simulate the end
 * of a period). They say "test payment" everywhere and do not exist in
 * production or when Stripe is configured.
 */
function Banner({ c }: { c: AppContext }) {
  const t = tr(c);
  return (
    <p class="test-banner" role="note">
      <strong>{t("offers.test.badge")}</strong> {t("offers.dev.banner")}
    </p>
  );
}

/** A portal link is signed and short-lived, like Stripe's portal sessions: an old one asks for a new one. */
function checkPortal(state: "ok" | "expired" | "invalid"): void {
  if (state === "invalid") throw new AppError("forbidden", 403);
  if (state === "expired") throw new AppError("link_expired", 410, "offers.dev.portal_expired");
}

export function devRoutes(app: Hono<AppEnv>): void {
  app.get("/dev-checkout/:id", async (c) => {
    const dev = requireDev(c);
    const t = tr(c);
    const found = await dev.getCheckout(c.req.param("id"));
    if (!found) throw new AppError("not_found", 404);
    const co = await dev.expireIfDue(found);
    const line = co.request.line;
    const interval = line.interval
      ? ` ${t(line.interval === "year" ? "offers.price.per_year" : "offers.price.per_month")}`
      : "";
    c.header("Cache-Control", "no-store");
    return page(
      c,
      { title: t("offers.dev.title"), noindex: true },
      <div class="narrow dev-checkout">
        <Banner c={c} />
        <h1>{t("offers.dev.title")}</h1>
        <div class="card stack">
          <p class="dev-line">
            <span>{line.name}</span>
            <strong>
              {money(c.var.locale, line.amount, line.currency)}
              {interval}
            </strong>
          </p>
          {line.trialDays ? <p class="muted small">{t("offers.offer.trial", { days: line.trialDays })}</p> : null}
          {co.status === "open" ? (
            <form method="post" action={`/dev-checkout/${co.id}`} class="stack">
              <CsrfField c={c} />
              <button type="submit" name="action" value="pay">
                {t("offers.dev.pay")}
              </button>
              <button type="submit" name="action" value="delayed" class="secondary">
                {t("offers.dev.pay_delayed")}
              </button>
              <button type="submit" name="action" value="cancel" class="secondary">
                {t("offers.dev.cancel")}
              </button>
            </form>
          ) : (
            <p class="notice">{t("offers.dev.already", { status: co.status })}</p>
          )}
        </div>
      </div>,
    );
  });

  app.post("/dev-checkout/:id", async (c) => {
    const dev = requireDev(c);
    const found = await dev.getCheckout(c.req.param("id"));
    if (!found) throw new AppError("not_found", 404);
    const co = await dev.expireIfDue(found);
    const action = formValue(await readForm(c), "action");
    if (co.status !== "open") return c.redirect(co.request.successUrl, 303);
    if (action === "cancel") {
      await dev.cancelCheckout(co.id);
      return c.redirect(co.request.cancelUrl, 303);
    }
    if (action !== "pay" && action !== "delayed") throw new AppError("invalid_input", 400);
    await dev.pay(co.id, { delayed: action === "delayed" });
    return c.redirect(co.request.successUrl, 303);
  });

  app.post("/dev-checkout/:id/settle", async (c) => {
    const dev = requireDev(c);
    const co = await dev.getCheckout(c.req.param("id"));
    if (!co) throw new AppError("not_found", 404);
    const ok = formValue(await readForm(c), "ok") === "1";
    if (co.status === "processing") await dev.settle(co.id, ok);
    return c.redirect(co.request.successUrl, 303);
  });

  app.get("/dev-portal/:customer/:sig", async (c) => {
    const dev = requireDev(c);
    const t = tr(c);
    const customer = c.req.param("customer");
    checkPortal(dev.checkPortalSignature(customer, c.req.param("sig")));
    const db = c.var.services.db;
    const subs = await dev.customerSubscriptions(customer);
    const prices = await db
      .selectFrom("prices")
      .innerJoin("offers", "offers.id", "prices.offer_id")
      .select([
        "prices.id",
        "prices.amount",
        "prices.currency",
        "prices.interval",
        "prices.provider_price_id",
        "offers.name",
      ])
      .where("prices.kind", "=", "recurring")
      .where("prices.active", "=", 1)
      .where("prices.pay_what_you_want", "=", 0)
      .where("offers.status", "=", "published")
      .execute();
    const back = safeRedirectPath(c.req.query("return"), "/account");
    const base = `/dev-portal/${encodeURIComponent(customer)}/${c.req.param("sig")}`;
    c.header("Cache-Control", "no-store");
    return page(
      c,
      { title: t("offers.dev.portal_title"), noindex: true },
      <div class="narrow dev-portal">
        <Banner c={c} />
        <h1>{t("offers.dev.portal_title")}</h1>
        {subs.length === 0 && <p class="muted">{t("offers.dev.portal_empty")}</p>}
        {subs.map((s) => (
          <section class="card stack">
            <h2>{s.name}</h2>
            <p>
              <span class={`badge ${s.status === "active" || s.status === "trialing" ? "ok" : "warn"}`}>
                {t(`offers.sub.status.${s.status}`)}
              </span>{" "}
              {money(c.var.locale, s.amount, s.currency)}{" "}
              {t(s.interval === "year" ? "offers.price.per_year" : "offers.price.per_month")}
            </p>
            {s.currentPeriodEnd && (
              <p class="muted small">
                {t(s.cancelAtPeriodEnd ? "offers.sub.ends_on" : "offers.sub.renews_on", {
                  date: formatDate(c.var.locale, s.currentPeriodEnd),
                })}
              </p>
            )}
            {s.status !== "canceled" && (
              <form method="post" action={`${base}/${s.providerSubscriptionId}`} class="stack">
                <CsrfField c={c} />
                <input type="hidden" name="return" value={back} />
                <div class="inline-form">
                  {s.cancelAtPeriodEnd ? (
                    <button type="submit" name="action" value="resume">
                      {t("offers.dev.resume")}
                    </button>
                  ) : (
                    <button type="submit" name="action" value="cancel" class="secondary">
                      {t("offers.dev.cancel_sub")}
                    </button>
                  )}
                </div>
                {prices.filter((p) => p.id !== s.priceId).length > 0 && (
                  <div class="inline-form">
                    <label class="visually-hidden" for={`sw-${s.providerSubscriptionId}`}>
                      {t("offers.dev.switch")}
                    </label>
                    <select name="price" id={`sw-${s.providerSubscriptionId}`}>
                      {prices
                        .filter((p) => p.id !== s.priceId)
                        .map((p) => (
                          <option value={p.id}>
                            {p.name} — {money(c.var.locale, p.amount, p.currency)}{" "}
                            {t(p.interval === "year" ? "offers.price.per_year" : "offers.price.per_month")}
                          </option>
                        ))}
                    </select>
                    <button type="submit" name="action" value="switch" class="secondary">
                      {t("offers.dev.switch")}
                    </button>
                  </div>
                )}
                <p class="muted small">{t("offers.dev.simulate")}</p>
                <div class="inline-form">
                  <button type="submit" name="action" value="period_end" class="secondary small">
                    {t("offers.dev.period_end")}
                  </button>
                  <button type="submit" name="action" value="period_fail" class="secondary small">
                    {t("offers.dev.period_fail")}
                  </button>
                </div>
              </form>
            )}
          </section>
        ))}
        <p>
          <a href={back}>{t("offers.dev.back")}</a>
        </p>
      </div>,
    );
  });

  app.post("/dev-portal/:customer/:sig/:sub", async (c) => {
    const dev = requireDev(c);
    const customer = c.req.param("customer");
    checkPortal(dev.checkPortalSignature(customer, c.req.param("sig")));
    const s = await dev.getSubscription(c.req.param("sub"));
    if (!s || s.providerCustomerId !== customer) throw new AppError("not_found", 404);
    const form = await readForm(c);
    const action = formValue(form, "action");
    if (action === "cancel" || action === "resume")
      await dev.setCancelAtPeriodEnd(s.providerSubscriptionId, action === "cancel");
    else if (action === "period_end" || action === "period_fail")
      await dev.endPeriod(s.providerSubscriptionId, { fail: action === "period_fail" });
    else if (action === "switch") {
      const p = await c.var.services.db
        .selectFrom("prices")
        .selectAll()
        .where("id", "=", formValue(form, "price"))
        .where("kind", "=", "recurring")
        .where("active", "=", 1)
        .executeTakeFirst();
      if (!p) throw new AppError("invalid_input", 422, "offers.error.price_unavailable");
      await dev.switchPrice(s.providerSubscriptionId, {
        priceId: p.id,
        providerPriceId: p.provider_price_id,
        amount: p.amount,
        interval: p.interval ?? "month",
      });
    } else throw new AppError("invalid_input", 400);
    const back = safeRedirectPath(formValue(form, "return"), "/account");
    return c.redirect(
      `/dev-portal/${encodeURIComponent(customer)}/${c.req.param("sig")}?return=${encodeURIComponent(back)}`,
      303,
    );
  });
}
