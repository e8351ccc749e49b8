import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import Parser from "rss-parser";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { contentChanged } from "./service.ts";
import { anonymousClient, makePost } from "./testing.ts";

/*
 * /rss.xml and /sitemap.xml: built with xmlbuilder2 (valid XML whatever the
 * authors type), kept by the page cache like public pages, and answering
 * conditional requests with 304 (feed readers and crawlers poll).
 */

let app: TestApp;
before(async () => {
  app = await startTestApp();
  await makePost(app.db, { title: "Premier carnet", body: "Texte ouvert.", tags: "terre" });
  // Markup in what authors type.
  await makePost(app.db, { title: "Émaux <b>&</b> « bruts »", body: "Cuisson & <script>x</script>." });
});
after(async () => {
  await app?.stop();
});

for (const [path, type] of [
  ["/rss.xml", /application\/rss\+xml/],
  ["/sitemap.xml", /application\/xml/],
] as const) {
  test(`${path}: ETag and Last-Modified, 304 on If-None-Match and If-Modified-Since, a new post changes both`, async () => {
    const client = anonymousClient(app);
    const first = await client.get(path);
    assert.equal(first.status, 200);
    assert.match(first.headers.get("content-type") ?? "", type);
    const etag = first.headers.get("etag");
    const lastModified = first.headers.get("last-modified");
    assert.ok(etag, "an ETag");
    assert.ok(lastModified && !Number.isNaN(Date.parse(lastModified)), "a Last-Modified date");
    const byTag = await client.get(path, { "if-none-match": etag });
    assert.equal(byTag.status, 304);
    assert.equal(byTag.text, "");
    assert.equal(byTag.headers.get("etag"), etag);
    const byDate = await client.get(path, { "if-modified-since": lastModified });
    assert.equal(byDate.status, 304);
    const before = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    assert.equal((await client.get(path, { "if-modified-since": before })).status, 200);
    // The route answers conditionally too, when the cache does not (a query string skips it).
    assert.equal((await client.get(`${path}?poll=1`, { "if-none-match": etag })).status, 304);

    await new Promise((r) => setTimeout(r, 1100)); // Last-Modified has one-second precision.
    await makePost(app.db, { title: `Nouveau ${path}`, body: "Encore." });
    contentChanged();
    const changed = await client.get(path, { "if-none-match": etag });
    assert.equal(changed.status, 200, "a changed feed is sent in full");
    assert.notEqual(changed.headers.get("etag"), etag);
    assert.ok(Date.parse(changed.headers.get("last-modified")!) > Date.parse(lastModified));
    assert.equal((await client.get(path, { "if-modified-since": lastModified })).status, 200);
  });
}

test("feeds are served from the page cache like public pages, never to a session cookie", async () => {
  const pc = app.running.pageCache!;
  const client = anonymousClient(app);
  for (const path of ["/rss.xml", "/sitemap.xml"]) {
    pc.clear();
    const first = await client.get(path);
    const hits = pc.hits;
    const again = await client.get(path);
    assert.equal(pc.hits, hits + 1, `${path} was a hit`);
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get("etag"), first.headers.get("etag"));
    await client.get(path, { cookie: "atl_m=whatever" });
    assert.equal(pc.hits, hits + 1, "a session cookie is never answered from the cache");
  }
});

test("the RSS stays valid XML with markup in titles and bodies", async () => {
  const res = await anonymousClient(app).get("/rss.xml");
  const feed = await new Parser().parseString(res.text);
  const titles = feed.items.map((i) => i.title);
  assert.ok(titles.includes("Émaux <b>&</b> « bruts »"), JSON.stringify(titles));
  assert.ok(!res.text.includes("<script>"));
  const post = feed.items.find((i) => i.title === "Premier carnet")!;
  assert.deepEqual(post.categories, ["terre"]);
  assert.match(String(post["content:encoded"]), /Texte ouvert/);
  const sitemap = await anonymousClient(app).get("/sitemap.xml");
  assert.match(sitemap.text, /^<\?xml version="1.0" encoding="UTF-8"\?><urlset xmlns="http:\/\/www.sitemaps.org/);
  assert.match(sitemap.text, /<loc>[^<]+\/tag\/terre<\/loc>/);
});
