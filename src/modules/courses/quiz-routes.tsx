import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { readForm } from "../../platform/http/forms.ts";
import { page } from "../../platform/views/layout.tsx";
import { courseParam, fieldErrors, runAsMember, runAsStaff, stringValues } from "./admin-helpers.ts";
import { lessonPage, lessonParam, lessonValues } from "./admin-lessons.tsx";
import { loadView, lessonMedia, studentCourse, studentOf, type LoadedView, type Student } from "./learn.tsx";
import { coursesHead } from "./public.tsx";
import { isId, cachedOutline, type CachedOutline, type Course, type Lesson } from "./queries.ts";
import { attemptsOf } from "./quizzes.ts";
import { addQuizQuestion, deleteQuizQuestion, saveLessonQuiz } from "./operations/authoring.ts";
import { submitQuiz } from "./operations/student.ts";
import { QuizBlock } from "./quiz-views.tsx";
import { LessonPage, lessonUrl } from "./student-views.tsx";
import type { Errors } from "../../platform/views/components.tsx";

/** The quiz's routes: the creator edits it under the lesson; the student answers it on the lesson page. */

/** The quiz block of a lesson page for a student (null when the lesson has none). */
export async function quizBlockFor(
  c: AppContext,
  o: CachedOutline,
  lesson: Lesson,
  memberId: string,
  opts: { showLatest?: boolean; errors?: Errors } = {},
) {
  const course = o.course;
  // The quiz and its questions come with the outline (per course version): only the attempts are read.
  const quiz = o.quizzes.find((q) => q.lesson_id === lesson.id);
  const questions = quiz ? (o.questions.get(quiz.id) ?? []) : [];
  if (!quiz || questions.length === 0) return null;
  const q = { quiz, questions };
  const attempts = await attemptsOf(c.var.services.db, q.quiz.id, memberId);
  const shown = opts.showLatest || attempts.some((a) => a.passed) ? (attempts[0] ?? null) : null;
  return (
    <QuizBlock
      c={c}
      action={`${lessonUrl(course.slug, lesson.id)}/quiz`}
      quiz={q.quiz}
      questions={q.questions}
      attempts={attempts}
      shown={shown}
      errors={opts.errors}
    />
  );
}

async function renderStudentLesson(
  c: AppContext,
  course: Course,
  lesson: Lesson,
  student: Student,
  view: LoadedView,
  opts: { showLatest?: boolean; errors?: Errors },
  status: 200 | 409 | 422 = 200,
) {
  const o = await cachedOutline(c.var.services.db, course);
  return page(
    c,
    { title: `${lesson.title} · ${course.title}`, head: coursesHead(), noindex: true },
    <LessonPage
      c={c}
      o={o}
      lesson={lesson}
      view={view}
      zone={view.zone}
      media={lessonMedia(c, lesson, student.memberId, o.attachments.get(lesson.id) ?? [])}
      quiz={await quizBlockFor(c, o, lesson, student.memberId, opts)}
    />,
    status,
  );
}

export function quizRoutes(app: Hono<AppEnv>): void {
  app.post("/admin/courses/:id/lessons/:lid/quiz", async (c) => {
    const course = await courseParam(c);
    const lesson = await lessonParam(c, course);
    const form = await readForm(c);
    try {
      await runAsStaff(c, saveLessonQuiz, { ...form, courseId: course.id, lessonId: lesson.id });
    } catch (err) {
      const values = lessonValues(lesson, lesson.section_id);
      return lessonPage(c, course, lesson, { values, quiz: { values: stringValues(form), errors: fieldErrors(err) } });
    }
    return c.redirect(`/admin/courses/${course.id}/lessons/${lesson.id}#quiz-editor-title`, 303);
  });

  app.post("/admin/courses/:id/lessons/:lid/quiz/questions", async (c) => {
    const course = await courseParam(c);
    const lesson = await lessonParam(c, course);
    const form = await readForm(c);
    try {
      await runAsStaff(c, addQuizQuestion, { ...form, courseId: course.id, lessonId: lesson.id });
    } catch (err) {
      const values = lessonValues(lesson, lesson.section_id);
      return lessonPage(c, course, lesson, {
        values,
        question: { values: stringValues(form), errors: fieldErrors(err) },
      });
    }
    return c.redirect(`/admin/courses/${course.id}/lessons/${lesson.id}#new-question`, 303);
  });

  app.post("/admin/courses/:id/lessons/:lid/quiz/questions/:qid/delete", async (c) => {
    const course = await courseParam(c);
    const lesson = await lessonParam(c, course);
    await readForm(c);
    const qid = c.req.param("qid");
    if (!isId(qid)) throw new AppError("not_found", 404);
    await runAsStaff(c, deleteQuizQuestion, { courseId: course.id, lessonId: lesson.id, questionId: qid });
    return c.redirect(`/admin/courses/${course.id}/lessons/${lesson.id}#quiz-editor-title`, 303);
  });

  app.post("/learn/:slug/:lesson/quiz", async (c) => {
    const db = c.var.services.db;
    const course = await studentCourse(c);
    const form = await readForm(c);
    if (!c.var.memberSession) throw new AppError("unauthenticated", 401);
    const student = await studentOf(c, course);
    if (!student) throw new AppError("forbidden", 403, "courses.lesson.no_access");
    const lessonId = c.req.param("lesson");
    const o = await cachedOutline(db, course);
    const lesson = isId(lessonId) ? o.lessons.find((l) => l.id === lessonId) : undefined;
    if (!lesson) throw new AppError("not_found", 404);
    const now = c.var.services.clock.nowIso();
    const view = await loadView(c, o, student, now);
    if (!view.lessons.find((s) => s.lesson.id === lesson.id)!.open)
      throw new AppError("forbidden", 403, "courses.lesson.locked");
    if (!o.quizzes.some((q) => q.lesson_id === lesson.id)) throw new AppError("not_found", 404);
    try {
      await runAsMember(c, submitQuiz, { courseId: course.id, lessonId: lesson.id, form });
    } catch (err) {
      if (err instanceof AppError && err.code === "invalid_input")
        return renderStudentLesson(c, course, lesson, student, view, { errors: err.fields }, 422);
      if (err instanceof AppError && err.code === "conflict")
        return renderStudentLesson(
          c,
          course,
          lesson,
          student,
          view,
          { showLatest: true, errors: { _form: { key: err.messageKey } } },
          409,
        );
      throw err;
    }
    return c.redirect(`${lessonUrl(course.slug, lesson.id)}?quiz=done#quiz-title`, 303);
  });
}
