import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { connectRaw, leftovers, multipartStart, postHead, waitFor } from "../../../test/support/raw-http.ts";
import { ownerClient, type PubClient } from "../publishing/testing.ts";
import { silentMp3 } from "./audio.ts";
import { coverBytes, makeShow } from "./testing.ts";

/*
 * Streamed uploads refused early: the body reader shows a file's first bytes
 * to the route's rule before writing any of it, so a renamed PNG announced as
 * a 400 MB episode is answered 415 while its body is still coming, and a
 * client that vanishes mid-upload leaves nothing behind.
 */

let app: TestApp;
let owner: PubClient;
let show: { id: string; slug: string };

before(async () => {
  app = await startTestApp();
  show = await makeShow(app, "Le Podcast des envois");
  owner = await ownerClient(app);
  await owner.get(`/admin/podcasts/${show.id}/episodes/new`);
});
after(async () => {
  await app?.stop();
});

const fileRows = async () => (await app.db.selectFrom("files").select("id").execute()).length;
const episodeRows = async () => (await app.db.selectFrom("podcast_episodes").select("id").execute()).length;

async function startUpload(path: string, field: string, announced: number, extra: Record<string, string> = {}) {
  const raw = await connectRaw(app.url);
  raw.write(
    postHead(app.url, path, {
      "Content-Type": "multipart/form-data; boundary=bnd",
      "Content-Length": String(announced),
      Cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      "X-CSRF-Token": owner.csrf,
      ...extra,
    }),
  );
  raw.write(multipartStart("bnd", { showId: show.id, title: "Envoi", publish: "now" }, field));
  return raw;
}

test("a renamed PNG streamed as a 400 MB episode: 415 on its first bytes, translated, connection closed, nothing kept", async () => {
  const before = { files: await fileRows(), episodes: await episodeRows() };
  const png = await coverBytes(64);
  for (const [lang, text] of [
    ["fr", /ni un MP3 ni un M4A|MP3/],
    ["en", /neither an MP3 nor an M4A/],
  ] as const) {
    const raw = await startUpload("/admin/podcasts/episode-save", "audio", 400 * 1024 * 1024, {
      "Accept-Language": lang,
    });
    raw.write(png);
    // Only the first bytes were sent: an answer now means the rest was never waited for.
    const answer = await raw.answer(5000);
    raw.destroy();
    assert.equal(answer.status, 415, `answered before the body (${lang})`);
    assert.match(answer.text, text);
    assert.equal(answer.closed, true, "the server closes: the rest of the body is not read");
  }
  await waitFor("uploads cleaned", () => leftovers(app.running.services.config.filesDir).length === 0);
  assert.deepEqual({ files: await fileRows(), episodes: await episodeRows() }, before);
  assert.equal((await fetch(`${app.url}/healthz`)).status, 200);
});

test("a WAV episode and a WAV cover are refused on their first bytes, translated", async () => {
  const wav = Buffer.alloc(4096);
  wav.write("RIFF", 0);
  wav.write("WAVE", 8);
  const ep = await startUpload("/admin/podcasts/episode-save", "audio", 300 * 1024 * 1024);
  ep.write(wav);
  const a = await ep.answer(5000);
  ep.destroy();
  assert.equal(a.status, 415);
  assert.match(a.text, /WAV/);

  const cover = await startUpload("/admin/podcasts/show-save", "cover", 8 * 1024 * 1024);
  cover.write(wav);
  const b = await cover.answer(5000);
  cover.destroy();
  assert.equal(b.status, 415);
  assert.match(b.text, /JPEG ou PNG/);
  await waitFor("uploads cleaned", () => leftovers(app.running.services.config.filesDir).length === 0);
});

test("a client that vanishes in the middle of a good MP3 leaves no file, no row, no temporary file", async () => {
  const before = { files: await fileRows(), episodes: await episodeRows() };
  const mp3 = silentMp3(30);
  const raw = await startUpload("/admin/podcasts/episode-save", "audio", mp3.length * 4);
  raw.write(mp3.subarray(0, Math.floor(mp3.length / 2)));
  // The gate has let the bytes through (the head was an MP3): some are on disk when the client goes.
  await waitFor("part of the file received", () => leftovers(app.running.services.config.filesDir).length > 0);
  raw.destroy();
  await waitFor("uploads cleaned", () => leftovers(app.running.services.config.filesDir).length === 0);
  assert.deepEqual({ files: await fileRows(), episodes: await episodeRows() }, before);
  assert.equal((await fetch(`${app.url}/healthz`)).status, 200);
});
