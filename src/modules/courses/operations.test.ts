import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { memberActor, systemActor } from "../../platform/actor.ts";
import { AppError } from "../../platform/http/errors.ts";
import { runOperation } from "../../platform/operations.ts";
import { ownerClient } from "../publishing/testing.ts";
import { createCourse, saveCourseLesson } from "./operations/authoring.ts";
import { completeStudentLesson } from "./operations/student.ts";
import { findCourse } from "./queries.ts";
import { buildCourse, countEvents, student, type BuiltCourse } from "./testing.ts";

/*
 * The courses state changes run as operations: zod input (a too-long field is
 * a 422 naming its limit, nothing stored), roles (staff only for authoring,
 * a member only for their own progress), events in the same transaction.
 */

let app: TestApp;
let built: BuiltCourse;

before(async () => {
  app = await startTestApp();
  built = await buildCourse(app.db);
});
after(async () => app.stop());

const courseForm = (title: string) => ({
  title,
  subtitle: "",
  slug: "",
  description: "",
  language: "fr",
  status: "draft",
  audience: "offers",
  signerName: "",
  stallDays: "14",
});

describe("courses operations", () => {
  it("a course title over 200 characters is a 422 naming the limit, in the form's language, and nothing is stored", async () => {
    const owner = await ownerClient(app);
    const before = await app.db.selectFrom("courses").select("id").execute();
    const res = await owner.post("/admin/courses", courseForm("Peinture ".repeat(30)));
    assert.equal(res.status, 422);
    assert.match(res.text, /200 caractères au maximum/);
    // What was typed is still in the form.
    assert.match(res.text, /Peinture Peinture/);
    assert.equal((await app.db.selectFrom("courses").select("id").execute()).length, before.length);
    const ok = await owner.post("/admin/courses", courseForm("Aquarelle"));
    assert.equal(ok.status, 303);
  });

  it("a lesson body over its limit is refused the same way, the lesson unchanged", async () => {
    const owner = await ownerClient(app);
    const res = await owner.post(`/admin/courses/${built.course.id}/lessons/${built.lessons[1]}`, {
      title: "Leçon",
      sectionId: built.sections[0]!,
      body: "x".repeat(100_001),
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /100\s?000 caractères au maximum|100000 caractères au maximum/);
    const lesson = await app.db
      .selectFrom("course_lessons")
      .select("body_md")
      .where("id", "=", built.lessons[1]!)
      .executeTakeFirstOrThrow();
    assert.match(lesson.body_md, /Contenu payant/);
  });

  it("authoring is for staff: a member or an anonymous caller is refused before anything runs", async () => {
    const m = await student(app, built.offerId);
    await assert.rejects(
      runOperation(app.running.services, createCourse, memberActor(m.id), courseForm("Intrus")),
      // A member is not signed in as staff: the operations' role check answers 401.
      (e: unknown) => e instanceof AppError && e.status === 401,
    );
    const lessonForm = {
      courseId: built.course.id,
      lessonId: null,
      title: "Intruse",
      sectionId: built.sections[0]!,
      body: "",
    };
    await assert.rejects(
      runOperation(app.running.services, saveCourseLesson, { kind: "anonymous" }, lessonForm),
      (e: unknown) => e instanceof AppError && e.status === 401,
    );
    assert.equal(
      await app.db.selectFrom("courses").select("id").where("title", "=", "Intrus").executeTakeFirst(),
      undefined,
    );
    const made = await runOperation(app.running.services, createCourse, systemActor("test"), courseForm("Par le CLI"));
    assert.ok(await findCourse(app.db, made.id));
  });

  it("completing a lesson is the member's own: one completion and one event, only for an enrolled student", async () => {
    const m = await student(app, built.offerId);
    await m.client.get(`/learn/${built.course.slug}/${built.lessons[0]}`);
    const services = app.running.services;
    const input = { courseId: built.course.id, lessonId: built.lessons[0]! };
    await Promise.all(
      Array.from({ length: 5 }, () => runOperation(services, completeStudentLesson, memberActor(m.id), input)),
    );
    assert.equal(await countEvents(app.db, "lesson.completed", m.id), 1);
    const other = await student(app, built.offerId);
    await assert.rejects(
      runOperation(services, completeStudentLesson, memberActor(other.id), input),
      (e: unknown) => e instanceof AppError && e.status === 403,
    );
    await assert.rejects(
      runOperation(services, completeStudentLesson, systemActor("x"), input),
      (e: unknown) => e instanceof AppError && e.status === 403,
    );
  });
});
