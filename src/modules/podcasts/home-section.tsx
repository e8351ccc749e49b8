import { tr } from "../../platform/http/context.ts";
import { t } from "../../platform/i18n/index.ts";
import { markdownToText } from "../../platform/markdown.ts";
import { HomeSectionFrame, registerHomeSection } from "../../platform/views/home-sections.tsx";
import { coverUrl, listShows, showUrl } from "./service.ts";

const shownCount = 3;

/** The creator's podcast shows on the home page: cover, title, a line of description, a link to listen. */
export function registerPodcastsHomeSection(): void {
  registerHomeSection({
    key: "podcasts",
    order: 50,
    label: (locale) => t(locale, "podcasts.home.label"),
    async render({ c }) {
      const shows = (await listShows(c.var.services.db)).slice(0, shownCount);
      if (shows.length === 0) return null;
      const tt = tr(c);
      return (
        <HomeSectionFrame
          sectionKey="podcasts"
          title={tt("podcasts.home.label")}
          more={{ href: "/podcasts", label: tt("podcasts.home.all") }}
        >
          <div class="home-cards">
            {shows.map((s) => (
              <article class="card home-card home-show" aria-labelledby={`hs-${s.id}`}>
                {s.cover_file_id && (
                  <img class="home-show-cover" src={coverUrl(s.cover_file_id, "")} alt="" width="96" height="96" />
                )}
                <div>
                  <h3 id={`hs-${s.id}`}>{s.title}</h3>
                  <p class="muted">{markdownToText(s.description, 140)}</p>
                  <p class="home-card-cta">
                    <a class="btn secondary" href={showUrl(s.slug)}>
                      {tt("podcasts.home.listen")}
                    </a>
                  </p>
                </div>
              </article>
            ))}
          </div>
        </HomeSectionFrame>
      );
    },
  });
}
