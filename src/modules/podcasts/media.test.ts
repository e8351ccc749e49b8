import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { parseFeed } from "podcast-partytime";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { connectRaw, leftovers, postHead, waitFor } from "../../../test/support/raw-http.ts";
import { testClock } from "../../platform/time.ts";
import { anonymousClient, createTier, memberWithSession, multipart, ownerClient } from "../publishing/testing.ts";
import { silentMp3, silentMp3OfSize } from "./audio.ts";
import { coverBytes, feedPathIn, makeEpisode, makeShow, subscribe } from "./testing.ts";

/*
 * Audio answers (byte ranges on a 50 MB file, HEAD, ETag), downloads counted
 * IAB-style, shared-feed detection through X-Forwarded-For, and refused
 * uploads (renamed PNG, WAV, broken audio, small cover) that keep nothing.
 */

let app: TestApp;
const clock = testClock(Date.now() - 5 * 60_000);
let show: { id: string; slug: string };
let tierId: string;

before(async () => {
  app = await startTestApp({ clock });
  tierId = await createTier(app.db, "Cercle");
  show = await makeShow(app, "Le Podcast des ranges");
});
after(async () => {
  await app?.stop();
});

test("a 50 MB episode: first byte, middle, suffix, past the end (416), HEAD, ETag → 304", async () => {
  const bytes = silentMp3OfSize(50 * 1024 * 1024);
  const ep = await makeEpisode(app, show.id, { title: "Long", audioBytes: bytes });
  const url = `${app.url}/podcasts/media/${ep.id}.mp3`;
  const size = bytes.length;
  const first = await fetch(url, { headers: { range: "bytes=0-0" } });
  assert.equal(first.status, 206);
  assert.equal(first.headers.get("content-range"), `bytes 0-0/${size}`);
  assert.deepEqual(new Uint8Array(await first.arrayBuffer()), new Uint8Array(bytes.subarray(0, 1)));
  const mid = await fetch(url, { headers: { range: "bytes=25000000-25000999" } });
  assert.equal(mid.status, 206);
  assert.equal(mid.headers.get("content-length"), "1000");
  assert.ok(Buffer.from(await mid.arrayBuffer()).equals(bytes.subarray(25_000_000, 25_001_000)));
  const suffix = await fetch(url, { headers: { range: "bytes=-500" } });
  assert.equal(suffix.status, 206);
  assert.ok(Buffer.from(await suffix.arrayBuffer()).equals(bytes.subarray(size - 500)));
  const past = await fetch(url, { headers: { range: `bytes=${size}-` } });
  assert.equal(past.status, 416);
  assert.equal(past.headers.get("content-range"), `bytes */${size}`);
  await past.arrayBuffer();
  const head = await fetch(url, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), String(size));
  assert.equal(head.headers.get("accept-ranges"), "bytes");
  const etag = head.headers.get("etag")!;
  assert.ok(etag);
  assert.equal((await fetch(url, { headers: { "if-none-match": etag } })).status, 304);
  const row = await app.db.selectFrom("podcast_episodes").selectAll().where("id", "=", ep.id).executeTakeFirstOrThrow();
  assert.equal(row.audio_size, size);
  assert.ok(row.duration_s > 3000, `duration read from the file (${row.duration_s} s)`);
});

test("downloads: one per address + user agent per 24 h; the member's first one is on their timeline", async () => {
  const m = await memberWithSession(app);
  await subscribe(app, m.id, tierId);
  const ep = await makeEpisode(app, show.id, { title: "Compté", audience: "paid" });
  const path = feedPathIn((await m.client.get(`/podcasts/${show.slug}/listen`)).text);
  const feed = parseFeed((await anonymousClient(app).get(path)).text)!;
  const media = new URL(feed.items.find((i) => i.title === "Compté")!.enclosure.url).pathname;
  const get = (ip: string, ua: string, range?: string) =>
    fetch(app.url + media, { headers: { "x-forwarded-for": ip, "user-agent": ua, ...(range ? { range } : {}) } }).then(
      (r) => r.arrayBuffer(),
    );
  await get("10.9.0.1", "Overcast/3.0");
  await get("10.9.0.1", "Overcast/3.0");
  await get("10.9.0.1", "Overcast/3.0", "bytes=100-200"); // a later range of the same play
  await get("10.9.0.2", "AntennaPod/3.4");
  const count = async () =>
    (await app.db.selectFrom("podcast_downloads").select("app").where("episode_id", "=", ep.id).execute()).map(
      (r) => r.app,
    );
  assert.deepEqual((await count()).sort(), ["AntennaPod", "Overcast"]);
  clock.advance(25 * 60 * 60 * 1000);
  await get("10.9.0.1", "Overcast/3.0");
  assert.equal((await count()).length, 3, "a new day, a new download");
  const events = await app.db
    .selectFrom("events")
    .select("type")
    .where("member_id", "=", m.id)
    .where("type", "=", "podcast.episode_listened")
    .execute();
  assert.equal(events.length, 1);
});

test("shared feed: more than 5 networks in 24 h is flagged with evidence; automatic rotation kills the old URL and mails the new one", async () => {
  const m = await memberWithSession(app);
  await subscribe(app, m.id, tierId);
  const path = feedPathIn((await m.client.get(`/podcasts/${show.slug}/listen`)).text);
  const fetchFrom = (ip: string, ua = "Overcast/3.0", p = path) =>
    fetch(app.url + p, { headers: { "x-forwarded-for": ip, "user-agent": ua } }).then((r) => r.status);
  // Several addresses of one /24 and one /48 are one household each.
  for (const ip of ["81.1.1.1", "81.1.1.2", "81.1.1.3", "2a01:cb00:10:1::1", "2a01:cb00:10:2::9"])
    assert.equal(await fetchFrom(ip), 200);
  for (const ip of ["82.2.2.2", "83.3.3.3", "84.4.4.4"]) await fetchFrom(ip);
  const alerts = () => app.db.selectFrom("podcast_alerts").selectAll().where("member_id", "=", m.id).execute();
  assert.equal((await alerts()).length, 0, "5 networks: not yet");
  await app.db.updateTable("podcast_shows").set({ auto_rotate: 1 }).where("id", "=", show.id).execute();
  await fetchFrom("85.5.5.5");
  const [alert] = await alerts();
  assert.ok(alert, "flagged");
  assert.equal(alert.networks, 6);
  const evidence = JSON.parse(alert.evidence) as { networks: string[] };
  assert.ok(evidence.networks.includes("81.1.1.0/24") && evidence.networks.includes("2a01:cb00:10::/48"));
  assert.equal(await fetchFrom("86.6.6.6"), 404, "rotated at once");
  await app.drainJobs();
  const mail = await app.mail.waitFor((x) => (x.to as { text?: string } | undefined)?.text?.includes(m.email) ?? false);
  const fresh = feedPathIn((await m.client.get(`/podcasts/${show.slug}/listen`)).text);
  assert.ok((mail.text ?? "").includes(fresh));
  clock.advance(1000);
  assert.equal(await fetchFrom("86.6.6.6", "Overcast/3.0", fresh), 200, "the new link works");
  assert.equal(await fetchFrom("87.7.7.7", "Overcast/3.0", fresh), 200, "and starts with a clean slate");
  await app.db.updateTable("podcast_shows").set({ auto_rotate: 0 }).where("id", "=", show.id).execute();
});

test("bad uploads: renamed PNG, WAV, broken MP3, 2 GB body, small cover → translated 4xx, nothing stored", async () => {
  const owner = await ownerClient(app);
  await owner.get(`/admin/podcasts/${show.id}/episodes/new`);
  const files = async () =>
    Number(
      (
        await app.db
          .selectFrom("files")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const episodes = async () => (await app.db.selectFrom("podcast_episodes").select("id").execute()).length;
  const before = { files: await files(), episodes: await episodes() };
  const send = (audio: { name: string; type: string; bytes: Uint8Array }) =>
    owner.request("POST", "/admin/podcasts/episode-save", {
      body: multipart({ _csrf: owner.csrf, showId: show.id, title: "Refusé", publish: "now" }, { audio }),
    });
  const png = await coverBytes(64);
  const renamed = await send({ name: "episode.mp3", type: "audio/mpeg", bytes: png });
  assert.equal(renamed.status, 415);
  assert.match(renamed.text, /MP3|M4A/);
  const wavHeader = Buffer.alloc(4096);
  wavHeader.write("RIFF", 0);
  wavHeader.write("WAVE", 8);
  const wav = await send({ name: "episode.wav", type: "audio/wav", bytes: wavHeader });
  assert.equal(wav.status, 415);
  assert.match(wav.text, /WAV/);
  const broken = Buffer.concat([Buffer.from("ID3\x04\x00\x00\x00\x00\x00\x10"), Buffer.alloc(2000, 0x41)]);
  const bad = await send({ name: "episode.mp3", type: "audio/mpeg", bytes: broken });
  assert.equal(bad.status, 422);
  // A 2 GB WAV announced by Content-Length is refused before its body is read.
  const raw = await connectRaw(app.url);
  raw.write(
    postHead(app.url, "/admin/podcasts/episode-save", {
      "Content-Type": "multipart/form-data; boundary=x",
      "Content-Length": String(2 * 1024 * 1024 * 1024),
      Cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      "X-CSRF-Token": owner.csrf,
    }),
  );
  raw.write(
    Buffer.concat([
      Buffer.from('--x\r\nContent-Disposition: form-data; name="audio"; filename="big.wav"\r\n\r\n'),
      wavHeader,
    ]),
  );
  const answer = await raw.answer(5000);
  raw.destroy();
  assert.equal(answer.status, 413);

  const small = await owner.request("POST", "/admin/podcasts/show-save", {
    body: multipart(
      {
        _csrf: owner.csrf,
        title: "Trop petit",
        description: "d",
        author: "a",
        language: "fr",
        categories: "Arts",
        ownerEmail: "a@b.fr",
      },
      { cover: { name: "c.png", type: "image/png", bytes: await coverBytes(600) } },
    ),
  });
  assert.equal(small.status, 422);
  assert.match(small.text, /1400/);
  const oblong = await owner.request("POST", "/admin/podcasts/show-save", {
    body: multipart(
      {
        _csrf: owner.csrf,
        title: "Pas carré",
        description: "d",
        author: "a",
        language: "fr",
        categories: "Arts",
        ownerEmail: "a@b.fr",
      },
      { cover: { name: "c.png", type: "image/png", bytes: await coverBytes(1400, 1500) } },
    ),
  });
  assert.equal(oblong.status, 422);
  await waitFor("uploads cleaned", () => leftovers(app.running.services.config.filesDir).length === 0);
  assert.deepEqual({ files: await files(), episodes: await episodes() }, before);

  // And a good one through the same form works.
  const ok = await send({ name: "ep.mp3", type: "application/octet-stream", bytes: silentMp3(2) });
  assert.equal(ok.status, 303);
  assert.equal(await episodes(), before.episodes + 1);
});
