import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import { seedDemo } from "./seed.ts";

/** `npm run demo`'s home page: portrait, cover, featured offers, latest posts and the product sections. */
let app: TestApp;
before(async () => {
  app = await startTestApp({ skipSetup: true });
});
after(() => app.stop());

test("the demo's home page sells: cover, portrait, offers, posts, course, coaching and podcast", async () => {
  const result = await seedDemo(app.db, { members: 60, storage: app.running.services.storage, now: new Date() });
  assert.equal(result.homeImages, true);
  const site = await getSiteSettings(app.db);
  assert.ok(site.coverFileId && site.portraitFileId);
  assert.match(site.membersWelcomeHtml, /<li>/);
  const res = await app.client().get("/", { "accept-language": "fr" });
  assert.equal(res.status, 200);
  const html = res.text;
  assert.match(html, new RegExp(`class="home-cover"><img src="/media/${site.coverFileId}"`));
  assert.match(html, new RegExp(`class="home-portrait" src="/media/${site.portraitFileId}"`));
  for (const key of ["offers", "posts", "courses", "coaching", "podcasts"])
    assert.match(html, new RegExp(`data-home-section="${key}"`), key);
  const cover = await fetch(`${app.url}/media/${site.coverFileId}`);
  assert.equal(cover.headers.get("content-type"), "image/jpeg");
  // Seeding again keeps the images it made (and any the creator chose).
  assert.equal((await seedDemo(app.db, { members: 0, storage: app.running.services.storage })).homeImages, false);
});
