import type { Db } from "../../platform/db/index.ts";
import { registerJobHandler } from "../../platform/jobs/index.ts";
import { loadConfig } from "../../platform/config.ts";
import { createStorage, type Storage } from "../../platform/storage/index.ts";
import { IMPORT_JOB, runImport } from "./service.ts";

const storages = new WeakMap<Db, Storage>();

/** The running app tells the job where files live (jobs receive only the database). */
export function rememberStorage(db: Db, storage: Storage): void {
  storages.set(db, storage);
}

function storageFor(db: Db): Storage {
  let storage = storages.get(db);
  if (!storage) {
    storage = createStorage(loadConfig());
    storages.set(db, storage);
  }
  return storage;
}

/** Each job runs about 10 s of an import, then queues the next one from the cursor. */
export function registerImportJobs(): void {
  registerJobHandler(IMPORT_JOB, async (payload, { db }) => {
    const importId = (payload as { importId?: unknown }).importId;
    if (typeof importId !== "string") return;
    await runImport(db, storageFor(db), importId, { budgetMs: 10_000 });
  });
}
