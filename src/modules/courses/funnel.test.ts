import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { createMember } from "../members/index.ts";
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
