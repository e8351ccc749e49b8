import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freshDatabase, type FreshDatabase } from "../../../test/support/db.ts";
import { waitFor } from "../../../test/support/raw-http.ts";
import { migrateToLatest, openDatabase, type DbHandle } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import { createMember } from "../members/index.ts";
import { sendDueReminders } from "./jobs.ts";

/*
 * KILL TEST (reminders). A sweeper process queues the 24-hour reminders of
 * 200 sessions and is killed with SIGKILL in the middle, three times; a last
 * sweep finishes. Every session then has exactly one reminder queued (none
 * missed, none twice): the mark and the mail job commit together, guarded by
 * "not marked yet" and a dedupe key. (Sending a queued mail is the mail
 * layer's job, retried at least once; see HANDOFF.)
 */
const N = 200;
let database: FreshDatabase;
let handle: DbHandle;
let child: ChildProcess | undefined;
const start = "2026-04-02T08:00:00.000Z";
const sweepAt = new Date(Date.parse(start) - 23 * 3_600_000).toISOString();

before(async () => {
  database = await freshDatabase();
  handle = openDatabase({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
  await migrateToLatest(handle.db);
});
after(async () => {
  child?.kill("SIGKILL");
  await handle?.close();
  await database?.cleanup();
});

async function queued(): Promise<number> {
  const rows = await handle.db
    .selectFrom("jobs")
    .select("dedupe_key")
    .where("dedupe_key", "like", "mail:coaching:rem24:%")
    .execute();
  return rows.length;
}

test("kill -9 of the reminder sweeper: every reminder queued exactly once", async () => {
  const db = handle.db;
  const at = new Date().toISOString();
  await db
    .insertInto("coaching_offers")
    .values({
      id: "o",
      slug: "s",
      title: "Séance",
      description: "",
      kind: "single",
      duration_min: 30,
      sessions: 1,
      validity_days: 0,
      offer_id: null,
      questions: "[]",
      fit_threshold: 0,
      accept_days: 7,
      active: 1,
      created_at: at,
      updated_at: at,
    })
    .execute();
  const member = await createMember(
    db,
    { email: "k@example.org", locale: "fr", status: "active", emailOptIn: false, source: "test" },
    "system",
  );
  const rows = Array.from({ length: N }, (_, i) => {
    const s = Date.parse(start) + i * 15_000; // all within the next 24 h of the sweep
    return {
      id: newId(),
      coaching_offer_id: "o",
      member_id: member.id,
      starts_at: new Date(s).toISOString(),
      ends_at: new Date(s + 1_800_000).toISOString(),
      status: "confirmed" as const,
      hold_expires_at: null,
      order_id: null,
      credit_id: null,
      sequence: 0,
      video_url: "https://meet.jit.si/x",
      client_time_zone: "UTC",
      locale: "fr",
      private_notes: "",
      shared_summary: "",
      reminder_24_at: null,
      reminder_1_at: null,
      cancelled_at: null,
      created_at: at,
      updated_at: at,
    };
  });
  await db.insertInto("coaching_bookings").values(rows).execute();
  const env = {
    ...process.env,
    DATA_DIR: database.dataDir,
    DATABASE_URL: database.databaseUrl ?? "",
    REMINDER_NOW: sweepAt,
  };
  const script = path.join(import.meta.dirname, "testing", "reminder-sweeper.ts");
  const counts: number[] = [];
  for (let kill = 1; kill <= 3; kill++) {
    child = spawn(process.execPath, ["--import", "tsx", script], { env, stdio: ["ignore", "ignore", "inherit"] });
    const target = Math.floor((kill * N) / 4);
    await waitFor(`sweeper reached ${target}`, async () => (await queued()) >= target, 30_000);
    child.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    counts.push(await queued());
  }
  assert.ok(counts.at(-1)! < N, `killed before the end (${counts.join(", ")})`);
  await sendDueReminders(db, Date.parse(sweepAt));
  const keys = (
    await db.selectFrom("jobs").select("dedupe_key").where("dedupe_key", "like", "mail:coaching:rem24:%").execute()
  ).map((r) => r.dedupe_key);
  assert.equal(keys.length, N, "none missed");
  assert.equal(new Set(keys).size, N, "none twice");
  const unmarked = await db.selectFrom("coaching_bookings").select("id").where("reminder_24_at", "is", null).execute();
  assert.equal(unmarked.length, 0);
  assert.equal(await sendDueReminders(db, Date.parse(sweepAt)), 0, "a further sweep queues nothing");
});
