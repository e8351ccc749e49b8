import { tr } from "../../platform/http/context.ts";
import { t } from "../../platform/i18n/index.ts";
import { HomeSectionFrame, registerHomeSection } from "../../platform/views/home-sections.tsx";
import { listCoachingOffers } from "./offers.ts";

const shownCount = 3;

/** The creator's active coaching offers on the home page, each with "book a call". */
export function registerCoachingHomeSection(): void {
  registerHomeSection({
    key: "coaching",
    order: 40,
    label: (locale) => t(locale, "coaching.home.label"),
    async render({ c }) {
      const offers = (await listCoachingOffers(c.var.services.db, { activeOnly: true })).slice(0, shownCount);
      if (offers.length === 0) return null;
      const tt = tr(c);
      return (
        <HomeSectionFrame
          sectionKey="coaching"
          title={tt("coaching.home.label")}
          more={{ href: "/coaching", label: tt("coaching.home.all") }}
        >
          <div class="home-cards">
            {offers.map((o) => (
              <article class="card home-card" aria-labelledby={`hk-${o.id}`}>
                <p class="eyebrow">
                  {tt(o.kind === "package" ? "coaching.offer.package_line" : "coaching.offer.single_line", {
                    minutes: o.duration_min,
                    n: o.sessions,
                  })}
                </p>
                <h3 id={`hk-${o.id}`}>{o.title}</h3>
                {o.description && <p class="muted">{o.description}</p>}
                <p class="home-card-cta">
                  <a class="btn secondary" href={`/coaching/${o.slug}`}>
                    {tt("coaching.home.book")}
                  </a>
                </p>
              </article>
            ))}
          </div>
        </HomeSectionFrame>
      );
    },
  });
}
