import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { queueMail, registerMail, type OutgoingMail } from "../../platform/mail/index.ts";
import { loginOwner } from "../staff/testing.ts";
import { mailHtmlPolicy } from "./mailbox.tsx";
import { linksIn } from "./queries.ts";

let app: TestApp;
let owner: TestClient;
let messageId = "";

before(async () => {
  app = await startTestApp({ devMailbox: true });
  owner = app.client();
  await loginOwner(owner);
});
after(async () => {
  await app.stop();
});

test("without SMTP, emails land in the dev mailbox and are listed newest first", async () => {
  assert.equal(app.running.services.mailer.kind, "dev-mailbox");
  const confirm = `${app.url}/join/confirm?token=abc123`;
  // A kind of this test's own: the message is built when the job runs, like every mail.
  const messages: Record<string, OutgoingMail> = {};
  registerMail("test.literal", async (_ctx, p) => messages[String(p.n)] ?? null);
  messages["1"] = {
    to: "Reader@Example.test",
    subject: "Confirmez votre inscription",
    html: `<p style="color:red">Bonjour <script>alert(1)</script><a href="${confirm}">Confirmer</a></p>`,
    text: `Bonjour,\n\nConfirmez ici : ${confirm}.\nÀ bientôt.`,
    replyTo: "owner@atelier.test",
  };
  await queueMail(app.db, "test.literal", { n: 1 });
  // Delivered one after the other: the worker runs the jobs it claims concurrently.
  await app.drainJobs();
  messages["2"] = { to: "other@example.test", subject: "Second", html: "<p>2</p>", text: "Plain, no links." };
  await queueMail(app.db, "test.literal", { n: 2 });
  await app.drainJobs();
  const rows = await app.db
    .selectFrom("dev_mailbox")
    .select(["id", "to_address", "subject"])
    .orderBy("id", "asc")
    .execute();
  assert.equal(rows.length, 2);
  assert.equal(rows[0]!.subject, "Confirmez votre inscription");
  messageId = rows[0]!.id;

  const list = await owner.get("/admin/mailbox");
  assert.equal(list.status, 200);
  assert.ok(list.text.includes("Confirmez votre inscription"));
  assert.ok(list.text.includes("reader@example.test"));
  assert.ok(list.text.indexOf("Second") < list.text.indexOf("Confirmez votre inscription"), "newest first");
  assert.doesNotMatch(list.text, /notice warn/, "no SMTP note in dev mode");
});

test("the mailbox can be searched by recipient", async () => {
  const hit = await owner.get("/admin/mailbox?q=READER");
  assert.ok(hit.text.includes("Confirmez votre inscription"));
  assert.ok(!hit.text.includes(">Second<"));
  const miss = await owner.get("/admin/mailbox?q=%25");
  assert.ok(!miss.text.includes("Confirmez votre inscription"), "LIKE wildcards are escaped");
});

test("a message page shows headers, clickable links from the text and a sandboxed HTML preview", async () => {
  const res = await owner.get(`/admin/mailbox/${messageId}`);
  assert.equal(res.status, 200);
  assert.ok(res.text.includes("reader@example.test"));
  assert.ok(res.text.includes("Reply-To"));
  assert.ok(
    res.text.includes(`<a href="${app.url}/join/confirm?token=abc123" rel="noopener noreferrer"`),
    "the confirmation link, without the trailing full stop",
  );
  assert.match(res.text, new RegExp(`<iframe class="mail-frame" src="/admin/mailbox/${messageId}/html" sandbox=""`));
  assert.ok(!res.text.includes("<script>alert(1)"), "the HTML part is not inlined in the admin page");
  assert.equal((await owner.get("/admin/mailbox/nope")).status, 404);
});

test("the HTML part is served with its own sandbox CSP", async () => {
  const res = await owner.get(`/admin/mailbox/${messageId}/html`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-security-policy"), mailHtmlPolicy);
  assert.match(res.headers.get("content-security-policy")!, /sandbox$/);
  assert.match(res.headers.get("content-security-policy")!, /default-src 'none'/);
  assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
  assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  assert.ok(res.text.includes("Bonjour"));
  // Other pages keep the global policy.
  const page = await owner.get("/admin/mailbox");
  assert.match(page.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
  assert.equal(page.headers.get("x-frame-options"), "DENY");
});

test("the mailbox is for the owner only", async () => {
  const anon = app.client();
  const res = await anon.get(`/admin/mailbox/${messageId}/html`);
  assert.equal(res.status, 303);
  assert.match(res.location!, /^\/admin\/login/);
});

test("the dashboard's email step stays open without SMTP", async () => {
  const res = await owner.get("/admin");
  assert.doesNotMatch(res.text, /<li class="done">[\s\S]{0,200}href="\/admin\/mailbox"/);
  assert.match(res.text, /href="\/admin\/mailbox"/);
});

test("links are pulled from text without trailing punctuation or duplicates", () => {
  assert.deepEqual(linksIn("a https://x.test/a?b=1. (see https://x.test/c) and https://x.test/a?b=1, ftp://no"), [
    "https://x.test/a?b=1",
    "https://x.test/c",
  ]);
});
