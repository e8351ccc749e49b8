import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { seedDemo } from "../demo/index.ts";
import { seedPublishingDemo } from "./demo.ts";
import { countRows } from "./testing.ts";

let app: TestApp;
before(async () => {
  app = await startTestApp({ skipSetup: true });
});
after(async () => {
  await app?.stop();
});

test("publishing demo: a few dozen French posts in every audience, tags, comments; idempotent", async () => {
  // seedDemo seeds the posts too (after the offers their paid posts are gated on).
  const seeded = await seedDemo(app.db, { members: 80, now: new Date("2026-11-20T10:00:00Z") });
  const first = seeded.publishing!;
  assert.ok(first.posts >= 30, `${first.posts} posts`);
  assert.ok(first.comments >= 20, `${first.comments} comments`);
  assert.ok(first.tags >= 10);
  const byAudience = await app.db
    .selectFrom("posts")
    .select(["audience", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy("audience")
    .execute();
  const counts = Object.fromEntries(byAudience.map((r) => [r.audience, Number(r.n)]));
  assert.ok(
    counts.public! >= 10 && counts.members! >= 5 && counts.paid! >= 5 && counts.offers! >= 2,
    JSON.stringify(counts),
  );
  const gated = await app.db
    .selectFrom("posts")
    .select(["teaser_html", "paid_html"])
    .where("audience", "!=", "public")
    .execute();
  for (const p of gated) {
    assert.ok(p.teaser_html.length > 50);
    assert.ok(p.paid_html.length > 50);
  }
  const states = await app.db.selectFrom("posts").select("status").distinct().execute();
  assert.deepEqual(states.map((s) => s.status).sort(), ["draft", "published", "scheduled"]);
  const again = await seedPublishingDemo(app.db, { now: new Date("2026-11-20T10:00:00Z") });
  assert.equal(again.posts, 0);
  assert.equal(await countRows(app.db, "comments"), first.comments);
  const archive = await app.client().get("/blog");
  assert.equal(archive.status, 200);
  assert.match(archive.text, /Le premier défournement|Recette/);
});
