import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { readForm } from "../../platform/http/forms.ts";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import {
  Checkbox,
  CsrfField,
  Field,
  FormErrors,
  Notice,
  TextArea,
  type Errors,
} from "../../platform/views/components.tsx";
import { page } from "../../platform/views/layout.tsx";
import { courseParam, fieldErrors, runAsStaff, stringValues } from "./admin-helpers.ts";
import { saveFollowUp } from "./operations/authoring.ts";
import { answerStallQuestion } from "./operations/student.ts";
import { anonymousActor } from "../../platform/actor.ts";
import { runOperation } from "../../platform/operations.ts";
import { coursesHead } from "./public.tsx";
import { outline, type Course } from "./queries.ts";
import { composeStallMail, firstNameOf } from "./stall-mail.ts";
import { checkStallSignature, findStall, stallAnswerPath, stallChoices, type StallRow } from "./stalls.ts";

/** The creator's follow-up settings with a live preview, and the student's one-question answer page. */

type Values = Record<string, string>;
const valuesOf = (course: Course): Values => ({
  enabled: course.stall_enabled ? "on" : "",
  days: String(course.stall_days),
  subject: course.stall_subject,
  body: course.stall_body,
  choices: course.stall_choices,
});

function Preview(p: { c: AppContext; course: Course; lessonTitle: string }) {
  const t = tr(p.c);
  const name = t("courses.stall.sample_name");
  const m = composeStallMail(p.course, {
    locale: p.c.var.locale,
    firstName: firstNameOf(name),
    courseTitle: p.course.title,
    lessonTitle: p.lessonTitle,
    lessonUrl: `${p.c.var.services.config.publicUrl}/learn/${p.course.slug}`,
    answerUrl: "#",
    choiceUrl: () => "#",
  });
  return (
    <section class="admin-section stall-preview" aria-labelledby="stall-preview">
      <h2 id="stall-preview">{t("courses.stall.preview")}</h2>
      <p class="hint">{t("courses.stall.preview_hint", { name, lesson: p.lessonTitle })}</p>
      <div class="mail-preview">
        <p>
          <strong>{t("courses.stall.preview_subject", { subject: m.subject })}</strong>
        </p>
        {m.paragraphs.map((para) => (
          <p>{para}</p>
        ))}
        <p>
          <span class="btn">{m.button.label}</span>
        </p>
        <p>
          <strong>{m.links.title}</strong>
        </p>
        <ul>
          {m.links.items.map((l) => (
            <li>{l.label}</li>
          ))}
        </ul>
      </div>
    </section>
  );
}

async function settingsPage(c: AppContext, course: Course, form?: { values: Values; errors: Errors }) {
  const t = tr(c);
  const o = await outline(c.var.services.db, course);
  const v = form?.values ?? valuesOf(course);
  return adminPage(
    c,
    t("courses.stall.title"),
    <div class="course-stalls">
      {coursesHead()}
      <p class="small">
        <a href={`/admin/courses/${course.id}`}>← {course.title}</a>
      </p>
      <h1>{t("courses.stall.title")}</h1>
      {c.req.query("saved") === "1" && <Notice>{t("courses.stall.saved")}</Notice>}
      <p>{t("courses.stall.intro")}</p>
      <div class="course-admin-grid">
        <form method="post" action={`/admin/courses/${course.id}/stalls`} class="admin-section stack" novalidate>
          <CsrfField c={c} />
          <FormErrors c={c} errors={form?.errors} />
          <Checkbox c={c} name="enabled" label={t("courses.stall.enabled")} checked={v.enabled === "on"} />
          <Field
            c={c}
            name="days"
            type="number"
            inputmode="numeric"
            label={t("courses.stall.days")}
            value={v.days}
            errors={form?.errors}
            required
          />
          <Field
            c={c}
            name="subject"
            label={t("courses.stall.subject")}
            hint={t("courses.stall.template_hint")}
            value={v.subject}
            errors={form?.errors}
            maxLength={200}
            placeholder={t("courses.stall.default_subject")}
          />
          <TextArea
            c={c}
            name="body"
            label={t("courses.stall.body")}
            value={v.body}
            errors={form?.errors}
            rows={9}
            placeholder={t("courses.stall.default_body")}
          />
          <TextArea
            c={c}
            name="choices"
            label={t("courses.stall.choices")}
            hint={t("courses.stall.choices_hint")}
            value={v.choices}
            errors={form?.errors}
            rows={5}
          />
          <div>
            <button type="submit">{t("courses.stall.save")}</button>
          </div>
        </form>
        <Preview
          c={c}
          course={course}
          lessonTitle={o.lessons[Math.min(2, o.lessons.length - 1)]?.title ?? course.title}
        />
      </div>
    </div>,
    form ? 422 : 200,
  );
}

function answerPage(c: AppContext, p: { stall: StallRow; course: Course; lessonTitle: string; errors?: Errors }) {
  const t = tr(c);
  const s = c.req.query("s") ?? "";
  const picked = Number(c.req.query("r") ?? "-1");
  const choices = stallChoices(p.course);
  const back = p.stall.lesson_id ? `/learn/${p.course.slug}/${p.stall.lesson_id}` : `/learn/${p.course.slug}`;
  const body = p.stall.answered_at ? (
    <div class="stall-answer narrow">
      <h1>{t("courses.stall.thanks")}</h1>
      <p>{t("courses.stall.thanks_body")}</p>
      <p>
        <a class="btn" href={back}>
          {t("courses.stall.back")}
        </a>
      </p>
    </div>
  ) : (
    <div class="stall-answer narrow">
      <h1>{t("courses.stall.page_title")}</h1>
      <p>{t("courses.stall.page_intro", { course: p.course.title, lesson: p.lessonTitle })}</p>
      <form method="post" action={`/course-feedback/${p.stall.id}?s=${encodeURIComponent(s)}`} class="stack">
        <CsrfField c={c} />
        <FormErrors c={c} errors={p.errors} />
        <fieldset>
          <legend class="sr-only">{t("courses.stall.page_title")}</legend>
          {choices.map((label, i) => (
            <label class="check">
              <input type="radio" name="reason" value={String(i)} checked={i === picked} />
              <span>{label}</span>
            </label>
          ))}
        </fieldset>
        <TextArea c={c} name="comment" label={t("courses.stall.comment")} rows={4} errors={p.errors} />
        <div>
          <button type="submit">{t("courses.stall.send")}</button>
        </div>
      </form>
    </div>
  );
  return page(
    c,
    { title: t("courses.stall.page_title"), noindex: true, head: coursesHead() },
    body,
    p.errors ? 422 : 200,
  );
}

async function stallParam(c: AppContext) {
  const db = c.var.services.db;
  const stall = await findStall(db, c.req.param("id") ?? "");
  // The same answer for an unknown id and a bad signature: nothing tells which ids exist.
  if (!stall || !checkStallSignature(c.var.services.secret, stall.id, c.req.query("s")))
    throw new AppError("not_found", 404, "courses.stall.bad_link");
  const course = await db.selectFrom("courses").selectAll().where("id", "=", stall.course_id).executeTakeFirst();
  if (!course) throw new AppError("not_found", 404, "courses.stall.bad_link");
  const lesson = stall.lesson_id
    ? await db.selectFrom("course_lessons").select("title").where("id", "=", stall.lesson_id).executeTakeFirst()
    : undefined;
  c.header("Cache-Control", "private, no-store");
  // The signed URL never leaves in a Referer to another site; "no-referrer" would also make the browser
  // send "Origin: null" with the answer form, which the CSRF check refuses.
  c.header("Referrer-Policy", "same-origin");
  return { stall, course, lessonTitle: lesson?.title ?? course.title };
}

export function stallRoutes(app: Hono<AppEnv>): void {
  app.get("/admin/courses/:id/stalls", async (c) => settingsPage(c, await courseParam(c)));

  app.post("/admin/courses/:id/stalls", async (c) => {
    const course = await courseParam(c);
    const form = await readForm(c);
    try {
      await runAsStaff(c, saveFollowUp, { ...form, courseId: course.id });
      return c.redirect(`/admin/courses/${course.id}/stalls?saved=1`, 303);
    } catch (err) {
      return settingsPage(c, course, { values: stringValues(form), errors: fieldErrors(err) });
    }
  });

  app.get("/course-feedback/:id", async (c) => answerPage(c, await stallParam(c)));

  app.post("/course-feedback/:id", async (c) => {
    const p = await stallParam(c);
    const form = await readForm(c);
    if (p.stall.answered_at) return answerPage(c, p);
    try {
      await runOperation(c.var.services, answerStallQuestion, anonymousActor, {
        comment: "",
        ...form,
        stallId: p.stall.id,
        signature: c.req.query("s"),
      });
    } catch (err) {
      // Answered meanwhile (another tab): the thank-you page, as for the first answer.
      if (!(err instanceof AppError && err.status === 409)) return answerPage(c, { ...p, errors: fieldErrors(err) });
    }
    return c.redirect(stallAnswerPath(c.var.services.secret, p.stall.id), 303);
  });
}
