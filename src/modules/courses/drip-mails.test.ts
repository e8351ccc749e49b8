import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { recipients } from "../../../test/support/smtp.ts";
import { queueDripMails } from "./drip-mails.ts";
import { enrol } from "./progress.ts";
import { buildCourse, countEvents, student } from "./testing.ts";

/* Instants in 2030: the app's own recurring run (real clock) sees these sections as not open yet. */
const T = Date.parse("2030-03-28T09:00:00.000Z");
const HOUR = 3600_000;

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(async () => app.stop());

describe("drip emails", () => {
  it("one email when a section opens in the student's zone, none before, none twice; opt-out honoured", async () => {
    const built = await buildCourse(app.db, { drip: { days: 1 } });
    const paris = await student(app, built.offerId, { name: "Jeanne Roux" });
    const quiet = await student(app, built.offerId, { name: "Paul Blanc" });
    await enrol(app.db, built.course.id, paris.id, new Date(T).toISOString());
    await enrol(app.db, built.course.id, quiet.id, new Date(T).toISOString());
    // Paul turns the emails off from his account page.
    const account = await quiet.client.get("/account");
    assert.match(account.text, /id="course-emails"/);
    assert.match(account.text, /name="drip"[^>]*checked/);
    assert.equal((await quiet.client.post("/account/course-emails", {})).status, 303);
    assert.doesNotMatch((await quiet.client.get("/account")).text, /name="drip"[^>]*checked/);
    assert.equal(await countEvents(app.db, "course.drip_emails_changed", quiet.id), 1);

    // Paris, 29 March 2030 is not a DST day; 1 day after 10:00 CET is 10:00 CET the next day.
    assert.equal(await queueDripMails(app.db, T + 23 * HOUR), 0, "not open yet");
    assert.equal(await queueDripMails(app.db, T + 24 * HOUR), 1);
    assert.equal(await queueDripMails(app.db, T + 25 * HOUR), 0, "once");
    await app.drainJobs();
    const mail = await app.mail.waitFor((m) => recipients(m).includes(paris.email));
    assert.match(mail.subject ?? "", /« Module 2 » est ouvert/);
    assert.ok((mail.text ?? "").includes(`/learn/${built.course.slug}/${built.lessons[2]}`));
    assert.ok((mail.text ?? "").includes("/account#course-emails"), "says how to stop them");
    assert.equal(app.mail.to(quiet.email).length, 0);
  });

  it("does not mail a section that opened more than a week ago, or students who lost the course", async () => {
    const built = await buildCourse(app.db, { drip: { days: 1 } });
    const late = await student(app, built.offerId);
    await enrol(app.db, built.course.id, late.id, new Date(T - 10 * 24 * HOUR).toISOString());
    assert.equal(await queueDripMails(app.db, T), 0);
    const rows = await app.db.selectFrom("course_drip_mails").select("id").where("member_id", "=", late.id).execute();
    assert.equal(rows.length, 0);
  });
});
