import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, ownerPassword, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { loginOwner, totpCode, wrongCode } from "./testing.ts";

let app: TestApp;
let owner: TestClient;
let secret = "";

before(async () => {
  app = await startTestApp();
  owner = app.client();
  await loginOwner(owner);
});
after(async () => {
  await app.stop();
});

async function storedTotp() {
  return app.db
    .selectFrom("staff_users")
    .select(["totp_secret", "totp_enabled"])
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
}

test("the security page shows two-step verification as off", async () => {
  const res = await owner.get("/admin/security");
  assert.equal(res.status, 200);
  assert.match(res.text, /badge warn/);
  assert.match(res.text, /action="\/admin\/security\/totp\/start"/);
});

test("enabling shows a QR code and the secret, and needs a correct code to take effect", async () => {
  const start = await owner.post("/admin/security/totp/start", {});
  assert.equal(start.status, 303);
  assert.equal(start.location, "/admin/security/totp");
  const stored = await storedTotp();
  assert.ok(stored.totp_secret, "secret stored");
  assert.equal(stored.totp_enabled, 0, "not enabled before confirmation");
  secret = stored.totp_secret!;

  const setup = await owner.get("/admin/security/totp");
  assert.equal(setup.status, 200);
  assert.match(setup.text, /<img src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)"/);
  const b64 = /<img src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)"/.exec(setup.text)![1]!;
  assert.match(Buffer.from(b64, "base64").toString(), /<svg/);
  assert.ok(setup.text.includes(`data-secret="${secret}"`));
  assert.doesNotMatch(setup.text, /style="/, "no inline style (CSP)");

  const wrong = await owner.post("/admin/security/totp/confirm", { code: wrongCode(secret) });
  assert.equal(wrong.status, 422);
  assert.equal((await storedTotp()).totp_enabled, 0);

  const ok = await owner.post("/admin/security/totp/confirm", { code: totpCode(secret) });
  assert.equal(ok.status, 303);
  assert.equal(ok.location, "/admin/security?done=totp-on");
  assert.equal((await storedTotp()).totp_enabled, 1);
  const page = await owner.get(ok.location!);
  assert.match(page.text, /badge ok/);
});

test("with TOTP on, a password alone gives a pending session that cannot reach the admin", async () => {
  const client = app.client();
  await client.get("/admin/login");
  const res = await client.post("/admin/login", { email: ownerEmail, password: ownerPassword, next: "/admin/jobs" });
  assert.equal(res.status, 303);
  assert.equal(res.location, "/admin/login/totp?next=%2Fadmin%2Fjobs");
  const row = await app.db
    .selectFrom("sessions")
    .select(["mfa_pending"])
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirstOrThrow();
  assert.equal(row.mfa_pending, 1);

  const dash = await client.get("/admin");
  assert.equal(dash.status, 303);
  assert.match(dash.location!, /^\/admin\/login/);
  const totpPage = await client.get("/admin/login/totp?next=%2Fadmin%2Fjobs");
  assert.equal(totpPage.status, 200);
  assert.match(totpPage.text, /autocomplete="one-time-code"/);
  const post = await client.post("/admin/jobs/x/retry", {});
  assert.equal(post.status, 401);

  const wrong = await client.post("/admin/login/totp", { code: wrongCode(secret), next: "/admin/jobs" });
  assert.equal(wrong.status, 401);
  assert.equal((await client.get("/admin")).status, 303, "still locked out after a wrong code");

  const good = await client.post("/admin/login/totp", { code: totpCode(secret), next: "/admin/jobs" });
  assert.equal(good.status, 303);
  assert.equal(good.location, "/admin/jobs");
  assert.equal((await client.get("/admin")).status, 200);
});

test("a code from the previous or next 30-second step is accepted, two steps away is not", async () => {
  for (const [offset, expected] of [
    [-1, 303],
    [1, 303],
    [3, 401],
  ] as const) {
    // Each case starts with no code used yet (replay protection is tested below).
    await app.db.updateTable("staff_users").set({ totp_last_step: null }).where("email", "=", ownerEmail).execute();
    const client = app.client();
    await client.get("/admin/login");
    await client.post("/admin/login", { email: ownerEmail, password: ownerPassword });
    await client.get("/admin/login/totp");
    const res = await client.post("/admin/login/totp", { code: totpCode(secret, offset) });
    assert.equal(res.status, expected, `offset ${offset}`);
  }
});

test("a code that was used once cannot log in again (replay)", async () => {
  await app.db.updateTable("staff_users").set({ totp_last_step: null }).where("email", "=", ownerEmail).execute();
  const code = totpCode(secret);
  const results: number[] = [];
  for (let i = 0; i < 2; i++) {
    const client = app.client();
    await client.get("/admin/login");
    await client.post("/admin/login", { email: ownerEmail, password: ownerPassword });
    await client.get("/admin/login/totp");
    results.push((await client.post("/admin/login/totp", { code })).status);
  }
  assert.deepEqual(results, [303, 401]);
  await app.db.deleteFrom("rate_limits").where("key", "like", "staff-totp:%").execute();
});

test("code guessing on a pending login is rate limited", async () => {
  const client = app.client();
  await client.get("/admin/login");
  await client.post("/admin/login", { email: ownerEmail, password: ownerPassword });
  await client.get("/admin/login/totp");
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++)
    statuses.push((await client.post("/admin/login/totp", { code: wrongCode(secret) })).status);
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  const right = await client.post("/admin/login/totp", { code: totpCode(secret) });
  assert.equal(right.status, 429, "even the right code waits once limited");
  await app.db.deleteFrom("rate_limits").where("key", "like", "staff-totp:%").execute();
});

test("cancelling a pending login ends it", async () => {
  const client = app.client();
  await client.get("/admin/login");
  await client.post("/admin/login", { email: ownerEmail, password: ownerPassword });
  await client.get("/admin/login/totp");
  const out = await client.post("/admin/logout", {});
  assert.equal(out.status, 303);
  const page = await client.get("/admin/login/totp");
  assert.equal(page.status, 303);
  assert.match(page.location!, /^\/admin\/login/);
});

test("turning TOTP off needs the password and a current code", async () => {
  await owner.get("/admin/security");
  const noCode = await owner.post("/admin/security/totp/disable", { password: ownerPassword, code: wrongCode(secret) });
  assert.equal(noCode.status, 422);
  const noPassword = await owner.post("/admin/security/totp/disable", {
    password: "wrong password!",
    code: totpCode(secret),
  });
  assert.equal(noPassword.status, 422);
  assert.equal((await storedTotp()).totp_enabled, 1);
  const ok = await owner.post("/admin/security/totp/disable", { password: ownerPassword, code: totpCode(secret) });
  assert.equal(ok.status, 303);
  const stored = await storedTotp();
  assert.equal(stored.totp_enabled, 0);
  assert.equal(stored.totp_secret, null);
  // Password alone is enough again.
  const client = app.client();
  await client.get("/admin/login");
  const login = await client.post("/admin/login", { email: ownerEmail, password: ownerPassword });
  assert.equal(login.location, "/admin");
});

test("changing the password checks the current one and the repetition, then logs out other sessions", async () => {
  // This file logs the owner in many times: start this test with fresh counters.
  await app.db.deleteFrom("rate_limits").execute();
  const other = app.client();
  await loginOwner(other);
  assert.equal((await other.get("/admin")).status, 200);

  await owner.get("/admin/security");
  const badCurrent = await owner.post("/admin/security/password", {
    current: "nope nope nope",
    password: "a brand new secret",
    password2: "a brand new secret",
  });
  assert.equal(badCurrent.status, 422);
  const mismatch = await owner.post("/admin/security/password", {
    current: ownerPassword,
    password: "a brand new secret",
    password2: "a brand new secreT",
  });
  assert.equal(mismatch.status, 422);
  const short = await owner.post("/admin/security/password", {
    current: ownerPassword,
    password: "short",
    password2: "short",
  });
  assert.equal(short.status, 422);

  const ok = await owner.post("/admin/security/password", {
    current: ownerPassword,
    password: "a brand new secret",
    password2: "a brand new secret",
  });
  assert.equal(ok.status, 303);
  assert.equal((await owner.get("/admin")).status, 200, "this session stays");
  assert.equal((await other.get("/admin")).status, 303, "the other session is gone");

  const oldPw = await app.client().post("/admin/login", { email: ownerEmail, password: ownerPassword });
  assert.equal(oldPw.status, 401);
  const newPw = await app.client().post("/admin/login", { email: ownerEmail, password: "a brand new secret" });
  assert.equal(newPw.status, 303);
});
