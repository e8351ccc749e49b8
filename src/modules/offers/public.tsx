import type { Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../../platform/http/context.ts";
import { clientIp, tr } from "../../platform/http/context.ts";
import { AppError, invalidInput } from "../../platform/http/errors.ts";
import { formValue, readForm } from "../../platform/http/forms.ts";
import { markCacheable } from "../../platform/http/page-cache.ts";
import { hitRateLimit } from "../../platform/security/rate-limit.ts";
import { hashToken, safeEqual } from "../../platform/security/tokens.ts";
import { page } from "../../platform/views/layout.tsx";
import { CsrfField } from "../../platform/views/components.tsx";
import { currentMember } from "../members/index.ts";
import { viewerOf } from "../access/index.ts";
import { startCheckout } from "./checkout.ts";
import { parseAmount } from "./money.ts";
import { getOfferBySlug } from "./service.ts";
import { isTestMode, requireProvider } from "./context.ts";
import { downloadRoutes } from "./downloads.tsx";
import { membersAreaRoutes } from "./members-area.tsx";
import { giftRoutes } from "./gift-pages.tsx";
import { offerPage, pricingPage, TestBanner } from "./offer-pages.tsx";

export const checkoutCookie = "atl_co";

/** The checkout form's fields and their longest accepted value. */
const checkoutLimits: Record<string, number> = {
  offer: 64,
  price: 64,
  amount: 32,
  email: 254,
  code: 40,
  recipient_email: 254,
  recipient_name: 120,
  message: 1000,
};

export function publicRoutes(app: Hono<AppEnv>): void {
  app.get("/pricing", async (c) => {
    const body = await pricingPage(c);
    if (!c.var.memberSession && !c.var.staffSession) markCacheable(c);
    return page(c, { title: tr(c)("offers.pricing.title"), description: c.var.site.pricingIntro || undefined }, body);
  });

  app.get("/offers/:slug", async (c) => {
    const offer = await getOfferBySlug(c.var.services.db, c.req.param("slug"));
    if (!offer || offer.status !== "published") throw new AppError("not_found", 404, "offers.error.not_available");
    return offerPage(c, offer);
  });

  app.post("/checkout", async (c) => {
    const { db, config, secret } = c.var.services;
    const form = await readForm(c);
    // Too long is refused with the limit (422), never cut silently.
    const values = Object.fromEntries(Object.keys(checkoutLimits).map((k) => [k, formValue(form, k)]));
    const offer = await db.selectFrom("offers").selectAll().where("id", "=", values.offer!).executeTakeFirst();
    if (!offer || offer.status !== "published") throw new AppError("not_found", 404, "offers.error.not_available");
    await hitRateLimit(db, `checkout:${clientIp(c)}`, 30, 10 * 60_000);
    const provider = requireProvider(c);
    const member = await currentMember(c);
    const price = await db
      .selectFrom("prices")
      .selectAll()
      .where("id", "=", values.price!)
      .where("offer_id", "=", offer.id)
      .executeTakeFirst();
    try {
      const tooLong = Object.entries(checkoutLimits).filter(([k, max]) => (values[k] ?? "").length > max);
      if (tooLong.length)
        throw invalidInput(
          Object.fromEntries(tooLong.map(([k, max]) => [k, { key: "validation.too_long", params: { max } }])),
        );
      let amount: number | null = null;
      if (price?.pay_what_you_want) {
        amount = parseAmount(values.amount ?? "", price.currency);
        if (amount === null)
          throw new AppError("invalid_input", 422, "offers.error.amount_invalid", {
            amount: { key: "offers.error.amount_invalid" },
          });
      }
      const started = await startCheckout(db, provider, {
        offerId: offer.id,
        priceId: values.price ?? "",
        amount,
        email: values.email ?? "",
        memberId: member?.id ?? null,
        locale: c.var.locale,
        discountCode: values.code || null,
        gift: values.recipient_email
          ? { recipientEmail: values.recipient_email, recipientName: values.recipient_name, message: values.message }
          : null,
        publicUrl: config.publicUrl,
        secret,
        now: c.var.services.clock.nowIso(),
      });
      setCookie(c, checkoutCookie, `${started.reference}.${started.browserToken}`, {
        path: "/checkout",
        httpOnly: true,
        sameSite: "Lax",
        secure: config.secureCookies,
        maxAge: 86400,
      });
      return c.redirect(started.url, 303);
    } catch (err) {
      // Refused by a guard (apply first, no gift...): the offer page says why; nothing was stored.
      if (err instanceof AppError && err.code === "checkout_refused")
        return offerPage(c, offer, { values, errors: { price: { key: err.messageKey } } }, err.status as 403);
      if (
        err instanceof AppError &&
        (err.status === 422 || err.status === 409) &&
        (Object.keys(err.fields).length > 0 || err.status === 409)
      ) {
        const errors = Object.keys(err.fields).length
          ? err.fields
          : { price: { key: err.messageKey, params: err.params } };
        return offerPage(c, offer, { values, errors }, err.status as 422);
      }
      throw err;
    }
  });

  app.get("/checkout/done/:reference", async (c) => {
    const t = tr(c);
    const db = c.var.services.db;
    const ref = c.req.param("reference");
    const order = await db.selectFrom("orders").selectAll().where("id", "=", ref).executeTakeFirst();
    const sub = order
      ? undefined
      : await db.selectFrom("subscriptions").selectAll().where("id", "=", ref).executeTakeFirst();
    const row = order ?? sub;
    if (!row) throw new AppError("not_found", 404);
    // Only the browser that started this checkout (cookie) or the member it belongs to may see it.
    const cookie = getCookie(c, checkoutCookie) ?? "";
    const [cRef, cToken] = cookie.split(".");
    const sameBrowser =
      cRef === ref && !!cToken && !!row.browser_token_hash && safeEqual(hashToken(cToken), row.browser_token_hash);
    const viewer = viewerOf(c);
    const owner = viewer.kind === "member" && viewer.memberId === row.member_id;
    if (!sameBrowser && !owner) throw new AppError("not_found", 404);

    const offer = await db
      .selectFrom("offers")
      .select(["name", "slug", "kind"])
      .where("id", "=", row.offer_id)
      .executeTakeFirst();
    const paid = order ? order.status === "paid" : ["active", "trialing"].includes(sub!.status);
    const processing = order
      ? order.status === "pending" && !!order.provider_payment_id
      : sub!.status === "incomplete" || sub!.status === "pending";
    const failed = order
      ? ["failed", "expired", "refunded"].includes(order.status)
      : ["incomplete_expired", "expired", "canceled"].includes(sub!.status);
    // Paying never signs anyone in: an email typed at checkout proves nothing. Access goes
    // through the login link of the receipt, sent to that address (or an existing session).
    const signedIn = owner;
    const gift = order?.kind === "gift";
    return page(
      c,
      { title: t("offers.done.title"), noindex: true },
      <div class="narrow done-page">
        <TestBanner c={c} />
        {paid && (
          <>
            <h1>{t("offers.done.thanks")}</h1>
            <p class="lead">
              {gift
                ? t("offers.done.gift", { offer: offer?.name ?? "" })
                : t("offers.done.paid", { offer: offer?.name ?? "" })}
            </p>
            <p>{t("offers.done.receipt", { email: row.email })}</p>
            {!gift && signedIn && (
              <p class="stack-row">
                <a class="btn" href="/account#purchases">
                  {t("offers.done.account")}
                </a>
                {offer?.kind === "tier" && (
                  <a class="btn secondary" href="/members-area">
                    {t("offers.done.members_area")}
                  </a>
                )}
              </p>
            )}
            {!gift && !signedIn && <p class="notice">{t("offers.done.emailed", { email: row.email })}</p>}
          </>
        )}
        {!paid && processing && (
          <>
            <h1>{t("offers.done.processing_title")}</h1>
            <p class="lead">{t("offers.done.processing")}</p>
          </>
        )}
        {!paid && failed && (
          <>
            <h1>{t("offers.done.failed_title")}</h1>
            <p class="lead">{t("offers.done.failed")}</p>
            <p>
              <a class="btn" href={`/offers/${offer?.slug ?? ""}`}>
                {t("offers.done.retry")}
              </a>
            </p>
          </>
        )}
        {!paid && !processing && !failed && (
          <>
            <h1>{t("offers.done.waiting_title")}</h1>
            <p class="lead">{t("offers.done.waiting")}</p>
          </>
        )}
        {isTestMode(c) && processing && (order?.provider_checkout_id ?? sub?.provider_checkout_id) && (
          <div class="card dev-box">
            <h2>{t("offers.dev.settle_title")}</h2>
            <p class="muted">{t("offers.dev.settle_text")}</p>
            <form
              method="post"
              action={`/dev-checkout/${order?.provider_checkout_id ?? sub?.provider_checkout_id}/settle`}
              class="inline-form"
            >
              <CsrfField c={c} />
              <button type="submit" name="ok" value="1">
                {t("offers.dev.settle_ok")}
              </button>
              <button type="submit" name="ok" value="0" class="secondary">
                {t("offers.dev.settle_fail")}
              </button>
            </form>
          </div>
        )}
      </div>,
    );
  });

  giftRoutes(app);

  membersAreaRoutes(app);
  downloadRoutes(app);
}
