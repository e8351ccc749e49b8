import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { publishDuePosts } from "./posts.ts";
import { findPostBySlug } from "./service.ts";
import { splitAtPaywall, renderBody, slugify } from "./content.ts";
import {
  anonymousClient,
  countRows,
  createTier,
  makePost,
  ownerClient,
  pngBytes,
  submitEditor,
  type PubClient,
} from "./testing.ts";

let app: TestApp;
let owner: PubClient;

before(async () => {
  app = await startTestApp();
  owner = await ownerClient(app);
});
after(async () => {
  await app?.stop();
});

const base = {
  title: "Le four à bois",
  slug: "",
  excerpt: "Une journée de cuisson.",
  body: "Intro publique.\n\n<!-- paywall -->\n\nLa suite réservée.",
  tags: "céramique, Atelier",
  audience: "paid",
  publishAt: "",
  commentsEnabled: "on",
};

test("paywall split: first marker outside code fences, both spellings, public posts have no paid part", () => {
  assert.deepEqual(splitAtPaywall("a\n<!-- paywall -->\nb"), { teaser: "a", paid: "b", hasMarker: true });
  assert.equal(splitAtPaywall("a\n  ---PAYWALL---  \nb").hasMarker, true);
  assert.equal(splitAtPaywall("```\n<!-- paywall -->\n```\nb").hasMarker, false);
  assert.equal(splitAtPaywall("a\n<!-- paywall -->\nb\n<!-- paywall -->\nc").paid, "b\nc");
  const gatedNoMarker = renderBody("tout est réservé", false);
  assert.equal(gatedNoMarker.teaserHtml, "");
  assert.match(gatedNoMarker.paidHtml, /tout est réservé/);
  const pub = renderBody("a\n\n<!-- paywall -->\n\nb", true);
  assert.equal(pub.paidHtml, "");
  assert.match(pub.teaserHtml, /<p>b<\/p>/);
  assert.equal(slugify("L’œuvre d’été : À bientôt !"), "loeuvre-dete-a-bientot");
});

test("owner creates a post: slug from the title, tags, paid part split, then edits it", async () => {
  await owner.get("/admin/posts/new");
  const res = await submitEditor(owner, { ...base, action: "save" });
  assert.equal(res.status, 303, res.text.slice(0, 500));
  const post = await findPostBySlug(app.db, "le-four-a-bois");
  assert.ok(post);
  assert.equal(post.status, "draft");
  assert.match(post.teaser_html, /Intro publique/);
  assert.doesNotMatch(post.teaser_html, /suite réservée/);
  assert.match(post.paid_html, /suite réservée/);
  const edit = await owner.get(`/admin/posts/${post.id}`);
  assert.equal(edit.status, 200);
  assert.match(edit.text, /value="céramique, Atelier"/);
  assert.match(edit.text, new RegExp(`/admin/newsletters/new\\?post=${post.id}`));
  // Edit: new title keeps the slug when the slug field is sent; publish.
  const upd = await submitEditor(owner, {
    ...base,
    id: post.id,
    title: "Le four à bois, suite",
    slug: "le-four-a-bois",
    tags: "céramique",
    action: "publish",
  });
  assert.equal(upd.status, 303);
  const after = await findPostBySlug(app.db, "le-four-a-bois");
  assert.equal(after?.title, "Le four à bois, suite");
  assert.equal(after?.status, "published");
  assert.ok(after?.published_at);
  // The unused tag "Atelier" is gone.
  assert.equal(
    await app.db.selectFrom("tags").select("id").where("slug", "=", "atelier").executeTakeFirst(),
    undefined,
  );
  const list = await owner.get("/admin/posts?status=published&q=four");
  assert.match(list.text, /Le four à bois, suite/);
  const none = await owner.get("/admin/posts?status=draft&q=four");
  assert.doesNotMatch(none.text, /Le four à bois, suite/);
});

test("bad input matrix: translated 422/409, nothing stored", async () => {
  await owner.get("/admin/posts/new");
  await makePost(app.db, { title: "Déjà là", slug: "deja-la" });
  const before = {
    posts: await countRows(app.db, "posts"),
    tags: await countRows(app.db, "tags"),
    files: await countRows(app.db, "files"),
  };
  const cases: [Record<string, string>, number, RegExp][] = [
    [{ title: "" }, 422, /Ce champ est obligatoire/],
    [{ title: "x".repeat(201) }, 422, /200 caractères au maximum/],
    [{ body: "y".repeat(200_001) }, 422, /200000 caractères au maximum|200 000/],
    [{ title: "a\u0000b" }, 422, /caractères non autorisés/],
    [{ title: "bidi \u202Eevil" }, 422, /caractères non autorisés/],
    [{ slug: "Mauvaise Adresse!" }, 422, /lettres minuscules/],
    [{ slug: "../etc/passwd" }, 422, /lettres minuscules/],
    [{ slug: "deja-la" }, 409, /utilise déjà cette adresse/],
    [{ tags: "🙂" }, 422, /au moins une lettre/],
    [{ tags: Array.from({ length: 11 }, (_, i) => `t${i}`).join(",") }, 422, /10 étiquettes/],
    [{ audience: "everyone" }, 422, /pas valide/],
    [{ audience: "offers" }, 422, /au moins une formule/],
    [{ publishAt: "2026-02-30T10:00" }, 422, /date et une heure valides/],
  ];
  for (const [patch, status, message] of cases) {
    const res = await submitEditor(owner, { ...base, title: "Titre valide", ...patch, action: "publish" });
    assert.equal(res.status, status, `${JSON.stringify(patch).slice(0, 80)} → ${res.status}`);
    assert.match(res.text, message, JSON.stringify(patch).slice(0, 80));
  }
  // HTML/script in the title is stored as text and escaped, never as markup.
  const html = await submitEditor(owner, {
    ...base,
    title: "<script>alert(1)</script> & <b>",
    slug: "html-title",
    action: "publish",
  });
  assert.equal(html.status, 303);
  const page = await anonymousClient(app).get("/p/html-title");
  assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &lt;b&gt;/);
  // A bad cover with a bad form stores nothing; a non-image cover is refused.
  const badCover = await submitEditor(
    owner,
    { ...base, title: "", action: "save" },
    { cover: { name: "c.png", type: "image/png", bytes: await pngBytes() } },
  );
  assert.equal(badCover.status, 422);
  const svg = await submitEditor(
    owner,
    { ...base, slug: "svg-cover", action: "save" },
    { cover: { name: "c.svg", type: "image/svg+xml", bytes: new TextEncoder().encode("<svg onload=alert(1)></svg>") } },
  );
  assert.equal(svg.status, 415);
  assert.match(svg.text, /PNG, JPEG, WebP ou GIF/);
  assert.equal(await countRows(app.db, "posts"), before.posts + 1, "only the HTML-title post was added");
  assert.equal(await countRows(app.db, "files"), before.files);
  assert.equal(await findPostBySlug(app.db, "svg-cover"), undefined);
  // Not a form at all.
  const json = await owner.request("POST", "/admin/posts/save", {
    body: "{}",
    headers: { "content-type": "application/json", "x-csrf-token": owner.csrf },
  });
  assert.equal(json.status, 415);
});

test("cover and inline images are resized, metadata dropped, served; no-JS upload page gives Markdown", async () => {
  await owner.get("/admin/posts/new");
  const big = await pngBytes(3000, 1000);
  const res = await submitEditor(
    owner,
    { ...base, title: "Avec couverture", action: "publish" },
    { cover: { name: "cover.png", type: "image/png", bytes: big } },
  );
  assert.equal(res.status, 303, res.text.slice(0, 300));
  const post = await findPostBySlug(app.db, "avec-couverture");
  assert.ok(post?.cover_file_id);
  const img = await anonymousClient(app).request("GET", `/post-media/${post.cover_file_id}`);
  assert.equal(img.status, 200);
  const sharp = (await import("sharp")).default;
  const file = await app.db
    .selectFrom("files")
    .selectAll()
    .where("id", "=", post.cover_file_id)
    .executeTakeFirstOrThrow();
  assert.equal(file.purpose, "post-cover");
  const fs = await import("node:fs");
  const path = await import("node:path");
  const meta = await sharp(fs.readFileSync(path.join(app.running.services.config.filesDir, file.path))).metadata();
  assert.equal(meta.width, 2000);

  await owner.get(`/admin/posts/${post.id}`);
  const fd = new FormData();
  fd.append("_csrf", owner.csrf);
  fd.append("image", new Blob([new Uint8Array(await pngBytes(2400, 800))], { type: "image/png" }), "atelier.png");
  const j = await owner.request("POST", "/admin/posts/images", { body: fd, headers: { accept: "application/json" } });
  assert.equal(j.status, 200);
  const body = JSON.parse(j.text) as { markdown: string; url: string };
  assert.match(body.markdown, /^!\[atelier\]\(\/post-media\/[0-9a-f-]{36}\)$/);
  const fd2 = new FormData();
  fd2.append("_csrf", owner.csrf);
  fd2.append("post", post.id);
  fd2.append("image", new Blob([new Uint8Array(await pngBytes())], { type: "image/png" }), "photo.png");
  const page = await owner.request("POST", "/admin/posts/images", { body: fd2 });
  assert.equal(page.status, 200);
  assert.match(page.text, /value="!\[photo\]\(\/post-media\//);
  // Live preview endpoint renders with the sanitiser.
  const r = await owner.post(
    "/admin/posts/render",
    { body: "**a** <script>x</script>\n\n<!-- paywall -->\n\nb", audience: "paid" },
    { accept: "application/json", "x-csrf-token": owner.csrf },
  );
  const rendered = JSON.parse(r.text) as { teaserHtml: string; paidHtml: string };
  assert.match(rendered.teaserHtml, /<strong>a<\/strong> &lt;script&gt;/);
  assert.equal(rendered.paidHtml, "<p>b</p>\n");
  // Files of other purposes (a member's upload, a logo...) are not served here.
  const other = await app.db
    .selectFrom("files")
    .select("id")
    .where("purpose", "not in", ["post-image", "post-cover"])
    .executeTakeFirst();
  if (other) assert.equal((await anonymousClient(app).get(`/post-media/${other.id}`)).status, 404);
  assert.equal((await anonymousClient(app).get("/post-media/not-an-id")).status, 404);
});

test("scheduling: a future date schedules, the recurring job publishes when due, once", async () => {
  await owner.get("/admin/posts/new");
  const future = new Date(Date.now() + 3 * 86_400_000);
  const local = new Intl.DateTimeFormat("sv-SE", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  })
    .format(future)
    .replace(" ", "T");
  const res = await submitEditor(owner, { ...base, title: "Programmé", publishAt: local, action: "publish" });
  assert.equal(res.status, 303);
  assert.match(res.location ?? "", /saved=scheduled/);
  const post = await findPostBySlug(app.db, "programme");
  assert.equal(post?.status, "scheduled");
  assert.equal(Math.abs(Date.parse(post!.publish_at!) - future.getTime()) < 60_000, true);
  assert.equal((await anonymousClient(app).get("/p/programme")).status, 404);
  assert.equal(await publishDuePosts(app.db), 0);
  assert.equal(await publishDuePosts(app.db, new Date(future.getTime() + 60_000).toISOString()), 1);
  assert.equal(await publishDuePosts(app.db, new Date(future.getTime() + 120_000).toISOString()), 0);
  const done = await findPostBySlug(app.db, "programme");
  assert.equal(done?.status, "published");
  assert.equal(done?.published_at, post!.publish_at);
  // Unpublish brings it back to draft and off the site.
  await owner.get(`/admin/posts/${post!.id}`);
  const un = await submitEditor(owner, {
    ...base,
    id: post!.id,
    title: "Programmé",
    slug: "programme",
    action: "unpublish",
  });
  assert.equal(un.status, 303);
  assert.equal((await findPostBySlug(app.db, "programme"))?.status, "draft");
});

test("previews as a free and as a paying member, decided by the access policy; delete", async () => {
  const tier = await createTier(app.db);
  const post = await makePost(
    app.db,
    {
      title: "Réservé cercle",
      audience: "offers",
      offers: [tier],
      body: "Avant.\n\n<!-- paywall -->\n\nSECRET-PREVIEW",
    },
    "save",
    [tier],
  );
  const free = await owner.get(`/admin/posts/${post.id}/preview?as=free`);
  assert.equal(free.status, 200);
  assert.match(free.text, /Avant\./);
  assert.doesNotMatch(free.text, /SECRET-PREVIEW/);
  assert.match(free.text, /réservée aux abonnés/);
  const paid = await owner.get(`/admin/posts/${post.id}/preview?as=paid`);
  assert.match(paid.text, /SECRET-PREVIEW/);
  assert.equal((await anonymousClient(app).get(`/admin/posts/${post.id}/preview?as=paid`)).status, 303);
  await owner.get(`/admin/posts/${post.id}`);
  const refused = await owner.post(`/admin/posts/${post.id}/delete`, {});
  assert.equal(refused.status, 422);
  const del = await owner.post(`/admin/posts/${post.id}/delete`, { confirm: "on" });
  assert.equal(del.status, 303);
  assert.equal(await findPostBySlug(app.db, post.slug), undefined);
});
