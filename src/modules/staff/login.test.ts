import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, ownerPassword, type TestApp } from "../../../test/support/app.ts";
import { hitRateLimit, rateLimitKey } from "../../platform/security/rate-limit.ts";
import { loginOwner } from "./testing.ts";

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(async () => {
  await app.stop();
});

/** Each test uses its own client IP, so per-IP limits of one test do not leak into another. */
let ipSeq = 10;
const freshIp = () => ({ "x-forwarded-for": `10.0.0.${ipSeq++}` });

function errorText(html: string): string {
  const m = /<div class="form-errors"[^>]*>\s*<p>([^<]*)<\/p>/.exec(html);
  return m?.[1] ?? "";
}

test("the login page speaks the browser's language and offers the other one", async () => {
  const client = app.client();
  const en = await client.get("/admin/login", { "accept-language": "en-US,en;q=0.9" });
  assert.equal(en.status, 200);
  assert.match(en.text, /<html lang="en"/);
  assert.match(en.text, /Log in to the admin/);
  assert.match(en.text, /href="\/lang\/fr\?next=/);
  const fr = await app.client().get("/admin/login", { "accept-language": "fr-FR,fr;q=0.9" });
  assert.match(fr.text, /Connexion à l’administration/);
});

test("a correct password opens the admin; the next path is kept when local", async () => {
  const client = app.client();
  const ip = freshIp();
  await client.get("/admin/login?next=/admin/jobs", ip);
  const res = await client.post(
    "/admin/login",
    { email: ownerEmail.toUpperCase(), password: ownerPassword, next: "/admin/jobs" },
    ip,
  );
  assert.equal(res.status, 303);
  assert.equal(res.location, "/admin/jobs");
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("atl_s="));
  assert.ok(cookie, "staff session cookie set");
  assert.match(cookie, /HttpOnly/i);
  assert.match(cookie, /SameSite=Lax/i);
  const jobs = await client.get("/admin/jobs");
  assert.equal(jobs.status, 200);

  // Logged in already: the login page sends on.
  const again = await client.get("/admin/login");
  assert.equal(again.status, 303);
  assert.equal(again.location, "/admin");
});

test("an outside next is ignored", async () => {
  const client = app.client();
  const ip = freshIp();
  await client.get("/admin/login", ip);
  const res = await client.post(
    "/admin/login",
    { email: ownerEmail, password: ownerPassword, next: "//evil.example/x" },
    ip,
  );
  assert.equal(res.status, 303);
  assert.equal(res.location, "/admin");
});

test("an unknown email and a wrong password get the same answer", async () => {
  const ip = freshIp();
  const wrongPassword = await app
    .client()
    .post("/admin/login", { email: ownerEmail, password: "not the password" }, ip);
  const unknownEmail = await app
    .client()
    .post("/admin/login", { email: "nobody@atelier.test", password: "not the password" }, ip);
  assert.equal(wrongPassword.status, 401);
  assert.equal(unknownEmail.status, 401);
  assert.ok(errorText(wrongPassword.text).length > 0);
  assert.equal(errorText(wrongPassword.text), errorText(unknownEmail.text));
  assert.ok(!wrongPassword.headers.getSetCookie().some((c) => c.startsWith("atl_s=")), "no session on failure");
  // The typed email is kept, the password is not.
  assert.match(wrongPassword.text, new RegExp(`value="${ownerEmail}"`));
  assert.doesNotMatch(wrongPassword.text, /not the password/);
});

test("empty fields are a 422 with a message", async () => {
  const res = await app.client().post("/admin/login", { email: "", password: "" }, freshIp());
  assert.equal(res.status, 422);
  assert.ok(errorText(res.text).length > 0);
});

/** Counts `n` attempts straight in the database, so the tests need not pay for n password hashes. */
async function preload(key: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await hitRateLimit(app.db, key, 1000, 15 * 60_000);
}

test("too many attempts for one address from one IP are refused with a translated 429, even with the right password", async () => {
  const ip = freshIp();
  const key = `staff-login:pair:${ownerEmail}|${ip["x-forwarded-for"]}`;
  await preload(key, 9);
  const tenth = await app.client().post("/admin/login", { email: ownerEmail, password: "guess" }, ip);
  assert.equal(tenth.status, 401);
  const limited = await app
    .client()
    .post(
      "/admin/login",
      { email: ownerEmail.toUpperCase(), password: ownerPassword },
      { ...ip, "accept-language": "en" },
    );
  assert.equal(limited.status, 429);
  assert.match(errorText(limited.text), /Too many attempts/);
  assert.ok(!limited.headers.getSetCookie().some((c) => c.startsWith("atl_s=")), "no session while limited");
  // The same account from another address is not locked.
  const elsewhere = await app.client().post("/admin/login", { email: ownerEmail, password: ownerPassword }, freshIp());
  assert.equal(elsewhere.status, 303);
  await app.db.deleteFrom("rate_limits").where("key", "=", rateLimitKey(key)).execute();
});

test("too many attempts from one address are refused with 429", async () => {
  const ip = freshIp();
  await preload(`staff-login:ip:${ip["x-forwarded-for"]}`, 29);
  const thirtieth = await app.client().post("/admin/login", { email: "spray@atelier.test", password: "guess" }, ip);
  assert.equal(thirtieth.status, 401);
  const limited = await app.client().post("/admin/login", { email: "spray2@atelier.test", password: "guess" }, ip);
  assert.equal(limited.status, 429);
  // The limit is per IP: the owner elsewhere still logs in.
  const ok = await app.client().post("/admin/login", { email: ownerEmail, password: ownerPassword }, freshIp());
  assert.equal(ok.status, 303);
});

test("anonymous visitors are sent to the login page; anonymous POSTs get 401", async () => {
  const client = app.client();
  for (const path of ["/admin", "/admin/jobs", "/admin/mailbox", "/admin/security"]) {
    const res = await client.get(path);
    assert.equal(res.status, 303, path);
    assert.equal(res.location, `/admin/login?next=${encodeURIComponent(path)}`);
  }
  const post = await client.post("/admin/security/totp/start", {});
  assert.equal(post.status, 401);
  const retry = await client.post("/admin/jobs/x/retry", {});
  assert.equal(retry.status, 401);
});

test("admin POSTs need the session's CSRF token", async () => {
  const client = app.client();
  await loginOwner(client);
  await client.get("/admin/security");
  const missing = await client.request("POST", "/admin/security/totp/start", {
    body: new URLSearchParams({}),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assert.equal(missing.status, 403);
  const wrong = await client.post("/admin/security/totp/start", { _csrf: "forged" });
  assert.equal(wrong.status, 403);
  const foreign = await client.post("/admin/security/totp/start", {}, { origin: "https://evil.example" });
  assert.equal(foreign.status, 403);
  await client.get("/admin/security");
  const good = await client.post("/admin/security/totp/start", {});
  assert.equal(good.status, 303);
});

test("logout ends the session", async () => {
  const client = app.client();
  await loginOwner(client);
  await client.get("/admin");
  const out = await client.post("/admin/logout", {});
  assert.equal(out.status, 303);
  assert.equal(out.location, "/admin/login");
  const after = await client.get("/admin");
  assert.equal(after.status, 303);
  const sessions = await app.db.selectFrom("sessions").select("id").where("subject_kind", "=", "staff").execute();
  assert.ok(sessions.length >= 1, "other tests' sessions remain");
});
