import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { linkIn } from "../../../test/support/client.ts";
import { recipients } from "../../../test/support/smtp.ts";
import { anonymousClient, memberWithSession, ownerClient } from "../publishing/testing.ts";
import { enrol } from "./progress.ts";
import { detectStalls } from "./stalls.ts";
import { buildCourse, countEvents, seedCohort, student } from "./testing.ts";

/*
 * The stalled-student loop. Detection runs take a fixed instant in 2030, so
 * the app's own hourly run (real clock, years earlier) finds nothing of
 * these students and cannot interfere.
 */
const NOW = Date.parse("2030-03-10T09:00:00.000Z");
const DAY = 86_400_000;

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(async () => app.stop());

async function stallMails() {
  return app.db
    .selectFrom("jobs")
    .select(["payload", "dedupe_key"])
    .where("type", "=", "mail.send")
    .where("dedupe_key", "like", "mail:courses:stall:%")
    .execute();
}

async function setProgress(enrolmentMember: string, courseId: string, at: string) {
  await app.db
    .updateTable("course_enrolments")
    .set({ enrolled_at: at, last_progress_at: null })
    .where("member_id", "=", enrolmentMember)
    .where("course_id", "=", courseId)
    .execute();
}

describe("stalled students", () => {
  it("a fixed clock over 1,000 students emails exactly the stalled ones, once each", async () => {
    const built = await buildCourse(app.db, { audience: "members" });
    const cohort = await seedCohort(app.db, { id: built.course.id, lessons: built.lessons }, 1000, NOW);
    assert.equal(cohort.stalled.size, 500);
    const before = (await stallMails()).length;
    assert.equal(await detectStalls(app.db, NOW), 500);
    const rows = await app.db
      .selectFrom("course_stalls")
      .select(["member_id", "lesson_id"])
      .where("course_id", "=", built.course.id)
      .execute();
    assert.deepEqual(new Set(rows.map((r) => r.member_id)), cohort.stalled);
    const index = new Map(cohort.all.map((id, i) => [id, i]));
    for (const r of rows)
      assert.equal(
        r.lesson_id,
        built.lessons[index.get(r.member_id)! % 4 === 1 ? 1 : 0],
        "stopped at the right lesson",
      );
    // Again, an hour and a day later: nobody is mailed a second time for the same stall.
    assert.equal(await detectStalls(app.db, NOW + 3600_000), 0);
    assert.equal(await detectStalls(app.db, NOW + DAY), 0);
    const mails = await stallMails();
    assert.equal(mails.length - before, 500);
    assert.equal(new Set(mails.map((m) => m.dedupe_key)).size, mails.length);
    for (const m of mails) assert.deepEqual(Object.keys(JSON.parse(m.payload) as object).sort(), ["kind", "stallId"]);
    // Delivered: one message per stalled student, to nobody else.
    await app.drainJobs();
    const got = app.mail.messages.flatMap(recipients).filter((to) => to.startsWith("cohort-"));
    assert.equal(got.length, 500);
    const stalledEmails = new Set(cohort.all.map((id, i) => (cohort.stalled.has(id) ? `cohort-${i}@example.org` : "")));
    for (const to of got) assert.ok(stalledEmails.has(to), `${to} is not stalled`);
    assert.equal(new Set(got).size, 500);
    // 5 more days without progress: the "5 days ago" quarter now stalls too (new stalls only).
    assert.equal(await detectStalls(app.db, NOW + 10 * DAY), 250);
  });

  it("mails only students who still have the course, and a new stall after new progress", async () => {
    const built = await buildCourse(app.db);
    const holder = await student(app, built.offerId);
    const lapsed = await memberWithSession(app);
    const old = new Date(NOW - 20 * DAY).toISOString();
    await enrol(app.db, built.course.id, holder.id, old);
    await enrol(app.db, built.course.id, lapsed.id, old);
    assert.equal(await detectStalls(app.db, NOW), 1);
    const [row] = await app.db.selectFrom("course_stalls").selectAll().where("member_id", "=", holder.id).execute();
    assert.ok(row);
    assert.equal(await countEvents(app.db, "course.stalled", holder.id), 1);
    // They come back and complete a lesson, then stop again for 15 days: a second stall, a second email.
    await app.db
      .updateTable("course_enrolments")
      .set({ last_progress_at: new Date(NOW + DAY).toISOString() })
      .where("member_id", "=", holder.id)
      .execute();
    assert.equal(await detectStalls(app.db, NOW + 2 * DAY), 0);
    assert.equal(await detectStalls(app.db, NOW + 16 * DAY), 1);
    assert.equal(await countEvents(app.db, "course.stalled", lapsed.id), 0);
  });

  it("the email speaks to the student; the answer lands on the funnel and the timeline, once", async () => {
    const built = await buildCourse(app.db, { title: "Enduits à la chaux" });
    const s = await student(app, built.offerId, { name: "Éloïse Müller", locale: "fr" });
    await enrol(app.db, built.course.id, s.id, new Date(NOW - 15 * DAY).toISOString());
    await setProgress(s.id, built.course.id, new Date(NOW - 15 * DAY).toISOString());
    assert.equal(await detectStalls(app.db, NOW), 1);
    await app.drainJobs();
    const mail = await app.mail.waitFor((m) => recipients(m).includes(s.email));
    assert.match(mail.subject ?? "", /Éloïse, on reprend « Leçon 1\.1 »/);
    assert.match(mail.text ?? "", /Bonjour Éloïse,/);
    assert.ok((mail.text ?? "").includes(`/learn/${built.course.slug}/${built.lessons[0]}`), "a link straight back");
    assert.match(mail.text ?? "", /Qu’est-ce qui vous a arrêté·e \?/);
    const pick = linkIn(mail.text ?? "", app.url, "/course-feedback/");
    const choice = linkIn((mail.text ?? "").split("C’est trop long")[1]!, app.url, "/course-feedback/");
    assert.match(choice, /&r=0$/);

    const visitor = anonymousClient(app);
    const [, query] = pick.split("?");
    const stallId = pick.split("?")[0]!.split("/").pop()!;
    assert.equal((await visitor.get(`/course-feedback/${stallId}?s=forged`)).status, 404);
    const page = await visitor.get(choice);
    assert.equal(page.status, 200);
    assert.match(page.text, /value="0" checked/);
    const empty = await visitor.post(`/course-feedback/${stallId}?${query}`, { comment: "" });
    assert.equal(empty.status, 422);
    assert.match(empty.text, /Choisissez une réponse ou écrivez quelques mots/);
    const bad = await visitor.post(`/course-feedback/${stallId}?${query}`, { reason: "99" });
    assert.equal(bad.status, 422);
    const ok = await visitor.post(`/course-feedback/${stallId}?${query}`, {
      reason: "0",
      comment: "Les vidéos sont longues.",
    });
    assert.equal(ok.status, 303);
    assert.match((await visitor.get(ok.location!)).text, /Merci pour votre réponse/);
    await visitor.post(`/course-feedback/${stallId}?${query}`, { reason: "1" });
    const stored = await app.db
      .selectFrom("course_stalls")
      .selectAll()
      .where("id", "=", stallId)
      .executeTakeFirstOrThrow();
    assert.equal(stored.reason, "C’est trop long");
    assert.equal(stored.comment, "Les vidéos sont longues.");
    assert.equal(await countEvents(app.db, "course.stall_answered", s.id), 1);

    const owner = await ownerClient(app);
    const funnel = await owner.get(`/admin/courses/${built.course.id}/funnel`);
    assert.equal(funnel.status, 200);
    assert.match(funnel.text, /s’arrêtent à « Leçon 1\.1 » — raison principale : C’est trop long/);
    assert.ok(funnel.text.includes("Les vidéos sont longues."));
    const timeline = await owner.get(`/admin/members/${s.id}`);
    assert.match(timeline.text, /A dit ce qui l’a arrêté·e à « Leçon 1\.1 »/);
  });

  it("the creator turns the loop off, changes the delay and the words, and previews the email", async () => {
    const built = await buildCourse(app.db);
    const owner = await ownerClient(app);
    const path = `/admin/courses/${built.course.id}/stalls`;
    const page = await owner.get(path);
    assert.equal(page.status, 200);
    assert.match(page.text, /Bonjour Camille,/, "the default text, previewed with a sample first name");
    const bad = await owner.post(path, { enabled: "on", days: "0", subject: "", body: "", choices: "" });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /entre 1 et 365/);
    const saved = await owner.post(path, {
      days: "7",
      subject: "Coucou {prénom}",
      body: "Salut {prénom}, la leçon {leçon} t’attend : {lien}",
      choices: "Trop long\nTrop cher",
    });
    assert.equal(saved.status, 303);
    const again = await owner.get(path);
    assert.match(again.text, /Objet : Coucou Camille/);
    assert.match(again.text, /Trop cher/);
    const s = await student(app, built.offerId);
    await enrol(app.db, built.course.id, s.id, new Date(NOW - 8 * DAY).toISOString());
    assert.equal(await detectStalls(app.db, NOW), 0, "off: nobody is mailed");
    await owner.post(path, { enabled: "on", days: "7", subject: "", body: "", choices: "" });
    assert.equal(await detectStalls(app.db, NOW), 1, "on, 7 days: the 8-day-old student is stalled");
  });
});
