/** @jsxImportSource #html-jsx */
import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { readForm } from "../../platform/http/forms.ts";
import { page } from "../../platform/views/layout.tsx";
import { canAccess } from "../access/index.ts";
import { getMember } from "../members/index.ts";
import { certificateOf } from "./certificates.ts";
import { certificatePdfFor } from "./certificate-routes.tsx";
import { openLesson } from "./progress.ts";
import { courseBySlugWithMine, type Mine } from "./hot-queries.ts";
import { memberActor } from "../../platform/actor.ts";
import { runOperation } from "../../platform/operations.ts";
import { completeStudentLesson, enrolStudent, rateFinishedCourse } from "./operations/student.ts";
import {
  courseResource,
  findCourseBySlug,
  isId,
  lessonResource,
  outline,
  cachedOutline,
  enrolmentWithProgress,
  studentViewOf,
  dripDependsOnZone,
  type Attachment,
  type Course,
  type Outline,
} from "./queries.ts";
import { CourseHome, LessonPage, LockedLesson, learnUrl, lessonUrl } from "./student-views.tsx";
import { coursesHead } from "./public.tsx";
import { quizBlockFor } from "./quiz-routes.tsx";
import { mediaUrl, mediaViewerOf, type MediaViewer } from "./media.ts";
import { cspWithFrame, parseEmbed } from "./embed.ts";
import type { Errors } from "../../platform/views/components.tsx";
import { fieldErrors, runAsMember } from "./admin-helpers.ts";
import { ratingOf } from "./ratings.ts";
import { SurveyBlock } from "./survey.tsx";
import type { Lesson } from "./queries.ts";
import type { LessonMedia } from "./student-views.tsx";

/** A lesson with an embed may frame that one player origin (see embed.ts); every other page frames nothing. */
function frameEmbed(c: AppContext, lesson: Lesson): void {
  const embed = lesson.video_url ? parseEmbed(lesson.video_url) : null;
  if (embed) c.header("Content-Security-Policy", cspWithFrame(embed.origin));
}

export function lessonMedia(
  c: AppContext,
  lesson: Lesson,
  who: MediaViewer,
  attachments: readonly Attachment[],
): LessonMedia {
  const { secret, clock } = c.var.services;
  // Signed with the same clock the media route checks them against.
  const now = clock.nowMs();
  return {
    video: lesson.video_file_id ? mediaUrl(secret, lesson.video_file_id, who, now) : null,
    audio: lesson.audio_file_id ? mediaUrl(secret, lesson.audio_file_id, who, now) : null,
    attachments: attachments.map((a) => ({ name: a.name, size: a.size, url: mediaUrl(secret, a.file_id, who, now) })),
  };
}

/**
 * The student's side: /learn/<slug> (course home) and /learn/<slug>/<lesson>.
 * Every request asks the access policy; a lesson opens only when the policy
 * says yes and the drip (in the student's time zone) has reached it. Nothing
 * here is cached: pages carry the student's progress.
 */

/** A course a student may open: published, or archived (archived courses keep their students). */
export async function studentCourse(c: AppContext): Promise<Course> {
  return openable(await findCourseBySlug(c.var.services.db, c.req.param("slug") ?? ""));
}

function openable(course: Course | undefined): Course {
  if (!course || course.status === "draft") throw new AppError("not_found", 404);
  return course;
}

export interface Student {
  memberId: string;
  /** The student's time zone, read once, and only when a date in it is computed or shown (loadView). */
  zone(): Promise<string>;
}

export async function studentOf(c: AppContext, course: Course): Promise<Student | null> {
  const session = c.var.memberSession;
  if (!session) return null;
  const db = c.var.services.db;
  const memberId = session.subjectId;
  if (!(await canAccess(db, { kind: "member", memberId }, courseResource(course)))) return null;
  // The policy opens nothing to a member who no longer exists (their entitlements are erased with them;
  // a members' course asks the members module), so the member row is needed only for the zone.
  let zone: Promise<string> | undefined;
  return {
    memberId,
    zone: () => (zone ??= getMember(db, memberId).then((m) => m?.timeZone ?? "UTC")),
  };
}

/**
 * The student's view of the course: enrolment and progress in one read (enrolled on the first visit),
 * unless the page already read them with the course (`known`: null when not enrolled). `zone` is the
 * student's when some section's opening depends on it, else "UTC": every section is then open and the
 * view shows no date.
 */
export async function loadView(c: AppContext, o: Outline, student: Student, now: string, known?: Mine | null) {
  const db = c.var.services.db;
  let mine = known === undefined ? await enrolmentWithProgress(db, o.course.id, student.memberId) : known;
  if (!mine) {
    const enrolment = await runOperation(c.var.services, enrolStudent, memberActor(student.memberId), {
      courseId: o.course.id,
    });
    mine = { enrolment, progress: [] };
  }
  // Enrolled by this request (a moment after `now` was read): the view is as of the enrolment, not before it.
  const at = Date.parse(mine.enrolment.enrolled_at) > Date.parse(now) ? mine.enrolment.enrolled_at : now;
  const zone = dripDependsOnZone(o, mine.enrolment, at) ? await student.zone() : "UTC";
  const view = studentViewOf(o, mine.enrolment, mine.progress, zone, at);
  return Object.assign(view, { zone, progress: new Map(mine.progress.map((p) => [p.lesson_id, p])) });
}

/** What loadView gives a page: the view, the zone its dates are in, and the progress rows by lesson. */
export type LoadedView = Awaited<ReturnType<typeof loadView>>;

export function loginRedirect(c: AppContext, next: string) {
  return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
}

/** The student's course home; after the last lesson, with the end-of-course survey. */
async function courseHomePage(c: AppContext, course: Course, student: Student, surveyErrors?: Errors) {
  const db = c.var.services.db;
  const now = c.var.services.clock.nowIso();
  const o = await outline(db, course);
  const view = await loadView(c, o, student, now);
  const [cert, rating] = await Promise.all([
    certificateOf(db, course.id, student.memberId),
    ratingOf(db, course.id, student.memberId),
  ]);
  return page(
    c,
    { title: course.title, noindex: true, head: coursesHead() },
    <CourseHome
      c={c}
      o={o}
      view={view}
      zone={view.zone}
      certificateCode={cert && !cert.revoked_at ? cert.code : null}
      survey={
        view.enrolment.completed_at ? (
          <SurveyBlock c={c} slug={course.slug} current={rating} errors={surveyErrors} />
        ) : null
      }
    />,
    surveyErrors ? 422 : 200,
  );
}

export function learnRoutes(app: Hono<AppEnv>): void {
  app.get("/learn/:slug", async (c) => {
    const course = await studentCourse(c);
    c.header("Cache-Control", "private, no-store");
    if (!c.var.memberSession) return loginRedirect(c, learnUrl(course.slug));
    const student = await studentOf(c, course);
    if (!student) return c.redirect(`/courses/${course.slug}`, 303);
    return courseHomePage(c, course, student);
  });

  app.post("/learn/:slug/rating", async (c) => {
    const course = await studentCourse(c);
    const form = await readForm(c);
    if (!c.var.memberSession) throw new AppError("unauthenticated", 401);
    const student = await studentOf(c, course);
    if (!student) throw new AppError("forbidden", 403, "courses.lesson.no_access");
    try {
      await runAsMember(c, rateFinishedCourse, { comment: "", ...form, courseId: course.id });
    } catch (err) {
      return courseHomePage(c, course, student, fieldErrors(err));
    }
    return c.redirect(`${learnUrl(course.slug)}?rated=1#survey`, 303);
  });

  app.get("/learn/:slug/certificate.pdf", async (c) => {
    const course = await studentCourse(c);
    const session = c.var.memberSession;
    if (!session) return loginRedirect(c, learnUrl(course.slug));
    const cert = await certificateOf(c.var.services.db, course.id, session.subjectId);
    if (!cert || cert.revoked_at) throw new AppError("not_found", 404);
    return certificatePdfFor(c, cert);
  });

  app.get("/learn/:slug/:lesson", async (c) => {
    const db = c.var.services.db;
    const session = c.var.memberSession;
    const slug = c.req.param("slug") ?? "";
    // A member's page reads the course, their enrolment and their progress in one statement (access is
    // still the policy's, asked below); anyone else's, the course alone.
    const read = session ? await courseBySlugWithMine(db, slug, session.subjectId) : undefined;
    const course = openable(session ? read?.course : await findCourseBySlug(db, slug));
    const lessonId = c.req.param("lesson");
    const o = await cachedOutline(db, course);
    const lesson = isId(lessonId) ? o.lessons.find((l) => l.id === lessonId) : undefined;
    if (!lesson) throw new AppError("not_found", 404);
    const student = await studentOf(c, course);
    const meta = { title: `${lesson.title} · ${course.title}`, head: coursesHead() };
    if (!student) {
      const staff = c.var.staffSession && !c.var.staffSession.mfaPending;
      // A free preview is public; staff preview any lesson. Everyone else: the course page, not the lesson.
      if (
        !(await canAccess(
          db,
          staff ? { kind: "staff", staffId: "preview" } : { kind: "anonymous" },
          lessonResource(course, lesson),
        ))
      ) {
        if (!c.var.memberSession) return loginRedirect(c, lessonUrl(course.slug, lesson.id));
        c.header("Cache-Control", "private, no-store");
        return page(
          c,
          { ...meta, noindex: true },
          <LockedLesson
            c={c}
            courseSlug={course.slug}
            title={lesson.title}
            opensAt={null}
            zone="UTC"
            reason="access"
          />,
          403,
        );
      }
      c.header(
        "Cache-Control",
        lesson.free_preview && !staff && !c.var.memberSession ? "public, max-age=60" : "private, no-store",
      );
      frameEmbed(c, lesson);
      return page(
        c,
        meta,
        <LessonPage
          c={c}
          o={o}
          lesson={lesson}
          view={null}
          zone={c.var.site.timeZone}
          media={lessonMedia(
            c,
            lesson,
            mediaViewerOf(staff ? { kind: "staff", staffId: "preview" } : { kind: "anonymous" }),
            o.attachments.get(lesson.id) ?? [],
          )}
        />,
      );
    }
    c.header("Cache-Control", "private, no-store");
    const now = c.var.services.clock.nowIso();
    const view = await loadView(c, o, student, now, read?.mine);
    const state = view.lessons.find((s) => s.lesson.id === lesson.id)!;
    if (!state.open)
      return page(
        c,
        { ...meta, noindex: true },
        <LockedLesson
          c={c}
          courseSlug={course.slug}
          title={lesson.title}
          opensAt={state.opensAt}
          zone={view.zone}
          reason={state.waitsForPrevious ? "previous" : "drip"}
        />,
        403,
      );
    const progress = view.progress.get(lesson.id);
    await openLesson(db, view.enrolment, lesson.id, now, { hasRow: !!progress });
    frameEmbed(c, lesson);
    return page(
      c,
      { ...meta, noindex: true },
      <LessonPage
        c={c}
        o={o}
        lesson={lesson}
        view={view}
        zone={view.zone}
        media={lessonMedia(c, lesson, student.memberId, o.attachments.get(lesson.id) ?? [])}
        quiz={
          o.quizzes.some((q) => q.lesson_id === lesson.id)
            ? await quizBlockFor(c, o, lesson, student.memberId, { showLatest: c.req.query("quiz") === "done" })
            : null
        }
        position={progress?.media_position ?? 0}
      />,
    );
  });

  app.post("/learn/:slug/:lesson/position", async (c) => {
    const db = c.var.services.db;
    const course = await studentCourse(c);
    const form = await readForm(c);
    if (!c.var.memberSession) throw new AppError("unauthenticated", 401);
    const student = await studentOf(c, course);
    if (!student) throw new AppError("forbidden", 403, "courses.lesson.no_access");
    const lessonId = c.req.param("lesson");
    const raw = typeof form.position === "string" ? form.position : "";
    if (!/^\d{1,6}$/.test(raw)) throw new AppError("invalid_input", 422);
    if (!isId(lessonId)) throw new AppError("not_found", 404);
    // Only a lesson of this course the student has opened (its progress row exists) keeps a position.
    // A direct write, not an operation: the player posts it every 10 s while a video plays, it is a
    // cursor the student's next visit reads (where to resume), not a fact anyone is told about, so it
    // has no event, nothing to authorise beyond the policy asked above (their own row only), and an
    // operation's transaction and validation would cost more than the one-row UPDATE it wraps.
    await db
      .updateTable("lesson_progress")
      .set({ media_position: Number(raw) })
      .where("member_id", "=", student.memberId)
      .where("lesson_id", "=", lessonId)
      .where("course_id", "=", course.id)
      .execute();
    return c.body(null, 204);
  });

  app.post("/learn/:slug/:lesson/complete", async (c) => {
    const db = c.var.services.db;
    const course = await studentCourse(c);
    await readForm(c);
    const lessonId = c.req.param("lesson");
    if (!c.var.memberSession) throw new AppError("unauthenticated", 401);
    const student = await studentOf(c, course);
    if (!student) throw new AppError("forbidden", 403, "courses.lesson.no_access");
    const o = await outline(db, course);
    if (!isId(lessonId) || !o.lessons.some((l) => l.id === lessonId)) throw new AppError("not_found", 404);
    const now = c.var.services.clock.nowIso();
    const view = await loadView(c, o, student, now);
    const state = view.lessons.find((s) => s.lesson.id === lessonId)!;
    if (!state.open) throw new AppError("forbidden", 403, "courses.lesson.locked");
    await runAsMember(c, completeStudentLesson, { courseId: course.id, lessonId });
    const i = o.lessons.findIndex((l) => l.id === lessonId);
    // The next lesson, if it is open now (its section's drip reached; "finish the previous" just satisfied).
    const next = view.lessons[i + 1];
    const nextOpen = next && (next.open || next.waitsForPrevious);
    return c.redirect(nextOpen ? lessonUrl(course.slug, next.lesson.id) : learnUrl(course.slug), 303);
  });
}
