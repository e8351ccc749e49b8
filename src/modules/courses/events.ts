import { z } from "zod";
import type { Db } from "../../platform/db/index.ts";
import { defineEvent, record } from "../../platform/events/index.ts";

/**
 * The courses module's event types, always recorded inside the transaction of
 * the change they describe, and only by the call that made the change (so 20
 * identical "complete" posts are one `lesson.completed`). Payloads copy the
 * course's and lesson's titles as they were, so a timeline still reads right
 * after a rename.
 */

const q = (s: string, fr: boolean) => (fr ? `« ${s} »` : `“${s}”`);
const course = { courseId: z.string(), courseTitle: z.string() };
const exampleCourse = { courseId: "0190a000-0000-7000-8000-000000000100", courseTitle: "Peindre à la chaux" };

export const courseEnrolled = defineEvent({
  type: "course.enrolled",
  version: 1,
  payload: z.object(course),
  example: exampleCourse,
  timeline: {
    fr: (p) => `S’est inscrit·e à la formation ${q(p.courseTitle, true)}`,
    en: (p) => `Enrolled in the course ${q(p.courseTitle, false)}`,
  },
});

export const lessonCompleted = defineEvent({
  type: "lesson.completed",
  version: 1,
  payload: z.object({ ...course, lessonId: z.string(), lessonTitle: z.string() }),
  example: { ...exampleCourse, lessonId: "0190a000-0000-7000-8000-000000000101", lessonTitle: "Préparer le mur" },
  timeline: {
    fr: (p) => `A terminé la leçon ${q(p.lessonTitle, true)} (${p.courseTitle})`,
    en: (p) => `Completed the lesson ${q(p.lessonTitle, false)} (${p.courseTitle})`,
  },
});

export const courseCompleted = defineEvent({
  type: "course.completed",
  version: 1,
  payload: z.object(course),
  example: exampleCourse,
  timeline: {
    fr: (p) => `A terminé la formation ${q(p.courseTitle, true)}`,
    en: (p) => `Finished the course ${q(p.courseTitle, false)}`,
  },
});

export const quizAttempted = defineEvent({
  type: "quiz.attempted",
  version: 1,
  payload: z.object({ ...course, quizId: z.string(), scorePct: z.number().int(), passed: z.boolean() }),
  example: { ...exampleCourse, quizId: "0190a000-0000-7000-8000-000000000102", scorePct: 80, passed: true },
  timeline: {
    fr: (p) => `Quiz de ${q(p.courseTitle, true)} : ${p.scorePct} % (${p.passed ? "réussi" : "pas encore"})`,
    en: (p) => `Quiz in ${q(p.courseTitle, false)}: ${p.scorePct}% (${p.passed ? "passed" : "not yet"})`,
  },
});

export const certificateIssued = defineEvent({
  type: "certificate.issued",
  version: 1,
  payload: z.object({ ...course, code: z.string() }),
  example: { ...exampleCourse, code: "K7QM-3XTP-9HBD" },
  timeline: {
    fr: (p) => `Certificat ${p.code} délivré pour ${q(p.courseTitle, true)}`,
    en: (p) => `Certificate ${p.code} issued for ${q(p.courseTitle, false)}`,
  },
});

export const certificateRevoked = defineEvent({
  type: "certificate.revoked",
  version: 1,
  payload: z.object({ ...course, code: z.string() }),
  example: { ...exampleCourse, code: "K7QM-3XTP-9HBD" },
  timeline: {
    fr: (p) => `Certificat ${p.code} révoqué (${p.courseTitle})`,
    en: (p) => `Certificate ${p.code} revoked (${p.courseTitle})`,
  },
});

export const courseEvents = [
  courseEnrolled,
  lessonCompleted,
  courseCompleted,
  quizAttempted,
  certificateIssued,
  certificateRevoked,
];

export type CourseEventType = (typeof courseEvents)[number]["type"];

/** Records one of this module's events, copying the course's (and lesson's) current title into the payload. */
export async function recordCourseEvent(
  trx: Db,
  type: CourseEventType,
  memberId: string,
  data: { courseId: string; lessonId?: string; quizId?: string; scorePct?: number; passed?: boolean; code?: string },
  at: string,
  actor: "member" | "staff" | "system" = "member",
): Promise<void> {
  const c = await trx.selectFrom("courses").select("title").where("id", "=", data.courseId).executeTakeFirst();
  const base = { courseId: data.courseId, courseTitle: c?.title ?? "" };
  const opts = { memberId, actor, at };
  if (type === "lesson.completed") {
    const l = await trx
      .selectFrom("course_lessons")
      .select("title")
      .where("id", "=", data.lessonId!)
      .executeTakeFirst();
    await record(trx, lessonCompleted, { ...base, lessonId: data.lessonId!, lessonTitle: l?.title ?? "" }, opts);
  } else if (type === "quiz.attempted")
    await record(
      trx,
      quizAttempted,
      { ...base, quizId: data.quizId!, scorePct: data.scorePct!, passed: data.passed! },
      opts,
    );
  else if (type === "certificate.issued") await record(trx, certificateIssued, { ...base, code: data.code! }, opts);
  else if (type === "certificate.revoked") await record(trx, certificateRevoked, { ...base, code: data.code! }, opts);
  else await record(trx, type === "course.enrolled" ? courseEnrolled : courseCompleted, base, opts);
}
