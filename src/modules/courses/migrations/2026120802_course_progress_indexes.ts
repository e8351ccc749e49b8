import type { Kysely } from "kysely";

/*
 * Courses: covering indexes for the two hot reads of progress. Immutable once merged.
 *
 * - The funnel (per-lesson completions and median times over every student of
 *   a course) reads (course, lesson, completed, opened) only: with them all in
 *   the index it never visits the table (10,000 students: tens of thousands
 *   of rows). It replaces the (course, lesson) index, its prefix.
 * - "Where each student stopped" and a student's lesson page read a
 *   student's progress by (member, course) with lesson and completion: the
 *   same, replacing the (member, course) index. The video position is left
 *   out on purpose: it is saved every 10 s while a video plays.
 * - Enrolments of a course not finished (the funnel's stops, the stall run):
 *   (course, completed, member).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("lesson_progress_funnel_idx")
    .on("lesson_progress")
    .columns(["course_id", "lesson_id", "completed_at", "opened_at"])
    .execute();
  await db.schema.dropIndex("lesson_progress_course_idx").execute();
  await db.schema
    .createIndex("lesson_progress_student_idx")
    .on("lesson_progress")
    .columns(["member_id", "course_id", "lesson_id", "completed_at"])
    .execute();
  await db.schema.dropIndex("lesson_progress_member_course_idx").execute();
  await db.schema
    .createIndex("course_enrolments_open_idx")
    .on("course_enrolments")
    .columns(["course_id", "completed_at", "member_id"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("course_enrolments_open_idx").execute();
  await db.schema
    .createIndex("lesson_progress_member_course_idx")
    .on("lesson_progress")
    .columns(["member_id", "course_id"])
    .execute();
  await db.schema.dropIndex("lesson_progress_student_idx").execute();
  await db.schema
    .createIndex("lesson_progress_course_idx")
    .on("lesson_progress")
    .columns(["course_id", "lesson_id"])
    .execute();
  await db.schema.dropIndex("lesson_progress_funnel_idx").execute();
}
