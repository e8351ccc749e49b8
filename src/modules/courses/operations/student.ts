import { z } from "zod";
import { AppError } from "../../../platform/http/errors.ts";
import { defineOperation } from "../../../platform/operations.ts";
import { setDripEmails } from "../drip-mails.ts";
import { completeLesson, enrol } from "../progress.ts";
import { findEnrolment } from "../queries.ts";
import { quizOfLesson, readAnswers, submitAttempt } from "../quizzes.ts";
import { rateCourse } from "../ratings.ts";
import { surveyInput } from "../survey.tsx";
import { field } from "../../../platform/http/validation.ts";
import { answerStall, checkStallSignature, findStall, stallChoices } from "../stalls.ts";
import { findCourse } from "../queries.ts";
import { formField, idField, isMember } from "./shared.ts";

/**
 * A student's state changes, one operation each: enrolling (the first visit),
 * completing a lesson (which may complete the course and issue the
 * certificate, once, in the same transaction), a quiz attempt, the
 * end-of-course survey, the drip-email switch. The route has already asked
 * the access policy and the drip (both need the request: session, time zone);
 * an operation acts only for the member it runs as, on their own enrolment.
 * Events are the declared ones of events.ts, recorded in the transaction.
 */

async function enrolmentOf(trx: import("../../../platform/db/index.ts").Db, courseId: string, memberId: string) {
  const e = await findEnrolment(trx, courseId, memberId);
  if (!e) throw new AppError("forbidden", 403, "courses.lesson.no_access");
  return e;
}

export const enrolStudent = defineOperation({
  name: "courses.enrol",
  input: z.object({ courseId: idField() }),
  authorize: isMember,
  run: ({ trx, input, actor, clock }) =>
    enrol(trx, input.courseId, isMember(actor) ? actor.memberId : "", clock.nowIso()),
});

export const completeStudentLesson = defineOperation({
  name: "courses.complete_lesson",
  input: z.object({ courseId: idField(), lessonId: idField() }),
  authorize: isMember,
  async run({ trx, input, actor, clock }) {
    const e = await enrolmentOf(trx, input.courseId, isMember(actor) ? actor.memberId : "");
    return completeLesson(trx, e, input.lessonId, clock.nowIso());
  },
});

export const submitQuiz = defineOperation({
  name: "courses.submit_quiz",
  input: z.object({ courseId: idField(), lessonId: idField(), form: formField() }),
  authorize: isMember,
  async run({ trx, input, actor, clock }) {
    const e = await enrolmentOf(trx, input.courseId, isMember(actor) ? actor.memberId : "");
    const q = await quizOfLesson(trx, input.lessonId);
    if (!q || q.quiz.course_id !== input.courseId) throw new AppError("not_found", 404);
    // An answer naming a question of another quiz, or a choice of another question: 422, nothing stored.
    const answers = readAnswers(input.form, q.questions);
    return submitAttempt(trx, e, q.quiz, q.questions, answers, clock.nowIso());
  },
});

export const rateFinishedCourse = defineOperation({
  name: "courses.rate",
  input: z.object({ courseId: idField() }).and(surveyInput),
  authorize: isMember,
  async run({ trx, input, actor, clock }) {
    const e = await enrolmentOf(trx, input.courseId, isMember(actor) ? actor.memberId : "");
    if (!e.completed_at) throw new AppError("conflict", 409, "courses.survey.not_finished");
    await rateCourse(trx, e, { rating: Number(input.rating), comment: input.comment }, clock.nowIso());
  },
});

export const setCourseEmails = defineOperation({
  name: "courses.set_drip_emails",
  input: z.object({ drip: z.preprocess((v) => v === "on", z.boolean()) }),
  authorize: isMember,
  run: ({ trx, input, actor, clock }) =>
    setDripEmails(trx, isMember(actor) ? actor.memberId : "", input.drip, clock.nowIso()),
});

const stallAnswer = z.object({
  stallId: idField(),
  /** The signature of the emailed link (?s=): the only proof of who answers. */
  signature: z.string().max(200).optional(),
  reason: z
    .string()
    .regex(/^\d{1,2}$/, "validation.course_stall_answer")
    .optional(),
  comment: field.longText(2000, { optional: true }),
});

/**
 * The one answer to "What stopped you?", from the signed link of the
 * follow-up email (no session needed: the signature names the stall, and so
 * the student). A choice among the course's, and/or free text; a second
 * answer is a 409. Recorded on the student's timeline in the transaction.
 */
export const answerStallQuestion = defineOperation({
  name: "courses.answer_stall",
  input: stallAnswer.refine((v) => v.reason !== undefined || v.comment !== "", {
    path: ["reason"],
    message: "validation.course_stall_answer",
  }),
  // Anyone holding the emailed link: the signature is checked in run, against the app's secret.
  authorize: (actor) => actor.kind === "anonymous" || actor.kind === "member",
  async run({ trx, input, clock, services }) {
    const stall = await findStall(trx, input.stallId);
    // The same answer for an unknown id and a bad signature: nothing tells which ids exist.
    if (!stall || !checkStallSignature(services.secret, stall.id, input.signature))
      throw new AppError("not_found", 404, "courses.stall.bad_link");
    const course = await findCourse(trx, stall.course_id);
    if (!course) throw new AppError("not_found", 404, "courses.stall.bad_link");
    const choices = stallChoices(course);
    const index = input.reason === undefined ? -1 : Number(input.reason);
    if (index >= choices.length)
      throw new AppError("invalid_input", 422, "validation.course_stall_answer", {
        reason: { key: "validation.course_stall_answer" },
      });
    await answerStall(trx, stall, { reason: choices[index] ?? "", comment: input.comment }, clock.nowIso());
  },
});
