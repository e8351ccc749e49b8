import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { eraseMember } from "../members/index.ts";
import { countRows, createTier, makePost, memberWithSession, ownerClient, anonymousClient } from "./testing.ts";

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(async () => {
  await app?.stop();
});

test("members comment in plain text (escaped, line breaks kept); event recorded; anonymous are sent to log in", async () => {
  const post = await makePost(app.db, { title: "Ouvert aux commentaires" });
  const m = await memberWithSession(app, { name: "Inès" });
  await m.client.get(`/p/${post.slug}`);
  const res = await m.client.post(`/p/${post.slug}/comments`, {
    body: "Première ligne\n<b>gras?</b> & <script>alert(1)</script>",
  });
  assert.equal(res.status, 303);
  assert.match(res.location ?? "", new RegExp(`^/p/${post.slug}#c-`));
  const page = await m.client.get(`/p/${post.slug}`);
  assert.match(page.text, /Première ligne\n&lt;b&gt;gras\?&lt;\/b&gt; &amp; &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(page.text, /<strong>Inès<\/strong>/);
  const ev = await app.db
    .selectFrom("events")
    .select(["type", "data"])
    .where("member_id", "=", m.id)
    .where("type", "=", "post.commented")
    .execute();
  assert.equal(ev.length, 1);
  // Anonymous: no form, a link to log in; a POST without a session goes to login and stores nothing.
  const anon = anonymousClient(app);
  const view = await anon.get(`/p/${post.slug}`);
  assert.match(view.text, /Les commentaires sont ouverts aux membres/);
  assert.doesNotMatch(view.text, /name="body"/);
  const before = await countRows(app.db, "comments");
  const refused = await anon.post(`/p/${post.slug}/comments`, { body: "spam" });
  assert.equal(refused.status, 303);
  assert.match(refused.location ?? "", /^\/login\?next=/);
  assert.equal(await countRows(app.db, "comments"), before);
});

test("bad comments: empty, huge, control characters → 422 with the text kept; rate limit → 429; paid post refuses non-readers", async () => {
  const post = await makePost(app.db, { title: "Limites" });
  const m = await memberWithSession(app);
  await m.client.get(`/p/${post.slug}`);
  const before = await countRows(app.db, "comments");
  for (const [body, message] of [
    ["   ", /Ce champ est obligatoire/],
    ["x".repeat(3001), /3000 caractères au maximum/],
    ["a\u0007b", /caractères non autorisés/],
  ] as const) {
    const res = await m.client.post(`/p/${post.slug}/comments`, { body });
    assert.equal(res.status, 422);
    assert.match(res.text, message);
  }
  assert.equal(await countRows(app.db, "comments"), before);
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++)
    statuses.push((await m.client.post(`/p/${post.slug}/comments`, { body: `message ${i}` })).status);
  assert.deepEqual(statuses.slice(0, 5), [303, 303, 303, 303, 303]);
  assert.equal(statuses[5], 429);
  const tier = await createTier(app.db);
  const paid = await makePost(
    app.db,
    { title: "Pour le cercle", audience: "offers", offers: [tier], body: "a\n\n<!-- paywall -->\n\nb" },
    "publish",
    [tier],
  );
  const freeM = await memberWithSession(app);
  await freeM.client.get(`/p/${paid.slug}`);
  const denied = await freeM.client.post(`/p/${paid.slug}/comments`, { body: "je veux commenter" });
  assert.equal(denied.status, 403);
  // Without the CSRF token: refused.
  const forged = await freeM.client.post(`/p/${post.slug}/comments`, { body: "x", _csrf: "nope" });
  assert.equal(forged.status, 403);
});

test("moderation: hide, show, delete, block (hides everything, refuses new comments), unblock; erasure removes comments", async () => {
  const post = await makePost(app.db, { title: "Modération" });
  const troll = await memberWithSession(app, { name: "Troll" });
  await troll.client.get(`/p/${post.slug}`);
  await troll.client.post(`/p/${post.slug}/comments`, { body: "Premier message du troll" });
  await troll.client.post(`/p/${post.slug}/comments`, { body: "Second message du troll" });
  const owner = await ownerClient(app);
  const list = await owner.get("/admin/comments");
  assert.equal(list.status, 200);
  assert.match(list.text, /Premier message du troll/);
  const ids = await app.db
    .selectFrom("comments")
    .select("id")
    .where("member_id", "=", troll.id)
    .orderBy("created_at")
    .execute();
  const hide = await owner.post(`/admin/comments/${ids[0]!.id}/hide`, { back: "/admin/comments" });
  assert.equal(hide.status, 303);
  let page = await anonymousClient(app).get(`/p/${post.slug}`);
  assert.doesNotMatch(page.text, /Premier message du troll/);
  assert.match(page.text, /Second message du troll/);
  await owner.post(`/admin/comments/${ids[0]!.id}/show`, {});
  page = await anonymousClient(app).get(`/p/${post.slug}`);
  assert.match(page.text, /Premier message du troll/);
  await owner.post(`/admin/comments/${ids[1]!.id}/delete`, {});
  assert.equal(
    await app.db.selectFrom("comments").select("id").where("id", "=", ids[1]!.id).executeTakeFirst(),
    undefined,
  );
  const block = await owner.post(`/admin/comments/members/${troll.id}/block`, {
    back: "/admin/comments?status=hidden",
  });
  assert.equal(block.status, 303);
  assert.match(block.location ?? "", /^\/admin\/comments\?status=hidden&done=blocked$/);
  page = await anonymousClient(app).get(`/p/${post.slug}`);
  assert.doesNotMatch(page.text, /troll/);
  const blockedView = await troll.client.get(`/p/${post.slug}`);
  assert.match(blockedView.text, /ne pouvez plus commenter/);
  const refused = await troll.client.post(`/p/${post.slug}/comments`, { body: "encore" });
  assert.equal(refused.status, 403);
  assert.equal((await owner.get("/admin/comments?status=hidden")).text.includes("Bloqué"), true);
  await owner.post(`/admin/comments/members/${troll.id}/unblock`, {});
  await troll.client.get(`/p/${post.slug}`);
  assert.equal((await troll.client.post(`/p/${post.slug}/comments`, { body: "je me suis calmé" })).status, 303);
  assert.equal((await owner.post("/admin/comments/not-an-id/hide", {})).status, 404);
  await eraseMember(app.db, troll.id, "staff");
  assert.equal(
    (await app.db.selectFrom("comments").select("id").where("member_id", "=", troll.id).execute()).length,
    0,
  );
});
