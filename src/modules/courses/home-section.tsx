import { tr } from "../../platform/http/context.ts";
import { t } from "../../platform/i18n/index.ts";
import { HomeSectionFrame, registerHomeSection } from "../../platform/views/home-sections.tsx";
import { courseCoverUrl } from "./cover.tsx";
import { listCourses } from "./queries.ts";

const shownCount = 3;

/** Published courses on the home page: cover, title, subtitle and a link to the course page (never a lesson). */
export function registerCoursesHomeSection(): void {
  registerHomeSection({
    key: "courses",
    order: 30,
    label: (locale) => t(locale, "courses.home.label"),
    async render({ c }) {
      const courses = (await listCourses(c.var.services.db, { published: true })).slice(0, shownCount);
      if (courses.length === 0) return null;
      const tt = tr(c);
      return (
        <HomeSectionFrame
          sectionKey="courses"
          title={tt("courses.home.label")}
          more={{ href: "/courses", label: tt("courses.home.all") }}
        >
          <div class="home-cards">
            {courses.map((k) => (
              <article class={`card home-card${k.cover_file_id ? " with-cover" : ""}`} aria-labelledby={`hc-${k.id}`}>
                {k.cover_file_id && (
                  <a class="home-card-cover" href={`/courses/${k.slug}`} tabindex={-1} aria-hidden="true">
                    <img src={courseCoverUrl(k)!} alt="" loading="lazy" />
                  </a>
                )}
                <p class="eyebrow">{tt("courses.home.kind")}</p>
                <h3 id={`hc-${k.id}`}>{k.title}</h3>
                {k.subtitle && <p class="muted">{k.subtitle}</p>}
                <p class="home-card-cta">
                  <a class="btn secondary" href={`/courses/${k.slug}`}>
                    {tt("courses.home.open")}
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
