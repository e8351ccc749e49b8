import { z } from "zod";
import { AppError } from "../../../platform/http/errors.ts";
import { defineOperation } from "../../../platform/operations.ts";
import { setDripEmails } from "../drip-mails.ts";
import { completeLesson, enrol } from "../progress.ts";
import { findEnrolment } from "../queries.ts";
import { quizOfLesson, readAnswers, submitAttempt } from "../quizzes.ts";
import { rateCourse } from "../ratings.ts";
import { surveyInput } from "../survey.tsx";
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
