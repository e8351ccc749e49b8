import type { Db } from "../../platform/db/index.ts";
import type { Resource } from "../access/index.ts";
import { unlockAt } from "./drip.ts";
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

export async function outline(db: Db, course: Course): Promise<Outline> {
  const [sections, lessons, quizzes] = await Promise.all([
    db
      .selectFrom("course_sections")
      .selectAll()
      .where("course_id", "=", course.id)
      .orderBy("position")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("course_lessons")
      .selectAll()
      .where("course_id", "=", course.id)
      .orderBy("position")
      .orderBy("id")
      .execute(),
    db.selectFrom("course_quizzes").selectAll().where("course_id", "=", course.id).execute(),
  ]);
  const bySection = new Map<string, Lesson[]>();
  for (const l of lessons) {
    const list = bySection.get(l.section_id);
    if (list) list.push(l);
    else bySection.set(l.section_id, [l]);
  }
  const out = sections.map((s) => ({ ...s, lessons: bySection.get(s.id) ?? [] }));
  return { course, sections: out, lessons: out.flatMap((s) => s.lessons), quizzes };
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
  const completed = new Set(rows.filter((r) => r.completed_at).map((r) => r.lesson_id));
  let previousDone = true;
  const sections = o.sections.map((section) => {
    const at = unlockAt(section, enrolment.enrolled_at, zone);
    const dripOpen = Date.parse(at) <= Date.parse(now);
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
