import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { anonymousClient, memberWithSession, multipart, ownerClient, type PubClient } from "../publishing/testing.ts";
import { buildCourse, student, type BuiltCourse } from "./testing.ts";
import { COURSE_UPLOAD_PATH } from "./uploads.ts";

let app: TestApp;
let built: BuiltCourse;
let owner: PubClient;

before(async () => {
  app = await startTestApp();
  built = await buildCourse(app.db);
  owner = await ownerClient(app);
});
after(async () => app.stop());

const mp4 = () => {
  const b = new Uint8Array(4096);
  b.set([0, 0, 0, 0x18], 0);
  b.set(Buffer.from("ftypisom"), 4);
  return b;
};

async function lessonForm(lessonId: string, videoUrl: string) {
  const page = await owner.get(`/admin/courses/${built.course.id}/lessons/${lessonId}`);
  assert.equal(page.status, 200);
  return owner.post(`/admin/courses/${built.course.id}/lessons/${lessonId}`, {
    title: "Leçon avec vidéo",
    sectionId: built.sections[0]!,
    body: `Contenu payant ${built.marker}`,
    videoUrl,
    required: "on",
  });
}

describe("lesson videos", () => {
  it("an embed is kept only as a YouTube, Vimeo or PeerTube player, framed from that origin only", async () => {
    const lessonId = built.lessons[1]!;
    const bad = await lessonForm(lessonId, "https://evil.example/watch?v=dQw4w9WgXcQ");
    assert.equal(bad.status, 422);
    assert.match(bad.text, /Collez l’adresse d’une vidéo YouTube, Vimeo ou PeerTube/);
    const before = await app.db
      .selectFrom("course_lessons")
      .select(["video_url", "title"])
      .where("id", "=", lessonId)
      .executeTakeFirstOrThrow();
    assert.equal(before.video_url, "");
    assert.notEqual(before.title, "Leçon avec vidéo", "nothing half-stored");
    assert.equal((await lessonForm(lessonId, "https://vimeo.com/76979871")).status, 303);
    const s = await student(app, built.offerId);
    const page = await s.client.get(`/learn/${built.course.slug}/${lessonId}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<iframe[^>]+src="https:\/\/player\.vimeo\.com\/video\/76979871"/);
    assert.match(page.headers.get("content-security-policy") ?? "", /frame-src https:\/\/player\.vimeo\.com;/);
    const other = await s.client.get(`/learn/${built.course.slug}/${built.lessons[2]}`);
    assert.doesNotMatch(other.headers.get("content-security-policy") ?? "", /frame-src/);
  });

  it("the player resumes where the student stopped; nobody else can move their position", async () => {
    const lessonId = built.lessons[2]!;
    await owner.get(`/admin/courses/${built.course.id}/lessons/${lessonId}`);
    const up = await owner.request("POST", `${COURSE_UPLOAD_PATH}?lesson=${lessonId}&kind=video`, {
      body: multipart({ _csrf: owner.csrf }, { file: { name: "film.mp4", type: "video/mp4", bytes: mp4() } }),
    });
    assert.equal(up.status, 303);
    const s = await student(app, built.offerId);
    const path = `/learn/${built.course.slug}/${lessonId}`;
    let page = await s.client.get(path);
    assert.match(page.text, /data-position="0"/);
    assert.match(page.text, /course-player\.js/);
    assert.equal((await s.client.post(`${path}/position`, { position: "125" })).status, 204);
    assert.equal((await s.client.post(`${path}/position`, { position: "abc" })).status, 422);
    page = await s.client.get(path);
    assert.match(page.text, /data-position="125"/);
    assert.match(page.text, /data-resume-url="[^"]+\/position"/);

    // Another student, a member without the course, an anonymous visitor: no effect on this student's position.
    const other = await student(app, built.offerId);
    await other.client.get(path);
    assert.equal((await other.client.post(`${path}/position`, { position: "9" })).status, 204);
    const free = await memberWithSession(app);
    await free.client.get("/");
    assert.equal((await free.client.post(`${path}/position`, { position: "9" })).status, 403);
    const anon = anonymousClient(app);
    await anon.get("/");
    assert.equal((await anon.post(`${path}/position`, { position: "9" })).status, 401);
    assert.match((await s.client.get(path)).text, /data-position="125"/);
  });
});
