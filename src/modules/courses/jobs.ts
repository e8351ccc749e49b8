import { registerRecurringJob } from "../../platform/jobs/index.ts";
import { queueDripMails, registerDripMail } from "./drip-mails.ts";
import { registerStallMail } from "./stall-mail.ts";
import { detectStalls } from "./stalls.ts";

/** How often stalled students are looked for (each is mailed once per stall whatever the frequency). */
export const stallsEveryMs = 3600_000;

/** How often opened sections are looked for (a student hears within this of the opening). */
export const dripEveryMs = 15 * 60_000;

/** The stalled-student and "a new part is open" emails, and their recurring runs. */
export function coursesJobs(): void {
  registerStallMail();
  registerDripMail();
  registerRecurringJob("courses.drip_mails", dripEveryMs, async (_payload, ctx) => {
    await queueDripMails(ctx.db, ctx.services.clock.nowMs());
  });
  registerRecurringJob("courses.stalls", stallsEveryMs, async (_payload, ctx) => {
    await detectStalls(ctx.db, ctx.services.clock.nowMs());
  });
}
