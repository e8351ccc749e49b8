import type { Kysely } from "kysely";

/*
 * Courses: the stalled-student loop (per-course settings, one row per stall
 * with its "what stopped you?" answer), the end-of-course survey, and the
 * drip-email record with its opt-out. Immutable once merged.
 *
 * "Once per stall" is a unique (enrolment, since) pair: a stall is identified
 * by the instant of the student's last progress, so a retried or restarted
 * detection run inserts nothing twice, and a student who progresses then
 * stalls again gets a new row.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // A student's progress in one course (every lesson page): without it SQLite may walk the
  // course's whole (course, lesson) index, thousands of rows per page.
  await db.schema
    .createIndex("lesson_progress_member_course_idx")
    .on("lesson_progress")
    .columns(["member_id", "course_id"])
    .execute();
  await db.schema
    .alterTable("courses")
    .addColumn("stall_enabled", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable("courses")
    .addColumn("stall_subject", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .alterTable("courses")
    .addColumn("stall_body", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .alterTable("courses")
    .addColumn("stall_choices", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .createTable("course_stalls")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
    .addColumn("enrolment_id", "text", (c) => c.notNull().references("course_enrolments.id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("lesson_id", "text", (c) => c.references("course_lessons.id").onDelete("set null"))
    .addColumn("since", "text", (c) => c.notNull())
    .addColumn("detected_at", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("answered_at", "text")
    .execute();
  await db.schema
    .createIndex("course_stalls_once")
    .on("course_stalls")
    .columns(["enrolment_id", "since"])
    .unique()
    .execute();
  await db.schema.createIndex("course_stalls_course").on("course_stalls").columns(["course_id", "lesson_id"]).execute();
  await db.schema.createIndex("course_stalls_member").on("course_stalls").column("member_id").execute();
  await db.schema
    .createTable("course_ratings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("rating", "integer", (c) => c.notNull())
    .addColumn("comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("course_ratings_once")
    .on("course_ratings")
    .columns(["course_id", "member_id"])
    .unique()
    .execute();
  await db.schema
    .createTable("course_drip_mails")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("section_id", "text", (c) => c.notNull().references("course_sections.id").onDelete("cascade"))
    .addColumn("enrolment_id", "text", (c) => c.notNull().references("course_enrolments.id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("queued_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("course_drip_mails_once")
    .on("course_drip_mails")
    .columns(["section_id", "enrolment_id"])
    .unique()
    .execute();
  await db.schema
    .createTable("course_mail_optouts")
    .addColumn("member_id", "text", (c) => c.primaryKey().references("members.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("lesson_progress_member_course_idx").ifExists().execute();
  await db.schema.dropTable("course_mail_optouts").ifExists().execute();
  await db.schema.dropTable("course_drip_mails").ifExists().execute();
  await db.schema.dropTable("course_ratings").ifExists().execute();
  await db.schema.dropTable("course_stalls").ifExists().execute();
  for (const col of ["stall_choices", "stall_body", "stall_subject", "stall_enabled"])
    await db.schema.alterTable("courses").dropColumn(col).execute();
}
