import { z } from "zod";
import { notFound } from "../../../platform/http/errors.ts";
import { field } from "../../../platform/http/validation.ts";
import { anyStaff, defineOperation, ownerOnly } from "../../../platform/operations.ts";
import { putSetting } from "../../../platform/settings.ts";
import { newsletterCancelled, newsletterScheduled, trackingChanged } from "../events.ts";
import { TRACKING_SETTING, cancelScheduled, createSend, getSend } from "./engine.ts";
import { segmentSchema } from "./segments.ts";

/** Mail settings (open and click tracking of newsletters): the owner's alone. */
export const setMailTracking = defineOperation({
  name: "newsletter.set_tracking",
  input: z.object({ tracking: field.checkbox() }),
  roles: ownerOnly,
  async run({ trx, input, record }) {
    await putSetting(trx, TRACKING_SETTING, input.tracking);
    await record(trackingChanged, { tracking: input.tracking }, { memberId: null });
    return { tracking: input.tracking };
  },
});

/**
 * A send, now or at a time: its rows and batch jobs are written in this transaction (createSend
 * joins it), so the workers only see it once committed. The compose page checks the form first
 * (post published, segment not empty) and re-renders it with its messages; this is the write.
 */
export const createSendOp = defineOperation({
  name: "newsletter.create_send",
  input: z.object({
    postId: z.string().min(1).max(64),
    subject: z.string().trim().min(1, "newsletter.error.subject").max(200, "newsletter.error.subject"),
    segment: segmentSchema,
    scheduledAt: z.date().nullable(),
  }),
  roles: anyStaff,
  async run({ trx, input, actor, record, services }) {
    const id = await createSend(
      { db: trx, config: services.config, clock: services.clock },
      { ...input, createdBy: actor.kind === "staff" ? actor.staffId : null },
    );
    await record(
      newsletterScheduled,
      { sendId: id, subject: input.subject, scheduledAt: input.scheduledAt?.toISOString() ?? null },
      { memberId: null },
    );
    return { id };
  },
});

/** Cancels a scheduled send (a send already going cannot be called back). */
export const cancelSendOp = defineOperation({
  name: "newsletter.cancel_send",
  input: z.object({ id: z.string().min(1).max(64) }),
  roles: anyStaff,
  async run({ trx, input, record, clock }) {
    const send = await getSend(trx, input.id);
    if (!send) throw notFound();
    if (await cancelScheduled(trx, clock, send.id))
      await record(newsletterCancelled, { sendId: send.id, subject: send.subject }, { memberId: null });
    return { id: send.id };
  },
});
