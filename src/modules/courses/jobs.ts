import { registerRecurringJob } from "../../platform/jobs/index.ts";
import { systemClock } from "../../platform/time.ts";
import { registerStallMail } from "./stall-mail.ts";
import { detectStalls } from "./stalls.ts";

/** How often stalled students are looked for (each is mailed once per stall whatever the frequency). */
export const stallsEveryMs = 3600_000;

/** The stalled-student emails and their hourly detection run. */
export function coursesJobs(): void {
  registerStallMail();
  registerRecurringJob("courses.stalls", stallsEveryMs, async (_payload, ctx) => {
    await detectStalls(ctx.db, systemClock.nowMs());
  });
}
