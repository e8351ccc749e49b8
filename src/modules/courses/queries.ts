import { transaction, type Db } from "../../platform/db/index.ts";
import type { Resource } from "../access/index.ts";
import { surelyUnlocked, unlockAt } from "./drip.ts";
import type { Question } from "./quizzes.ts";
import type {
  CourseEnrolmentsTable,
  CourseLessonsTable,
  CourseSectionsTable,
  CoursesTable,
  CourseQuizzesTable,
} from "./tables.ts";

export type Course = CoursesTable;
export type Section = CourseSectionsTable;
export type Lesson = CourseLessonsTable;
export type Enrolment = CourseEnrolmentsTable;

export interface OutlineSection extends Section {
  lessons: Lesson[];
}
export interface Outline {
  course: Course;
  sections: OutlineSection[];
  /** Every lesson in reading order (sections, then lessons). */
  lessons: Lesson[];
  quizzes: CourseQuizzesTable[];
}

const uuid = /^[0-9a-f-]{36}$/;
export const isId = (s: string | undefined): s is string => !!s && uuid.test(s);

/**
 * The course as the access policy sees it. A course sold through offers is
 * opened only by what an offer's "includes" (or a direct grant) name; a
 * members' course by any logged-in member. Staff always pass.
 */
export function courseResource(course: Pick<Course, "id" | "audience">): Resource {
  return { kind: "course", id: course.id, audience: course.audience === "members" ? "members" : "nobody" };
}

/** A lesson is the course's resource, except a free preview, which is public. */
export function lessonResource(course: Pick<Course, "id" | "audience">, lesson: Pick<Lesson, "free_preview">) {
  return lesson.free_preview ? { ...courseResource(course), audience: "public" as const } : courseResource(course);
}

export async function findCourse(db: Db, id: string): Promise<Course | undefined> {
  if (!isId(id)) return undefined;
  return db.selectFrom("courses").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findCourseBySlug(db: Db, slug: string): Promise<Course | undefined> {
  if (!slug || slug.length > 80) return undefined;
  return db.selectFrom("courses").selectAll().where("slug", "=", slug).executeTakeFirst();
}

export async function listCourses(db: Db, opts: { published?: boolean } = {}): Promise<Course[]> {
  let q = db.selectFrom("courses").selectAll();
  if (opts.published) q = q.where("status", "=", "published");
  return q.orderBy("title").orderBy("id").execute();
}

export interface Attachment {
  name: string;
  size: number;
  file_id: string;
}

/** What an outline holds besides the course row: the same for every student of one course version. */
interface Structure {
  sections: OutlineSection[];
  lessons: Lesson[];
  quizzes: CourseQuizzesTable[];
  attachments: Map<string, Attachment[]>;
  /** Each quiz's questions with their choices, by quiz id (quiz writes bump the version too). */
  questions: Map<string, Question[]>;
}

/** The questions (with choices) of a course's quizzes, in two statements whatever their number. */
async function loadQuestions(db: Db, courseId: string): Promise<Map<string, Question[]>> {
  const [questions, choices] = await Promise.all([
    db
      .selectFrom("quiz_questions")
      .innerJoin("course_quizzes", "course_quizzes.id", "quiz_questions.quiz_id")
      .selectAll("quiz_questions")
      .where("course_quizzes.course_id", "=", courseId)
      .orderBy("quiz_questions.position")
      .orderBy("quiz_questions.id")
      .execute(),
    db
      .selectFrom("quiz_choices")
      .innerJoin("quiz_questions", "quiz_questions.id", "quiz_choices.question_id")
      .innerJoin("course_quizzes", "course_quizzes.id", "quiz_questions.quiz_id")
      .selectAll("quiz_choices")
      .where("course_quizzes.course_id", "=", courseId)
      .orderBy("quiz_choices.position")
      .execute(),
  ]);
  const byQuestion = new Map<string, typeof choices>();
  for (const ch of choices) {
    const list = byQuestion.get(ch.question_id);
    if (list) list.push(ch);
    else byQuestion.set(ch.question_id, [ch]);
  }
  const byQuiz = new Map<string, Question[]>();
  for (const q of questions) {
    const item = { ...q, choices: byQuestion.get(q.id) ?? [] };
    const list = byQuiz.get(q.quiz_id);
    if (list) list.push(item);
    else byQuiz.set(q.quiz_id, [item]);
  }
  return byQuiz;
}

async function loadStructure(db: Db, courseId: string): Promise<Structure> {
  const [sections, lessons, quizzes, attachments] = await Promise.all([
    db
      .selectFrom("course_sections")
      .selectAll()
      .where("course_id", "=", courseId)
      .orderBy("position")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("course_lessons")
      .selectAll()
      .where("course_id", "=", courseId)
      .orderBy("position")
      .orderBy("id")
      .execute(),
    db.selectFrom("course_quizzes").selectAll().where("course_id", "=", courseId).execute(),
    db
      .selectFrom("course_attachments")
      .innerJoin("course_lessons", "course_lessons.id", "course_attachments.lesson_id")
      .select([
        "course_attachments.lesson_id",
        "course_attachments.name",
        "course_attachments.size",
        "course_attachments.file_id",
      ])
      .where("course_lessons.course_id", "=", courseId)
      .orderBy("course_attachments.position")
      .orderBy("course_attachments.id")
      .execute(),
  ]);
  const bySection = new Map<string, Lesson[]>();
  for (const l of lessons) {
    const list = bySection.get(l.section_id);
    if (list) list.push(l);
    else bySection.set(l.section_id, [l]);
  }
  const byLesson = new Map<string, Attachment[]>();
  for (const a of attachments) {
    const item = { name: a.name, size: a.size, file_id: a.file_id };
    const list = byLesson.get(a.lesson_id);
    if (list) list.push(item);
    else byLesson.set(a.lesson_id, [item]);
  }
  const out = sections.map((s) => ({ ...s, lessons: bySection.get(s.id) ?? [] }));
  const questions = quizzes.length > 0 ? await loadQuestions(db, courseId) : new Map<string, Question[]>();
  return { sections: out, lessons: out.flatMap((s) => s.lessons), quizzes, attachments: byLesson, questions };
}

/** The course's sections, lessons and quizzes, read now (the creator's screens). */
export async function outline(db: Db, course: Course): Promise<Outline> {
  const s = await loadStructure(db, course.id);
  return { course, sections: s.sections, lessons: s.lessons, quizzes: s.quizzes };
}

/*
 * Student pages read the outline per course version: the structure is the
 * same for every student of a course, and `content_version` (read with the
 * course row on every request, bumped in the transaction of every structural
 * change: bumpContent) says when it is stale. It holds no access decision and
 * nothing personal: access and progress are still read per request. Entries
 * are shared between requests and must not be mutated.
 */
const structures = new Map<string, { version: number; structure: Structure }>();
const STRUCTURES_MAX = 200;
let structureStats = { hits: 0, loads: 0 };

export interface CachedOutline extends Outline {
  attachments: Map<string, Attachment[]>;
  questions: Map<string, Question[]>;
}

export async function cachedOutline(db: Db, course: Course): Promise<CachedOutline> {
  const kept = structures.get(course.id);
  let structure: Structure;
  if (kept && kept.version === course.content_version) {
    structureStats.hits++;
    structure = kept.structure;
    // Least recently used last out: re-inserting moves it to the end.
    structures.delete(course.id);
    structures.set(course.id, kept);
  } else {
    structureStats.loads++;
    structure = await loadStructure(db, course.id);
    const now = structures.get(course.id);
    if (!now || now.version <= course.content_version) {
      structures.delete(course.id);
      structures.set(course.id, { version: course.content_version, structure });
      if (structures.size > STRUCTURES_MAX) structures.delete(structures.keys().next().value!);
    }
  }
  return { course, ...structure };
}

/** How often the outline cache answered (bench details, tests). */
export function outlineCacheStats(): { hits: number; loads: number } {
  return { ...structureStats };
}
export function resetOutlineCacheStats(): void {
  structureStats = { hits: 0, loads: 0 };
}

/**
 * Runs `fn` in `db`'s transaction when `db` already is one (an operation's:
 * see operations/), else in a new one (seeds, tests, jobs).
 */
export function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : transaction(db, fn);
}

/** Marks the course's structure changed, in the transaction of the change (see cachedOutline). */
export async function bumpContent(trx: Db, courseId: string): Promise<void> {
  await trx
    .updateTable("courses")
    .set((eb) => ({ content_version: eb(eb.ref("content_version"), "+", 1) }))
    .where("id", "=", courseId)
    .execute();
}

export async function findEnrolment(db: Db, courseId: string, memberId: string): Promise<Enrolment | undefined> {
  return db
    .selectFrom("course_enrolments")
    .selectAll()
    .where("course_id", "=", courseId)
    .where("member_id", "=", memberId)
    .executeTakeFirst();
}

export interface LessonState {
  lesson: Lesson;
  completed: boolean;
  /** Open now for this student (drip and "finish the previous lesson first" both allow it). */
  open: boolean;
  /** When the lesson's section opens (ISO UTC), when that is still ahead. */
  opensAt: string | null;
  /** Locked only because the previous lesson is not complete. */
  waitsForPrevious: boolean;
}

export interface StudentView {
  enrolment: Enrolment;
  sections: { section: OutlineSection; opensAt: string | null; lessons: LessonState[]; done: number }[];
  lessons: LessonState[];
  done: number;
  required: number;
  requiredDone: number;
  /** The lesson to continue with: the last opened if not complete, else the first open one not complete. */
  next: Lesson | null;
}

export interface ProgressRow {
  lesson_id: string;
  completed_at: string | null;
  media_position: number;
}

/**
 * A student's enrolment and every progress row of theirs in the course, in
 * one query (the lesson page's whole personal read); undefined when not
 * enrolled.
 */
export async function enrolmentWithProgress(
  db: Db,
  courseId: string,
  memberId: string,
): Promise<{ enrolment: Enrolment; progress: ProgressRow[] } | undefined> {
  const rows = await db
    .selectFrom("course_enrolments as e")
    .leftJoin("lesson_progress as p", (j) =>
      j.onRef("p.member_id", "=", "e.member_id").onRef("p.course_id", "=", "e.course_id"),
    )
    .select([
      "e.id",
      "e.course_id",
      "e.member_id",
      "e.enrolled_at",
      "e.started_at",
      "e.last_progress_at",
      "e.last_lesson_id",
      "e.completed_at",
      "p.lesson_id as p_lesson_id",
      "p.completed_at as p_completed_at",
      "p.media_position as p_media_position",
    ])
    .where("e.course_id", "=", courseId)
    .where("e.member_id", "=", memberId)
    .execute();
  const first = rows[0];
  if (!first) return undefined;
  const enrolment: Enrolment = {
    id: first.id,
    course_id: first.course_id,
    member_id: first.member_id,
    enrolled_at: first.enrolled_at,
    started_at: first.started_at,
    last_progress_at: first.last_progress_at,
    last_lesson_id: first.last_lesson_id,
    completed_at: first.completed_at,
  };
  const progress: ProgressRow[] = [];
  for (const r of rows)
    if (r.p_lesson_id)
      progress.push({
        lesson_id: r.p_lesson_id,
        completed_at: r.p_completed_at ?? null,
        media_position: Number(r.p_media_position ?? 0),
      });
  return { enrolment, progress };
}

/** A student's course: which lessons are done, open, or waiting (drip in the student's zone, at `now`). */
export async function studentView(
  db: Db,
  o: Outline,
  enrolment: Enrolment,
  zone: string,
  now: string,
): Promise<StudentView> {
  const rows = await db
    .selectFrom("lesson_progress")
    .select(["lesson_id", "completed_at"])
    .where("course_id", "=", o.course.id)
    .where("member_id", "=", enrolment.member_id)
    .execute();
  return studentViewOf(o, enrolment, rows, zone, now);
}

/**
 * Whether the view of this enrolment at `now` needs the student's zone: some
 * section opens (or opened) too close to now for its UTC reckoning to decide.
 */
export function dripDependsOnZone(o: Outline, enrolment: Pick<Enrolment, "enrolled_at">, now: string): boolean {
  const nowMs = Date.parse(now);
  return o.sections.some((s) => !surelyUnlocked(s, enrolment.enrolled_at, nowMs));
}

/** The same, from progress rows already read (enrolmentWithProgress). */
export function studentViewOf(
  o: Outline,
  enrolment: Enrolment,
  rows: Pick<ProgressRow, "lesson_id" | "completed_at">[],
  zone: string,
  now: string,
): StudentView {
  const completed = new Set(rows.filter((r) => r.completed_at).map((r) => r.lesson_id));
  let previousDone = true;
  const nowMs = Date.parse(now);
  const sections = o.sections.map((section) => {
    // The zone's arithmetic only for a section that opens (or opened) around now.
    const at = surelyUnlocked(section, enrolment.enrolled_at, nowMs)
      ? null
      : unlockAt(section, enrolment.enrolled_at, zone);
    const dripOpen = at === null || Date.parse(at) <= nowMs;
    const lessons = section.lessons.map((lesson): LessonState => {
      const done = completed.has(lesson.id);
      const waits = o.course.sequential === 1 && !previousDone;
      const state = {
        lesson,
        completed: done,
        open: done || (dripOpen && !waits),
        opensAt: dripOpen ? null : at,
        waitsForPrevious: dripOpen && waits && !done,
      };
      previousDone = done;
      return state;
    });
    return { section, opensAt: dripOpen ? null : at, lessons, done: lessons.filter((l) => l.completed).length };
  });
  const lessons = sections.flatMap((s) => s.lessons);
  const required = lessons.filter((l) => l.lesson.required === 1);
  const last = lessons.find((l) => l.lesson.id === enrolment.last_lesson_id);
  const next =
    last && !last.completed && last.open ? last.lesson : (lessons.find((l) => l.open && !l.completed)?.lesson ?? null);
  return {
    enrolment,
    sections,
    lessons,
    done: lessons.filter((l) => l.completed).length,
    required: required.length,
    requiredDone: required.filter((l) => l.completed).length,
    next,
  };
}
