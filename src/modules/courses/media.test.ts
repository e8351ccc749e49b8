import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { connectRaw, leftovers, multipartStart, postHead, waitFor } from "../../../test/support/raw-http.ts";
import { revokeSource } from "../access/index.ts";
import { anonymousClient, memberWithSession, multipart, ownerClient, type PubClient } from "../publishing/testing.ts";
import { mediaUrl } from "./media.ts";
import { buildCourse, student, type BuiltCourse } from "./testing.ts";
import { COURSE_UPLOAD_PATH, uploadLimits } from "./uploads.ts";

let app: TestApp;
let built: BuiltCourse;
let owner: PubClient;

before(async () => {
  app = await startTestApp();
  built = await buildCourse(app.db);
  owner = await ownerClient(app);
  await owner.get(`/admin/courses/${built.course.id}/lessons/${built.lessons[1]}`);
});
after(async () => app.stop());

/** Bytes that look like an MP4 (an ISO media "ftyp" box) followed by 64 KiB of data. */
const mp4 = () => {
  const b = new Uint8Array(65_536 + 16);
  b.set([0, 0, 0, 0x18], 0);
  b.set(Buffer.from("ftypisom"), 4);
  for (let i = 16; i < b.length; i++) b[i] = i % 251;
  return b;
};
const pdf = () => new Uint8Array(Buffer.from("%PDF-1.4\n% fiche\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"));

function upload(kind: string, lessonId: string, file: { name: string; type: string; bytes: Uint8Array }) {
  return owner.request("POST", `${COURSE_UPLOAD_PATH}?lesson=${lessonId}&kind=${kind}`, {
    body: multipart({ _csrf: owner.csrf }, { file }),
  });
}

const fileRows = async () => (await app.db.selectFrom("files").select("id").execute()).length;
function filesOnDisk(): string[] {
  const dir = path.join(app.running.services.config.filesDir, "courses");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

describe("lesson uploads", () => {
  it("refuses the wrong type and the too large with a translated 4xx, leaving no row and no file behind", async () => {
    const rows = await fileRows();
    const disk = filesOnDisk().length;
    let res = await upload("video", built.lessons[1]!, { name: "film.mp4", type: "video/mp4", bytes: pdf() });
    assert.equal(res.status, 415);
    assert.match(res.text, /Choisissez une vidéo MP4 ou WebM/);
    const saved = uploadLimits.attachment;
    uploadLimits.attachment = 1024;
    try {
      res = await upload("attachment", built.lessons[1]!, { name: "gros.pdf", type: "application/pdf", bytes: mp4() });
      assert.equal(res.status, 413);
    } finally {
      uploadLimits.attachment = saved;
    }
    res = await upload("attachment", built.lessons[1]!, {
      name: "binaire.bin",
      type: "application/pdf",
      bytes: new Uint8Array([0, 1, 2, 3, 0, 0, 9]),
    });
    assert.equal(res.status, 415);
    assert.equal(await fileRows(), rows);
    assert.equal(filesOnDisk().filter((f) => f.endsWith(".tmp")).length, 0);
    assert.equal(filesOnDisk().length, disk);
  });

  it("a student gets the video with byte ranges (206) and the attachment; others get 0 successes; a refund closes the URLs", async () => {
    assert.equal(
      (await upload("video", built.lessons[1]!, { name: "film.mp4", type: "video/mp4", bytes: mp4() })).status,
      303,
    );
    assert.equal(
      (
        await upload("attachment", built.lessons[1]!, {
          name: "Fiche matériel.pdf",
          type: "application/pdf",
          bytes: pdf(),
        })
      ).status,
      303,
    );
    const s = await student(app, built.offerId);
    const page = await s.client.get(`/learn/${built.course.slug}/${built.lessons[1]}`);
    assert.equal(page.status, 200);
    const videoUrl = /<video[^>]+src="([^"]+)"/.exec(page.text)![1]!.replaceAll("&amp;", "&");
    const fileUrl = /href="(\/course-media\/[^"]+)" download/.exec(page.text)![1]!.replaceAll("&amp;", "&");
    assert.match(page.text, /Fiche matériel\.pdf/);

    let res = await fetch(app.url + videoUrl, { headers: { range: "bytes=0-9" } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get("accept-ranges"), "bytes");
    assert.equal(res.headers.get("content-range"), `bytes 0-9/${mp4().length}`);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), mp4().subarray(0, 10));
    res = await fetch(app.url + videoUrl, { headers: { range: "bytes=65000-" } });
    assert.equal(res.status, 206);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), mp4().subarray(65000));
    res = await fetch(app.url + videoUrl, { headers: { range: "bytes=999999-" } });
    assert.equal(res.status, 416);
    await res.arrayBuffer();
    res = await fetch(app.url + fileUrl);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-disposition") ?? "", /attachment/);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), pdf());

    // The wrong people: another course's student, a free member, anonymous; forged and expired links.
    const other = await buildCourse(app.db);
    const outsider = await student(app, other.offerId);
    const free = await memberWithSession(app);
    const secret = app.running.services.secret;
    const lesson = await app.db
      .selectFrom("course_lessons")
      .select("video_file_id")
      .where("id", "=", built.lessons[1]!)
      .executeTakeFirstOrThrow();
    const fileId = lesson.video_file_id!;
    const attempts = [
      mediaUrl(secret, fileId, outsider.id),
      mediaUrl(secret, fileId, free.id),
      mediaUrl(secret, fileId, "anon"),
      mediaUrl(secret, fileId, "staff"),
      videoUrl.replace(/v=[^&]+/, `v=${outsider.id}`),
      mediaUrl(secret, fileId, s.id, Date.now() - 7 * 60 * 60 * 1000),
      `/course-media/${fileId}`,
    ];
    let successes = 0;
    for (const url of attempts) {
      for (const client of [outsider.client, free.client, anonymousClient(app)]) {
        const r = await client.get(url);
        if (r.status < 400) successes++;
      }
    }
    assert.equal(successes, 0);

    // A refund (the grant revoked) closes the URL the student already holds.
    const grant = await app.db
      .selectFrom("entitlements")
      .select(["source_kind", "source_id"])
      .where("member_id", "=", s.id)
      .executeTakeFirstOrThrow();
    await revokeSource(app.db, grant.source_kind, grant.source_id, "refund");
    res = await fetch(app.url + videoUrl, { headers: { range: "bytes=0-9" } });
    assert.equal(res.status, 403);
    await res.arrayBuffer();
    assert.equal((await s.client.get(`/learn/${built.course.slug}/${built.lessons[1]}`)).status, 403);
  });
});

describe("streamed lesson uploads", () => {
  /** Opens a chunked multipart upload (no Content-Length: only the reader's counting can stop it). */
  async function chunkedUpload(kind: string) {
    const raw = await connectRaw(app.url);
    let answered = false;
    raw.socket.on("data", () => (answered = true));
    raw.write(
      postHead(app.url, `${COURSE_UPLOAD_PATH}?lesson=${built.lessons[1]}&kind=${kind}`, {
        "Content-Type": "multipart/form-data; boundary=bnd",
        "Transfer-Encoding": "chunked",
        Cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        "X-CSRF-Token": owner.csrf,
      }),
    );
    const chunk = (b: Uint8Array) =>
      raw.write(Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from("\r\n")]));
    chunk(Buffer.from(multipartStart("bnd", {}, "file")));
    return { raw, chunk, answered: () => answered || raw.socket.destroyed };
  }

  it("a 2 GB 'PDF' attachment stops at the attachment limit, not the path's (video) limit", async () => {
    const rows = await fileRows();
    const saved = uploadLimits.attachment;
    uploadLimits.attachment = 4 * 1024 * 1024;
    try {
      const up = await chunkedUpload("attachment");
      up.chunk(pdf());
      const mb = new Uint8Array(1024 * 1024).fill(0x20);
      let sent = 0;
      // Sends until the server answers (at most 64 MB: far below the 2 GB the path takes).
      while (!up.answered() && sent < 64) {
        up.chunk(mb);
        sent++;
        // Wait for room to write, or for the answer (a server that stopped reading never drains).
        if (up.raw.socket.writableNeedDrain)
          await new Promise<void>((r) => {
            up.raw.socket.once("drain", r);
            up.raw.socket.once("data", r);
            up.raw.socket.once("close", r);
          });
      }
      const answer = await up.raw.answer(5000);
      up.raw.destroy();
      assert.equal(answer.status, 413);
      assert.match(answer.text, /4 Mo/);
      assert.ok(sent < 32, `stopped near its 4 MB limit (${sent} MB sent)`);
    } finally {
      uploadLimits.attachment = saved;
    }
    await waitFor("uploads cleaned", () => leftovers(app.running.services.config.filesDir).length === 0);
    assert.equal(await fileRows(), rows);
  });

  it("a PDF streamed as a video is refused on its first bytes (415), before the rest is sent", async () => {
    const rows = await fileRows();
    const up = await chunkedUpload("video");
    up.chunk(new Uint8Array(Buffer.concat([Buffer.from(pdf()), Buffer.alloc(8192, 0x20)])));
    const answer = await up.raw.answer(5000);
    up.raw.destroy();
    assert.equal(answer.status, 415);
    assert.match(answer.text, /Choisissez une vidéo MP4 ou WebM/);
    await waitFor("uploads cleaned", () => leftovers(app.running.services.config.filesDir).length === 0);
    assert.equal(await fileRows(), rows);
  });
});
