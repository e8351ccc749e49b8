import { registerRecurringJob } from "../../platform/jobs/index.ts";
import { pruneLinks } from "./links.ts";
import { dropPendingLinkRequests, registerLinkRequestJob } from "./requests.ts";
import { registerEraseHook } from "./service.ts";
import { registerMemberMails } from "./mail.ts";

/** Hourly: magic links a day past their expiry are deleted (kept that long for "link expired" pages). */
export function membersJobs(): void {
  registerLinkRequestJob();
  registerEraseHook(dropPendingLinkRequests);
  registerMemberMails();
  registerRecurringJob("members.prune_links", 3600_000, async (_payload, ctx) => {
    await pruneLinks(ctx.db);
  });
}
