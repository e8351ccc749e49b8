import { raw } from "hono/html";
import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { page } from "../../platform/views/layout.tsx";
import { CsrfField, Field, type Errors } from "../../platform/views/components.tsx";
import { currentMember } from "../members/index.ts";
import { checkoutRefusal } from "./checkout-guards.ts";
import { amountInput, money, priceLabel } from "./money.ts";
import { listOffers, offerPrices, type OfferRow, type PriceRow } from "./service.ts";
import { isTestMode } from "./context.ts";

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

export async function pricingPage(c: AppContext) {
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

export interface OfferFormState {
  values: Record<string, string>;
  errors: Errors;
}

export async function offerPage(
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
          <fieldset
            class="price-choices"
            id="f-price"
            aria-invalid={errs.price ? "true" : undefined}
            aria-describedby={errs.price ? "f-price-error" : undefined}
          >
            <legend>{t("offers.offer.price")}</legend>
            {errs.price && (
              <p class="error" id="f-price-error">
                {t(errs.price.key, errs.price.params)}
              </p>
            )}
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
