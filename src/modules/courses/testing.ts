import type { TestApp } from "../../../test/support/app.ts";
import type { Db } from "../../platform/db/index.ts";
import { grantEntitlement } from "../access/index.ts";
import { createOffer, setOfferIncludes } from "../offers/index.ts";
import { memberWithSession, type TestMember } from "../publishing/testing.ts";
import { addSection, saveCourse, saveLesson } from "./authoring.ts";
import type { Course } from "./queries.ts";

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
  opts: { perSection?: number; drip?: { days: number }; title?: string } = {},
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
    audience: "offers",
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
