/**
 * Child process of the kill test: one stall-detection run over the test's
 * database, slowed down between batches so the parent can SIGKILL it in the
 * middle. Env: DATA_DIR, DATABASE_URL (PostgreSQL) or none (SQLite), NOW_MS.
 */
import { openDatabase } from "../../../platform/db/index.ts";
// Every module, as the app loads them (the access policy needs the offers' terms).
import "../../index.ts";
import { detectStalls } from "../stalls.ts";

const handle = openDatabase({ dataDir: process.env.DATA_DIR!, databaseUrl: process.env.DATABASE_URL || undefined });
const pause = Number(process.env.PAUSE_MS ?? 30);
await detectStalls(handle.db, Number(process.env.NOW_MS), {
  batchSize: 10,
  afterBatch: () => new Promise((r) => setTimeout(r, pause)),
});
await handle.close();
