import type { Db } from "../../platform/db/index.ts";
import { toNumber } from "../../platform/db/index.ts";
import type { Outline } from "./queries.ts";

/**
 * Where students stop: enrolled → started → each lesson completed → course
 * completed. A student who has not finished "stopped at" the first lesson,
 * in reading order, that they have not completed. Time spent on a lesson is
 * from its first opening to its completion (the median, so one tab left open
 * for a week does not move it). Two queries whatever the number of students:
 * the enrolment counts, and the progress rows of the course.
 */
export interface FunnelLesson {
  lessonId: string;
  title: string;
  sectionTitle: string;
  completed: number;
  /** Students (not finished) whose first incomplete lesson is this one. */
  stopped: number;
  /** stopped / enrolled, 0–1. */
  stoppedShare: number;
  medianSeconds: number | null;
}

export interface FunnelQuiz {
  quizId: string;
  title: string;
  attempts: number;
  students: number;
  /** Mean of each student's best score, 0–100. */
  meanBestScore: number | null;
  passed: number;
}

export interface Funnel {
  enrolled: number;
  started: number;
  completed: number;
  lessons: FunnelLesson[];
  quizzes: FunnelQuiz[];
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

export async function courseFunnel(db: Db, o: Outline): Promise<Funnel> {
  const courseId = o.course.id;
  const [counts, progress, attempts, enrolments] = await Promise.all([
    db
      .selectFrom("course_enrolments")
      .select((eb) => [
        eb.fn.countAll().as("enrolled"),
        eb.fn.count("started_at").as("started"),
        eb.fn.count("completed_at").as("completed"),
      ])
      .where("course_id", "=", courseId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("lesson_progress")
      .select(["member_id", "lesson_id", "opened_at", "completed_at"])
      .where("course_id", "=", courseId)
      .execute(),
    db
      .selectFrom("quiz_attempts")
      .select(["quiz_id", "member_id", "score_pct", "passed"])
      .where("course_id", "=", courseId)
      .execute(),
    db
      .selectFrom("course_enrolments")
      .select(["member_id"])
      .where("course_id", "=", courseId)
      .where("completed_at", "is", null)
      .execute(),
  ]);
  const enrolled = toNumber(counts.enrolled);
  const completedBy = new Map<string, Set<string>>();
  const durations = new Map<string, number[]>();
  const completedCount = new Map<string, number>();
  for (const p of progress) {
    if (!p.completed_at) continue;
    let set = completedBy.get(p.member_id);
    if (!set) completedBy.set(p.member_id, (set = new Set()));
    set.add(p.lesson_id);
    completedCount.set(p.lesson_id, (completedCount.get(p.lesson_id) ?? 0) + 1);
    const seconds = Math.max(0, Math.round((Date.parse(p.completed_at) - Date.parse(p.opened_at)) / 1000));
    const list = durations.get(p.lesson_id);
    if (list) list.push(seconds);
    else durations.set(p.lesson_id, [seconds]);
  }
  const stoppedAt = new Map<string, number>();
  for (const e of enrolments) {
    const done = completedBy.get(e.member_id);
    const first = o.lessons.find((l) => !done?.has(l.id));
    if (first) stoppedAt.set(first.id, (stoppedAt.get(first.id) ?? 0) + 1);
  }
  const sectionTitle = new Map(o.sections.map((s) => [s.id, s.title]));
  const lessons = o.lessons.map((l) => {
    const stopped = stoppedAt.get(l.id) ?? 0;
    return {
      lessonId: l.id,
      title: l.title,
      sectionTitle: sectionTitle.get(l.section_id) ?? "",
      completed: completedCount.get(l.id) ?? 0,
      stopped,
      stoppedShare: enrolled ? stopped / enrolled : 0,
      medianSeconds: median(durations.get(l.id) ?? []),
    };
  });
  const quizzes = o.quizzes.map((q) => {
    const mine = attempts.filter((a) => a.quiz_id === q.id);
    const best = new Map<string, number>();
    for (const a of mine) best.set(a.member_id, Math.max(best.get(a.member_id) ?? 0, a.score_pct));
    const scores = [...best.values()];
    return {
      quizId: q.id,
      title: q.title,
      attempts: mine.length,
      students: best.size,
      meanBestScore: scores.length ? Math.round(scores.reduce((s, x) => s + x, 0) / scores.length) : null,
      passed: new Set(mine.filter((a) => a.passed === 1).map((a) => a.member_id)).size,
    };
  });
  return { enrolled, started: toNumber(counts.started), completed: toNumber(counts.completed), lessons, quizzes };
}
