import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { readForm } from "../../platform/http/forms.ts";
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
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { courseParam, fieldErrors, runAsStaff, stringValues } from "./admin-helpers.ts";
import type { Values } from "./admin-views.tsx";
import { isId, outline, type Course, type Lesson } from "./queries.ts";
import {
  deleteCourseLesson,
  deleteLessonAttachment,
  moveCourseLesson,
  saveCourseLesson,
} from "./operations/authoring.ts";
import { quizOfLesson } from "./quizzes.ts";
import { QuizEditor, quizValues } from "./quiz-views.tsx";
import { allowLargeBody, expectFiles } from "../../platform/http/body.ts";
import {
  COURSE_UPLOAD_PATH,
  courseUploadRules,
  receiveLessonUpload,
  uploadBodyLimit,
  type UploadKind,
} from "./uploads.ts";

const uploadKinds: readonly UploadKind[] = ["video", "audio", "attachment"];

function UploadForms(p: { c: AppContext; lesson: Lesson; attachments: { id: string; name: string; size: number }[] }) {
  const t = tr(p.c);
  return (
    <section class="admin-section lesson-media" aria-labelledby="media-title">
      <h2 id="media-title">{t("courses.admin.media")}</h2>
      {uploadKinds.map((kind) => (
        <form
          method="post"
          action={`${COURSE_UPLOAD_PATH}?lesson=${p.lesson.id}&kind=${kind}`}
          enctype="multipart/form-data"
          class="admin-form stack-tight"
        >
          <CsrfField c={p.c} />
          <label for={`up-${kind}`}>{t(`courses.upload.label_${kind}`)}</label>
          {kind === "video" && p.lesson.video_file_id && <p class="small muted">{t("courses.upload.has_video")}</p>}
          {kind === "audio" && p.lesson.audio_file_id && <p class="small muted">{t("courses.upload.has_audio")}</p>}
          <input id={`up-${kind}`} type="file" name="file" required />
          <div>
            <button type="submit" class="secondary">
              {t("courses.upload.send")}
            </button>
          </div>
        </form>
      ))}
      {p.attachments.length > 0 && (
        <ul class="plain-list">
          {p.attachments.map((a) => (
            <li>
              {a.name}{" "}
              <span class="muted small">({t("courses.size_kb", { n: Math.max(1, Math.round(a.size / 1024)) })})</span>{" "}
              <form
                method="post"
                action={`/admin/courses/${p.lesson.course_id}/lessons/${p.lesson.id}/attachments/${a.id}/delete`}
                class="inline-form"
              >
                <CsrfField c={p.c} />
                <button type="submit" class="link danger-link small">
                  {t("courses.upload.remove")}
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The lesson editor: title, section, Markdown body, free preview, required for the certificate. */

export function lessonValues(l: Lesson | null, sectionId: string): Values {
  return {
    title: l?.title ?? "",
    sectionId: l?.section_id ?? sectionId,
    body: l?.body_md ?? "",
    videoUrl: l?.video_url ?? "",
    freePreview: l?.free_preview ? "on" : "",
    required: !l || l.required ? "on" : "",
  };
}

export interface LessonPageOptions {
  values: Values;
  errors?: Errors;
  uploadError?: AppError;
  quiz?: { values: Values; errors: Errors };
  question?: { values: Values; errors: Errors };
}

export async function lessonPage(c: AppContext, course: Course, lesson: Lesson | null, opts: LessonPageOptions) {
  const { values, errors, uploadError } = opts;
  const t = tr(c);
  const o = await outline(c.var.services.db, course);
  const attachments = lesson
    ? await c.var.services.db
        .selectFrom("course_attachments")
        .select(["id", "name", "size"])
        .where("lesson_id", "=", lesson.id)
        .orderBy("position")
        .execute()
    : [];
  const quiz = lesson ? await quizOfLesson(c.var.services.db, lesson.id) : null;
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
        <Field
          c={c}
          name="videoUrl"
          type="url"
          label={t("courses.field.video_url")}
          hint={t("courses.field.video_url_hint")}
          value={values.videoUrl}
          errors={errors}
          maxLength={500}
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
      {uploadError && (
        <p class="notice warn" role="alert">
          {t(uploadError.messageKey, uploadError.params)}
        </p>
      )}
      {lesson && <UploadForms c={c} lesson={lesson} attachments={attachments} />}
      {lesson && (
        <QuizEditor
          c={c}
          base={`${base}/lessons/${lesson.id}`}
          quiz={quiz?.quiz ?? null}
          questions={quiz?.questions ?? []}
          values={opts.quiz?.values ?? quizValues(quiz?.quiz ?? null)}
          errors={opts.quiz?.errors}
          questionValues={opts.question?.values ?? {}}
          questionErrors={opts.question?.errors}
        />
      )}
      {lesson && (
        <form method="post" action={`${base}/lessons/${lesson.id}/delete`} class="danger-zone">
          <CsrfField c={c} />
          <button type="submit" class="link danger-link">
            {t("courses.admin.delete_lesson")}
          </button>
        </form>
      )}
    </div>,
    uploadError ? (uploadError.status as 413 | 415 | 422) : errors || opts.quiz || opts.question ? 422 : 200,
  );
}

export async function lessonParam(c: AppContext, course: Course): Promise<Lesson> {
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
  allowLargeBody(COURSE_UPLOAD_PATH, uploadBodyLimit());
  expectFiles(COURSE_UPLOAD_PATH, (c) => courseUploadRules(c.req.query("kind")));

  app.post(COURSE_UPLOAD_PATH, async (c) => {
    const db = c.var.services.db;
    const id = c.req.query("lesson") ?? "";
    const kind = c.req.query("kind") as UploadKind;
    if (!uploadKinds.includes(kind)) throw new AppError("not_found", 404);
    const lesson = isId(id)
      ? await db.selectFrom("course_lessons").selectAll().where("id", "=", id).executeTakeFirst()
      : undefined;
    if (!lesson) throw new AppError("not_found", 404);
    const course = (await db.selectFrom("courses").selectAll().where("id", "=", lesson.course_id).executeTakeFirst())!;
    try {
      await receiveLessonUpload(c, lesson, kind);
    } catch (err) {
      if (err instanceof AppError && [413, 415, 422].includes(err.status))
        return lessonPage(c, course, lesson, { values: lessonValues(lesson, lesson.section_id), uploadError: err });
      throw err;
    }
    return c.redirect(`/admin/courses/${course.id}/lessons/${lesson.id}?saved=1#media-title`, 303);
  });

  app.post("/admin/courses/:id/lessons/:lid/attachments/:aid/delete", async (c) => {
    const course = await courseParam(c);
    const lesson = await lessonParam(c, course);
    await readForm(c);
    const aid = c.req.param("aid");
    if (!isId(aid)) throw new AppError("not_found", 404);
    await runAsStaff(c, deleteLessonAttachment, { courseId: course.id, lessonId: lesson.id, attachmentId: aid });
    return c.redirect(`/admin/courses/${course.id}/lessons/${lesson.id}#media-title`, 303);
  });

  app.get("/admin/courses/:id/lessons/new", async (c) => {
    const course = await courseParam(c);
    const o = await outline(c.var.services.db, course);
    if (o.sections.length === 0) return c.redirect(`/admin/courses/${course.id}`, 303);
    const section = o.sections.find((s) => s.id === c.req.query("section")) ?? o.sections[0]!;
    return lessonPage(c, course, null, { values: lessonValues(null, section.id) });
  });

  app.post("/admin/courses/:id/lessons", async (c) => {
    const course = await courseParam(c);
    const form = await readForm(c);
    try {
      const { id } = await runAsStaff(c, saveCourseLesson, { ...form, courseId: course.id, lessonId: null });
      return c.redirect(`/admin/courses/${course.id}/lessons/${id}?saved=1`, 303);
    } catch (err) {
      return lessonPage(c, course, null, { values: stringValues(form), errors: fieldErrors(err) });
    }
  });

  app.get("/admin/courses/:id/lessons/:lid", async (c) => {
    const course = await courseParam(c);
    const lesson = await lessonParam(c, course);
    return lessonPage(c, course, lesson, { values: lessonValues(lesson, lesson.section_id) });
  });

  app.post("/admin/courses/:id/lessons/:lid", async (c) => {
    const course = await courseParam(c);
    const lesson = await lessonParam(c, course);
    const form = await readForm(c);
    try {
      await runAsStaff(c, saveCourseLesson, { ...form, courseId: course.id, lessonId: lesson.id });
      return c.redirect(`/admin/courses/${course.id}/lessons/${lesson.id}?saved=1`, 303);
    } catch (err) {
      return lessonPage(c, course, lesson, { values: stringValues(form), errors: fieldErrors(err) });
    }
  });

  app.post("/admin/courses/:id/lessons/:lid/move", async (c) => {
    const course = await courseParam(c);
    const lesson = await lessonParam(c, course);
    const form = await readForm(c);
    await runAsStaff(c, moveCourseLesson, { courseId: course.id, lessonId: lesson.id, direction: form.direction });
    return c.redirect(`/admin/courses/${course.id}#s-${lesson.section_id}`, 303);
  });

  app.post("/admin/courses/:id/lessons/:lid/delete", async (c) => {
    const course = await courseParam(c);
    const lesson = await lessonParam(c, course);
    await readForm(c);
    await runAsStaff(c, deleteCourseLesson, { courseId: course.id, lessonId: lesson.id });
    return c.redirect(`/admin/courses/${course.id}#s-${lesson.section_id}`, 303);
  });
}
