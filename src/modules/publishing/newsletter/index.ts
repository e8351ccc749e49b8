import type { Hono } from "hono";
import type { AppEnv } from "../../../platform/http/context.ts";
import { registerJobHandler, registerRecurringJob } from "../../../platform/jobs/index.ts";
import { runBatch } from "./deliver.ts";
import { BATCH_JOB, START_JOB, TICK_JOB, WATCH_JOB, runTick, runWatch, startSend } from "./engine.ts";
import { routes } from "./routes.tsx";
import { registerTestNewsletterMail } from "./test-mail.ts";

export { newsletterMessages } from "./i18n.ts";
export { createSend, startSend, getSend, tryFinish, type CreateSendInput } from "./engine.ts";
export { figures, type Figures } from "./figures.ts";
export { countSegment, type Segment } from "./segments.ts";
export { unsubscribeToken } from "./tokens.ts";
export { suppress } from "./webhook.ts";

/** Admin send pages, /unsubscribe, the Postmark webhook and tracking routes. */
export function newsletterRoutes(app: Hono<AppEnv>): void {
  routes(app);
}

/** Batch, start and watchdog jobs, plus a recurring tick (due scheduled sends, lost watchdogs); each gets ctx.services. */
export function newsletterJobs(): void {
  registerTestNewsletterMail();
  registerJobHandler(BATCH_JOB, (payload, ctx) => runBatch(ctx.services, payload as { sendId: string; batch: number }));
  registerJobHandler(START_JOB, (payload, ctx) => startSend(ctx.services, (payload as { sendId: string }).sendId));
  registerJobHandler(WATCH_JOB, (payload, ctx) => runWatch(ctx.services, payload as { sendId: string }));
  registerRecurringJob(TICK_JOB, 5_000, (_payload, ctx) => runTick(ctx.services));
}
