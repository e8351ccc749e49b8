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

export const courseStalled = defineEvent({
  type: "course.stalled",
  version: 1,
  payload: z.object({ ...course, lessonId: z.string().nullable(), lessonTitle: z.string() }),
  example: { ...exampleCourse, lessonId: "0190a000-0000-7000-8000-000000000101", lessonTitle: "Préparer le mur" },
  timeline: {
    fr: (p) =>
      `N’avance plus dans ${q(p.courseTitle, true)} (arrêt à ${q(p.lessonTitle || "—", true)}) : message de relance envoyé`,
    en: (p) =>
      `Stalled in ${q(p.courseTitle, false)} (stopped at ${q(p.lessonTitle || "—", false)}): follow-up email sent`,
  },
});

export const courseStallAnswered = defineEvent({
  type: "course.stall_answered",
  version: 1,
  payload: z.object({
    ...course,
    lessonId: z.string().nullable(),
    lessonTitle: z.string(),
    reason: z.string(),
    comment: z.string(),
  }),
  example: {
    ...exampleCourse,
    lessonId: "0190a000-0000-7000-8000-000000000101",
    lessonTitle: "Préparer le mur",
    reason: "C’est trop long",
    comment: "Les vidéos de la partie 3 sont longues.",
  },
  timeline: {
    fr: (p) =>
      `A dit ce qui l’a arrêté·e à ${q(p.lessonTitle || "—", true)} (${p.courseTitle}) : ${[p.reason, p.comment].filter(Boolean).join(" — ")}`,
    en: (p) =>
      `Said what stopped them at ${q(p.lessonTitle || "—", false)} (${p.courseTitle}): ${[p.reason, p.comment].filter(Boolean).join(" — ")}`,
  },
});

export const courseRated = defineEvent({
  type: "course.rated",
  version: 1,
  payload: z.object({ ...course, rating: z.number().int().min(1).max(5), comment: z.string() }),
  example: { ...exampleCourse, rating: 5, comment: "Clair et concret." },
  timeline: {
    fr: (p) => `A noté ${q(p.courseTitle, true)} ${p.rating}/5${p.comment ? ` : ${p.comment}` : ""}`,
    en: (p) => `Rated ${q(p.courseTitle, false)} ${p.rating}/5${p.comment ? `: ${p.comment}` : ""}`,
  },
});

export const courseDripEmails = defineEvent({
  type: "course.drip_emails_changed",
  version: 1,
  payload: z.object({ on: z.boolean() }),
  example: { on: false },
  timeline: {
    fr: (p) =>
      p.on ? "A réactivé les emails d’ouverture de parties" : "A désactivé les emails d’ouverture de parties",
    en: (p) => (p.on ? "Turned the “part opening” emails back on" : "Turned the “part opening” emails off"),
  },
});

/** The creator changed which offers sell the course (the "Sell it" box): offers' names as they were. */
export const courseSellingChanged = defineEvent({
  type: "course.selling_changed",
  version: 1,
  payload: z.object({ ...course, added: z.array(z.string()), removed: z.array(z.string()) }),
  example: { ...exampleCourse, added: ["Formation complète"], removed: [] },
  timeline: {
    fr: (p) =>
      `Vente de ${q(p.courseTitle, true)} : ${[
        p.added.length ? `ajoutée à ${p.added.join(", ")}` : "",
        p.removed.length ? `retirée de ${p.removed.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join(" ; ")}`,
    en: (p) =>
      `Selling ${q(p.courseTitle, false)}: ${[
        p.added.length ? `added to ${p.added.join(", ")}` : "",
        p.removed.length ? `removed from ${p.removed.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join("; ")}`,
  },
});

export const courseEvents = [
  courseEnrolled,
  lessonCompleted,
  courseCompleted,
  quizAttempted,
  certificateIssued,
  certificateRevoked,
  courseStalled,
  courseStallAnswered,
  courseRated,
  courseDripEmails,
  courseSellingChanged,
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

async function titles(trx: Db, courseId: string, lessonId: string | null) {
  const c = await trx.selectFrom("courses").select("title").where("id", "=", courseId).executeTakeFirst();
  const l = lessonId
    ? await trx.selectFrom("course_lessons").select("title").where("id", "=", lessonId).executeTakeFirst()
    : undefined;
  return { courseId, courseTitle: c?.title ?? "", lessonId, lessonTitle: l?.title ?? "" };
}

/** The detection run found the student stalled (recorded with the stall row, by the system). */
export async function recordStalled(trx: Db, memberId: string, courseId: string, lessonId: string | null, at: string) {
  await record(trx, courseStalled, await titles(trx, courseId, lessonId), { memberId, actor: "system", at });
}

export async function recordStallAnswered(
  trx: Db,
  memberId: string,
  courseId: string,
  lessonId: string | null,
  answer: { reason: string; comment: string },
  at: string,
) {
  await record(
    trx,
    courseStallAnswered,
    { ...(await titles(trx, courseId, lessonId)), ...answer },
    { memberId, actor: "member", at },
  );
}

export async function recordRated(
  trx: Db,
  memberId: string,
  courseId: string,
  rating: { rating: number; comment: string },
  at: string,
) {
  const { courseTitle } = await titles(trx, courseId, null);
  await record(trx, courseRated, { courseId, courseTitle, ...rating }, { memberId, actor: "member", at });
}

export async function recordDripEmails(trx: Db, memberId: string, on: boolean, at: string) {
  await record(trx, courseDripEmails, { on }, { memberId, actor: "member", at });
}
