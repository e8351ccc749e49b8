import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import Parser from "rss-parser";
import { parseFeed } from "podcast-partytime";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { testClock } from "../../platform/time.ts";
import { invalidateAccessCache } from "../access/index.ts";
import { anonymousClient, createTier, memberWithSession } from "../publishing/testing.ts";
import { feedPathIn, makeEpisode, makeShow, subscribe, unsubscribe } from "./testing.ts";

/*
 * Feeds: the public one (public episodes only) and the private one per
 * member, read by two independent parsers; validators and 304s; revocation
 * and renewal on the same URL; rotation; IDOR.
 */

let app: TestApp;
const clock = testClock(Date.now() - 5 * 60_000);
let show: { id: string; slug: string };
let tierId: string;
let publicEp: { id: string };
let paidEp: { id: string };
const PAID_TITLE = "CANARY-PAID-TITLE-7f3a";

before(async () => {
  // Behind the wall clock (HTTP dates must not be in the future); grants start in the past (see subscribe).
  app = await startTestApp({ clock });
  tierId = await createTier(app.db, "Cercle");
  show = await makeShow(app, "Les Voix de l’atelier");
  publicEp = await makeEpisode(app, show.id, { title: "Ouvert à tous", season: "1", number: "1" });
  paidEp = await makeEpisode(app, show.id, {
    title: PAID_TITLE,
    notes: "CANARY-PAID-NOTES",
    audience: "paid",
    season: "1",
    number: "2",
    transcript: "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nCANARY-PAID-TRANSCRIPT\n",
    chapters: JSON.stringify({ version: "1.2.0", chapters: [{ startTime: 0, title: "Début" }] }),
  });
});
after(async () => {
  await app?.stop();
});

const rss = new Parser({ customFields: { item: ["itunes:duration", "podcast:transcript"] } });

test("public feed: Apple's required tags, public episodes only, exact enclosure lengths, in both parsers", async () => {
  const res = await anonymousClient(app).get(`/podcasts/${show.slug}/feed.xml`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/rss\+xml/);
  assert.ok(!res.text.includes("CANARY"), "no paid title, notes or transcript in the public feed");
  for (const tag of [
    "<itunes:image",
    "<itunes:category",
    "<itunes:explicit>",
    "<language>",
    "<itunes:author>",
    "<podcast:guid>",
  ])
    assert.ok(res.text.includes(tag), `public feed has ${tag}`);
  assert.ok(!res.text.includes("itunes:block"), "the public feed is not blocked from directories");

  const a = await rss.parseString(res.text);
  assert.equal(a.title, "Les Voix de l’atelier");
  assert.equal(a.items.length, 1);
  const b = parseFeed(res.text);
  assert.ok(b, "partytime parses it");
  assert.equal(b.title, "Les Voix de l’atelier");
  assert.equal(b.items.length, 1);
  assert.equal(b.explicit, false);
  assert.ok(b.itunesImage || b.image, "cover art");
  assert.ok((b.itunesCategory ?? []).length > 0, "categories");
  const row = await app.db
    .selectFrom("podcast_episodes")
    .selectAll()
    .where("id", "=", publicEp.id)
    .executeTakeFirstOrThrow();
  const file = await app.db
    .selectFrom("files")
    .select("size")
    .where("id", "=", row.audio_file_id!)
    .executeTakeFirstOrThrow();
  assert.equal(b.items[0]!.enclosure.length, file.size);
  assert.equal(Number(a.items[0]!.enclosure!.length), file.size);
  assert.equal(b.items[0]!.guid, row.guid);
  // The enclosure is served with exactly that many bytes.
  const media = await fetch(b.items[0]!.enclosure.url);
  assert.equal(media.status, 200);
  assert.equal((await media.arrayBuffer()).byteLength, file.size);
});

test("public feed: ETag/If-None-Match and Last-Modified/If-Modified-Since → 304; GUIDs stable across an edit", async () => {
  const client = anonymousClient(app);
  const first = await client.get(`/podcasts/${show.slug}/feed.xml`);
  const etag = first.headers.get("etag")!;
  const lm = first.headers.get("last-modified")!;
  assert.equal((await client.get(`/podcasts/${show.slug}/feed.xml`, { "if-none-match": etag })).status, 304);
  assert.equal((await client.get(`/podcasts/${show.slug}/feed.xml`, { "if-modified-since": lm })).status, 304);
  const guid = parseFeed(first.text)!.items[0]!.guid;
  await makeEpisode(app, show.id, { id: publicEp.id, title: "Ouvert à tous (édité)" });
  const second = await client.get(`/podcasts/${show.slug}/feed.xml`, { "if-none-match": etag });
  assert.equal(second.status, 200, "an edit changes the ETag");
  const item = parseFeed(second.text)!.items[0]!;
  assert.equal(item.title, "Ouvert à tous (édité)");
  assert.equal(item.guid, guid, "the GUID did not change");
});

test("private feed: paid episodes for a paying member; cancel → public only + renew item, media 404; resubscribe → back on the same URL", async () => {
  const m = await memberWithSession(app);
  const sub = await subscribe(app, m.id, tierId);
  const page = await m.client.get(`/podcasts/${show.slug}/listen`);
  assert.equal(page.status, 200);
  for (const scheme of [
    "podcast://",
    "overcast://x-callback-url/add?url=",
    "pktc://subscribe/",
    "antennapod.org/deeplink/subscribe",
    "podcastaddict://",
    "<svg",
  ])
    assert.ok(page.text.includes(scheme), `listen page has ${scheme}`);
  const path = feedPathIn(page.text);
  const listener = anonymousClient(app);
  const full = await listener.get(path, { "user-agent": "Overcast/3.0" });
  assert.equal(full.status, 200);
  assert.ok(full.text.includes("<itunes:block>Yes</itunes:block>"));
  assert.ok(/<podcast:locked[^>]*>yes<\/podcast:locked>/.test(full.text));
  const feed = parseFeed(full.text)!;
  const a = await rss.parseString(full.text);
  assert.deepEqual(feed.items.map((i) => i.title).sort(), ["Ouvert à tous (édité)", PAID_TITLE].sort());
  assert.equal(a.items.length, 2);
  const paid = feed.items.find((i) => i.title === PAID_TITLE)!;
  assert.ok(paid.podcastTranscripts?.length, "podcast:transcript");
  assert.ok(paid.podcastChapters?.url, "podcast:chapters");
  assert.equal(paid.podcastSeason?.number, 1);
  assert.equal(paid.podcastEpisode?.number, 2);
  const mediaUrl = new URL(paid.enclosure.url);
  const got = await listener.get(mediaUrl.pathname, { range: "bytes=0-99" });
  assert.equal(got.status, 206);
  assert.equal((await listener.get(new URL(paid.podcastTranscripts![0]!.url).pathname)).status, 200);
  const etag = full.headers.get("etag")!;
  assert.equal((await listener.get(path, { "if-none-match": etag })).status, 304);

  await unsubscribe(app, sub, "canceled");
  invalidateAccessCache();
  const lapsed = await listener.get(path, { "if-none-match": etag });
  assert.equal(lapsed.status, 200, "the ETag moved");
  assert.ok(!lapsed.text.includes(PAID_TITLE) && !lapsed.text.includes("CANARY"));
  const lf = parseFeed(lapsed.text)!;
  assert.equal(lf.items.length, 2, "public episode + one renew item");
  assert.ok(lf.items.some((i) => i.guid === `atelier-renew-${show.id}`));
  assert.equal((await listener.get(mediaUrl.pathname)).status, 404, "paid media closed");
  assert.equal((await listener.get(new URL(paid.podcastTranscripts![0]!.url).pathname)).status, 404);
  const lm = lapsed.headers.get("last-modified")!;
  assert.equal((await listener.get(path, { "if-modified-since": lm })).status, 304);

  clock.advance(2000); // HTTP dates have a one-second grain
  await subscribe(app, m.id, tierId);
  invalidateAccessCache();
  const back = await listener.get(path, { "if-modified-since": lm });
  assert.equal(back.status, 200, "renewal moves Last-Modified too");
  assert.ok(back.text.includes(PAID_TITLE));
  assert.equal((await listener.get(mediaUrl.pathname, { range: "bytes=0-0" })).status, 206);
});

test("rotation: the old URL and its media stop at once, the new one works, the member is emailed the new link", async () => {
  const m = await memberWithSession(app);
  await subscribe(app, m.id, tierId);
  const oldPath = feedPathIn((await m.client.get(`/podcasts/${show.slug}/listen`)).text);
  const listener = anonymousClient(app);
  const oldFeed = parseFeed((await listener.get(oldPath)).text)!;
  const oldMedia = new URL(oldFeed.items.find((i) => i.title === PAID_TITLE)!.enclosure.url).pathname;
  assert.equal((await listener.get(oldMedia, { range: "bytes=0-0" })).status, 206);

  const reset = await m.client.post(`/podcasts/${show.slug}/listen/reset`);
  assert.equal(reset.status, 303);
  assert.equal((await listener.get(oldPath)).status, 404);
  assert.equal((await listener.get(oldMedia)).status, 404);
  const newPath = feedPathIn((await m.client.get(`/podcasts/${show.slug}/listen`)).text);
  assert.notEqual(newPath, oldPath);
  assert.equal((await listener.get(newPath)).status, 200);

  // Staff rotation from a shared-feed alert mails the new link, rendered at send time.
  const feed = await app.db
    .selectFrom("podcast_feeds")
    .selectAll()
    .where("member_id", "=", m.id)
    .executeTakeFirstOrThrow();
  const { runOperation } = await import("../../platform/operations.ts");
  const { systemActor } = await import("../../platform/actor.ts");
  const { rotateFeed } = await import("./sharing.ts");
  await runOperation(app.running.services, rotateFeed, systemActor("test"), { feedId: feed.id, reason: "staff" });
  const job = await app.db
    .selectFrom("jobs")
    .select("payload")
    .where("type", "=", "mail.send")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  assert.ok(!job.payload.includes(newPath.slice(15, 40)), "no token in the job payload");
  await app.drainJobs();
  const mail = await app.mail.waitFor((x) => x.subject?.includes("Les Voix") ?? false);
  const latest = feedPathIn((await m.client.get(`/podcasts/${show.slug}/listen`)).text);
  assert.ok((mail.text ?? "").includes(latest), "the email carries the current link");
  assert.equal((await listener.get(newPath)).status, 404);
  assert.equal((await listener.get(latest)).status, 200);
});

test("IDOR: another member's token cannot open an episode of another show, nor media without a token", async () => {
  const other = await makeShow(app, "Autre podcast");
  const otherPaid = await makeEpisode(app, other.id, { title: "Autre payant", audience: "paid" });
  const m = await memberWithSession(app);
  await subscribe(app, m.id, tierId);
  const path = feedPathIn((await m.client.get(`/podcasts/${show.slug}/listen`)).text);
  const token = /feed\/(.+)\.xml/.exec(path)![1]!;
  const c = anonymousClient(app);
  const flip = (t: string) => t.slice(0, -1) + (t.endsWith("A") ? "B" : "A");
  let successes = 0;
  for (const p of [
    `/podcasts/m/${token}/${otherPaid.id}.mp3`,
    `/podcasts/x/${token}/${otherPaid.id}.vtt`,
    `/podcasts/media/${paidEp.id}.mp3`,
    `/podcasts/x/${paidEp.id}.vtt`,
    `/podcasts/m/${flip(token)}/${paidEp.id}.mp3`,
    `/podcasts/feed/${flip(token)}.xml`,
    `/podcasts/m/../${paidEp.id}.mp3`,
  ]) {
    const res = await c.get(p);
    if (res.status < 400) successes++;
  }
  assert.equal(successes, 0);
  // The same member's web player reaches it through their session.
  assert.equal((await m.client.get(`/podcasts/media/${paidEp.id}.mp3`, { range: "bytes=0-0" })).status, 206);
});

for (const reason of ["refunded", "payment_failed"]) {
  test(`revocation (${reason}): paid episodes leave the private feed and their media answer 404`, async () => {
    const m = await memberWithSession(app);
    const sub = await subscribe(app, m.id, tierId);
    const path = feedPathIn((await m.client.get(`/podcasts/${show.slug}/listen`)).text);
    const c = anonymousClient(app);
    const feed = parseFeed((await c.get(path)).text)!;
    const media = new URL(feed.items.find((i) => i.title === PAID_TITLE)!.enclosure.url).pathname;
    assert.equal((await c.get(media, { range: "bytes=0-0" })).status, 206);
    await unsubscribe(app, sub, reason);
    const lapsed = await c.get(path);
    assert.ok(!lapsed.text.includes(PAID_TITLE));
    assert.equal((await c.get(media)).status, 404);
  });
}
