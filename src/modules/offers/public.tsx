import type { Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { raw } from "hono/html";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { clientIp, tr } from "../../platform/http/context.ts";
import { AppError, invalidInput } from "../../platform/http/errors.ts";
import { formValue, readForm } from "../../platform/http/forms.ts";
import { markCacheable } from "../../platform/http/page-cache.ts";
import { hitRateLimit } from "../../platform/security/rate-limit.ts";
import { hashToken, safeEqual } from "../../platform/security/tokens.ts";
import { page } from "../../platform/views/layout.tsx";
import { CsrfField, Field, type Errors } from "../../platform/views/components.tsx";
import { currentMember, requestGiftLink } from "../members/index.ts";
import { viewerOf } from "../access/index.ts";
import { startCheckout } from "./checkout.ts";
import { checkoutRefusal } from "./checkout-guards.ts";
import { claimGift, findGiftByToken, isGiftRecipient } from "./gifts.ts";
import { amountInput, money, parseAmount, priceLabel } from "./money.ts";
import { getOfferBySlug, listOffers, offerPrices, type OfferRow, type PriceRow } from "./service.ts";
import { isTestMode, requireProvider } from "./context.ts";
import { downloadRoutes } from "./downloads.tsx";
import { membersAreaRoutes } from "./members-area.tsx";

export const checkoutCookie = "atl_co";

/** Shown on every page that can lead to the dev provider: nobody should think money moved. */
export function TestBanner({ c }: { c: AppContext }) {
  if (!isTestMode(c)) return null;
  const t = tr(c);
  return (
    <p class="test-banner" role="note">
      <strong>{t("offers.test.badge")}</strong> {t("offers.test.text")}
    </p>
  );
}

function isFree(prices: PriceRow[]): boolean {
  return prices.length === 0 || prices.every((p) => p.amount === 0 && !p.pay_what_you_want);
}

function OfferCard({ c, offer, prices }: { c: AppContext; offer: OfferRow; prices: PriceRow[] }) {
  const t = tr(c);
  const free = isFree(prices);
  return (
    <article class={`offer-card card${offer.highlight ? " highlight" : ""}`} aria-labelledby={`o-${offer.id}`}>
      {offer.highlight === 1 && <p class="offer-flag">{offer.highlight_label || t("offers.pricing.recommended")}</p>}
      <h3 id={`o-${offer.id}`}>{offer.name}</h3>
      <p class="offer-price">
        {free ? t("offers.price.free") : prices.map((p) => priceLabel(t, c.var.locale, p)).join(" · ")}
      </p>
      {offer.summary && <p class="offer-summary">{offer.summary}</p>}
      <div class="offer-body prose small">{raw(offer.description_html)}</div>
      <p class="offer-cta">
        {free ? (
          <a class="btn secondary" href="/join">
            {t("offers.pricing.join_free")}
          </a>
        ) : (
          <a class="btn" href={`/offers/${offer.slug}`}>
            {t(
              offer.kind === "tip"
                ? "offers.pricing.tip"
                : offer.kind === "tier"
                  ? "offers.pricing.choose"
                  : "offers.pricing.buy",
            )}
          </a>
        )}
      </p>
    </article>
  );
}

async function pricingPage(c: AppContext) {
  const t = tr(c);
  const db = c.var.services.db;
  const offers = await listOffers(db, { status: ["published"] });
  const prices = await offerPrices(
    db,
    offers.map((o) => o.id),
    { activeOnly: true },
  );
  const pricesOf = (id: string) => prices.filter((p) => p.offer_id === id);
  const groups: [string, OfferRow[]][] = [
    ["tier", offers.filter((o) => o.kind === "tier")],
    ["product", offers.filter((o) => o.kind === "product")],
    ["tip", offers.filter((o) => o.kind === "tip")],
  ];
  return (
    <div class="wrap pricing">
      <header class="hero">
        <p class="eyebrow">{c.var.site.name}</p>
        <h1>{t("offers.pricing.title")}</h1>
        {c.var.site.pricingIntro && <p class="lead">{c.var.site.pricingIntro}</p>}
      </header>
      <TestBanner c={c} />
      {offers.length === 0 && <p class="muted">{t("offers.pricing.empty")}</p>}
      {groups.map(([kind, list]) =>
        list.length === 0 ? null : (
          <section class="offer-group" aria-labelledby={`g-${kind}`}>
            <h2 id={`g-${kind}`}>{t(`offers.pricing.group.${kind}`)}</h2>
            <div class={kind === "tier" ? "tiers" : "offer-list"}>
              {list.map((o) => (
                <OfferCard c={c} offer={o} prices={pricesOf(o.id)} />
              ))}
            </div>
          </section>
        ),
      )}
    </div>
  );
}

interface OfferFormState {
  values: Record<string, string>;
  errors: Errors;
}

async function offerPage(
  c: AppContext,
  offer: OfferRow,
  state: OfferFormState = { values: {}, errors: {} },
  status: 200 | 403 | 409 | 422 = 200,
) {
  const t = tr(c);
  const db = c.var.services.db;
  const prices = (await offerPrices(db, [offer.id], { activeOnly: true })).filter(
    (p) => p.amount > 0 || p.pay_what_you_want === 1,
  );
  const member = await currentMember(c);
  // A module may say this buyer cannot buy it (yet): show why and where to go, not the form.
  const refusal = await checkoutRefusal(db, {
    offerId: offer.id,
    memberId: member?.id ?? null,
    gift: false,
    now: c.var.services.clock.nowIso(),
  });
  const v = state.values;
  const chosen = v.price || prices[0]?.id || "";
  const pwyw = prices.find((p) => p.pay_what_you_want === 1);
  const errs = state.errors;
  const errorKeys = Object.values(errs);
  return page(
    c,
    { title: offer.name, description: offer.summary || undefined },
    <div class="narrow offer-page">
      <p class="eyebrow">
        <a href="/pricing">{t("offers.pricing.title")}</a>
      </p>
      <h1>{offer.name}</h1>
      {offer.summary && <p class="lead">{offer.summary}</p>}
      <div class="prose">{raw(offer.description_html)}</div>
      <TestBanner c={c} />
      {refusal ? (
        <div class="notice warn checkout-refused" role="alert">
          <p>{t(refusal.messageKey)}</p>
          {refusal.href && refusal.linkKey && (
            <p>
              <a class="btn" href={refusal.href}>
                {t(refusal.linkKey)}
              </a>
            </p>
          )}
        </div>
      ) : prices.length === 0 ? (
        <p class="notice warn">{t("offers.offer.no_price")}</p>
      ) : (
        <form method="post" action="/checkout" class="card checkout-form stack" novalidate>
          <CsrfField c={c} />
          <input type="hidden" name="offer" value={offer.id} />
          <h2>{t(offer.kind === "tip" ? "offers.offer.tip_title" : "offers.offer.choose_title")}</h2>
          {errorKeys.length > 0 && (
            <div class="form-errors" role="alert" tabindex={-1}>
              <h2>{t("offers.offer.errors")}</h2>
              <ul>
                {Object.entries(errs).map(([k, e]) => (
                  <li>
                    <a href={`#f-${k}`}>{t(e.key, e.params)}</a>
                  </li>
                ))}
              </ul>
            </div>
          )}
          <fieldset class="price-choices">
            <legend>{t("offers.offer.price")}</legend>
            {prices.map((p) => (
              <label class="price-choice">
                <input type="radio" name="price" value={p.id} checked={p.id === chosen} />
                <span>
                  <strong>{priceLabel(t, c.var.locale, p)}</strong>
                  {p.trial_days > 0 && (
                    <span class="muted small"> · {t("offers.offer.trial", { days: p.trial_days })}</span>
                  )}
                </span>
              </label>
            ))}
          </fieldset>
          {pwyw && (
            <Field
              c={c}
              name="amount"
              label={t("offers.offer.amount", { currency: pwyw.currency })}
              hint={
                pwyw.min_amount > 0
                  ? t("offers.offer.amount_hint", { min: money(c.var.locale, pwyw.min_amount, pwyw.currency) })
                  : t("offers.offer.amount_hint_free")
              }
              value={
                v.amount ??
                (c.var.locale === "fr"
                  ? amountInput(pwyw.suggested_amount ?? pwyw.amount, pwyw.currency).replace(".", ",")
                  : amountInput(pwyw.suggested_amount ?? pwyw.amount, pwyw.currency))
              }
              inputmode="decimal"
              errors={errs}
              required
            />
          )}
          {member ? (
            <p class="muted small">{t("offers.offer.as_member", { email: member.email })}</p>
          ) : (
            <Field
              c={c}
              name="email"
              type="email"
              label={t("offers.offer.email")}
              hint={t("offers.offer.email_hint")}
              value={v.email}
              errors={errs}
              autocomplete="email"
              required
            />
          )}
          <Field c={c} name="code" label={t("offers.offer.code")} value={v.code} errors={errs} maxLength={40} />
          <details class="gift-box" open={!!v.recipient_email || undefined}>
            <summary>{t("offers.offer.gift")}</summary>
            <p class="muted small">{t("offers.offer.gift_hint")}</p>
            <Field
              c={c}
              name="recipient_email"
              type="email"
              label={t("offers.offer.recipient_email")}
              value={v.recipient_email}
              errors={errs}
            />
            <Field
              c={c}
              name="recipient_name"
              label={t("offers.offer.recipient_name")}
              value={v.recipient_name}
              errors={errs}
              maxLength={120}
            />
            <Field
              c={c}
              name="message"
              label={t("offers.offer.gift_message")}
              value={v.message}
              errors={errs}
              maxLength={500}
            />
          </details>
          <p>
            <button type="submit">{t(offer.kind === "tip" ? "offers.offer.submit_tip" : "offers.offer.submit")}</button>
          </p>
          <p class="muted small">{t("offers.offer.secure")}</p>
        </form>
      )}
    </div>,
    status,
  );
}

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

  app.get("/gift/:token", async (c) => {
    const t = tr(c);
    const db = c.var.services.db;
    const gift = await findGiftByToken(db, c.req.param("token"));
    if (!gift) throw new AppError("not_found", 404, "offers.error.gift_unknown");
    const offer = await db.selectFrom("offers").select(["name"]).where("id", "=", gift.offer_id).executeTakeFirst();
    const member = await currentMember(c);
    const path = c.req.path;
    const sent = c.req.query("sent") === "1";
    c.header("Cache-Control", "no-store");
    // Someone else's session (a shared computer, a forwarded link): refuse clearly, offer the recipient's link.
    const mismatch = !!member && !isGiftRecipient(gift, member);
    return page(
      c,
      { title: t("offers.gift.title"), noindex: true },
      <div class="narrow gift-page">
        <h1>{t("offers.gift.title")}</h1>
        <p class="lead">{t("offers.gift.lead", { offer: offer?.name ?? "" })}</p>
        {gift.message && <blockquote class="prose">{gift.message}</blockquote>}
        {gift.status === "claimed" && <p class="notice warn">{t("offers.error.gift_claimed")}</p>}
        {(gift.status === "pending" || gift.status === "refunded") && (
          <p class="notice warn">{t("offers.error.gift_unavailable")}</p>
        )}
        {gift.status === "paid" && sent && <p class="notice">{t("offers.gift.link_sent")}</p>}
        {gift.status === "paid" && member && !mismatch && (
          <form method="post" action={path} class="stack">
            <CsrfField c={c} />
            <p>{t("offers.gift.claim_as", { email: member.email })}</p>
            <p>
              <button type="submit">{t("offers.gift.claim")}</button>
            </p>
          </form>
        )}
        {gift.status === "paid" && mismatch && (
          <p class="notice warn" data-error-code="gift_not_yours">
            {t("offers.error.gift_not_yours")}
          </p>
        )}
        {gift.status === "paid" && (!member || mismatch) && !sent && (
          <form method="post" action={`${path}/link`} class="stack">
            <CsrfField c={c} />
            <p>{t("offers.gift.login_first")}</p>
            <p>
              <button type="submit">{t("offers.gift.send_link")}</button>
            </p>
          </form>
        )}
      </div>,
    );
  });

  app.post("/gift/:token", async (c) => {
    await readForm(c);
    const member = await currentMember(c);
    if (!member) throw new AppError("unauthenticated", 401);
    await hitRateLimit(c.var.services.db, `gift:${clientIp(c)}`, 20, 10 * 60_000);
    await claimGift(c.var.services.db, c.req.param("token"), member);
    return c.redirect("/account?gift=claimed#purchases", 303);
  });

  // The anonymous (or wrong-address) visitor proves the recipient's mailbox with a login link sent there.
  app.post("/gift/:token/link", async (c) => {
    await readForm(c);
    const { db, config } = c.var.services;
    await hitRateLimit(db, `gift-link:${clientIp(c)}`, 20, 10 * 60_000);
    const token = c.req.param("token");
    const gift = await findGiftByToken(db, token);
    if (!gift) throw new AppError("not_found", 404, "offers.error.gift_unknown");
    const path = `/gift/${token}`;
    if (gift.status === "paid") {
      await hitRateLimit(db, `gift-link:gift:${gift.id}`, 5, 15 * 60_000);
      await requestGiftLink(db, {
        recipientEmail: gift.recipient_email,
        locale: c.var.locale,
        giftPath: path,
        publicUrl: config.publicUrl,
      });
    }
    return c.redirect(`${path}?sent=1`, 303);
  });

  membersAreaRoutes(app);
  downloadRoutes(app);
}
