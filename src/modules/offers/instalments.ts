import { z } from "zod";
import type { Db } from "../../platform/db/index.ts";
import { defineJob, enqueue, registerJob } from "../../platform/jobs/index.ts";
import { toNumber } from "../../platform/db/index.ts";
import { providerFor } from "./context.ts";

/**
 * Payment in instalments (a price with `instalments` N ≥ 2): the provider collects N monthly
 * payments of the price's amount through an ordinary monthly subscription, which we ask to stop
 * at the end of the period of the N-th payment (cancel at period end: nothing more is charged).
 * The purchase is then paid in full: its access no longer ends with the subscription. Until
 * then it is a subscription like any other: a failed instalment is past due (the card-update
 * emails), and one that lapses unpaid ends the access and takes back what the purchase gave.
 */

export const INSTALMENTS_DONE_JOB = "offers.instalments_done";

/** Payments collected so far for this subscription (each paid invoice is one order). */
export async function instalmentsPaid(trx: Db, subscriptionId: string): Promise<number> {
  const r = await trx
    .selectFrom("orders")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("subscription_id", "=", subscriptionId)
    .where("kind", "=", "subscription_invoice")
    .where("amount_paid", ">", 0)
    .executeTakeFirstOrThrow();
  return toNumber(r.n);
}

/** True once every instalment is paid (always false for an open-ended membership). */
export async function paidInFull(trx: Db, sub: { id: string; instalments: number }): Promise<boolean> {
  return sub.instalments > 0 && (await instalmentsPaid(trx, sub.id)) >= sub.instalments;
}

/** After a paid invoice: which instalment this was, and the stop asked for once the last is in. */
export async function afterInstalmentPaid(trx: Db, sub: { id: string; instalments: number }): Promise<number> {
  const n = await instalmentsPaid(trx, sub.id);
  if (n >= sub.instalments)
    // A job, after this commit: the provider's answer comes back as a webhook through another connection.
    await enqueue(
      trx,
      INSTALMENTS_DONE_JOB,
      { subscriptionId: sub.id },
      { dedupeKey: `${INSTALMENTS_DONE_JOB}:${sub.id}` },
    );
  return n;
}

export const instalmentsDoneJob = defineJob({
  type: INSTALMENTS_DONE_JOB,
  payload: z.object({ subscriptionId: z.string().min(1).max(64) }),
  run: async ({ subscriptionId }, { db, services }) => {
    const sub = await db.selectFrom("subscriptions").selectAll().where("id", "=", subscriptionId).executeTakeFirst();
    if (!sub?.provider_subscription_id || sub.cancel_at_period_end || sub.status === "canceled") return;
    const provider = providerFor(services);
    if (!provider) return;
    await provider.cancelSubscription(sub.provider_subscription_id, {
      atPeriodEnd: true,
      idempotencyKey: `instalments-done:${sub.id}`,
    });
  },
});

export function registerInstalmentsJob(): void {
  registerJob(instalmentsDoneJob);
}
