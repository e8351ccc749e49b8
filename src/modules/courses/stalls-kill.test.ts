/**
 * KILL TEST. The stalled-student run over 1,000 students, in a child
 * process killed with SIGKILL three times in the middle of its work, then
 * run once more to the end: every stalled student has exactly one stall,
 * one `course.stalled` event and one queued email; nobody else has any.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";
import { completeSetup } from "../../../test/support/app.ts";
import { freshDatabase, type FreshDatabase } from "../../../test/support/db.ts";
import { waitFor } from "../../../test/support/raw-http.ts";
import { migrateToLatest, openDatabase, type DbHandle } from "../../platform/db/index.ts";
import { detectStalls } from "./stalls.ts";
import { buildCourse, seedCohort } from "./testing.ts";

const NOW = Date.parse("2030-03-10T09:00:00.000Z");
let database: FreshDatabase;
let handle: DbHandle;
let child: ChildProcess | undefined;

before(async () => {
  database = await freshDatabase();
  handle = openDatabase({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
  await migrateToLatest(handle.db);
  await completeSetup(handle.db);
});
after(async () => {
  child?.kill("SIGKILL");
  await handle?.close();
  await database?.cleanup();
});

function startRun(): ChildProcess {
  const script = path.join(import.meta.dirname, "testing", "stall-run.ts");
  return spawn(process.execPath, ["--import", "tsx", script], {
    env: {
      ...process.env,
      DATA_DIR: database.dataDir,
      DATABASE_URL: database.databaseUrl ?? "",
      NOW_MS: String(NOW),
      LOG_LEVEL: "error",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

const exited = (p: ChildProcess) =>
  new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode ? resolve() : p.once("exit", () => resolve())));

test(
  "kill -9 the stalled-student run three times: nobody missed, nobody mailed twice",
  { timeout: 120_000 },
  async () => {
    const db = handle.db;
    const built = await buildCourse(db, { audience: "members" });
    const cohort = await seedCohort(db, { id: built.course.id, lessons: built.lessons }, 1000, NOW);
    const count = async () =>
      Number(
        (
          await db
            .selectFrom("course_stalls")
            .select((eb) => eb.fn.countAll<number | string>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const killedAt: number[] = [];
    for (const target of [60, 200, 330]) {
      child = startRun();
      const run = child;
      await waitFor(
        `${target} stalls written`,
        async () => {
          if (run.exitCode !== null) throw new Error(`the run ended by itself (exit ${run.exitCode})`);
          return (await count()) >= target;
        },
        60_000,
      );
      child.kill("SIGKILL");
      await exited(child);
      killedAt.push(await count());
    }
    assert.ok(killedAt[2]! < 500, `the last kill came before the end (${killedAt.join(", ")})`);
    assert.equal(await detectStalls(db, NOW), 500 - killedAt[2]!);

    const stalls = await db.selectFrom("course_stalls").select(["id", "member_id"]).execute();
    assert.equal(stalls.length, 500);
    assert.deepEqual(new Set(stalls.map((s) => s.member_id)), cohort.stalled);
    const jobs = await db
      .selectFrom("jobs")
      .select("dedupe_key")
      .where("type", "=", "mail.send")
      .where("dedupe_key", "like", "mail:courses:stall:%")
      .execute();
    assert.deepEqual(new Set(jobs.map((j) => j.dedupe_key)), new Set(stalls.map((s) => `mail:courses:stall:${s.id}`)));
    assert.equal(jobs.length, 500);
    const events = await db.selectFrom("events").select("member_id").where("type", "=", "course.stalled").execute();
    assert.equal(events.length, 500);
    assert.equal(new Set(events.map((e) => e.member_id)).size, 500);
  },
);
