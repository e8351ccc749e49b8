import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { recipients } from "../../../test/support/smtp.ts";
import { anonymousClient, memberWithSession } from "../publishing/testing.ts";
import { enrol } from "./progress.ts";
import { detectStalls, stallAnswerPath } from "./stalls.ts";
import { buildCourse, student, type BuiltCourse } from "./testing.ts";

/*
 * The loop's surfaces as the wrong person: the creator's follow-up page, a
 * stall's answer page, the rating and the player position of another
 * course's student, a free member, an anonymous visitor — 0 successes; and
 * the follow-up email carries no paid lesson's text (canary).
 */
const NOW = Date.parse("2030-05-10T09:00:00.000Z");
let app: TestApp;
let a: BuiltCourse;
let b: BuiltCourse;
before(async () => {
  app = await startTestApp();
  a = await buildCourse(app.db);
  b = await buildCourse(app.db);
});
after(async () => app.stop());

describe("IDOR sweep and canary over the loop's surfaces", () => {
  it("0 successes as another course's student, a free member, anonymous", async () => {
    const sa = await student(app, a.offerId);
    const sb = await student(app, b.offerId);
    const free = await memberWithSession(app);
    const anon = anonymousClient(app);
    for (const c of [sb.client, free.client, anon]) await c.get("/");
    await enrol(app.db, a.course.id, sa.id, new Date(NOW - 20 * 86_400_000).toISOString());
    await enrol(app.db, b.course.id, sb.id, new Date(NOW - 20 * 86_400_000).toISOString());
    assert.equal(await detectStalls(app.db, NOW), 2);
    const stalls = await app.db.selectFrom("course_stalls").select(["id", "member_id"]).execute();
    const stallA = stalls.find((s) => s.member_id === sa.id)!.id;
    const stallB = stalls.find((s) => s.member_id === sb.id)!.id;
    const secret = app.running.services.secret;
    const sigB = stallAnswerPath(secret, stallB).split("s=")[1]!;

    for (const c of [sb.client, free.client, anon]) {
      for (const path of [`/admin/courses/${a.course.id}/stalls`, `/admin/courses/${a.course.id}/funnel`]) {
        const res = await c.get(path);
        assert.notEqual(res.status, 200, path);
        assert.doesNotMatch(res.text, /Élèves qui n’avancent plus/);
      }
      assert.notEqual((await c.post(`/admin/courses/${a.course.id}/stalls`, { days: "1" })).status, 303);
      // Stall A with stall B's valid signature, and with none.
      assert.equal((await c.get(`/course-feedback/${stallA}?s=${sigB}`)).status, 404);
      assert.equal((await c.get(`/course-feedback/${stallA}`)).status, 404);
      assert.equal((await c.post(`/course-feedback/${stallA}?s=${sigB}`, { reason: "0" })).status, 404);
      assert.ok([401, 403].includes((await c.post(`/learn/${a.course.slug}/rating`, { rating: "1" })).status));
      const pos = await c.post(`/learn/${a.course.slug}/${a.lessons[0]}/position`, { position: "77" });
      assert.ok([401, 403].includes(pos.status), `position: ${pos.status}`);
    }
    const course = await app.db
      .selectFrom("courses")
      .select("stall_days")
      .where("id", "=", a.course.id)
      .executeTakeFirstOrThrow();
    assert.equal(course.stall_days, 14);
    const answered = await app.db
      .selectFrom("course_stalls")
      .select("id")
      .where("answered_at", "is not", null)
      .execute();
    assert.equal(answered.length, 0);
    const moved = await app.db.selectFrom("lesson_progress").select("id").where("media_position", "=", 77).execute();
    assert.equal(moved.length, 0);

    // Canary: the follow-up email names the lesson, never a paid lesson's body.
    await app.drainJobs();
    const mail = await app.mail.waitFor((m) => recipients(m).includes(sa.email));
    assert.ok(!(mail.text ?? "").includes(a.marker) && !String(mail.html ?? "").includes(a.marker));
    assert.ok(!(mail.text ?? "").includes("PAID-LESSON"));
  });
});
