import { registerRecurringJob } from "../../platform/jobs/index.ts";
import { newsletterJobs } from "./newsletter/index.ts";
import { publishDuePosts } from "./posts.ts";
import { contentChanged } from "./service.ts";

/** How often due scheduled posts are published. */
export const publishEveryMs = 60_000;

/** Scheduled posts going live, and the newsletter engine's batch, start, watchdog and tick jobs. */
export function publishingJobs(): void {
  registerRecurringJob("publishing.publish_due", publishEveryMs, async (_payload, ctx) => {
    if ((await publishDuePosts(ctx.db, ctx.services.clock.nowIso())) > 0) contentChanged();
  });
  newsletterJobs();
}
