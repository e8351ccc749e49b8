import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { readForm, formValue } from "../../platform/http/forms.ts";
import { parseInput } from "../../platform/http/validation.ts";
import {
  Checkbox,
  CsrfField,
  Field,
  FormErrors,
  Select,
  TextArea,
  type Errors,
} from "../../platform/views/components.tsx";
import { coursesHead } from "./public.tsx";
import { adminPage } from "../admin/index.ts";
import { courseParam, fieldErrors, stringValues } from "./admin-helpers.ts";
import type { Values } from "./admin-views.tsx";
import { deleteLesson, moveLesson, saveLesson } from "./authoring.ts";
import { isId, outline, type Course, type Lesson } from "./queries.ts";
import { lessonInput } from "./schemas.ts";

/** The lesson editor: title, section, Markdown body, free preview, required for the certificate. */

function lessonValues(l: Lesson | null, sectionId: string): Values {
  return {
    title: l?.title ?? "",
    sectionId: l?.section_id ?? sectionId,
    body: l?.body_md ?? "",
    freePreview: l?.free_preview ? "on" : "",
    required: !l || l.required ? "on" : "",
  };
}

async function lessonPage(c: AppContext, course: Course, lesson: Lesson | null, values: Values, errors?: Errors) {
  const t = tr(c);
  const o = await outline(c.var.services.db, course);
  const base = `/admin/courses/${course.id}`;
  const title = lesson ? lesson.title : t("courses.admin.new_lesson");
  return adminPage(
    c,
    title,
    <div class="narrow-admin lesson-admin">
      {coursesHead()}
      <p class="small">
        <a href={base}>← {course.title}</a>
      </p>
      <h1>{title}</h1>
      <form method="post" action={lesson ? `${base}/lessons/${lesson.id}` : `${base}/lessons`} class="admin-form stack">
        <CsrfField c={c} />
        <FormErrors c={c} errors={errors} />
        <Field
          c={c}
          name="title"
          label={t("courses.field.lesson_title")}
          value={values.title}
          errors={errors}
          required
          maxLength={200}
        />
        <Select
          c={c}
          name="sectionId"
          label={t("courses.field.section")}
          value={values.sectionId}
          errors={errors}
          options={o.sections.map((s) => ({ value: s.id, label: s.title }))}
        />
        <TextArea
          c={c}
          name="body"
          label={t("courses.field.body")}
          hint={t("courses.field.markdown_hint")}
          value={values.body}
          errors={errors}
          rows={16}
        />
        <Checkbox
          c={c}
          name="freePreview"
          label={t("courses.field.free_preview")}
          checked={values.freePreview === "on"}
        />
        <Checkbox c={c} name="required" label={t("courses.field.required")} checked={values.required === "on"} />
        <div>
          <button type="submit">{lesson ? t("courses.admin.save") : t("courses.admin.create_lesson")}</button>
        </div>
      </form>
      {lesson && (
        <form method="post" action={`${base}/lessons/${lesson.id}/delete`} class="danger-zone">
          <CsrfField c={c} />
          <button type="submit" class="link danger-link">
            {t("courses.admin.delete_lesson")}
          </button>
        </form>
      )}
    </div>,
    errors ? 422 : 200,
  );
}

async function lessonParam(c: AppContext, course: Course): Promise<Lesson> {
  const id = c.req.param("lid");
  const lesson = isId(id)
    ? await c.var.services.db
        .selectFrom("course_lessons")
        .selectAll()
        .where("id", "=", id)
        .where("course_id", "=", course.id)
        .executeTakeFirst()
    : undefined;
  if (!lesson) throw new AppError("not_found", 404);
  return lesson;
}

export function lessonAdminRoutes(app: Hono<AppEnv>): void {
  app.get("/admin/courses/:id/lessons/new", async (c) => {
    const course = await courseParam(c);
    const o = await outline(c.var.services.db, course);
    if (o.sections.length === 0) return c.redirect(`/admin/courses/${course.id}`, 303);
    const section = o.sections.find((s) => s.id === c.req.query("section")) ?? o.sections[0]!;
    return lessonPage(c, course, null, lessonValues(null, section.id));
  });

  app.post("/admin/courses/:id/lessons", async (c) => {
    const course = await courseParam(c);
    const form = await readForm(c);
    try {
      const id = await saveLesson(c.var.services.db, course.id, null, parseInput(lessonInput, form));
      return c.redirect(`/admin/courses/${course.id}/lessons/${id}?saved=1`, 303);
    } catch (err) {
      return lessonPage(c, course, null, stringValues(form), fieldErrors(err));
    }
  });

  app.get("/admin/courses/:id/lessons/:lid", async (c) => {
    const course = await courseParam(c);
    const lesson = await lessonParam(c, course);
    return lessonPage(c, course, lesson, lessonValues(lesson, lesson.section_id));
  });

  app.post("/admin/courses/:id/lessons/:lid", async (c) => {
    const course = await courseParam(c);
    const lesson = await lessonParam(c, course);
    const form = await readForm(c);
    try {
      await saveLesson(c.var.services.db, course.id, lesson.id, parseInput(lessonInput, form));
      return c.redirect(`/admin/courses/${course.id}/lessons/${lesson.id}?saved=1`, 303);
    } catch (err) {
      return lessonPage(c, course, lesson, stringValues(form), fieldErrors(err));
    }
  });

  app.post("/admin/courses/:id/lessons/:lid/move", async (c) => {
    const course = await courseParam(c);
    const lesson = await lessonParam(c, course);
    const d = formValue(await readForm(c), "direction");
    if (d !== "up" && d !== "down") throw new AppError("invalid_input", 422);
    await moveLesson(c.var.services.db, course.id, lesson.id, d);
    return c.redirect(`/admin/courses/${course.id}#s-${lesson.section_id}`, 303);
  });

  app.post("/admin/courses/:id/lessons/:lid/delete", async (c) => {
    const course = await courseParam(c);
    const lesson = await lessonParam(c, course);
    await readForm(c);
    await deleteLesson(c.var.services.db, course.id, lesson.id);
    return c.redirect(`/admin/courses/${course.id}#s-${lesson.section_id}`, 303);
  });
}
