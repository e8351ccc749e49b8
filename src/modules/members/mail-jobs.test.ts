import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { linkIn } from "../../../test/support/client.ts";
import { loadConfig } from "../../platform/config.ts";
import { hashToken } from "../../platform/security/tokens.ts";
import { newClient, nextMailTo, mailText, settleMail, tokenOf } from "./testing.ts";

/*
 * Jobs carry ids, never secrets (issue 7): after a join, a login and a
 * purchase, no job row holds an address, a name or a working link; the
 * emails still arrive with links that work, minted when the job ran, and
 * only their hashes are stored.
 */
let app: TestApp;

before(async () => {
  app = await startTestApp();
});
after(async () => {
  await app?.stop();
});

async function jobPayloads(): Promise<string> {
  const rows = await app.db.selectFrom("jobs").select(["type", "payload"]).execute();
  return rows.map((r) => `${r.type} ${r.payload}`).join("\n");
}

test("join and login mails: the job holds ids only; the link in the email works and only its hash is stored", async () => {
  const email = `ids-only-${Date.now().toString(36)}@example.org`;
  const client = newClient(app);
  await client.get("/join");
  assert.equal((await client.post("/join", { email, name: "Octavie Secretname" })).status, 200);
  // The request's job creates the link and queues the mail; wait for it by state, not by time.
  await app.drainJobs();
  const payloads = await jobPayloads();
  assert.match(payloads, /mail\.send \{"variant":"confirm","linkId":"[0-9a-f-]{36}","kind":"members\.link"\}/);
  await settleMail(app);
  const confirmMail = await nextMailTo(app, email, 0);
  const confirm = linkIn(mailText(confirmMail), app.url, "/join/confirm");
  const all = await jobPayloads();
  for (const secret of [email, "Octavie", "token=", tokenOf(confirm)]) assert.ok(!all.includes(secret), secret);
  const stored = await app.db.selectFrom("magic_links").select("token_hash").where("email", "=", email).execute();
  assert.deepEqual(
    stored.map((r) => r.token_hash),
    [hashToken(tokenOf(confirm))],
  );
  const done = await client.post("/join/confirm", { token: tokenOf(confirm) });
  assert.equal(done.status, 303);

  const other = newClient(app);
  assert.equal((await other.post("/login", { email })).status, 200);
  await settleMail(app);
  const loginMail = await nextMailTo(app, email, 1);
  const login = linkIn(mailText(loginMail), app.url, "/login/verify");
  assert.ok(!(await jobPayloads()).includes(tokenOf(login)));
  assert.equal((await other.post("/login/verify", { token: tokenOf(login) })).status, 303);
});

test("production without SMTP_URL stops at start-up with one clear line (no dev mailbox there)", () => {
  assert.throws(
    () => loadConfig({ NODE_ENV: "production", DATA_DIR: "/tmp/x" }),
    (err: Error) => /SMTP_URL/.test(err.message) && !err.message.includes("\n"),
  );
  assert.equal(loadConfig({ NODE_ENV: "production", SMTP_URL: "smtp://127.0.0.1:2525" }).production, true);
});
