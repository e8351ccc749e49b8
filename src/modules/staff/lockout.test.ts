import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, ownerPassword, type TestApp } from "../../../test/support/app.ts";
import { loginDelayMs } from "./routes.tsx";
import { loginOwner, totpCode } from "./testing.ts";

/*
 * Issue 7 (identity): strangers guessing the owner's password from many
 * addresses slow the account down but never lock the owner out; turning the
 * second factor on or changing the password ends the other sessions; an
 * unknown email costs the same password hash as a known one.
 */
let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app.stop());

let ipSeq = 10;
const freshIp = () => ({ "x-forwarded-for": `10.9.${Math.floor(ipSeq / 250)}.${ipSeq++ % 250}` });

test("the slow-down grows with the failures of the account and stays bounded", () => {
  assert.equal(loginDelayMs(0), 0);
  assert.equal(loginDelayMs(5), 0);
  assert.ok(loginDelayMs(6) > 0);
  assert.ok(loginDelayMs(8) > loginDelayMs(7));
  assert.ok(loginDelayMs(1000) <= 2000);
});

test("11 wrong passwords from 11 addresses do not lock the owner out: the right password plus the code get in", async () => {
  // The owner has two-step verification on.
  const owner = app.client();
  await loginOwner(owner);
  await owner.get("/admin/security");
  await owner.post("/admin/security/totp/start", {});
  const { totp_secret: secret } = await app.db
    .selectFrom("staff_users")
    .select("totp_secret")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  assert.equal((await owner.post("/admin/security/totp/confirm", { code: totpCode(secret!) })).status, 303);

  for (let i = 0; i < 11; i++) {
    const res = await app.client().post("/admin/login", { email: ownerEmail, password: `guess ${i}` }, freshIp());
    assert.equal(res.status, 401, `attempt ${i + 1} is a wrong password, not a lock`);
  }
  const again = app.client();
  const ip = freshIp();
  await again.get("/admin/login", ip);
  const res = await again.post("/admin/login", { email: ownerEmail, password: ownerPassword }, ip);
  assert.equal(res.status, 303, "the right password is let through");
  assert.match(res.location ?? "", /^\/admin\/login\/totp/);
  await again.get(res.location!, ip);
  // A code not used yet (the confirmation above used the current step).
  const code = totpCode(secret!, 1);
  const done = await again.post("/admin/login/totp", { code }, ip);
  assert.equal(done.status, 303);
  assert.equal((await again.get("/admin/jobs", ip)).status, 200);
  await app.db.updateTable("staff_users").set({ totp_enabled: 0, totp_secret: null }).execute();
});

test("turning two-step verification on ends the owner's other sessions, not the current one", async () => {
  const laptop = app.client();
  const phone = app.client();
  await loginOwner(laptop);
  await loginOwner(phone);
  assert.equal((await laptop.get("/admin/jobs")).status, 200);
  await phone.get("/admin/security");
  await phone.post("/admin/security/totp/start", {});
  const { totp_secret: secret } = await app.db
    .selectFrom("staff_users")
    .select("totp_secret")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  assert.equal((await phone.post("/admin/security/totp/confirm", { code: totpCode(secret!) })).status, 303);
  assert.equal((await phone.get("/admin/jobs")).status, 200, "the session that turned it on stays");
  const old = await laptop.get("/admin/jobs");
  assert.equal(old.status, 303, "a session opened with the password alone is over");
  assert.match(old.location ?? "", /^\/admin\/login/);
  await app.db.updateTable("staff_users").set({ totp_enabled: 0, totp_secret: null }).execute();
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

test("a known and an unknown email take about as long (both hash the password once)", async () => {
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 6; i++) {
    // The slow-down after repeated failures is measured elsewhere: start each pair from a clean count.
    await app.db.deleteFrom("rate_limits").where("key", "like", "staff-login:fail:%").execute();
    for (const [email, into] of [
      [ownerEmail, known],
      [`nobody-${i}@atelier.test`, unknown],
    ] as const) {
      const t0 = performance.now();
      const res = await app.client().post("/admin/login", { email, password: "not the password" }, freshIp());
      into.push(performance.now() - t0);
      assert.equal(res.status, 401);
    }
  }
  const ratio = median(known) / median(unknown);
  assert.ok(ratio < 2.5 && ratio > 1 / 2.5, `medians ${median(known).toFixed(1)} / ${median(unknown).toFixed(1)} ms`);
  await app.db.deleteFrom("rate_limits").execute();
});
