import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { testClock } from "../../platform/time.ts";
import { queriesOf } from "../../../test/support/query-count.ts";
import { formatDateTime } from "../../platform/i18n/index.ts";
import { revokeSource } from "../access/index.ts";
import { getMember } from "../members/index.ts";
import { saveLesson } from "./authoring.ts";
import { unlockAt } from "./drip.ts";
import { findEnrolment, outlineCacheStats } from "./queries.ts";
import { buildCourse, student, type BuiltCourse } from "./testing.ts";

/*
 * What one lesson page costs in SQL, counted at the drivers: the budget the
 * lesson-page bench depends on (bench/lesson-page.ts). The outline comes from
 * the per-version cache, access is asked of the policy on every request, the
 * student's enrolment and progress are one read, and the "last opened"
 * cursor is written only when it moves.
 */

let app: TestApp;
let built: BuiltCourse;

before(async () => {
  // A still clock: on a slow machine a second between two requests would otherwise let the settings copy
  // expire and count its refresh as the page's.
  app = await startTestApp({ clock: testClock() });
  built = await buildCourse(app.db, { perSection: 2 });
});
after(async () => app.stop());

const url = (lessonId: string) => `/learn/${built.course.slug}/${lessonId}`;
/** A statement that reads the member row by itself, not the session look-up that carries it. */
const readsMemberApart = (q: string) => /from "members"/.test(q) && !/from "sessions"/.test(q);
const writes = (qs: string[]) => qs.filter((q) => /^(insert|update|delete|begin|commit|savepoint)/i.test(q));

describe("a lesson page's queries", () => {
  it("re-opening the last opened lesson reads at most 3 statements and writes nothing", async () => {
    const s = await student(app, built.offerId);
    const first = await s.client.get(url(built.lessons[1]!));
    assert.equal(first.status, 200, first.text.slice(0, 3000));
    let shown = "";
    const qs = await queriesOf(async () => {
      const res = await s.client.get(url(built.lessons[1]!));
      assert.equal(res.status, 200);
      shown = res.text;
    });
    assert.ok(shown.includes(built.marker), "the paid lesson is shown");
    assert.deepEqual(writes(qs), [], qs.join("\n"));
    // Session, the course with the student's enrolment and progress, and the policy's entitlements (kept
    // ACCESS_CACHE_MS per member, so not always). What the offer includes is the policy's per-process copy
    // (access/includes-cache.ts), re-read only when the access_changes counter moves.
    assert.ok(qs.length <= 3, `${qs.length} statements:\n${qs.join("\n")}`);
    assert.ok(!qs.some((q) => /offer_includes/.test(q)), qs.join("\n"));
    // Every section is open: no date in the student's zone to compute or show, so no member row of its own
    // (the session's look-up carries the member in the same statement).
    assert.ok(!qs.some(readsMemberApart), qs.join("\n"));
    // The access policy is still asked on every request (the outline cache holds no access decision):
    // revoked, the very next page is refused.
    const grants = await app.db.selectFrom("entitlements").select("source_id").where("member_id", "=", s.id).execute();
    for (const g of grants) await revokeSource(app.db, "manual", g.source_id, "refund");
    const refused = await s.client.get(url(built.lessons[1]!));
    assert.notEqual(refused.status, 200);
    assert.ok(!refused.text.includes(built.marker), "the paid lesson is no longer shown");
  });

  it("opening another lesson already opened moves the cursor with one UPDATE, and 'continue' follows it", async () => {
    const s = await student(app, built.offerId);
    await s.client.get(url(built.lessons[1]!));
    await s.client.get(url(built.lessons[2]!));
    const qs = await queriesOf(() => s.client.get(url(built.lessons[1]!)));
    assert.deepEqual(
      writes(qs).map((q) => q.split(" set ")[0]),
      ['update "course_enrolments"'],
      qs.join("\n"),
    );
    const e = await findEnrolment(app.db, built.course.id, s.id);
    assert.equal(e?.last_lesson_id, built.lessons[1]);
    assert.ok(e?.started_at);
    const home = await s.client.get(`/learn/${built.course.slug}`);
    assert.ok(home.text.includes(url(built.lessons[1]!)), "continue where I left off");
  });

  it("the outline is read once per course version: an edit shows on the next page, even within one instant", async () => {
    const s = await student(app, built.offerId);
    await s.client.get(url(built.lessons[1]!));
    const before = outlineCacheStats();
    await s.client.get(url(built.lessons[1]!));
    assert.equal(outlineCacheStats().hits, before.hits + 1);
    // Two saves in a row (the same millisecond, as with a fixed clock): the version, not a time, is the key.
    for (const title of ["Préparer le mur", "Préparer le mur (v2)"])
      await saveLesson(app.db, built.course.id, built.lessons[1]!, {
        title,
        sectionId: built.sections[0]!,
        body: `Contenu payant ${built.marker} ${title}`,
        freePreview: false,
        required: true,
      });
    const res = await s.client.get(url(built.lessons[1]!));
    assert.ok(res.text.includes("Préparer le mur (v2)"), "the edited title");
    // A new lesson is in the outline of the next page too.
    const added = await saveLesson(app.db, built.course.id, null, {
      title: "Leçon ajoutée",
      sectionId: built.sections[1]!,
      body: "Nouveau",
      freePreview: false,
      required: false,
    });
    assert.equal((await s.client.get(url(added))).status, 200);
  });

  it("a section that opens soon is dated in the student's zone: only then is their member row read", async () => {
    const dripped = await buildCourse(app.db, { perSection: 1, drip: { days: 1 } });
    const s = await student(app, dripped.offerId);
    const first = `/learn/${dripped.course.slug}/${dripped.lessons[0]}`;
    assert.equal((await s.client.get(first)).status, 200);
    let shown = "";
    const qs = await queriesOf(async () => {
      shown = (await s.client.get(first)).text;
    });
    assert.ok(qs.some(readsMemberApart), qs.join("\n"));
    const e = await findEnrolment(app.db, dripped.course.id, s.id);
    const zone = (await getMember(app.db, s.id))!.timeZone;
    const opens = unlockAt({ drip_kind: "after_days", drip_days: 1, drip_date: null }, e!.enrolled_at, zone);
    // Not UTC, so the date shown proves the zone was the student's (10:00 in Paris is 09:00 UTC).
    assert.notEqual(zone, "UTC");
    assert.ok(shown.includes(formatDateTime("fr", opens, zone)), `${formatDateTime("fr", opens, zone)} in ${zone}`);
  });

  it("the outline list escapes lesson titles (it is an html template, not JSX)", async () => {
    const s = await student(app, built.offerId);
    const title = `Murs "anciens" & <enduits> l'été`;
    await saveLesson(app.db, built.course.id, built.lessons[3]!, {
      title,
      sectionId: built.sections[1]!,
      body: "Corps",
      freePreview: false,
      required: true,
    });
    const res = await s.client.get(url(built.lessons[1]!));
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes("<enduits>"), "no raw markup from a title");
    assert.ok(
      res.text.includes("Murs &quot;anciens&quot; &amp; &lt;enduits&gt; l&#39;été"),
      "the escaped title in the list",
    );
    assert.ok(res.text.includes(`href="${url(built.lessons[3]!)}"`), "its link");
    assert.ok(res.text.includes(`href="${url(built.lessons[1]!)}" aria-current="page"`), "the current lesson marked");
  });
});
