import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { ownerClient } from "../publishing/testing.ts";
import { completeLesson, enrol } from "./progress.ts";
import { buildCourse, countEvents, student, type BuiltCourse } from "./testing.ts";

let app: TestApp;
let built: BuiltCourse;
before(async () => {
  app = await startTestApp();
  built = await buildCourse(app.db, { perSection: 1 });
});
after(async () => app.stop());

async function finished(name: string) {
  const s = await student(app, built.offerId, { name });
  const e = await enrol(app.db, built.course.id, s.id, new Date().toISOString());
  return {
    s,
    finish: async () => {
      for (const l of built.lessons) await completeLesson(app.db, e, l, new Date().toISOString());
    },
  };
}

describe("end-of-course survey", () => {
  it("asks once the course is finished, refuses bad ratings, and shows the average to the creator", async () => {
    const a = await finished("Anne Leroy");
    const home = `/learn/${built.course.slug}`;
    await a.s.client.get(home);
    assert.doesNotMatch((await a.s.client.get(home)).text, /Votre avis sur la formation/);
    assert.equal((await a.s.client.post(`${home}/rating`, { rating: "5" })).status, 409);
    await a.finish();
    assert.match((await a.s.client.get(home)).text, /Votre avis sur la formation/);
    const bad = await a.s.client.post(`${home}/rating`, { rating: "7", comment: "super" });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /Choisissez une note de 1 à 5/);
    const r3 = await a.s.client.post(`${home}/rating`, { rating: "3", comment: "" });
    assert.equal(r3.status, 303, r3.text.match(/class="error"[^]*?<\/p>/g)?.join(" "));
    assert.equal((await a.s.client.post(`${home}/rating`, { rating: "4", comment: "Clair et concret." })).status, 303);
    assert.match((await a.s.client.get(`${home}?rated=1`)).text, /Votre note : 4\/5/);
    const b = await finished("Bruno Petit");
    await b.finish();
    await b.s.client.get(home);
    assert.equal((await b.s.client.post(`${home}/rating`, { rating: "5" })).status, 303);
    assert.equal(await countEvents(app.db, "course.rated", a.s.id), 2);
    const rows = await app.db
      .selectFrom("course_ratings")
      .selectAll()
      .where("course_id", "=", built.course.id)
      .execute();
    assert.equal(rows.length, 2);
    const owner = await ownerClient(app);
    const funnel = await owner.get(`/admin/courses/${built.course.id}/funnel`);
    assert.match(funnel.text, /Moyenne 4,5\/5/);
    assert.match(funnel.text, /2 avis/);
    assert.ok(funnel.text.includes("Clair et concret."));
  });
});
