import type { Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { newId } from "../../platform/ids.ts";
import { getMember } from "../members/index.ts";
import { issueCertificateIn } from "./certificates.ts";
import { recordCourseEvent } from "./events.ts";
import { ensureProgressRow, moveCursor, openFirstTime } from "./hot-queries.ts";
import { findEnrolment, inTransaction, type Enrolment } from "./queries.ts";

/**
 * A student's progress. Every write here is idempotent and safe under
 * concurrency on both databases:
 *
 * - one enrolment per (course, member) and one progress row per (member,
 *   lesson) are unique constraints, inserted with ON CONFLICT DO NOTHING;
 * - a lesson is completed by `UPDATE ... WHERE completed_at IS NULL`, so of 20
 *   identical posts exactly one changes the row, and only that one records
 *   the `lesson.completed` event;
 * - each transaction first touches its enrolment row, which serialises one
 *   student's writes on PostgreSQL (row lock) as SQLite's single writer does,
 *   so "was that the last required lesson?" is answered on committed data.
 */

export async function enrol(db: Db, courseId: string, memberId: string, at: string): Promise<Enrolment> {
  const existing = await findEnrolment(db, courseId, memberId);
  if (existing) return existing;
  return inTransaction(db, async (trx) => {
    const r = await trx
      .insertInto("course_enrolments")
      .values({
        id: newId(),
        course_id: courseId,
        member_id: memberId,
        enrolled_at: at,
        started_at: null,
        last_progress_at: null,
        last_lesson_id: null,
        completed_at: null,
      })
      .onConflict((oc) => oc.columns(["course_id", "member_id"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (r !== undefined) await recordCourseEvent(trx, "course.enrolled", memberId, { courseId }, at);
    return (await findEnrolment(trx, courseId, memberId))!;
  });
}

/** Locks the enrolment row for this transaction (PostgreSQL) — see the module comment. */
async function lockEnrolment(trx: Db, enrolment: Enrolment): Promise<void> {
  await trx
    .updateTable("course_enrolments")
    .set({ last_progress_at: enrolment.last_progress_at })
    .where("id", "=", enrolment.id)
    .execute();
}

/**
 * The student opened a lesson: "continue where I left off" points at it. A
 * cursor, not an event. `known` is what the page already read (the student's
 * progress row for the lesson exists): then the write is skipped when
 * nothing would change (already the last opened lesson, course started; the
 * row's opened_at is the first opening and never moves), and is one UPDATE
 * otherwise.
 */
export async function openLesson(
  db: Db,
  enrolment: Enrolment,
  lessonId: string,
  at: string,
  known?: { hasRow: boolean },
): Promise<"unchanged" | "moved" | "opened"> {
  if (known?.hasRow) {
    if (enrolment.last_lesson_id === lessonId && enrolment.started_at) return "unchanged";
    await moveCursor(db, enrolment, lessonId, at);
    return "moved";
  }
  await openFirstTime(db, enrolment, lessonId, at);
  return "opened";
}

export interface CompleteResult {
  /** This call completed the lesson (false: it already was). */
  completed: boolean;
  /** This call completed the course. */
  courseCompleted: boolean;
  certificateCode: string | null;
}

/** Marks a lesson complete (idempotent); completes the course and issues the certificate when nothing required is left. */
export async function completeLesson(db: Db, enrolment: Enrolment, lessonId: string, at: string) {
  return inTransaction(db, async (trx): Promise<CompleteResult> => {
    await lockEnrolment(trx, enrolment);
    await ensureProgressRow(trx, enrolment.course_id, lessonId, enrolment.member_id, at);
    const r = await trx
      .updateTable("lesson_progress")
      .set({ completed_at: at })
      .where("member_id", "=", enrolment.member_id)
      .where("lesson_id", "=", lessonId)
      .where("completed_at", "is", null)
      .executeTakeFirst();
    const completed = Number(r.numUpdatedRows) > 0;
    if (!completed) return { completed: false, courseCompleted: false, certificateCode: null };
    await trx
      .updateTable("course_enrolments")
      .set((eb) => ({
        last_progress_at: at,
        last_lesson_id: lessonId,
        started_at: eb.fn.coalesce("started_at", eb.val(at)),
      }))
      .where("id", "=", enrolment.id)
      .execute();
    await recordCourseEvent(
      trx,
      "lesson.completed",
      enrolment.member_id,
      { courseId: enrolment.course_id, lessonId },
      at,
    );
    return { completed: true, ...(await completeCourseIfDone(trx, enrolment, at)) };
  });
}

/** Required lessons and required quizzes still to do, read inside the caller's transaction. */
export async function remainingRequirements(trx: Db, courseId: string, memberId: string): Promise<number> {
  const lessons = await trx
    .selectFrom("course_lessons")
    .leftJoin("lesson_progress", (j) =>
      j.onRef("lesson_progress.lesson_id", "=", "course_lessons.id").on("lesson_progress.member_id", "=", memberId),
    )
    .select("course_lessons.id")
    .where("course_lessons.course_id", "=", courseId)
    .where("course_lessons.required", "=", 1)
    .where("lesson_progress.completed_at", "is", null)
    .execute();
  const quizzes = await trx
    .selectFrom("course_quizzes")
    .select("id")
    .where("course_id", "=", courseId)
    .where("required", "=", 1)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("quiz_attempts")
            .select("quiz_attempts.id")
            .whereRef("quiz_attempts.quiz_id", "=", "course_quizzes.id")
            .where("quiz_attempts.member_id", "=", memberId)
            .where("quiz_attempts.passed", "=", 1),
        ),
      ),
    )
    .execute();
  return lessons.length + quizzes.length;
}

/** Completes the enrolment (once) and issues the certificate (once) when nothing required is left. */
export async function completeCourseIfDone(trx: Db, enrolment: Enrolment, at: string) {
  const none = { courseCompleted: false, certificateCode: null };
  const hasRequired = await trx
    .selectFrom("course_lessons")
    .select("id")
    .where("course_id", "=", enrolment.course_id)
    .where("required", "=", 1)
    .limit(1)
    .execute();
  if (hasRequired.length === 0) return none;
  if ((await remainingRequirements(trx, enrolment.course_id, enrolment.member_id)) > 0) return none;
  const r = await trx
    .updateTable("course_enrolments")
    .set({ completed_at: at })
    .where("id", "=", enrolment.id)
    .where("completed_at", "is", null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return none;
  await recordCourseEvent(trx, "course.completed", enrolment.member_id, { courseId: enrolment.course_id }, at);
  const member = await getMember(trx, enrolment.member_id);
  if (!member) throw new AppError("not_found", 404);
  const code = await issueCertificateIn(trx, enrolment.course_id, member, at);
  return { courseCompleted: true, certificateCode: code };
}
