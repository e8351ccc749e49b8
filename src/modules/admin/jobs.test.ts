import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { isoIn, newId, nowIso } from "../../platform/ids.ts";
import { registerJobHandler } from "../../platform/jobs/index.ts";
import { loginOwner } from "../staff/testing.ts";
import { cleanupJobType, runCleanup } from "./jobs.ts";

let app: TestApp;
let owner: TestClient;
let handled = 0;

before(async () => {
  // Runs in the app's process: a handler that works once the job is retried.
  registerJobHandler("test.flaky", async () => {
    handled++;
  });
  app = await startTestApp();
  owner = app.client();
  await loginOwner(owner);
});
after(async () => {
  await app.stop();
});

async function insertJob(
  state: "queued" | "done" | "dead",
  opts: { type?: string; error?: string; finishedAt?: string | null; runAt?: string } = {},
): Promise<string> {
  const id = newId();
  const at = nowIso();
  await app.db
    .insertInto("jobs")
    .values({
      id,
      type: opts.type ?? "test.flaky",
      payload: "{}",
      state,
      // Queued jobs in the future, so the running worker leaves them alone during the test.
      run_at: opts.runAt ?? (state === "queued" ? isoIn(3600_000) : at),
      attempts: state === "dead" ? 5 : 0,
      max_attempts: 5,
      last_error: opts.error ?? null,
      dedupe_key: null,
      locked_by: null,
      locked_at: null,
      created_at: at,
      updated_at: at,
      finished_at: opts.finishedAt !== undefined ? opts.finishedAt : state === "queued" ? null : at,
    })
    .execute();
  return id;
}

test("the jobs page lists jobs with their state, attempts and last error, filterable by state", async () => {
  const dead = await insertJob("dead", { error: "Connection refused <smtp>" });
  const queued = await insertJob("queued", { type: "test.later" });
  const all = await owner.get("/admin/jobs");
  assert.equal(all.status, 200);
  assert.ok(all.text.includes(`data-job="${dead}"`));
  assert.ok(all.text.includes(`data-job="${queued}"`));
  assert.ok(all.text.includes("Connection refused &lt;smtp&gt;"));
  assert.ok(all.text.includes("5/5"));
  assert.match(all.text, new RegExp(`action="/admin/jobs/${dead}/retry"`));
  assert.doesNotMatch(all.text, new RegExp(`action="/admin/jobs/${queued}/retry"`), "only dead jobs offer a retry");

  const onlyDead = await owner.get("/admin/jobs?state=dead");
  assert.ok(onlyDead.text.includes(`data-job="${dead}"`));
  assert.ok(!onlyDead.text.includes(`data-job="${queued}"`));
  assert.match(onlyDead.text, /aria-current="page" data-state="dead"/);

  const bogus = await owner.get("/admin/jobs?state=<script>");
  assert.equal(bogus.status, 200, "an unknown state shows everything");
});

test("a dead job can be retried and then runs", async () => {
  const dead = await insertJob("dead", { error: "boom" });
  await owner.get("/admin/jobs?state=dead");
  const before = handled;
  const res = await owner.post(`/admin/jobs/${dead}/retry`, {});
  assert.equal(res.status, 303);
  assert.equal(res.location, "/admin/jobs?retried=1");
  await app.drainJobs();
  const row = await app.db
    .selectFrom("jobs")
    .select(["state", "attempts"])
    .where("id", "=", dead)
    .executeTakeFirstOrThrow();
  assert.equal(row.state, "done");
  assert.equal(row.attempts, 1);
  assert.ok(handled > before);
});

test("retrying a job that is not dead is a 409, an unknown one a 404", async () => {
  const queued = await insertJob("queued");
  await owner.get("/admin/jobs");
  assert.equal((await owner.post(`/admin/jobs/${queued}/retry`, {})).status, 409);
  assert.equal((await owner.post(`/admin/jobs/${newId()}/retry`, {})).status, 404);
  const row = await app.db.selectFrom("jobs").select("state").where("id", "=", queued).executeTakeFirstOrThrow();
  assert.equal(row.state, "queued");
});

test("the cleanup job is scheduled and prunes only what is old", async () => {
  await app.drainJobs();
  const scheduled = await app.db.selectFrom("jobs").select("state").where("type", "=", cleanupJobType).execute();
  assert.ok(scheduled.length >= 1, "recurring cleanup enqueued");

  const db = app.db;
  const oldDone = await insertJob("done", { finishedAt: isoIn(-8 * 86400_000) });
  const recentDone = await insertJob("done", { finishedAt: isoIn(-86400_000) });
  const oldDead = await insertJob("dead", { finishedAt: isoIn(-30 * 86400_000) });
  const at = nowIso();
  const session = (id: string, expires: string) => ({
    id,
    token_hash: `h-${id}`,
    subject_kind: "member" as const,
    subject_id: "x",
    mfa_pending: 0,
    ip: null,
    user_agent: null,
    created_at: at,
    expires_at: expires,
    last_seen_at: at,
  });
  const expiredSession = newId();
  const liveSession = newId();
  await db
    .insertInto("sessions")
    .values([session(expiredSession, isoIn(-1000)), session(liveSession, isoIn(3600_000))])
    .execute();
  await db
    .insertInto("rate_limits")
    .values([
      { key: "old-window", window_start: isoIn(-3 * 86400_000), count: 3 },
      { key: "new-window", window_start: isoIn(-60_000), count: 3 },
    ])
    .execute();
  const link = (id: string, expires: string) => ({
    id,
    token_hash: `l-${id}`,
    email: "a@b.test",
    member_id: null,
    purpose: "login" as const,
    redirect_to: null,
    expires_at: expires,
    used_at: null,
    created_at: at,
  });
  const oldLink = newId();
  const freshExpiredLink = newId();
  await db
    .insertInto("magic_links")
    .values([link(oldLink, isoIn(-2 * 86400_000)), link(freshExpiredLink, isoIn(-3600_000))])
    .execute();

  await runCleanup(db);

  const jobIds = (
    await db.selectFrom("jobs").select("id").where("id", "in", [oldDone, recentDone, oldDead]).execute()
  ).map((r) => r.id);
  assert.deepEqual(
    jobIds.sort(),
    [recentDone, oldDead].sort(),
    "done jobs older than 7 days go; dead ones stay for the owner",
  );
  const sessionIds = (
    await db.selectFrom("sessions").select("id").where("id", "in", [expiredSession, liveSession]).execute()
  ).map((r) => r.id);
  assert.deepEqual(sessionIds, [liveSession]);
  const keys = (
    await db.selectFrom("rate_limits").select("key").where("key", "in", ["old-window", "new-window"]).execute()
  ).map((r) => r.key);
  assert.deepEqual(keys, ["new-window"]);
  const links = (
    await db.selectFrom("magic_links").select("id").where("id", "in", [oldLink, freshExpiredLink]).execute()
  ).map((r) => r.id);
  assert.deepEqual(links, [freshExpiredLink]);
});
