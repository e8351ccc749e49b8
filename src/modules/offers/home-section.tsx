import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { t } from "../../platform/i18n/index.ts";
import { HomeSectionFrame, registerHomeSection } from "../../platform/views/home-sections.tsx";
import { priceLabel } from "./money.ts";
import { listOffers, offerPrices, type OfferRow, type PriceRow } from "./service.ts";

/** How many offers the home page shows; the rest are one click away on /pricing. */
const featuredCount = 3;

/**
 * The offers the home page features, from the published ones in the creator's order:
 * those the creator ticked "show on the home page", in that order; none ticked →
 * the highlighted one first, then the others, memberships and products before tips.
 */
export function featuredOffers(offers: OfferRow[]): OfferRow[] {
  const chosen = offers.filter((o) => o.featured_home === 1);
  if (chosen.length > 0) return chosen.slice(0, featuredCount);
  const rank = (o: OfferRow) => (o.highlight ? 0 : 1) * 10 + (o.kind === "tip" ? 1 : 0);
  return offers
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
    .slice(0, featuredCount)
    .map(({ o }) => o);
}

function HomeOfferCard({ c, offer, prices }: { c: AppContext; offer: OfferRow; prices: PriceRow[] }) {
  const tt = tr(c);
  const paid = prices.filter((p) => p.amount > 0 || p.pay_what_you_want === 1);
  const free = paid.length === 0;
  return (
    <article
      class={`offer-card card home-offer${offer.highlight ? " highlight" : ""}`}
      aria-labelledby={`ho-${offer.id}`}
    >
      {offer.highlight === 1 && <p class="offer-flag">{offer.highlight_label || tt("offers.pricing.recommended")}</p>}
      <h3 id={`ho-${offer.id}`}>{offer.name}</h3>
      <p class="offer-price">
        {free ? tt("offers.price.free") : paid.map((p) => priceLabel(tt, c.var.locale, p)).join(" · ")}
      </p>
      {offer.summary && <p class="offer-summary">{offer.summary}</p>}
      <p class="offer-cta">
        <a class={free ? "btn secondary" : "btn"} href={free ? "/join" : `/offers/${offer.slug}`}>
          {tt(free ? "offers.pricing.join_free" : "offers.home.see_offer")}
        </a>
      </p>
    </article>
  );
}

export function registerOffersHomeSection(): void {
  registerHomeSection({
    key: "offers",
    order: 10,
    label: (locale) => t(locale, "offers.home.label"),
    async render({ c }) {
      const db = c.var.services.db;
      const offers = featuredOffers(await listOffers(db, { status: ["published"] }));
      if (offers.length === 0) return null;
      const prices = await offerPrices(
        db,
        offers.map((o) => o.id),
        { activeOnly: true },
      );
      const tt = tr(c);
      return (
        <HomeSectionFrame
          sectionKey="offers"
          title={tt("offers.home.title")}
          more={{ href: "/pricing", label: tt("offers.home.all") }}
        >
          <div class="home-offers">
            {offers.map((o) => (
              <HomeOfferCard c={c} offer={o} prices={prices.filter((p) => p.offer_id === o.id)} />
            ))}
          </div>
        </HomeSectionFrame>
      );
    },
  });
}
