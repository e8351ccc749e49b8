// A reminder sweeper in its own process, for the kill test: sweeps at the instant REMINDER_NOW, slowly, until killed.
import { openDatabase } from "../../../platform/db/index.ts";
import { sendDueReminders } from "../jobs.ts";

const handle = openDatabase({ dataDir: process.env.DATA_DIR!, databaseUrl: process.env.DATABASE_URL || undefined });
const now = Date.parse(process.env.REMINDER_NOW!);
for (;;) {
  await sendDueReminders(handle.db, now, { pauseMs: 2 });
  await new Promise((r) => setTimeout(r, 5));
}
