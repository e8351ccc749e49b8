import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { parseFeed } from "podcast-partytime";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { testClock } from "../../platform/time.ts";
import { seedOffersDemo } from "../offers/index.ts";
import { anonymousClient, createTier, memberWithSession, ownerClient } from "../publishing/testing.ts";
import { DateTime } from "luxon";
import { seedPodcastsDemo } from "./demo.ts";
import { makeEpisode, makeShow, subscribe } from "./testing.ts";

/*
 * The listener's pages and the canary crawl: a paid episode's title, notes
 * and transcript appear on no public surface (feeds, sitemap, pages, meta
 * tags), while a paying member gets them with a player that resumes.
 */

let app: TestApp;
const clock = testClock(Date.now() - 5 * 60_000);
let show: { id: string; slug: string };
let tierId: string;
let paid: { id: string };
const CANARY = "CANARYPOD";

before(async () => {
  app = await startTestApp({ clock });
  tierId = await createTier(app.db, "Cercle");
  show = await makeShow(app, "Carnets sonores");
  await makeEpisode(app, show.id, { title: "Un épisode ouvert", notes: "Des notes **ouvertes**." });
  paid = await makeEpisode(app, show.id, {
    title: `${CANARY}-title`,
    notes: `${CANARY}-notes`,
    audience: "offers",
    offers: [tierId],
    transcript: `1\n00:00:00,000 --> 00:00:02,000\n${CANARY}-transcript\n`,
  });
});
after(async () => {
  await app?.stop();
});

test("canary crawl: no paid title, notes or transcript on any public surface", async () => {
  const c = anonymousClient(app);
  const pages = [
    "/",
    "/podcasts",
    `/podcasts/${show.slug}`,
    `/podcasts/${show.slug}/feed.xml`,
    "/sitemap.xml",
    "/rss.xml",
  ];
  const showPage = await c.get(`/podcasts/${show.slug}`);
  for (const m of showPage.text.matchAll(/href="(\/podcasts\/[^"]+)"/g)) pages.push(m[1]!);
  pages.push(`/podcasts/x/${paid.id}.srt`, `/podcasts/media/${paid.id}.mp3`);
  let crawled = 0;
  for (const p of new Set(pages)) {
    const res = await c.get(p);
    crawled++;
    assert.ok(!res.text.includes(CANARY), `${p} leaks the paid episode (${res.status})`);
  }
  assert.ok(crawled >= 8);
  assert.match(showPage.text, /Épisode réservé aux membres/);
  const locked = await c.get(
    `/podcasts/${show.slug}/${(await app.db.selectFrom("podcast_episodes").select("slug").where("id", "=", paid.id).executeTakeFirstOrThrow()).slug}`,
  );
  assert.equal(locked.status, 200);
  assert.match(locked.text, /noindex/);
  // A free member is no better off.
  const free = await memberWithSession(app);
  assert.ok(!(await free.client.get(`/podcasts/${show.slug}`)).text.includes(CANARY));
});

test("a member of the tier gets the episode page with player, notes and transcript; the player resumes", async () => {
  const m = await memberWithSession(app, { locale: "en" });
  await subscribe(app, m.id, tierId);
  const list = await m.client.get(`/podcasts/${show.slug}`);
  assert.ok(list.text.includes(`${CANARY}-title`));
  const slug = (
    await app.db.selectFrom("podcast_episodes").select("slug").where("id", "=", paid.id).executeTakeFirstOrThrow()
  ).slug;
  const pagePath = `/podcasts/${show.slug}/${slug}`;
  const page = await m.client.get(pagePath);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(`${CANARY}-notes`) && page.text.includes(`${CANARY}-transcript`));
  assert.match(page.text, /<audio[^>]+data-episode=/);
  const save = await m.client.post("/podcasts/position", { episode: paid.id, position: "42" });
  assert.equal(save.status, 204);
  const again = await m.client.get(pagePath);
  assert.match(again.text, /data-position="42"/);
  // Someone else's position cannot be written for an episode they may not hear.
  const other = await memberWithSession(app);
  await other.client.get("/podcasts");
  assert.equal((await other.client.post("/podcasts/position", { episode: paid.id, position: "1" })).status, 404);
});

test("listen page: a visitor is asked to log in first", async () => {
  const anon = await anonymousClient(app).get(`/podcasts/${show.slug}/listen`);
  assert.equal(anon.status, 303);
  assert.match(anon.location ?? "", /^\/login\?next=/);
});

test("demo: a show in the creator's voice, a dozen episodes, public and paid, downloads and one alert; seeding twice adds nothing", async () => {
  await seedOffersDemo(app.db, { now: new Date() });
  const res = await seedPodcastsDemo(app.db, app.running.services.storage, {});
  assert.ok(res);
  assert.equal(res.episodeIds.length, 12);
  assert.equal(await seedPodcastsDemo(app.db, app.running.services.storage, {}), null);
  const feed = await anonymousClient(app).get("/podcasts/les-voix-de-l-atelier/feed.xml");
  const parsed = parseFeed(feed.text)!;
  assert.equal(parsed.items.length, 8, "the paid third of them stays out of the public feed");
  const media = await fetch(parsed.items[0]!.enclosure.url);
  assert.equal((await media.arrayBuffer()).byteLength, parsed.items[0]!.enclosure.length);
  assert.ok((await app.db.selectFrom("podcast_alerts").select("id").execute()).length >= 1);
  assert.ok((await app.db.selectFrom("podcast_downloads").select("id").execute()).length > 50);
});

test("scheduled episode: out of the feed and pages until its time comes on the clock", async () => {
  const at = DateTime.fromJSDate(clock.now(), { zone: "Europe/Paris" })
    .plus({ hours: 1 })
    .toFormat("yyyy-MM-dd'T'HH:mm");
  await makeEpisode(app, show.id, { title: "Programmé pour plus tard", publish: "at", publishAt: at });
  const c = anonymousClient(app);
  const titles = async () =>
    parseFeed((await c.get(`/podcasts/${show.slug}/feed.xml?t=${clock.now().getTime()}`)).text)!.items.map(
      (i) => i.title,
    );
  assert.ok(!(await titles()).includes("Programmé pour plus tard"));
  clock.advance(2 * 60 * 60 * 1000);
  assert.ok((await titles()).includes("Programmé pour plus tard"));
});

test("admin: the alert reads in plain words with its evidence; one click rotates and mails the member", async () => {
  const owner = await ownerClient(app);
  const page = await owner.get("/admin/podcasts");
  assert.equal(page.status, 200);
  assert.match(page.text, /lu depuis 7 réseaux et 4 applis en 24 h/);
  assert.match(page.text, /82\.64\.10\.0\/24/);
  const action = /action="(\/admin\/podcasts\/alerts\/[^"]+\/rotate)"/.exec(page.text)![1]!;
  const res = await owner.post(action);
  assert.equal(res.status, 303);
  const after = await owner.get("/admin/podcasts");
  assert.doesNotMatch(after.text, /lu depuis 7 réseaux/);
  const job = await app.db
    .selectFrom("jobs")
    .select("payload")
    .where("type", "=", "mail.send")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  assert.match(job.payload, /podcasts\.feed_rotated/);
  assert.doesNotMatch(job.payload, /podcasts\/feed\//, "no link in the job");
});
