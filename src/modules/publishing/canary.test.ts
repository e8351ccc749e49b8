import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import Parser from "rss-parser";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { setOfferIncludes } from "../offers/index.ts";
import { revokeEntitlement } from "../access/index.ts";
import { addComment } from "./comments.ts";
import type { PostRow } from "./service.ts";
import { anonymousClient, createTier, makePost, memberWithSession, ownerClient, type TestMember } from "./testing.ts";

/*
 * The paywall canary crawl (RELIABILITY.md, Access): every paid part carries a
 * unique marker; every public surface is crawled as an anonymous visitor and
 * as a free member and must never show one; the entitled member finds theirs.
 */

let app: TestApp;
let tier: string;
let otherTier: string;
let free: TestMember;
let paying: TestMember;
let otherPaying: TestMember;
const canaries = new Map<string, PostRow>();
const gated: PostRow[] = [];
const canaryPattern = /CANARY-[0-9a-z]+-[0-9a-z]+/g;

function canary(label: string): string {
  return `CANARY-${label}-${Math.random().toString(36).slice(2, 10)}`;
}

before(async () => {
  app = await startTestApp();
  tier = await createTier(app.db, "Cercle");
  otherTier = await createTier(app.db, "Mécènes");
  // "post:*" in an offer's includes never overrides a post's audience (chosen plans stay theirs).
  await setOfferIncludes(app.db, tier, [{ kind: "post", id: "*" }]);
  // Public posts, enough for two archive pages.
  for (let i = 0; i < 14; i++)
    await makePost(app.db, {
      title: `Carnet public ${i}`,
      body: `Texte ouvert ${i}.`,
      tags: i % 2 ? "carnet, terre" : "carnet",
    });
  const add = async (
    label: string,
    audience: "members" | "paid" | "offers",
    withMarker: boolean,
    action: "publish" | "save" = "publish",
    offers: string[] = [],
  ) => {
    const mark = canary(label);
    const body = withMarker
      ? `Un début que tout le monde peut lire (${label}).\n\n<!-- paywall -->\n\nLa suite : ${mark}\n\n![image](/post-media/00000000-0000-7000-8000-000000000000)`
      : `Tout est réservé : ${mark}`;
    const post = await makePost(
      app.db,
      {
        title: `Article ${label}`,
        excerpt: withMarker ? "" : `Chapeau public ${label}`,
        body,
        audience,
        offers,
        tags: "réservé, terre",
      },
      action,
      [tier, otherTier],
    );
    canaries.set(mark, post);
    if (action === "publish") gated.push(post);
  };
  await add("members", "members", true);
  await add("paid", "paid", true);
  await add("paidnomark", "paid", false);
  await add("tier", "offers", true, "publish", [tier]);
  await add("othertier", "offers", true, "publish", [otherTier]);
  await add("draft", "paid", true, "save");
  free = await memberWithSession(app, { name: "Libre" });
  paying = await memberWithSession(app, { tierId: tier, name: "Abonnée" });
  otherPaying = await memberWithSession(app, { tierId: otherTier, name: "Mécène" });
  // A comment on a paid post is part of what only its readers see.
  const paidPost = gated.find((p) => p.title === "Article paid")!;
  const commentMark = canary("comment");
  await addComment(app.db, paidPost.id, paying.id, `Merci ! ${commentMark}`);
  canaries.set(commentMark, paidPost);
});
after(async () => {
  await app?.stop();
});

/** Follows every same-site link from the entry points (pages, feeds, sitemap), skipping state changes. */
async function crawl(client: TestClient): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const queue = ["/", "/about", "/blog", "/rss.xml", "/sitemap.xml", "/pricing", ...gated.map((p) => `/p/${p.slug}`)];
  const base = app.url;
  while (queue.length && seen.size < 400) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    const res = await client.get(path);
    const headers: string[] = [];
    res.headers.forEach((v, k) => headers.push(`${k}: ${v}`));
    seen.set(path, `${res.status}\n${headers.join("\n")}\n${res.text}`);
    if (res.status >= 300 && res.status < 400 && res.location?.startsWith("/")) queue.push(res.location);
    const links = [
      ...res.text.matchAll(/(?:href|src|content)="([^"]+)"|<loc>([^<]+)<\/loc>|<link>([^<]+)<\/link>/g),
    ].map((m) => (m[1] ?? m[2] ?? m[3])!.replace(/&amp;/g, "&"));
    for (let link of links) {
      if (link.startsWith(base)) link = link.slice(base.length) || "/";
      if (!link.startsWith("/") || link.startsWith("//")) continue;
      link = link.split("#")[0]!;
      if (/^\/(admin|logout|lang|assets|theme\.css|media|post-media|checkout|dev)/.test(link)) continue;
      if (!seen.has(link)) queue.push(link);
    }
  }
  return seen;
}

/** Canaries found; `allowMembers` leaves out those of members-only posts (a free member may read them). */
function hits(pages: Map<string, string>, allowMembers = false): string[] {
  const out: string[] = [];
  for (const [path, text] of pages)
    for (const m of text.match(canaryPattern) ?? [])
      if (!(allowMembers && canaries.get(m)?.audience === "members")) out.push(`${path}: ${m}`);
  return out;
}

test("anonymous crawl of every public surface: 0 canaries", async () => {
  const pages = await crawl(anonymousClient(app));
  assert.ok(pages.size >= 30, `crawled only ${pages.size} pages`);
  for (const p of gated) assert.ok(pages.has(`/p/${p.slug}`));
  assert.ok(pages.has("/blog/page/2"), "archive pagination crawled");
  assert.ok(
    [...pages.keys()].some((k) => k.startsWith("/tag/")),
    "tag pages crawled",
  );
  assert.deepEqual(hits(pages), []);
  // The teaser and the call to join are there instead.
  const members = pages.get(`/p/${gated[0]!.slug}`)!;
  assert.match(members, /Un début que tout le monde peut lire/);
  assert.match(members, /href="\/join\?next=/);
});

test("free member crawl (pages, RSS, sitemap, comments): 0 canaries; admin previews as free: 0", async () => {
  const pages = await crawl(free.client);
  assert.ok(pages.size >= 30);
  assert.deepEqual(hits(pages, true), []);
  // Members-only posts are open to a free member.
  const membersPost = [...canaries.entries()].find(([, p]) => p.audience === "members")!;
  const page = await free.client.get(`/p/${membersPost[1].slug}`);
  assert.ok(page.text.includes(membersPost[0]), "a free member reads members-only posts");
  const paid = gated.find((p) => p.title === "Article paid")!;
  const upsell = await free.client.get(`/p/${paid.slug}`);
  assert.match(upsell.text, /href="\/pricing"/);
  assert.doesNotMatch(upsell.text, /Merci !/, "comments of a paid post stay with its readers");
  const owner = await ownerClient(app);
  for (const post of canaries.values()) {
    const preview = await owner.get(`/admin/posts/${post.id}/preview?as=free`);
    const leaks = (preview.text.match(canaryPattern) ?? []).filter((m) => canaries.get(m)?.audience !== "members");
    assert.deepEqual(leaks, [], `preview as free of ${post.title}`);
  }
});

test("the entitled member finds the paid part; the wrong tier does not; revoked access ends at once", async () => {
  for (const [mark, post] of canaries) {
    if (post.status !== "published") continue;
    const res = await paying.client.get(`/p/${post.slug}`);
    const entitled = post.audience !== "offers" || post.audience_offers.includes(tier);
    assert.equal(res.text.includes(mark), entitled, `${post.title} for the tier member`);
  }
  const other = gated.find((p) => p.title === "Article othertier")!;
  const mine = gated.find((p) => p.title === "Article tier")!;
  assert.ok((await otherPaying.client.get(`/p/${other.slug}`)).text.match(canaryPattern));
  assert.equal((await otherPaying.client.get(`/p/${mine.slug}`)).text.match(canaryPattern), null);
  // Drafts are never on the site, whoever asks.
  const draft = [...canaries.values()].find((p) => p.status === "draft")!;
  assert.equal((await paying.client.get(`/p/${draft.slug}`)).status, 404);
  // Revoke: the very next request shows the teaser only.
  const ent = await app.db
    .selectFrom("entitlements")
    .select("id")
    .where("member_id", "=", otherPaying.id)
    .executeTakeFirstOrThrow();
  assert.equal(await revokeEntitlement(app.db, otherPaying.id, ent.id, "refund"), true);
  assert.equal((await otherPaying.client.get(`/p/${other.slug}`)).text.match(canaryPattern), null);
  // The entitled member's visit did not leave a personal page in the anonymous cache.
  const anon = await anonymousClient(app).get(`/p/${mine.slug}`);
  assert.equal(anon.text.match(canaryPattern), null);
});

test("RSS 2.0 parses with rss-parser: teasers only, links and GUIDs, OpenGraph has no paid text", async () => {
  const res = await anonymousClient(app).get("/rss.xml");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/rss\+xml/);
  const feed = await new Parser().parseString(res.text);
  assert.equal(feed.items.length, 19);
  for (const item of feed.items) {
    assert.ok(item.link?.startsWith(`${app.url}/p/`));
    assert.ok(item.guid);
    assert.ok(item.pubDate);
    assert.equal(
      `${item.content ?? ""}${item["content:encoded"] ?? ""}${item.contentSnippet ?? ""}`.match(canaryPattern),
      null,
    );
  }
  const paid = feed.items.find((i) => i.title === "Article paid")!;
  assert.match(String(paid["content:encoded"]), /Un début que tout le monde peut lire/);
  assert.match(String(paid["content:encoded"]), /Lire la suite sur le site/);
  const home = await anonymousClient(app).get("/");
  assert.match(home.text, /<link rel="alternate" type="application\/rss\+xml" href="\/rss.xml"/);
  const post = await anonymousClient(app).get(`/p/${gated[1]!.slug}`);
  assert.match(post.text, /<meta property="og:title" content="Article paid"/);
  assert.match(post.text, /<meta name="twitter:card"/);
  const sitemap = await anonymousClient(app).get("/sitemap.xml");
  assert.match(sitemap.text, /<urlset/);
  assert.ok(sitemap.text.includes(`/p/${gated[0]!.slug}</loc>`));
  const draft = [...canaries.values()].find((p) => p.status === "draft")!;
  assert.ok(!sitemap.text.includes(draft.slug));
});
