import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { describeEvent, timelineFormat } from "../../platform/events/index.ts";
import { findPostBySlug } from "./service.ts";
import { countRows, ownerClient, pngBytes, submitEditor, type PubClient } from "./testing.ts";

/**
 * The editor's save is an operation (save-post.ts); its cover is stored before the transaction.
 * A save that fails in the transaction must leave no stored file behind, and replacing a cover
 * must delete the old one only once the new one is committed.
 */
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
  title: "Émaux de cendre",
  slug: "emaux-de-cendre",
  excerpt: "",
  body: "Texte.",
  tags: "",
  audience: "public",
  publishAt: "",
  commentsEnabled: "on",
};

async function lastSaved() {
  const row = await app.db
    .selectFrom("events")
    .select(["type", "version", "data", "member_id"])
    .where("type", "=", "post.saved")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  return { ...row, version: Number(row.version), data: JSON.parse(row.data) as Record<string, unknown> };
}

test("a save refused inside the transaction (slug taken) keeps no cover file", async () => {
  await owner.get("/admin/posts/new");
  assert.equal((await submitEditor(owner, { ...base, action: "save" })).status, 303);
  const files = await countRows(app.db, "files");
  const clash = await submitEditor(
    owner,
    { ...base, title: "Autre titre", action: "save" },
    { cover: { name: "c.png", type: "image/png", bytes: await pngBytes() } },
  );
  assert.equal(clash.status, 409);
  assert.equal(await countRows(app.db, "files"), files, "the cover stored before the transaction was removed");
});

test("replacing a cover deletes the old file after the commit and records post.saved in fr and en", async () => {
  await owner.get("/admin/posts/new");
  const first = await submitEditor(
    owner,
    { ...base, title: "Couverture", slug: "couverture", action: "publish" },
    { cover: { name: "a.png", type: "image/png", bytes: await pngBytes() } },
  );
  assert.equal(first.status, 303);
  const post = (await findPostBySlug(app.db, "couverture"))!;
  const oldCover = post.cover_file_id!;
  assert.ok(oldCover);
  const created = await lastSaved();
  assert.equal(created.member_id, null);
  assert.deepEqual(
    { postId: created.data.postId, created: created.data.created, status: created.data.status },
    { postId: post.id, created: true, status: "published" },
  );
  assert.equal(describeEvent(created, timelineFormat("fr")).text, "Article « Couverture » publié");
  assert.equal(describeEvent(created, timelineFormat("en")).text, "Post “Couverture” published");

  await owner.get(`/admin/posts/${post.id}`);
  const second = await submitEditor(
    owner,
    { ...base, id: post.id, title: "Couverture", slug: "couverture", action: "save" },
    { cover: { name: "b.png", type: "image/png", bytes: await pngBytes(80, 60) } },
  );
  assert.equal(second.status, 303);
  const after = (await findPostBySlug(app.db, "couverture"))!;
  assert.notEqual(after.cover_file_id, oldCover);
  const stored = await app.db
    .selectFrom("files")
    .select("id")
    .where("id", "in", [oldCover, after.cover_file_id!])
    .execute();
  assert.deepEqual(
    stored.map((f) => f.id),
    [after.cover_file_id],
  );
  assert.equal(describeEvent(await lastSaved(), timelineFormat("en")).text, "Post “Couverture” saved");
});
