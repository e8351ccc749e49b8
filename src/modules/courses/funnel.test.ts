import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { createMember, createMembersBulk } from "../members/index.ts";
import { newId } from "../../platform/ids.ts";
import { ownerClient } from "../publishing/testing.ts";
import { courseFunnel } from "./funnel.ts";
import { completeLesson, enrol, openLesson } from "./progress.ts";
import { findCourse, outline } from "./queries.ts";
import { buildCourse, type BuiltCourse } from "./testing.ts";

let app: TestApp;
let built: BuiltCourse;

before(async () => {
  app = await startTestApp();
  built = await buildCourse(app.db);
});
after(async () => app.stop());

/** 10 students: 2 never start, 3 stop at lesson 2 (after 1), 4 stop at lesson 3, 1 finishes. */
async function seedCohort() {
  const at = (minutes: number) => new Date(Date.UTC(2026, 4, 1, 9, minutes)).toISOString();
  const plan = [0, 0, 1, 1, 1, 2, 2, 2, 2, 4];
  for (const [i, lessonsDone] of plan.entries()) {
    const m = await createMember(
      app.db,
      {
        email: `cohort-${i}@example.org`,
        name: `Élève ${i}`,
        locale: "fr",
        status: "active",
        emailOptIn: false,
        source: "test",
      },
      "system",
    );
    const e = await enrol(app.db, built.course.id, m.id, at(0));
    for (let l = 0; l < lessonsDone; l++) {
      await openLesson(app.db, e, built.lessons[l]!, at(l * 10));
      // Lesson l takes (l + 1) × 5 minutes for everyone.
      await completeLesson(app.db, e, built.lessons[l]!, at(l * 10 + (l + 1) * 5));
    }
  }
}

describe("the course funnel", () => {
  it("counts enrolled, started, completions per lesson, where students stop, median times and quiz scores", async () => {
    await seedCohort();
    const course = (await findCourse(app.db, built.course.id))!;
    const f = await courseFunnel(app.db, await outline(app.db, course));
    assert.equal(f.enrolled, 10);
    assert.equal(f.started, 8);
    assert.equal(f.completed, 1);
    assert.deepEqual(
      f.lessons.map((l) => [l.completed, l.stopped]),
      [
        [8, 2],
        [5, 3],
        [1, 4],
        [1, 0],
      ],
    );
    assert.equal(f.lessons[2]!.stoppedShare, 0.4);
    assert.deepEqual(
      f.lessons.map((l) => l.medianSeconds),
      [300, 600, 900, 1200],
    );
  });

  it("is shown to the creator as a chart and a table, in French and English", async () => {
    const owner = await ownerClient(app);
    let res = await owner.get(`/admin/courses/${built.course.id}/funnel`);
    assert.equal(res.status, 200);
    assert.match(res.text, /<svg class="funnel-chart"/);
    assert.match(res.text, /Le plus grand arrêt : « Leçon 2\.1 » \(40\s%/);
    owner.cookies.set("atl_lang", "en");
    res = await owner.get(`/admin/courses/${built.course.id}/funnel`);
    assert.equal(res.status, 200);
    assert.match(res.text, /The biggest stop: “Leçon 2\.1” \(40%/);
  });
});

/** The funnel's definitions, computed the plain way from every row: the oracle of the aggregate queries. */
function plainFunnel(
  lessons: string[],
  enrolments: { member: string; done: boolean }[],
  progress: { member: string; lesson: string; opened: number; completed: number | null }[],
  attempts: { member: string; score: number; passed: boolean }[],
) {
  const doneBy = new Map<string, Set<string>>();
  const secs = new Map<string, number[]>();
  for (const p of progress) {
    if (p.completed === null) continue;
    if (!doneBy.has(p.member)) doneBy.set(p.member, new Set());
    doneBy.get(p.member)!.add(p.lesson);
    secs.set(p.lesson, [...(secs.get(p.lesson) ?? []), Math.max(0, Math.round((p.completed - p.opened) / 1000))]);
  }
  const median = (v: number[]) => {
    if (!v.length) return null;
    const s = [...v].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
  };
  const stopped = new Map<string, number>();
  for (const e of enrolments.filter((x) => !x.done)) {
    const first = lessons.find((l) => !doneBy.get(e.member)?.has(l));
    if (first) stopped.set(first, (stopped.get(first) ?? 0) + 1);
  }
  const best = new Map<string, number>();
  for (const a of attempts) best.set(a.member, Math.max(best.get(a.member) ?? 0, a.score));
  return {
    lessons: lessons.map((l) => [secs.get(l)?.length ?? 0, stopped.get(l) ?? 0, median(secs.get(l) ?? [])]),
    quiz: {
      attempts: attempts.length,
      students: best.size,
      meanBestScore: best.size ? Math.round([...best.values()].reduce((a, b) => a + b, 0) / best.size) : null,
      passed: new Set(attempts.filter((a) => a.passed).map((a) => a.member)).size,
    },
  };
}

describe("the funnel's aggregate queries agree with the plain computation", () => {
  it("300 students with random gaps, odd and even counts, sub-second times and retries", async () => {
    const b = await buildCourse(app.db, { perSection: 3 });
    const rng = (() => {
      let x = 7;
      return () => ((x = (x * 48271) % 2147483647) / 2147483647) as number;
    })();
    const quizId = newId();
    const at = "2026-05-01T09:00:00.000Z";
    await app.db
      .insertInto("course_quizzes")
      .values({
        id: quizId,
        course_id: b.course.id,
        lesson_id: b.lessons[2]!,
        title: "Quiz",
        pass_pct: 60,
        max_attempts: 0,
        required: 0,
        created_at: at,
        updated_at: at,
      })
      .execute();
    const ids = await createMembersBulk(
      app.db,
      Array.from({ length: 300 }, (_, i) => ({
        email: `oracle-${i}@example.org`,
        name: `Élève ${i}`,
        locale: "fr" as const,
        timeZone: "Europe/Paris",
        source: "test",
        note: "",
        createdAt: at,
        confirmedAt: at,
        consent: null,
        tags: [],
      })),
      "system",
    );
    const t0 = Date.parse(at);
    const enrolments: { member: string; done: boolean }[] = [];
    const progress: { member: string; lesson: string; opened: number; completed: number | null }[] = [];
    const attempts: { member: string; score: number; passed: boolean }[] = [];
    for (const member of ids.values()) {
      const done = rng() < 0.1;
      enrolments.push({ member, done });
      for (const lesson of b.lessons) {
        const r = rng();
        if (!done && r < 0.3) continue;
        const opened = t0 + Math.floor(rng() * 1e9);
        // Some durations under a second, some with half seconds (rounding), some zero.
        const completed = !done && r < 0.45 ? null : opened + Math.floor(rng() * 4) * 500 + Math.floor(rng() * 3) * 1e6;
        progress.push({ member, lesson, opened, completed });
      }
      for (let k = Math.floor(rng() * 3); k > 0; k--) {
        const score = Math.floor(rng() * 101);
        attempts.push({ member, score, passed: score >= 60 });
      }
    }
    const iso = (ms: number) => new Date(ms).toISOString();
    await app.db
      .insertInto("course_enrolments")
      .values(
        enrolments.map((e) => ({
          id: newId(),
          course_id: b.course.id,
          member_id: e.member,
          enrolled_at: at,
          started_at: at,
          last_progress_at: at,
          last_lesson_id: null,
          completed_at: e.done ? at : null,
        })),
      )
      .execute();
    for (let i = 0; i < progress.length; i += 200)
      await app.db
        .insertInto("lesson_progress")
        .values(
          progress.slice(i, i + 200).map((p) => ({
            id: newId(),
            course_id: b.course.id,
            lesson_id: p.lesson,
            member_id: p.member,
            opened_at: iso(p.opened),
            completed_at: p.completed === null ? null : iso(p.completed),
            media_position: 0,
          })),
        )
        .execute();
    for (let i = 0; i < attempts.length; i += 200)
      await app.db
        .insertInto("quiz_attempts")
        .values(
          attempts.slice(i, i + 200).map((a, k) => ({
            id: newId(),
            quiz_id: quizId,
            course_id: b.course.id,
            member_id: a.member,
            attempt_no: i + k,
            score_pct: a.score,
            passed: a.passed ? 1 : 0,
            answers: "{}",
            created_at: at,
          })),
        )
        .execute();
    const course = (await findCourse(app.db, b.course.id))!;
    const f = await courseFunnel(app.db, await outline(app.db, course));
    const want = plainFunnel(b.lessons, enrolments, progress, attempts);
    assert.equal(f.enrolled, 300);
    assert.deepEqual(
      f.lessons.map((l) => [l.completed, l.stopped, l.medianSeconds]),
      want.lessons,
    );
    assert.ok(f.lessons.some((l) => l.stopped > 0) && f.lessons.some((l) => l.medianSeconds !== null));
    const { quizId: _, title: __, ...quiz } = f.quizzes[0]!;
    assert.deepEqual(quiz, want.quiz);
  });
});
