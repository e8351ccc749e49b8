import path from "node:path";
import { courseCoverUrl } from "./cover.tsx";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import { raw } from "hono/html";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { markCacheable } from "../../platform/http/page-cache.ts";
import { markdownToText } from "../../platform/markdown.ts";
import { registerAsset } from "../../platform/views/assets.ts";
import { page } from "../../platform/views/layout.tsx";
import { canAccess, viewerOf } from "../access/index.ts";
import { listOffers, offerIncludes } from "../offers/index.ts";
import { courseResource, findCourseBySlug, listCourses, outline, type Course } from "./queries.ts";
import { learnUrl, lessonUrl } from "./student-views.tsx";
import { coursesHead } from "./head.tsx";

/**
 * Public course surfaces: the catalogue (/courses) and a course's page
 * (/courses/<slug>): title, subtitle, description and the outline's titles.
 * Lesson bodies never appear here; free-preview lessons are linked.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
registerAsset("courses.css", path.join(here, "assets", "courses.css"), "text/css; charset=utf-8");
registerAsset("course-player.js", path.join(here, "assets", "player.js"), "text/javascript; charset=utf-8");

export { coursesHead };

function isAnonymous(c: AppContext): boolean {
  return !c.var.memberSession && !c.var.staffSession;
}

function shareIfAnonymous(c: AppContext): void {
  if (!isAnonymous(c)) {
    c.header("Cache-Control", "private, no-store");
    return;
  }
  markCacheable(c);
  c.header("Cache-Control", "public, max-age=60, stale-while-revalidate=300");
  c.header("Vary", "Accept-Language, Cookie");
}

/** Offers on sale whose "includes" name this course (or every course). */
async function offersFor(c: AppContext, course: Course) {
  const db = c.var.services.db;
  const offers = await listOffers(db, { status: ["published"] });
  const out: { slug: string; name: string }[] = [];
  for (const o of offers) {
    const inc = await offerIncludes(db, o.id);
    if (inc.some((i) => i.kind === "course" && (i.id === course.id || i.id === "*")))
      out.push({ slug: o.slug, name: o.name });
  }
  return out;
}

export function publicRoutes(app: Hono<AppEnv>): void {
  app.get("/courses", async (c) => {
    const t = tr(c);
    const courses = await listCourses(c.var.services.db, { published: true });
    shareIfAnonymous(c);
    return page(
      c,
      { title: t("courses.catalogue.title"), head: coursesHead() },
      <div class="narrow course-catalogue">
        <h1>{t("courses.catalogue.title")}</h1>
        {courses.length === 0 ? (
          <p class="muted">{t("courses.catalogue.empty")}</p>
        ) : (
          <ul class="plain-list">
            {courses.map((k) => (
              <li class="card">
                <h2>
                  <a href={`/courses/${k.slug}`}>{k.title}</a>
                </h2>
                {k.subtitle && <p class="muted">{k.subtitle}</p>}
              </li>
            ))}
          </ul>
        )}
      </div>,
    );
  });

  app.get("/courses/:slug", async (c) => {
    const t = tr(c);
    const db = c.var.services.db;
    const course = await findCourseBySlug(db, c.req.param("slug"));
    const viewer = viewerOf(c);
    if (!course || (course.status !== "published" && viewer.kind !== "staff")) throw new AppError("not_found", 404);
    const [o, hasAccess, offers] = await Promise.all([
      outline(db, course),
      viewer.kind === "member" ? canAccess(db, viewer, courseResource(course)) : Promise.resolve(false),
      offersFor(c, course),
    ]);
    shareIfAnonymous(c);
    const description = course.subtitle || markdownToText(course.description_md, 200);
    return page(
      c,
      {
        title: course.title,
        description: description || undefined,
        head: (
          <>
            {coursesHead()}
            <meta property="og:type" content="website" />
            <meta property="og:title" content={course.title} />
            {description && <meta property="og:description" content={description} />}
            {course.cover_file_id && (
              <meta property="og:image" content={`${c.var.services.config.publicUrl}${courseCoverUrl(course)!}`} />
            )}
          </>
        ),
      },
      <div class="narrow course-page">
        {course.cover_file_id && <img class="course-page-cover" src={courseCoverUrl(course)!} alt="" />}
        <p class="eyebrow">{t("courses.page.eyebrow")}</p>
        <h1>{course.title}</h1>
        {course.subtitle && <p class="lead">{course.subtitle}</p>}
        <div class="course-cta card">
          {hasAccess ? (
            <a class="btn" href={learnUrl(course.slug)}>
              {t("courses.page.open")}
            </a>
          ) : offers.length > 0 ? (
            <ul class="plain-list">
              {offers.map((o) => (
                <li>
                  <a class="btn" href={`/offers/${o.slug}`}>
                    {t("courses.page.get", { offer: o.name })}
                  </a>
                </li>
              ))}
            </ul>
          ) : course.audience === "members" ? (
            <a class="btn" href={`/join?next=${encodeURIComponent(learnUrl(course.slug))}`}>
              {t("courses.page.join")}
            </a>
          ) : (
            <p class="muted">{t("courses.page.not_on_sale")}</p>
          )}
        </div>
        {course.description_html && <div class="prose">{raw(course.description_html)}</div>}
        <h2>{t("courses.page.programme")}</h2>
        <ol class="course-sections">
          {o.sections.map((s) => (
            <li>
              <h3>{s.title}</h3>
              <ol class="lesson-list">
                {s.lessons.map((l) => (
                  <li>
                    {l.free_preview === 1 ? (
                      <>
                        <a href={lessonUrl(course.slug, l.id)}>{l.title}</a>{" "}
                        <span class="badge ok">{t("courses.lesson.free_preview")}</span>
                      </>
                    ) : (
                      l.title
                    )}
                  </li>
                ))}
              </ol>
            </li>
          ))}
        </ol>
      </div>,
    );
  });
}
