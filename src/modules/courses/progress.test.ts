import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { createMember } from "../members/index.ts";
import { completeLesson, enrol } from "./progress.ts";
import { findCourse, outline, studentView } from "./queries.ts";
import { buildCourse, countEvents, type BuiltCourse } from "./testing.ts";

let app: TestApp;
let built: BuiltCourse;

before(async () => {
  app = await startTestApp();
  built = await buildCourse(app.db, { drip: { days: 1 } });
});
after(async () => app.stop());

async function memberIn(zone: string, name = "Élève") {
  const m = await createMember(
    app.db,
    {
      email: `s-${Math.random().toString(36).slice(2)}@example.org`,
      name,
      locale: "fr",
      status: "active",
      emailOptIn: false,
      source: "test",
      timeZone: zone,
    },
    "system",
  );
  return m.id;
}

describe("drip through the student's course view, with a fixed clock", () => {
  for (const [zone, enrolledAt, opensAt] of [
    // 10:00 CET the day before the spring change → 10:00 CEST, 23 h later.
    ["Europe/Paris", "2026-03-28T09:00:00.000Z", "2026-03-29T08:00:00.000Z"],
    // 10:00 EST the day before the spring change → 10:00 EDT.
    ["America/New_York", "2026-03-07T15:00:00.000Z", "2026-03-08T14:00:00.000Z"],
    // Autumn: 10:00 CEST → 10:00 CET, 25 h later.
    ["Europe/Paris", "2026-10-24T08:00:00.000Z", "2026-10-25T09:00:00.000Z"],
    ["America/New_York", "2026-10-31T14:00:00.000Z", "2026-11-01T15:00:00.000Z"],
  ] as const) {
    it(`${zone}, enrolled ${enrolledAt}: the 1-day section opens at ${opensAt}, not a second before`, async () => {
      const course = (await findCourse(app.db, built.course.id))!;
      const o = await outline(app.db, course);
      const memberId = await memberIn(zone);
      const e = await enrol(app.db, course.id, memberId, enrolledAt);
      assert.equal(e.enrolled_at, enrolledAt);
      const justBefore = new Date(Date.parse(opensAt) - 1000).toISOString();
      const locked = await studentView(app.db, o, e, zone, justBefore);
      assert.equal(locked.sections[0]!.opensAt, null);
      assert.equal(locked.sections[1]!.opensAt, opensAt);
      assert.ok(locked.sections[1]!.lessons.every((l) => !l.open));
      const open = await studentView(app.db, o, e, zone, opensAt);
      assert.equal(open.sections[1]!.opensAt, null);
      assert.ok(open.sections[1]!.lessons.every((l) => l.open));
    });
  }
});

describe("progress rules", () => {
  it("enrolling twice concurrently is one enrolment and one event", async () => {
    const memberId = await memberIn("Europe/Paris");
    const at = "2026-05-01T10:00:00.000Z";
    const all = await Promise.all(Array.from({ length: 10 }, () => enrol(app.db, built.course.id, memberId, at)));
    assert.equal(new Set(all.map((e) => e.id)).size, 1);
    assert.equal(await countEvents(app.db, "course.enrolled", memberId), 1);
  });

  it("a sequential course opens each lesson only after the previous one; the last completion completes the course once", async () => {
    const seq = await buildCourse(app.db);
    await app.db.updateTable("courses").set({ sequential: 1 }).where("id", "=", seq.course.id).execute();
    const course = (await findCourse(app.db, seq.course.id))!;
    const o = await outline(app.db, course);
    const memberId = await memberIn("Europe/Paris", "Éloïse Müller");
    const at = "2026-05-01T10:00:00.000Z";
    const e = await enrol(app.db, course.id, memberId, at);
    let v = await studentView(app.db, o, e, "Europe/Paris", at);
    assert.deepEqual(
      v.lessons.map((l) => l.open),
      [true, false, false, false],
    );
    assert.equal(v.lessons[1]!.waitsForPrevious, true);
    assert.equal(v.next?.id, seq.lessons[0]);
    for (const [i, id] of seq.lessons.entries()) {
      const r = await completeLesson(app.db, e, id, at);
      assert.equal(r.completed, true);
      assert.equal(r.courseCompleted, i === seq.lessons.length - 1);
      if (r.courseCompleted) assert.ok(r.certificateCode);
    }
    v = await studentView(app.db, o, e, "Europe/Paris", at);
    assert.equal(v.requiredDone, 4);
    assert.equal(v.next, null);
    const again = await completeLesson(app.db, e, seq.lessons[3]!, at);
    assert.deepEqual(again, { completed: false, courseCompleted: false, certificateCode: null });
    assert.equal(await countEvents(app.db, "course.completed", memberId), 1);
  });

  it("the last two lessons completed at the same time still complete the course and issue one certificate", async () => {
    const memberId = await memberIn("America/New_York", "Zoë Ångström");
    const at = "2026-06-01T10:00:00.000Z";
    const e = await enrol(app.db, built.course.id, memberId, at);
    await completeLesson(app.db, e, built.lessons[0]!, at);
    await completeLesson(app.db, e, built.lessons[1]!, at);
    const results = await Promise.all([
      completeLesson(app.db, e, built.lessons[2]!, at),
      completeLesson(app.db, e, built.lessons[3]!, at),
    ]);
    assert.equal(results.filter((r) => r.courseCompleted).length, 1);
    const certs = await app.db
      .selectFrom("course_certificates")
      .select("student_name")
      .where("member_id", "=", memberId)
      .execute();
    assert.deepEqual(certs, [{ student_name: "Zoë Ångström" }]);
  });
});
