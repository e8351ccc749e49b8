import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { isoIn, newId, nowIso } from "../../platform/ids.ts";
import { ownerClient } from "../members/testing.ts";

/** The "System" part of the admin: technical pages grouped at the end, in plain words. */
let app: TestApp;

before(async () => {
  app = await startTestApp();
  const at = nowIso();
  await app.db
    .insertInto("jobs")
    .values({
      id: newId(),
      type: "newsletter.tick",
      payload: "{}",
      state: "queued",
      attempts: 0,
      max_attempts: 1,
      run_at: isoIn(3600_000),
      locked_at: null,
      locked_by: null,
      last_error: null,
      dedupe_key: null,
      created_at: at,
      updated_at: at,
      finished_at: null,
    })
    .execute();
});
after(() => app.stop());

test("technical pages sit under a System heading at the end of the admin menu", async () => {
  const owner = await ownerClient(app, "fr");
  const res = await owner.get("/admin");
  const nav = res.text.slice(res.text.indexOf("<nav"), res.text.indexOf("</nav>"));
  const system = nav.slice(nav.indexOf('class="nav-section"'));
  assert.match(system, /Système/);
  for (const href of ["/admin/system", "/admin/jobs", "/admin/mailbox"]) {
    assert.ok(system.includes(`href="${href}"`), `${href} is under System`);
    assert.equal(nav.split(`href="${href}"`).length, 2, `${href} appears once`);
  }
  assert.ok(!system.includes('href="/admin/members"'));
});

test("the site health page and the task list speak plain words", async () => {
  const owner = await ownerClient(app, "fr");
  const health = await owner.get("/admin/system");
  assert.equal(health.status, 200);
  assert.match(health.text, /Envoi des e-mails/);
  assert.match(health.text, /Paiements de test/);
  assert.match(health.text, /La base de données \((SQLite|PostgreSQL)\) répond/);
  const jobs = await owner.get("/admin/jobs");
  assert.match(jobs.text, /Lettres programmées/);
  for (const page of [health.text, jobs.text]) {
    const main = page.slice(page.indexOf('<main id="main"'));
    assert.doesNotMatch(main, /SMTP_URL|STRIPE_SECRET_KEY|>newsletter\.tick</);
  }
  const en = await ownerClient(app, "en");
  assert.match((await en.get("/admin/system")).text, /Test payments: nobody is charged/);
});
