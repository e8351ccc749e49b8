import type { Kysely } from "kysely";

/*
 * Courses (courses module): courses, their sections and lessons, lesson
 * attachments, quizzes, enrolments, per-lesson progress, quiz attempts and
 * certificates. Immutable once merged: later changes get a new migration file.
 *
 * Uniqueness that the rules rely on is enforced here, not in code:
 * one enrolment per (course, member), one progress row per (member, lesson),
 * one certificate per (course, member), one certificate per code.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("courses")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("subtitle", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("description_md", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("description_html", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("language", "text", (c) => c.notNull().defaultTo("fr"))
    .addColumn("cover_file_id", "text")
    .addColumn("status", "text", (c) => c.notNull().defaultTo("draft"))
    .addColumn("audience", "text", (c) => c.notNull().defaultTo("offers"))
    .addColumn("sequential", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("signer_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("signature_file_id", "text")
    .addColumn("stall_days", "integer", (c) => c.notNull().defaultTo(14))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("courses_status_idx").on("courses").columns(["status", "title"]).execute();

  await db.schema
    .createTable("course_sections")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("drip_kind", "text", (c) => c.notNull().defaultTo("immediate"))
    .addColumn("drip_days", "integer")
    .addColumn("drip_date", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("course_sections_course_idx")
    .on("course_sections")
    .columns(["course_id", "position"])
    .execute();

  await db.schema
    .createTable("course_lessons")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
    .addColumn("section_id", "text", (c) => c.notNull().references("course_sections.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body_md", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("body_html", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("video_url", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("video_file_id", "text")
    .addColumn("audio_file_id", "text")
    .addColumn("free_preview", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("required", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("course_lessons_section_idx")
    .on("course_lessons")
    .columns(["section_id", "position"])
    .execute();
  await db.schema.createIndex("course_lessons_course_idx").on("course_lessons").column("course_id").execute();

  await db.schema
    .createTable("course_attachments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("lesson_id", "text", (c) => c.notNull().references("course_lessons.id").onDelete("cascade"))
    .addColumn("file_id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("course_attachments_lesson_idx")
    .on("course_attachments")
    .columns(["lesson_id", "position"])
    .execute();

  await db.schema
    .createTable("course_enrolments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("enrolled_at", "text", (c) => c.notNull())
    .addColumn("started_at", "text")
    .addColumn("last_progress_at", "text")
    .addColumn("last_lesson_id", "text")
    .addColumn("completed_at", "text")
    .addUniqueConstraint("course_enrolments_unique", ["course_id", "member_id"])
    .execute();
  await db.schema
    .createIndex("course_enrolments_member_idx")
    .on("course_enrolments")
    .columns(["member_id", "enrolled_at"])
    .execute();

  await db.schema
    .createTable("lesson_progress")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
    .addColumn("lesson_id", "text", (c) => c.notNull().references("course_lessons.id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("opened_at", "text", (c) => c.notNull())
    .addColumn("completed_at", "text")
    .addColumn("media_position", "integer", (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint("lesson_progress_unique", ["member_id", "lesson_id"])
    .execute();
  await db.schema
    .createIndex("lesson_progress_course_idx")
    .on("lesson_progress")
    .columns(["course_id", "lesson_id"])
    .execute();

  await db.schema
    .createTable("course_quizzes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
    .addColumn("lesson_id", "text", (c) => c.notNull().references("course_lessons.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("pass_pct", "integer", (c) => c.notNull().defaultTo(70))
    .addColumn("max_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("required", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("course_quizzes_lesson_idx").on("course_quizzes").column("lesson_id").execute();
  await db.schema.createIndex("course_quizzes_course_idx").on("course_quizzes").column("course_id").execute();

  await db.schema
    .createTable("quiz_questions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("quiz_id", "text", (c) => c.notNull().references("course_quizzes.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("prompt", "text", (c) => c.notNull())
    .addColumn("explanation", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("accepted", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex("quiz_questions_quiz_idx")
    .on("quiz_questions")
    .columns(["quiz_id", "position"])
    .execute();

  await db.schema
    .createTable("quiz_choices")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("question_id", "text", (c) => c.notNull().references("quiz_questions.id").onDelete("cascade"))
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("correct", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex("quiz_choices_question_idx")
    .on("quiz_choices")
    .columns(["question_id", "position"])
    .execute();

  await db.schema
    .createTable("quiz_attempts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("quiz_id", "text", (c) => c.notNull().references("course_quizzes.id").onDelete("cascade"))
    .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("attempt_no", "integer", (c) => c.notNull())
    .addColumn("score_pct", "integer", (c) => c.notNull())
    .addColumn("passed", "integer", (c) => c.notNull())
    .addColumn("answers", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("quiz_attempts_unique", ["quiz_id", "member_id", "attempt_no"])
    .execute();
  await db.schema
    .createIndex("quiz_attempts_course_idx")
    .on("quiz_attempts")
    .columns(["course_id", "member_id"])
    .execute();

  await db.schema
    .createTable("course_certificates")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("code", "text", (c) => c.notNull().unique())
    .addColumn("course_id", "text", (c) => c.notNull().references("courses.id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("student_name", "text", (c) => c.notNull())
    .addColumn("course_title", "text", (c) => c.notNull())
    .addColumn("signer_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("completed_at", "text", (c) => c.notNull())
    .addColumn("issued_at", "text", (c) => c.notNull())
    .addColumn("revoked_at", "text")
    .addUniqueConstraint("course_certificates_unique", ["course_id", "member_id"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    "course_certificates",
    "quiz_attempts",
    "quiz_choices",
    "quiz_questions",
    "course_quizzes",
    "lesson_progress",
    "course_enrolments",
    "course_attachments",
    "course_lessons",
    "course_sections",
    "courses",
  ])
    await db.schema.dropTable(t).ifExists().execute();
}
