import { z } from "zod";
import { defineJob, registerJob } from "../../platform/jobs/index.ts";
import { IMPORT_JOB, runImport } from "./service.ts";

/** The file storage comes from the services the worker runs with (no remembered state). */
export const importJob = defineJob({
  type: IMPORT_JOB,
  payload: z.object({ importId: z.string().min(1).max(64) }),
  run: async ({ importId }, { db, services }) => {
    await runImport(db, services.storage, importId, { budgetMs: 10_000 });
  },
});

/** Each job runs about 10 s of an import, then queues the next one from the cursor. */
export function registerImportJobs(): void {
  registerJob(importJob);
}
