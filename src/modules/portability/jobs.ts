import type { Db } from "../../platform/db/index.ts";
import { registerJobHandler } from "../../platform/jobs/index.ts";
import { loadConfig } from "../../platform/config.ts";
import { IMPORT_JOB, runImport } from "./service.ts";

const filesDirs = new WeakMap<Db, string>();

/** The running app tells the job where files live (jobs receive only the database). */
export function rememberFilesDir(db: Db, filesDir: string): void {
  filesDirs.set(db, filesDir);
}

function filesDirFor(db: Db): string {
  return filesDirs.get(db) ?? loadConfig().filesDir;
}

/** Each job runs about 10 s of an import, then queues the next one from the cursor. */
export function registerImportJobs(): void {
  registerJobHandler(IMPORT_JOB, async (payload, { db }) => {
    const importId = (payload as { importId?: unknown }).importId;
    if (typeof importId !== "string") return;
    await runImport(db, filesDirFor(db), importId, { budgetMs: 10_000 });
  });
}
