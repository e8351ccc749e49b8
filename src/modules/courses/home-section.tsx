import { tr } from "../../platform/http/context.ts";
import { t } from "../../platform/i18n/index.ts";
import { HomeSectionFrame, registerHomeSection } from "../../platform/views/home-sections.tsx";
import { listCourses } from "./queries.ts";

const shownCount = 3;

/** Published courses on the home page: title, subtitle and a link to the course page (never a lesson). */
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
              <article class="card home-card" aria-labelledby={`hc-${k.id}`}>
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
