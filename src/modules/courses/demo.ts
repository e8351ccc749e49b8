import type { Insertable } from "kysely";
import type { Db } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import { grantEntitlement } from "../access/index.ts";
import { memberContacts, oldestActiveMembers } from "../members/index.ts";
import { createOffer, setOfferIncludes } from "../offers/index.ts";
import { addSection, saveCourse, saveLesson } from "./authoring.ts";
import { newCertificateCode } from "./certificates.ts";
import { addQuestion, saveQuiz } from "./quizzes.ts";
import type { CourseEnrolmentsTable, LessonProgressTable } from "./tables.ts";

/**
 * The demo course, in the creator's voice: « Les bases de la peinture à la
 * chaux », 4 sections, 12 lessons and a quiz, sold by its own offer, with a
 * few hundred students at every point — a visible drop at 3.2, stalled
 * students with their answers, ratings and certificates. Deterministic (a
 * seeded PRNG); run twice, it adds nothing. Rows are written directly, without
 * events, so the demo's event history stays the members' (and reproducible).
 */

export interface CoursesDemoResult {
  courseId: string | null;
  students: number;
  completed: number;
  stalls: number;
}

const outline: { title: string; drip: number; lessons: [string, string][] }[] = [
  {
    title: "Comprendre la chaux",
    drip: 0,
    lessons: [
      [
        "Bienvenue dans l’atelier",
        "Dans cette formation, je vous montre **pas à pas** comment je prépare et pose une peinture à la chaux, du mur brut à la patine finale.",
      ],
      [
        "Chaux aérienne, chaux hydraulique",
        "La chaux aérienne durcit au contact de l’air : c’est elle que nous utiliserons pour les badigeons. La chaux hydraulique, elle, prend avec l’eau.",
      ],
      [
        "Le matériel qu’il vous faut",
        "- une brosse large en soies naturelles\n- deux seaux\n- des pigments naturels\n- des gants et des lunettes : la chaux est caustique.",
      ],
    ],
  },
  {
    title: "Préparer le mur",
    drip: 7,
    lessons: [
      [
        "Diagnostiquer son support",
        "Un mur qui respire, un mur qui poudre, un mur peint au plastique : chacun demande une préparation différente.",
      ],
      [
        "Nettoyer et humidifier",
        "On brosse, on dépoussière, puis on humidifie : la chaux doit sécher lentement pour bien carbonater.",
      ],
      ["La sous-couche", "Sur un support fermé, une sous-couche d’accroche minérale est indispensable."],
    ],
  },
  {
    title: "Poser le badigeon",
    drip: 14,
    lessons: [
      [
        "Préparer son lait de chaux",
        "Une part de chaux, trois parts d’eau, les pigments délayés à part : on mélange longuement.",
      ],
      [
        "Les gestes de la brosse",
        "Des croisillons, jamais de lignes droites : c’est le geste qui donne la vibration de la couleur. Cette leçon est longue, prenez votre temps.",
      ],
      [
        "Deuxième et troisième couches",
        "Chaque couche est plus diluée que la précédente ; on attend 24 heures entre deux passes.",
      ],
    ],
  },
  {
    title: "Finitions et patines",
    drip: 21,
    lessons: [
      ["Patiner à l’éponge", "Une patine légère, plus foncée, posée à l’éponge naturelle, donne de la profondeur."],
      ["Protéger sans fermer", "Un savon noir ou une cire très diluée protège sans empêcher le mur de respirer."],
      ["Votre projet", "Photographiez votre mur avant et après, et partagez-le : j’adore voir vos réalisations !"],
    ],
  },
];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const comments = [
  "Le passage sur le lait de chaux est d’une clarté rare.",
  "J’ai repeint toute ma cuisine, merci Camille !",
  "Un peu long au milieu, mais les finitions valent le détour.",
  "Des vidéos très concrètes, je recommande.",
  "",
  "",
];
/* The default answers in French (the course's language), as stallChoices gives them at run time. */
const defaultChoices = [
  "C’est trop long",
  "C’est trop difficile",
  "Je n’ai pas eu le temps",
  "Ce n’est pas ce que j’attendais",
];
const stallComments = [
  "La leçon sur les gestes est trop longue d’un coup.",
  "Je n’ai pas encore de mur à peindre.",
  "",
  "",
  "J’attendais plus de couleurs différentes.",
];

export async function seedCoursesDemo(db: Db, opts: { now?: Date; seed?: number } = {}): Promise<CoursesDemoResult> {
  const slug = "les-bases-de-la-peinture-a-la-chaux";
  const none = { courseId: null, students: 0, completed: 0, stalls: 0 };
  if (await db.selectFrom("courses").select("id").where("slug", "=", slug).executeTakeFirst()) return none;
  const now = opts.now ?? new Date();
  const nowMs = now.getTime();
  const day = 86_400_000;
  const rand = rng(opts.seed ?? 1717);
  const course = await saveCourse(db, null, {
    title: "Les bases de la peinture à la chaux",
    subtitle: "Du mur brut à la patine, en douze leçons",
    slug,
    description:
      "Une formation **pas à pas** pour peindre vos murs à la chaux, comme à l’atelier : comprendre la matière, préparer le support, poser le badigeon et réussir les finitions.",
    language: "fr",
    status: "published",
    audience: "offers",
    sequential: false,
    signerName: "Camille Lefèvre",
    stallDays: 14,
  });
  const lessons: string[] = [];
  for (const s of outline) {
    const sectionId = await addSection(db, course.id, {
      title: s.title,
      dripKind: s.drip ? "after_days" : "immediate",
      dripDays: s.drip || null,
      dripDate: null,
    });
    for (const [i, [title, body]] of s.lessons.entries())
      lessons.push(
        await saveLesson(db, course.id, null, {
          title,
          sectionId,
          body,
          freePreview: lessons.length === 0 && i === 0,
          required: true,
        }),
      );
  }
  await saveQuiz(
    db,
    { id: lessons[8]!, course_id: course.id },
    { title: "Avez-vous retenu l’essentiel ?", passPct: 70, maxAttempts: 0, required: false },
  );
  const quizId = (
    await db.selectFrom("course_quizzes").select("id").where("lesson_id", "=", lessons[8]!).executeTakeFirstOrThrow()
  ).id;
  await addQuestion(db, quizId, {
    kind: "single",
    prompt: "Combien de temps attendre entre deux couches de badigeon ?",
    explanation: "La chaux carbonate lentement : 24 heures au minimum.",
    choices: [
      { label: "Une heure", correct: false },
      { label: "24 heures", correct: true },
      { label: "Une semaine", correct: false },
    ],
  });
  await addQuestion(db, quizId, {
    kind: "short",
    prompt: "Quelle chaux utilise-t-on pour un badigeon ?",
    explanation: "La chaux aérienne, qui durcit au contact de l’air.",
    choices: [{ label: "aérienne", correct: true }],
  });
  const offer = await createOffer(
    db,
    {
      slug: "formation-peinture-a-la-chaux",
      kind: "product",
      name: "Formation : peinture à la chaux",
      status: "published",
    },
    [{ kind: "one_off", amount: 12900, currency: "EUR" }],
  );
  await setOfferIncludes(db, offer.id, [{ kind: "course", id: course.id }]);

  // Students: where they are now. A few finish; many stop at 3.2 ("Les gestes de la brosse", the long one).
  const members = (await oldestActiveMembers(db, 320)).slice(20);
  const enrolments: Insertable<CourseEnrolmentsTable>[] = [];
  const progress: Insertable<LessonProgressTable>[] = [];
  const finishers: { memberId: string; at: number }[] = [];
  const stalled: { enrolmentId: string; memberId: string; lessonId: string; since: string; detected: string }[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  for (const m of members) {
    await grantEntitlement(db, {
      memberId: m.id,
      resourceKind: "offer",
      resourceId: offer.id,
      sourceKind: "manual",
      sourceId: `demo-course-${m.id}`,
    });
    const enrolledMs = nowMs - (40 + Math.floor(rand() * 140)) * day;
    const r = rand();
    const done = r < 0.12 ? 12 : r < 0.2 ? 0 : r < 0.55 ? 7 : Math.floor(rand() * 12);
    const enrolmentId = newId();
    const lessonMs = (i: number) => enrolledMs + (i + 1) * (2 + Math.floor(rand() * 3)) * day;
    const lastMs = done ? Math.min(lessonMs(done - 1), nowMs - day) : null;
    for (let i = 0; i < done; i++)
      progress.push({
        id: newId(),
        course_id: course.id,
        lesson_id: lessons[i]!,
        member_id: m.id,
        opened_at: iso(lessonMs(i) - 40 * 60_000),
        completed_at: iso(Math.min(lessonMs(i), nowMs - day)),
        media_position: 0,
      });
    // Some of the recent ones are still moving; the rest have stalled.
    const recent = lastMs !== null && nowMs - lastMs < 14 * day;
    enrolments.push({
      id: enrolmentId,
      course_id: course.id,
      member_id: m.id,
      enrolled_at: iso(enrolledMs),
      started_at: lastMs !== null ? iso(enrolledMs + day) : null,
      last_progress_at: lastMs !== null ? iso(lastMs) : null,
      last_lesson_id: done ? lessons[done - 1]! : null,
      completed_at: done === 12 ? iso(lastMs!) : null,
    });
    if (done === 12) finishers.push({ memberId: m.id, at: lastMs! });
    else if (!recent) {
      const sinceMs = lastMs ?? enrolledMs;
      stalled.push({
        enrolmentId,
        memberId: m.id,
        lessonId: lessons[done]!,
        since: iso(sinceMs),
        detected: iso(Math.min(nowMs, sinceMs + 14 * day + 3600_000)),
      });
    }
  }
  for (let i = 0; i < enrolments.length; i += 100)
    await db
      .insertInto("course_enrolments")
      .values(enrolments.slice(i, i + 100))
      .execute();
  for (let i = 0; i < progress.length; i += 100)
    await db
      .insertInto("lesson_progress")
      .values(progress.slice(i, i + 100))
      .execute();

  // Stalls found by the loop, and the answers of about a third of them.
  const stalls = stalled.map((st) => {
    const answers = rand() < 0.35;
    const reason =
      st.lessonId === lessons[7]
        ? rand() < 0.7
          ? defaultChoices[0]!
          : defaultChoices[2]!
        : defaultChoices[Math.floor(rand() * defaultChoices.length)]!;
    return {
      id: newId(),
      course_id: course.id,
      enrolment_id: st.enrolmentId,
      member_id: st.memberId,
      lesson_id: st.lessonId,
      since: st.since,
      detected_at: st.detected,
      reason: answers ? reason : null,
      comment: answers ? stallComments[Math.floor(rand() * stallComments.length)]! : "",
      answered_at: answers ? st.detected : null,
    };
  });
  for (let i = 0; i < stalls.length; i += 100)
    await db
      .insertInto("course_stalls")
      .values(stalls.slice(i, i + 100))
      .execute();

  // Those who finished: their certificate (once each) and, for most, their rating.
  const names = await memberContacts(
    db,
    finishers.map((f) => f.memberId),
  );
  for (const f of finishers) {
    await db
      .insertInto("course_certificates")
      .values({
        id: newId(),
        code: newCertificateCode(),
        course_id: course.id,
        member_id: f.memberId,
        student_name: names.get(f.memberId)?.name || names.get(f.memberId)?.email || "Élève",
        course_title: course.title,
        signer_name: course.signer_name,
        completed_at: iso(f.at),
        issued_at: iso(f.at),
        revoked_at: null,
      })
      .execute();
    if (rand() < 0.8)
      await db
        .insertInto("course_ratings")
        .values({
          id: newId(),
          course_id: course.id,
          member_id: f.memberId,
          rating: rand() < 0.6 ? 5 : rand() < 0.7 ? 4 : 3,
          comment: comments[Math.floor(rand() * comments.length)]!,
          created_at: iso(Math.min(f.at + day, nowMs)),
          updated_at: iso(Math.min(f.at + day, nowMs)),
        })
        .execute();
  }
  return { courseId: course.id, students: members.length, completed: finishers.length, stalls: stalled.length };
}

/**
 * Many students at once (benchmarks): enrolled 40–180 days before `nowMs`,
 * spread over the lessons like the demo's (a drop at 3.2), as multi-row
 * inserts. Returns how many were added (members already enrolled are skipped).
 */
export async function addDemoStudents(db: Db, courseId: string, memberIds: string[], nowMs: number, seed = 99) {
  const rand = rng(seed);
  const day = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const lessons = (
    await db
      .selectFrom("course_lessons")
      .innerJoin("course_sections", "course_sections.id", "course_lessons.section_id")
      .select("course_lessons.id")
      .where("course_lessons.course_id", "=", courseId)
      .orderBy("course_sections.position")
      .orderBy("course_lessons.position")
      .execute()
  ).map((l) => l.id);
  const enrolled = new Set(
    (await db.selectFrom("course_enrolments").select("member_id").where("course_id", "=", courseId).execute()).map(
      (e) => e.member_id,
    ),
  );
  let added = 0;
  for (let i = 0; i < memberIds.length; i += 100) {
    const enrolments: Insertable<CourseEnrolmentsTable>[] = [];
    const progress: Insertable<LessonProgressTable>[] = [];
    for (const memberId of memberIds.slice(i, i + 100)) {
      if (enrolled.has(memberId)) continue;
      const enrolledMs = nowMs - (40 + Math.floor(rand() * 140)) * day;
      const r = rand();
      const done =
        r < 0.12
          ? lessons.length
          : r < 0.2
            ? 0
            : r < 0.55
              ? Math.min(7, lessons.length)
              : Math.floor(rand() * lessons.length);
      const at = (k: number) => enrolledMs + (k + 1) * day + Math.floor(rand() * 3600_000);
      for (let k = 0; k < done; k++)
        progress.push({
          id: newId(),
          course_id: courseId,
          lesson_id: lessons[k]!,
          member_id: memberId,
          opened_at: iso(at(k) - 1800_000),
          completed_at: iso(at(k)),
          media_position: 0,
        });
      enrolments.push({
        id: newId(),
        course_id: courseId,
        member_id: memberId,
        enrolled_at: iso(enrolledMs),
        started_at: done ? iso(at(0) - 1800_000) : null,
        last_progress_at: done ? iso(at(done - 1)) : null,
        last_lesson_id: done ? lessons[done - 1]! : null,
        completed_at: done === lessons.length ? iso(at(done - 1)) : null,
      });
      added += 1;
    }
    if (enrolments.length) await db.insertInto("course_enrolments").values(enrolments).execute();
    for (let k = 0; k < progress.length; k += 200)
      await db
        .insertInto("lesson_progress")
        .values(progress.slice(k, k + 200))
        .execute();
  }
  return added;
}
