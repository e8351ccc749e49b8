import type { Hono } from "hono";
import { CoverBox } from "./cover.tsx";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { readForm, formValue } from "../../platform/http/forms.ts";
import { Notice, type Errors } from "../../platform/views/components.tsx";
import { coursesHead } from "./public.tsx";
import { adminPage, registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { listOffers, offerIncludes } from "../offers/index.ts";
import { setCourseSelling } from "./operations/creator.ts";
import { CertificatesBox, CourseForm, OutlineEditor, SellingBox, courseValues, type Values } from "./admin-views.tsx";
import { lessonAdminRoutes } from "./admin-lessons.tsx";
import { funnelRoutes } from "./funnel-page.tsx";
import { isId, listCourses, outline, type Course } from "./queries.ts";
import { courseParam, fieldErrors, runAsStaff, stringValues } from "./admin-helpers.ts";
import {
  addCourseSection,
  createCourse,
  deleteCourseSection,
  moveCourseSection,
  revokeCertificate,
  saveCourseDetails,
  updateCourseSection,
} from "./operations/authoring.ts";

/** The creator's course screens: list, course form, outline (sections, order, drip), selling, certificates. */

async function sellingOffers(c: AppContext, courseId: string) {
  const db = c.var.services.db;
  const offers = await listOffers(db, { status: ["draft", "published"] });
  return Promise.all(
    offers.map(async (o) => ({
      id: o.id,
      name: o.name,
      includes: (await offerIncludes(db, o.id)).some((i) => i.kind === "course" && i.id === courseId),
    })),
  );
}

async function coursePage(
  c: AppContext,
  course: Course,
  form?: { values: Values; errors: Errors },
  sectionErrors?: { id: string; errors: Errors; values: Values },
) {
  const t = tr(c);
  const db = c.var.services.db;
  const [o, offers, certificates] = await Promise.all([
    outline(db, course),
    sellingOffers(c, course.id),
    db
      .selectFrom("course_certificates")
      .selectAll()
      .where("course_id", "=", course.id)
      .orderBy("issued_at", "desc")
      .limit(200)
      .execute(),
  ]);
  const status = form || sectionErrors ? 422 : 200;
  return adminPage(
    c,
    course.title,
    <div class="course-admin">
      {coursesHead()}
      <div class="admin-top">
        <h1>{course.title}</h1>
        <span>
          <a class="btn secondary" href={`/admin/courses/${course.id}/funnel`}>
            {t("courses.funnel.link")}
          </a>{" "}
          <a class="btn secondary" href={`/admin/courses/${course.id}/stalls`}>
            {t("courses.stall.link")}
          </a>{" "}
          <a class="btn secondary" href={`/courses/${course.slug}`}>
            {t("courses.admin.view_public")}
          </a>
        </span>
      </div>
      {c.req.query("saved") === "1" && <Notice>{t("courses.admin.saved")}</Notice>}
      <div class="course-admin-grid">
        <section class="admin-section course-admin-settings" aria-labelledby="course-settings">
          <h2 id="course-settings">{t("courses.admin.settings")}</h2>
          <CourseForm
            c={c}
            action={`/admin/courses/${course.id}`}
            values={form?.values ?? courseValues(course)}
            errors={form?.errors}
            isNew={false}
          />
        </section>
        <div>
          <OutlineEditor c={c} o={o} sectionErrors={sectionErrors} />
          <CoverBox c={c} course={course} />
          <SellingBox c={c} courseId={course.id} offers={offers} />
          <CertificatesBox c={c} certificates={certificates} />
        </div>
      </div>
    </div>,
    status,
  );
}

function newCoursePage(c: AppContext, values: Values, errors?: Errors) {
  const t = tr(c);
  return adminPage(
    c,
    t("courses.admin.new"),
    <div class="narrow-admin">
      <h1>{t("courses.admin.new")}</h1>
      <CourseForm c={c} action="/admin/courses" values={values} errors={errors} isNew />
    </div>,
    errors ? 422 : 200,
  );
}

export function adminRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/courses", labelKey: "courses.nav.admin", order: 35 });

  app.get("/admin/courses", async (c) => {
    const t = tr(c);
    const courses = await listCourses(c.var.services.db);
    return adminPage(
      c,
      t("courses.admin.title"),
      <>
        <div class="admin-top">
          <h1>{t("courses.admin.title")}</h1>
          <a class="btn" href="/admin/courses/new">
            {t("courses.admin.new")}
          </a>
        </div>
        {courses.length === 0 ? (
          <p class="card muted">{t("courses.admin.empty")}</p>
        ) : (
          <ul class="plain-list">
            {courses.map((k) => (
              <li class="card">
                <a href={`/admin/courses/${k.id}`}>
                  <strong>{k.title}</strong>
                </a>{" "}
                <span class="badge">{t(`courses.status.${k.status}`)}</span>
                {k.subtitle && <div class="muted small">{k.subtitle}</div>}
              </li>
            ))}
          </ul>
        )}
      </>,
    );
  });

  app.get("/admin/courses/new", (c) => newCoursePage(c, courseValues(null)));

  app.post("/admin/courses", async (c) => {
    const form = await readForm(c);
    try {
      const course = await runAsStaff(c, createCourse, form);
      return c.redirect(`/admin/courses/${course.id}?saved=1`, 303);
    } catch (err) {
      return newCoursePage(c, stringValues(form), fieldErrors(err));
    }
  });

  app.get("/admin/courses/:id", async (c) => coursePage(c, await courseParam(c)));

  app.post("/admin/courses/:id", async (c) => {
    const course = await courseParam(c);
    const form = await readForm(c);
    try {
      await runAsStaff(c, saveCourseDetails, { ...form, courseId: course.id });
      return c.redirect(`/admin/courses/${course.id}?saved=1`, 303);
    } catch (err) {
      return coursePage(c, course, { values: stringValues(form), errors: fieldErrors(err) });
    }
  });

  app.post("/admin/courses/:id/sections", async (c) => {
    const course = await courseParam(c);
    const form = await readForm(c);
    try {
      const id = await runAsStaff(c, addCourseSection, { ...form, courseId: course.id });
      return c.redirect(`/admin/courses/${course.id}#s-${id}`, 303);
    } catch (err) {
      return coursePage(c, course, undefined, { id: "new", errors: fieldErrors(err), values: stringValues(form) });
    }
  });

  app.post("/admin/courses/:id/sections/:sid", async (c) => {
    const course = await courseParam(c);
    const sid = c.req.param("sid");
    const form = await readForm(c);
    try {
      await runAsStaff(c, updateCourseSection, { ...form, courseId: course.id, sectionId: sid });
      return c.redirect(`/admin/courses/${course.id}#s-${sid}`, 303);
    } catch (err) {
      return coursePage(c, course, undefined, { id: sid, errors: fieldErrors(err), values: stringValues(form) });
    }
  });

  app.post("/admin/courses/:id/sections/:sid/move", async (c) => {
    const course = await courseParam(c);
    const sid = c.req.param("sid");
    const form = await readForm(c);
    await runAsStaff(c, moveCourseSection, { courseId: course.id, sectionId: sid, direction: form.direction });
    return c.redirect(`/admin/courses/${course.id}#s-${sid}`, 303);
  });

  app.post("/admin/courses/:id/sections/:sid/delete", async (c) => {
    const course = await courseParam(c);
    await readForm(c);
    await runAsStaff(c, deleteCourseSection, { courseId: course.id, sectionId: c.req.param("sid") });
    return c.redirect(`/admin/courses/${course.id}`, 303);
  });

  app.post("/admin/courses/:id/offers", async (c) => {
    const course = await courseParam(c);
    const form = await readForm(c);
    await runAsStaff(c, setCourseSelling, { courseId: course.id, offers: form.offer });
    return c.redirect(`/admin/courses/${course.id}?saved=1#sell-title`, 303);
  });

  app.post("/admin/certificates/:id/revoke", async (c) => {
    const form = await readForm(c);
    const id = c.req.param("id");
    if (!isId(id)) throw new AppError("not_found", 404);
    const cert = await runAsStaff(c, revokeCertificate, {
      certificateId: id,
      revoked: formValue(form, "revoked") === "1",
    });
    return c.redirect(`/admin/courses/${cert.courseId}#certs-title`, 303);
  });

  lessonAdminRoutes(app);
  funnelRoutes(app);
}
