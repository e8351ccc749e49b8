import { z } from "zod";
import { AppError } from "../../../platform/http/errors.ts";
import { anyStaff, defineOperation } from "../../../platform/operations.ts";
import { deleteFile } from "../../../platform/storage/index.ts";
import {
  addSection,
  deleteLesson,
  deleteSection,
  moveLesson,
  moveSection,
  saveCourse,
  saveLesson,
  updateSection,
} from "../authoring.ts";
import { setCertificateRevoked } from "../certificates.ts";
import { bumpContent } from "../queries.ts";
import { addQuestion, deleteQuestion, questionInput, quizInput, saveQuiz } from "../quizzes.ts";
import { courseInput, lessonInput, sectionInput, stallSettingsInput } from "../schemas.ts";
import { saveStallSettings } from "../stalls.ts";
import { directionField, idField } from "./shared.ts";

/**
 * The creator's changes to a course, one operation each (any staff member):
 * the course form, sections, lessons, quizzes, attachments, certificates.
 * Each runs the module's own function inside the operation's transaction
 * (those functions join it: queries.ts inTransaction), with the services'
 * clock; the fields' limits are the forms' (a too-long title is a 422 naming
 * its limit, nothing stored).
 */

const withId = <T extends z.ZodRawShape, S extends z.ZodType>(shape: T, schema: S) => z.object(shape).and(schema);

export const createCourse = defineOperation({
  name: "courses.create",
  input: courseInput,
  roles: anyStaff,
  run: ({ trx, input, clock }) => saveCourse(trx, null, input, clock.nowIso()),
  present: (course) => ({ id: course.id }),
});

export const saveCourseDetails = defineOperation({
  name: "courses.save",
  input: withId({ courseId: idField() }, courseInput),
  roles: anyStaff,
  run: ({ trx, input, clock }) => saveCourse(trx, input.courseId, input, clock.nowIso()),
  present: (course) => ({ id: course.id }),
});

export const addCourseSection = defineOperation({
  name: "courses.add_section",
  input: withId({ courseId: idField() }, sectionInput),
  roles: anyStaff,
  run: ({ trx, input, clock }) => addSection(trx, input.courseId, input, clock.nowIso()),
});

export const updateCourseSection = defineOperation({
  name: "courses.update_section",
  input: withId({ courseId: idField(), sectionId: idField() }, sectionInput),
  roles: anyStaff,
  run: ({ trx, input, clock }) => updateSection(trx, input.courseId, input.sectionId, input, clock.nowIso()),
});

export const moveCourseSection = defineOperation({
  name: "courses.move_section",
  input: z.object({ courseId: idField(), sectionId: idField(), direction: directionField() }),
  roles: anyStaff,
  run: ({ trx, input }) => moveSection(trx, input.courseId, input.sectionId, input.direction),
});

export const deleteCourseSection = defineOperation({
  name: "courses.delete_section",
  input: z.object({ courseId: idField(), sectionId: idField() }),
  roles: anyStaff,
  run: ({ trx, input }) => deleteSection(trx, input.courseId, input.sectionId),
});

export const saveCourseLesson = defineOperation({
  name: "courses.save_lesson",
  input: withId({ courseId: idField(), lessonId: idField().nullable() }, lessonInput),
  roles: anyStaff,
  run: ({ trx, input, clock }) => saveLesson(trx, input.courseId, input.lessonId, input, clock.nowIso()),
  present: (id) => ({ id }),
});

export const moveCourseLesson = defineOperation({
  name: "courses.move_lesson",
  input: z.object({ courseId: idField(), lessonId: idField(), direction: directionField() }),
  roles: anyStaff,
  run: ({ trx, input }) => moveLesson(trx, input.courseId, input.lessonId, input.direction),
});

export const deleteCourseLesson = defineOperation({
  name: "courses.delete_lesson",
  input: z.object({ courseId: idField(), lessonId: idField() }),
  roles: anyStaff,
  run: ({ trx, input }) => deleteLesson(trx, input.courseId, input.lessonId),
});

/** The row goes in the transaction; the stored file once it committed (a rollback keeps both). */
export const deleteLessonAttachment = defineOperation({
  name: "courses.delete_attachment",
  input: z.object({ courseId: idField(), lessonId: idField(), attachmentId: idField() }),
  roles: anyStaff,
  async run(ctx) {
    const { trx, input } = ctx;
    const a = await trx
      .selectFrom("course_attachments")
      .innerJoin("course_lessons", "course_lessons.id", "course_attachments.lesson_id")
      .select(["course_attachments.id", "course_attachments.file_id"])
      .where("course_attachments.id", "=", input.attachmentId)
      .where("course_attachments.lesson_id", "=", input.lessonId)
      .where("course_lessons.course_id", "=", input.courseId)
      .executeTakeFirst();
    if (!a) throw new AppError("not_found", 404);
    await trx.deleteFrom("course_attachments").where("id", "=", a.id).execute();
    await bumpContent(trx, input.courseId);
    const { db, storage } = ctx.services;
    ctx.afterCommit(() => deleteFile(db, storage, a.file_id));
  },
});

/** The lesson, when it belongs to the course (a 404 otherwise). */
export async function lessonOf(trx: import("../../../platform/db/index.ts").Db, courseId: string, lessonId: string) {
  const lesson = await trx
    .selectFrom("course_lessons")
    .select(["id", "course_id"])
    .where("id", "=", lessonId)
    .where("course_id", "=", courseId)
    .executeTakeFirst();
  if (!lesson) throw new AppError("not_found", 404);
  return lesson;
}

async function quizIdOf(trx: import("../../../platform/db/index.ts").Db, lessonId: string) {
  const q = await trx.selectFrom("course_quizzes").select("id").where("lesson_id", "=", lessonId).executeTakeFirst();
  if (!q) throw new AppError("not_found", 404);
  return q.id;
}

export const saveLessonQuiz = defineOperation({
  name: "courses.save_quiz",
  input: withId({ courseId: idField(), lessonId: idField() }, quizInput),
  roles: anyStaff,
  async run({ trx, input, clock }) {
    await saveQuiz(trx, await lessonOf(trx, input.courseId, input.lessonId), input, clock.nowIso());
  },
});

export const addQuizQuestion = defineOperation({
  name: "courses.add_question",
  input: withId({ courseId: idField(), lessonId: idField() }, questionInput),
  roles: anyStaff,
  async run({ trx, input }) {
    await lessonOf(trx, input.courseId, input.lessonId);
    await addQuestion(trx, await quizIdOf(trx, input.lessonId), input);
  },
});

export const deleteQuizQuestion = defineOperation({
  name: "courses.delete_question",
  input: z.object({ courseId: idField(), lessonId: idField(), questionId: idField() }),
  roles: anyStaff,
  async run({ trx, input }) {
    await lessonOf(trx, input.courseId, input.lessonId);
    await deleteQuestion(trx, await quizIdOf(trx, input.lessonId), input.questionId);
  },
});

/** Revokes (or restores) a certificate; its public page then says it is not valid. */
export const revokeCertificate = defineOperation({
  name: "courses.revoke_certificate",
  input: z.object({ certificateId: idField(), revoked: z.boolean() }),
  roles: anyStaff,
  async run({ trx, input, clock }) {
    const cert = await trx
      .selectFrom("course_certificates")
      .select(["course_id"])
      .where("id", "=", input.certificateId)
      .executeTakeFirst();
    if (!cert) throw new AppError("not_found", 404);
    await setCertificateRevoked(trx, input.certificateId, input.revoked, clock.nowIso());
    return { courseId: cert.course_id };
  },
});

/** The stalled-student loop: on/off, delay, the creator's email and answer choices. */
export const saveFollowUp = defineOperation({
  name: "courses.save_follow_up",
  input: withId({ courseId: idField() }, stallSettingsInput),
  roles: anyStaff,
  run: ({ trx, input, clock }) => saveStallSettings(trx, input.courseId, input, clock.nowIso()),
});
