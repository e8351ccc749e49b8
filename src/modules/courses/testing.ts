import type { TestApp } from "../../../test/support/app.ts";
import type { Db } from "../../platform/db/index.ts";
import { grantEntitlement } from "../access/index.ts";
import { createOffer, setOfferIncludes } from "../offers/index.ts";
import { memberWithSession, type TestMember } from "../publishing/testing.ts";
import { addSection, saveCourse, saveLesson } from "./authoring.ts";
import type { Insertable } from "kysely";
import { newId } from "../../platform/ids.ts";
import { createMembersBulk } from "../members/index.ts";
import type { Course } from "./queries.ts";
import type { CourseEnrolmentsTable, LessonProgressTable } from "./tables.ts";

/* Helpers shared by the courses tests: a course built through the module's own functions, and students. */

let n = 0;
const unique = () => `${++n}-${Math.random().toString(36).slice(2, 7)}`;

export interface BuiltCourse {
  course: Course;
  sections: string[];
  /** Lesson ids in reading order. */
  lessons: string[];
  offerId: string;
  /** A marker written in every paid lesson body (the canary of leak tests). */
  marker: string;
}

/** A published course sold by a new offer: two sections, `perSection` lessons each, the first lesson a free preview. */
export async function buildCourse(
  db: Db,
  opts: { perSection?: number; drip?: { days: number }; title?: string; audience?: "offers" | "members" } = {},
): Promise<BuiltCourse> {
  const id = unique();
  const marker = `PAID-LESSON-${id}`;
  const course = await saveCourse(db, null, {
    title: opts.title ?? `Peinture à la chaux ${id}`,
    subtitle: "Les bases",
    slug: `chaux-${id}`,
    description: "Une formation **pas à pas**.",
    language: "fr",
    status: "published",
    audience: opts.audience ?? "offers",
    sequential: false,
    signerName: "Camille Durand",
    stallDays: 14,
  });
  const sections: string[] = [];
  const lessons: string[] = [];
  for (let s = 0; s < 2; s++) {
    const sectionId = await addSection(db, course.id, {
      title: `Module ${s + 1}`,
      dripKind: s === 1 && opts.drip ? "after_days" : "immediate",
      dripDays: s === 1 && opts.drip ? opts.drip.days : null,
      dripDate: null,
    });
    sections.push(sectionId);
    for (let l = 0; l < (opts.perSection ?? 2); l++) {
      const free = s === 0 && l === 0;
      lessons.push(
        await saveLesson(db, course.id, null, {
          title: `Leçon ${s + 1}.${l + 1}`,
          sectionId,
          body: free ? "Bienvenue dans cet aperçu." : `Contenu payant ${marker}`,
          freePreview: free,
          required: true,
        }),
      );
    }
  }
  const offer = await createOffer(
    db,
    { slug: `offre-${id}`, kind: "product", name: `Formation ${id}`, status: "published" },
    [{ kind: "one_off", amount: 9900, currency: "EUR" }],
  );
  await setOfferIncludes(db, offer.id, [{ kind: "course", id: course.id }]);
  return { course, sections, lessons, offerId: offer.id, marker };
}

/** A member holding the offer (a buyer), with a session. */
export async function student(
  app: TestApp,
  offerId: string,
  opts: { name?: string; locale?: "fr" | "en" } = {},
): Promise<TestMember> {
  const m = await memberWithSession(app, opts);
  await grantEntitlement(app.db, {
    memberId: m.id,
    resourceKind: "offer",
    resourceId: offerId,
    sourceKind: "manual",
    sourceId: `test-${unique()}`,
  });
  return m;
}

export async function countEvents(db: Db, type: string, memberId: string): Promise<number> {
  const rows = await db
    .selectFrom("events")
    .select("id")
    .where("type", "=", type)
    .where("member_id", "=", memberId)
    .execute();
  return rows.length;
}

export interface Cohort {
  /** Member ids that are stalled at `nowMs` (the detection run must find exactly these). */
  stalled: Set<string>;
  all: string[];
}

/**
 * `n` students of a course, written in bulk (multi-row inserts), spread over
 * four kinds: finished; last progress 20 days ago (stalled, at lesson 2);
 * last progress 5 days ago (not stalled); enrolled 30 days ago and never
 * started (stalled, at lesson 1). Times are relative to `nowMs`.
 */
export async function seedCohort(
  db: Db,
  course: { id: string; lessons: string[] },
  n: number,
  nowMs: number,
  prefix = "cohort",
): Promise<Cohort> {
  const day = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const ids = await createMembersBulk(
    db,
    Array.from({ length: n }, (_, i) => ({
      email: `${prefix}-${i}@example.org`,
      name: `Élève ${i}`,
      locale: i % 3 === 0 ? ("en" as const) : ("fr" as const),
      timeZone: "Europe/Paris",
      source: "test",
      note: "",
      createdAt: iso(nowMs - 40 * day),
      confirmedAt: iso(nowMs - 40 * day),
      consent: null,
      tags: [],
    })),
    "system",
  );
  const members = Array.from({ length: n }, (_, i) => ids.get(`${prefix}-${i}@example.org`)!);
  const stalled = new Set<string>();
  const enrolments: Insertable<CourseEnrolmentsTable>[] = [];
  const progress: Insertable<LessonProgressTable>[] = [];
  members.forEach((memberId, i) => {
    const kind = i % 4;
    const enrolled = iso(nowMs - 30 * day);
    const last =
      kind === 0
        ? iso(nowMs - 25 * day)
        : kind === 1
          ? iso(nowMs - 20 * day)
          : kind === 2
            ? iso(nowMs - 5 * day)
            : null;
    if (kind === 1 || kind === 3) stalled.add(memberId);
    enrolments.push({
      id: newId(),
      course_id: course.id,
      member_id: memberId,
      enrolled_at: enrolled,
      started_at: last,
      last_progress_at: last,
      last_lesson_id: last ? course.lessons[0]! : null,
      completed_at: kind === 0 ? last : null,
    });
    const done = kind === 0 ? course.lessons : kind === 3 ? [] : course.lessons.slice(0, 1);
    for (const lessonId of done)
      progress.push({
        id: newId(),
        course_id: course.id,
        lesson_id: lessonId,
        member_id: memberId,
        opened_at: enrolled,
        completed_at: last,
        media_position: 0,
      });
  });
  for (let i = 0; i < enrolments.length; i += 200)
    await db
      .insertInto("course_enrolments")
      .values(enrolments.slice(i, i + 200))
      .execute();
  for (let i = 0; i < progress.length; i += 200)
    await db
      .insertInto("lesson_progress")
      .values(progress.slice(i, i + 200))
      .execute();
  return { stalled, all: members };
}

/** The hourly stall detection, for tests that run it at their own clock's time. */
export { detectStalls } from "./stalls.ts";
