import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { isPostgres } from "../../platform/db/index.ts";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { addComment, visibleComments } from "./comments.ts";
import { pagePostColumns, postPageBySlug, postWithTagsAndComments } from "./post-page-query.ts";
import { findPostBySlug, tagsOfPost } from "./service.ts";
import { makePost, memberWithSession } from "./testing.ts";

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(async () => {
  await app?.stop();
});

// The post page reads everything in one statement; it must give exactly what the three queries gave.
async function separately(slug: string) {
  const row = await findPostBySlug(app.db, slug);
  assert.ok(row);
  const post = Object.fromEntries(pagePostColumns.map((col) => [col, row[col]]));
  return { post, tags: await tagsOfPost(app.db, row.id), comments: await visibleComments(app.db, row.id) };
}

test("the post page's one statement returns the post, its ordered tags and visible comments as the separate queries do", async () => {
  const post = await makePost(app.db, { title: "Grès & émail", tags: "zèbre, Émail <b>, abricot" });
  const named = await memberWithSession(app, { name: 'Inès "l\'ancienne"' });
  const unnamed = await memberWithSession(app, { name: " " });
  await addComment(app.db, post.id, named.id, "Première\nligne <script> & « guillemets » 🙂");
  const hidden = await addComment(app.db, post.id, unnamed.id, "caché");
  await addComment(app.db, post.id, unnamed.id, "Deuxième");
  await app.db.updateTable("comments").set({ status: "hidden" }).where("id", "=", hidden).execute();

  const one = await postWithTagsAndComments(app.db, post.slug);
  const three = await separately(post.slug);
  assert.deepEqual(one, three);
  assert.deepEqual(
    one?.tags.map((t) => t.name),
    ["zèbre", "Émail <b>", "abricot"],
  );
  assert.deepEqual(
    one?.comments.map((c) => c.body),
    ["Première\nligne <script> & « guillemets » 🙂", "Deuxième"],
  );
});

test("a post without tags or comments gives empty lists; an unknown slug gives nothing", async () => {
  const post = await makePost(app.db, { title: "Sans rien" });
  const one = await postWithTagsAndComments(app.db, post.slug);
  assert.deepEqual(one, { ...(await separately(post.slug)), tags: [], comments: [] });
  assert.equal(await postWithTagsAndComments(app.db, "nope-nope"), undefined);
});

test("the page's lookup preloads tags and comments on PostgreSQL only", async () => {
  const post = await makePost(app.db, { title: "Selon la base", tags: "un" });
  const found = await postPageBySlug(app.db, post.slug);
  assert.equal(found?.post.id, post.id);
  assert.deepEqual(Object.keys(found?.post ?? {}).sort(), [...pagePostColumns].sort());
  if (isPostgres(app.db))
    assert.deepEqual(
      found?.loaded?.tags.map((t) => t.name),
      ["un"],
    );
  else assert.equal(found?.loaded, undefined);
});
