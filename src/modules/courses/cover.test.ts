import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ownerEmail, startTestApp, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { buildCourse } from "./testing.ts";

/**
 * A course's cover: uploaded from the course editor, served to anyone while
 * the course is published (home card, course page, og:image), a 404 while it
 * is a draft; a bad file gets a translated 422 and nothing is stored.
 */
let app: TestApp;
let owner: TestClient;

before(async () => {
  app = await startTestApp();
  const row = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  owner = app.client();
  owner.cookies.set("atl_s", (await createSession(app.db, "staff", row.id)).token);
});
after(() => app.stop());

const png = Uint8Array.from(
  Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "base64",
  ),
);

async function postCover(
  courseId: string,
  file?: { bytes: Uint8Array; type: string },
  extra: Record<string, string> = {},
) {
  await owner.get(`/admin/courses/${courseId}`);
  const fd = new FormData();
  fd.append("_csrf", owner.csrf);
  for (const [k, v] of Object.entries(extra)) fd.append(k, v);
  if (file) fd.append("cover", new Blob([Buffer.from(file.bytes)], { type: file.type }), "cover.png");
  return owner.request("POST", `/admin/course-cover?course=${courseId}`, { body: fd });
}

const coverOf = async (id: string) =>
  (await app.db.selectFrom("courses").select("cover_file_id").where("id", "=", id).executeTakeFirstOrThrow())
    .cover_file_id;
const fileCount = async () => (await app.db.selectFrom("files").select("id").execute()).length;

test("a published course's cover: on its home card and its page, served to anyone", async () => {
  const { course } = await buildCourse(app.db, { title: "Émailler chez soi" });
  assert.match((await owner.get(`/admin/courses/${course.id}`)).text, /Image de couverture/);
  const res = await postCover(course.id, { bytes: png, type: "image/png" });
  assert.equal(res.status, 303);
  const fileId = await coverOf(course.id);
  assert.ok(fileId);
  const img = await fetch(`${app.url}/course-covers/${fileId}`);
  assert.equal(img.status, 200);
  assert.equal(img.headers.get("content-type"), "image/png");
  assert.deepEqual(new Uint8Array(await img.arrayBuffer()), png);
  const home = (await app.client().get("/?c=1")).text;
  assert.match(home, new RegExp(`<img src="/course-covers/${fileId}"`));
  const page = (await app.client().get(`/courses/${course.slug}`)).text;
  assert.match(page, new RegExp(`class="course-page-cover" src="/course-covers/${fileId}"`));
  assert.match(page, new RegExp(`<meta property="og:image" content="http[^"]+/course-covers/${fileId}"`));
  // Replaced: the new image served, the old file gone once the change is committed.
  assert.equal((await postCover(course.id, { bytes: png, type: "image/png" })).status, 303);
  const next = await coverOf(course.id);
  assert.notEqual(next, fileId);
  assert.equal((await fetch(`${app.url}/course-covers/${fileId}`)).status, 404);
  assert.equal((await app.db.selectFrom("files").select("id").where("id", "=", fileId!).execute()).length, 0);
  // Removed: no image, no file.
  assert.equal((await postCover(course.id, undefined, { remove: "on" })).status, 303);
  assert.equal(await coverOf(course.id), null);
  assert.equal((await app.db.selectFrom("files").select("id").where("id", "=", next!).execute()).length, 0);
});

test("a draft course's cover is a 404 to visitors (its editor still sees it); an unknown one too", async () => {
  const { course } = await buildCourse(app.db, { title: "Brouillon secret" });
  assert.equal((await postCover(course.id, { bytes: png, type: "image/png" })).status, 303);
  const fileId = (await coverOf(course.id))!;
  await app.db.updateTable("courses").set({ status: "draft" }).where("id", "=", course.id).execute();
  assert.equal((await fetch(`${app.url}/course-covers/${fileId}`)).status, 404);
  assert.equal((await owner.get(`/course-covers/${fileId}`)).status, 200, "the creator previews it");
  assert.doesNotMatch((await app.client().get("/?c=2")).text, /Brouillon secret/);
  assert.equal((await fetch(`${app.url}/course-covers/nope`)).status, 404);
  assert.equal((await fetch(`${app.url}/course-covers/${"x".repeat(300)}`)).status, 404);
});

test("a bad cover: a translated 422, the course unchanged, nothing stored", async () => {
  const { course } = await buildCourse(app.db, { title: "Cours sans image" });
  const before = await fileCount();
  const big = new Uint8Array(6 * 1024 * 1024);
  big.set(png);
  const tooBig = await postCover(course.id, { bytes: big, type: "image/png" });
  assert.equal(tooBig.status, 422);
  assert.match(tooBig.text, /Le fichier dépasse 5 Mo\./);
  const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  const notImage = await postCover(course.id, { bytes: svg, type: "image/png" });
  assert.equal(notImage.status, 422);
  assert.match(notImage.text, /class="error"/);
  assert.equal(await coverOf(course.id), null);
  assert.equal(await fileCount(), before);
  // Someone else's (unknown) course: 404, not a 500.
  assert.equal((await postCover("not-a-course", { bytes: png, type: "image/png" })).status, 404);
  // Not staff: refused.
  const stranger = app.client();
  await stranger.get("/");
  const fd = new FormData();
  fd.append("_csrf", stranger.csrf);
  const res = await stranger.request("POST", `/admin/course-cover?course=${course.id}`, { body: fd });
  assert.ok(res.status === 401 || res.status === 303 || res.status === 403, String(res.status));
});
