import type { Db } from "../../platform/db/index.ts";
import { pruneJobs, registerRecurringJob } from "../../platform/jobs/index.ts";
import { pruneRateLimits } from "../../platform/security/rate-limit.ts";
import { pruneSessions } from "../../platform/security/sessions.ts";
import { pruneLinks } from "../members/index.ts";

export const cleanupJobType = "admin.cleanup";

/**
 * Housekeeping so the small tables stay small: expired sessions, past
 * rate-limit windows (kept two days, longer than any window in use),
 * finished jobs after a week, magic links a day after they expired.
 */
export async function runCleanup(db: Db, now = new Date()): Promise<void> {
  await pruneSessions(db);
  await pruneRateLimits(db, new Date(now.getTime() - 2 * 86400_000));
  await pruneJobs(db, 7);
  await pruneLinks(db);
}

export function registerCleanupJob(): void {
  registerRecurringJob(cleanupJobType, 60 * 60_000, async (_payload, ctx) =>
    runCleanup(ctx.db, ctx.services.clock.now()),
  );
}
