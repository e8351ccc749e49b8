import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, ownerEmail, type TestApp } from "../../../test/support/app.ts";
import { anonymousActor, memberActor, staffActor, type Actor } from "../../platform/actor.ts";
import { AppError } from "../../platform/http/errors.ts";
import { newId } from "../../platform/ids.ts";
import { runOperation, type Operation } from "../../platform/operations.ts";
import { createOffer, offerIncludes } from "../offers/index.ts";
import { attachLessonMedia, setCourseSelling } from "./operations/creator.ts";
import { answerStallQuestion } from "./operations/student.ts";
import { enrol } from "./progress.ts";
import { findCourse } from "./queries.ts";
import { stallSignature } from "./stalls.ts";
import { buildCourse, countEvents, student, type BuiltCourse } from "./testing.ts";

/*
 * The state changes that became operations: the signed answer to "What
 * stopped you?", the "Sell it" box, and a lesson's uploaded media. Each: its
 * zod input (bad input a 422, nothing stored), who may run it, its event in
 * the same transaction.
 */

let app: TestApp;
let built: BuiltCourse;
let owner: Actor;

before(async () => {
  app = await startTestApp();
  built = await buildCourse(app.db);
  const staff = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  owner = staffActor(staff.id, "owner");
});
after(async () => app.stop());

async function fails<S extends import("zod").ZodType, R, P>(
  op: Operation<S, R, P>,
  actor: Actor,
  input: unknown,
  status: number,
): Promise<AppError> {
  try {
    await runOperation(app.running.services, op, actor, input);
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.status, status, `${err.code} ${err.messageKey}`);
    return err;
  }
  assert.fail(`expected a ${status}`);
}

async function stallOf(memberId: string) {
  await enrol(app.db, built.course.id, memberId, new Date().toISOString());
  const e = await app.db
    .selectFrom("course_enrolments")
    .select("id")
    .where("member_id", "=", memberId)
    .executeTakeFirstOrThrow();
  const id = newId();
  await app.db
    .insertInto("course_stalls")
    .values({
      id,
      course_id: built.course.id,
      enrolment_id: e.id,
      member_id: memberId,
      lesson_id: built.lessons[1]!,
      since: new Date().toISOString(),
      detected_at: new Date().toISOString(),
      reason: null,
      comment: "",
      answered_at: null,
    })
    .execute();
  return { id, signature: stallSignature(app.running.services.secret, id) };
}

describe("courses operations of the loops", () => {
  it("the stall answer: a forged signature is a 404, a bad choice or empty answer a 422, one answer and one event", async () => {
    const s = await student(app, built.offerId);
    const stall = await stallOf(s.id);
    const answer = (v: Record<string, unknown>) => ({
      stallId: stall.id,
      signature: stall.signature,
      comment: "",
      ...v,
    });
    await fails(answerStallQuestion, anonymousActor, answer({ signature: "forged", reason: "0" }), 404);
    await fails(answerStallQuestion, anonymousActor, answer({ reason: "99" }), 422);
    const empty = await fails(answerStallQuestion, anonymousActor, answer({}), 422);
    assert.equal(empty.fields.reason?.key, "validation.course_stall_answer");
    await fails(answerStallQuestion, anonymousActor, answer({ reason: "0", comment: "x".repeat(2001) }), 422);
    const row = () =>
      app.db.selectFrom("course_stalls").selectAll().where("id", "=", stall.id).executeTakeFirstOrThrow();
    assert.equal((await row()).answered_at, null, "nothing stored by a refused answer");
    await runOperation(
      app.running.services,
      answerStallQuestion,
      anonymousActor,
      answer({ reason: "0", comment: "Long" }),
    );
    const stored = await row();
    assert.ok(stored.answered_at);
    assert.equal(stored.comment, "Long");
    assert.ok(stored.reason);
    await fails(answerStallQuestion, memberActor(s.id), answer({ reason: "1" }), 409);
    assert.equal(await countEvents(app.db, "course.stall_answered", s.id), 1);
  });

  it("the sell box: the chosen offers include the course, the others stop; staff only; an unknown offer is a 422", async () => {
    const other = await createOffer(app.db, {
      slug: `o-${newId().slice(-6)}`,
      kind: "product",
      name: "Pack",
      status: "published",
    });
    const sells = async (offerId: string) =>
      (await offerIncludes(app.db, offerId)).some((i) => i.kind === "course" && i.id === built.course.id);
    const r = await runOperation(app.running.services, setCourseSelling, owner, {
      courseId: built.course.id,
      offers: [built.offerId, other.id],
    });
    assert.deepEqual(r.added, ["Pack"]);
    assert.equal(await sells(other.id), true);
    // One checkbox ticked comes as a string.
    await runOperation(app.running.services, setCourseSelling, owner, { courseId: built.course.id, offers: other.id });
    assert.equal(await sells(built.offerId), false);
    assert.equal(await sells(other.id), true);
    await fails(setCourseSelling, owner, { courseId: built.course.id, offers: [newId()] }, 422);
    await fails(setCourseSelling, owner, { courseId: built.course.id, offers: ["not-an-id"] }, 422);
    await fails(setCourseSelling, anonymousActor, { courseId: built.course.id, offers: [] }, 401);
    const s = await student(app, built.offerId);
    await fails(setCourseSelling, memberActor(s.id), { courseId: built.course.id, offers: [] }, 401);
    await runOperation(app.running.services, setCourseSelling, owner, {
      courseId: built.course.id,
      offers: [built.offerId],
    });
    assert.equal(await sells(built.offerId), true);
    assert.equal(await sells(other.id), false);
    const events = await app.db
      .selectFrom("events")
      .select("data")
      .where("type", "=", "course.selling_changed")
      .execute();
    assert.equal(events.length, 3);
  });

  it("lesson media: recorded by the operation, a lesson of another course a 404, a bad kind a 422, the outline version bumped", async () => {
    const before = (await findCourse(app.db, built.course.id))!.content_version;
    const media = (v: Record<string, unknown>) => ({
      courseId: built.course.id,
      lessonId: built.lessons[1]!,
      kind: "attachment",
      fileId: newId(),
      name: "Fiche technique.pdf",
      mime: "application/pdf",
      size: 1234,
      ...v,
    });
    await fails(attachLessonMedia, owner, media({ kind: "exe" }), 422);
    await fails(attachLessonMedia, owner, media({ size: 0 }), 422);
    const elsewhere = await buildCourse(app.db);
    await fails(attachLessonMedia, owner, media({ lessonId: elsewhere.lessons[0]! }), 404);
    const s = await student(app, built.offerId);
    await fails(attachLessonMedia, memberActor(s.id), media({}), 401);
    const attachments = () =>
      app.db
        .selectFrom("course_attachments")
        .select(["name", "size"])
        .where("lesson_id", "=", built.lessons[1]!)
        .execute();
    assert.deepEqual(await attachments(), []);
    await runOperation(app.running.services, attachLessonMedia, owner, media({}));
    assert.deepEqual(await attachments(), [{ name: "Fiche technique.pdf", size: 1234 }]);
    const video = newId();
    await runOperation(
      app.running.services,
      attachLessonMedia,
      owner,
      media({ kind: "video", fileId: video, mime: "video/mp4" }),
    );
    const lesson = await app.db
      .selectFrom("course_lessons")
      .select("video_file_id")
      .where("id", "=", built.lessons[1]!)
      .executeTakeFirstOrThrow();
    assert.equal(lesson.video_file_id, video);
    assert.ok((await findCourse(app.db, built.course.id))!.content_version > before);
  });
});
