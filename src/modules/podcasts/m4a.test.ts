import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import Parser from "rss-parser";
import sharp from "sharp";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { anonymousClient, multipart, ownerClient } from "../publishing/testing.ts";
import { makeEpisode, makeShow } from "./testing.ts";

/*
 * A real M4A (AAC in an MP4 container, 2 s of a 440 Hz tone made once with
 * ffmpeg and committed: fixtures/tone-2s.m4a, 7 KB) uploaded through the
 * creator's form: its duration is read from the file, and the feeds give it
 * as audio/mp4 with an .m4a URL and its exact length, read back by rss-parser
 * (xml2js), not the library that wrote it. Also: a JPEG cover is served as
 * .jpg in the feeds, and the sitemap lists public episodes only.
 */

const m4a = fs.readFileSync(path.join(import.meta.dirname, "fixtures/tone-2s.m4a"));
let app: TestApp;

before(async () => {
  app = await startTestApp();
});
after(async () => {
  await app?.stop();
});

test("a real M4A through the form: duration from the file, enclosure audio/mp4 .m4a with its exact length", async () => {
  const show = await makeShow(app, "Le Podcast en AAC");
  const owner = await ownerClient(app);
  await owner.get(`/admin/podcasts/${show.id}/episodes/new`);
  const res = await owner.request("POST", "/admin/podcasts/episode-save", {
    body: multipart(
      { _csrf: owner.csrf, showId: show.id, title: "La tonalité", notes: "Un la.", publish: "now", audience: "public" },
      { audio: { name: "la.m4a", type: "audio/x-m4a", bytes: new Uint8Array(m4a) } },
    ),
  });
  assert.equal(res.status, 303, res.text.slice(0, 300));
  const row = await app.db
    .selectFrom("podcast_episodes")
    .selectAll()
    .where("show_id", "=", show.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.audio_mime, "audio/mp4");
  assert.equal(row.audio_size, m4a.length);
  assert.ok(row.duration_s >= 1 && row.duration_s <= 3, `duration read by music-metadata: ${row.duration_s} s`);

  const feed = await anonymousClient(app).get(`/podcasts/${show.slug}/feed.xml`);
  assert.equal(feed.status, 200);
  const parsed = await new Parser({ customFields: { item: ["itunes:duration"] } }).parseString(feed.text);
  const item = parsed.items.find((i) => i.title === "La tonalité");
  assert.ok(item?.enclosure, "the episode is in the public feed");
  assert.equal(item.enclosure.type, "audio/mp4");
  assert.match(item.enclosure.url, /\.m4a$/);
  assert.equal(Number(item.enclosure.length), m4a.length);
  const audio = await fetch(item.enclosure.url.replace(/^https?:\/\/[^/]+/, app.url));
  assert.equal(audio.status, 200);
  assert.equal(audio.headers.get("content-type"), "audio/mp4");
  assert.ok(Buffer.from(await audio.arrayBuffer()).equals(m4a), "the same bytes back");
});

test("a JPEG cover is given as .jpg in the feed and served as image/jpeg", async () => {
  const jpeg = await sharp({ create: { width: 1400, height: 1400, channels: 3, background: "#3c64c8" } })
    .jpeg()
    .toBuffer();
  const show = await makeShow(app, "Le Podcast en JPEG");
  const owner = await ownerClient(app);
  await owner.get(`/admin/podcasts/${show.id}`);
  const saved = await owner.request("POST", "/admin/podcasts/show-save", {
    body: multipart(
      {
        _csrf: owner.csrf,
        id: show.id,
        title: "Le Podcast en JPEG",
        description: "Un podcast.",
        author: "Claire",
        language: "fr",
        categories: "Arts",
        ownerEmail: "podcast@atelier.test",
        shareLimit: "5",
      },
      { cover: { name: "c.png", type: "image/png", bytes: new Uint8Array(jpeg) } },
    ),
  });
  assert.equal(saved.status, 303, saved.text.slice(0, 300));
  const feed = await anonymousClient(app).get(`/podcasts/${show.slug}/feed.xml`);
  const parsed = await new Parser().parseString(feed.text);
  assert.match(parsed.image?.url ?? "", /\/podcasts\/cover\/[0-9a-f-]{36}\.jpg$/);
  const img = await fetch(parsed.image!.url!.replace(/^https?:\/\/[^/]+/, app.url));
  assert.equal(img.headers.get("content-type"), "image/jpeg");
  await img.arrayBuffer();
});

test("sitemap: the show page and its public episodes, never a paid one", async () => {
  const show = await makeShow(app, "Le Podcast du plan du site");
  await makeEpisode(app, show.id, { title: "Ouvert à tous", audience: "public" });
  await makeEpisode(app, show.id, { title: "SECRETPAID réservé", audience: "paid" });
  const res = await anonymousClient(app).get("/sitemap.xml");
  assert.equal(res.status, 200);
  assert.ok(res.text.includes(`/podcasts/${show.slug}</loc>`), "the show page");
  assert.ok(res.text.includes(`/podcasts/${show.slug}/ouvert-a-tous</loc>`), "the public episode");
  assert.ok(!/secretpaid/i.test(res.text), "no paid episode");
});
