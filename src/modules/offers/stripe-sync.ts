import { createHash } from "node:crypto";
import { z } from "zod";
import type { Config } from "../../platform/config.ts";
import { transaction, type Db } from "../../platform/db/index.ts";
import { defineJob, enqueueJob, registerJob } from "../../platform/jobs/index.ts";
import { getSetting, putSetting } from "../../platform/settings.ts";
import { syncOfferToStripe } from "../../platform/payments/stripe.ts";
import { stripeProviderFor } from "./webhooks.ts";
import { getOffer, offerPrices } from "./service.ts";

/**
 * Stripe products and prices follow our offers. Saving or publishing an offer
 * only ENQUEUES a sync job (dedupe key = offer + a fingerprint of what Stripe
 * must hold), so a Stripe outage never blocks the admin: the job retries with
 * backoff and its error shows on /admin/jobs and on the offer's page. The job
 * reads the offer as it is when it runs, and syncOfferToStripe is idempotent.
 * Checkout uses the synced price id for fixed prices (checkout.ts).
 */
export const STRIPE_SYNC_JOB = "offers.stripe_sync";

/** Fixed, paid prices are synced; pay-what-you-want amounts go inline at checkout. */
async function syncInput(db: Db, offerId: string) {
  const offer = await getOffer(db, offerId);
  if (!offer) return null;
  const prices = (await offerPrices(db, [offerId])).filter((p) => p.pay_what_you_want === 0 && p.amount > 0);
  return {
    offer: {
      id: offer.id,
      name: offer.name,
      description: offer.summary || null,
      active: offer.status === "published",
      providerProductId: offer.provider_product_id,
    },
    prices: prices.map((p) => ({
      id: p.id,
      amount: p.amount,
      currency: p.currency,
      interval: p.kind === "recurring" ? (p.interval ?? "month") : null,
      active: p.active === 1,
      providerPriceId: p.provider_price_id,
      updatedAt: p.updated_at,
    })),
  };
}

/**
 * Asks for a sync when Stripe is the provider and the offer has something to sync (a fixed
 * price, or a product already in Stripe whose name/state changed). Returns the job id, or null
 * when nothing was enqueued (no Stripe, nothing to sync, or the same state is already queued/synced).
 */
export async function requestStripeSync(db: Db, config: Config, offerId: string): Promise<string | null> {
  if (!stripeProviderFor(config)) return null;
  const input = await syncInput(db, offerId);
  if (!input) return null;
  if (input.prices.length === 0 && !input.offer.providerProductId) return null;
  // The prices' updated_at is in it: a price disabled then enabled again looks like an earlier,
  // already synced state, yet Stripe must hear about it again.
  const fingerprint = createHash("sha256")
    .update(
      JSON.stringify({
        o: { ...input.offer, providerProductId: null },
        p: input.prices.map((p) => [p.id, p.amount, p.currency, p.interval, p.active, p.updatedAt]),
      }),
    )
    .digest("hex")
    .slice(0, 16);
  return enqueueJob(
    db,
    stripeSyncJob,
    { offerId },
    { dedupeKey: `${STRIPE_SYNC_JOB}:${offerId}:${fingerprint}`, maxAttempts: 8 },
  );
}

export async function runStripeSync(db: Db, config: Config | null, offerId: string): Promise<boolean> {
  const provider = config ? stripeProviderFor(config) : null;
  // Stripe was switched off since the job was queued: nothing to do.
  if (!provider) return false;
  const input = await syncInput(db, offerId);
  if (!input) return false;
  const result = await syncOfferToStripe(provider.stripe, input.offer, input.prices);
  await transaction(db, async (trx) => {
    await trx
      .updateTable("offers")
      .set({ provider_product_id: result.providerProductId })
      .where("id", "=", offerId)
      .execute();
    for (const [priceId, providerPriceId] of Object.entries(result.prices)) {
      await trx.updateTable("prices").set({ provider_price_id: providerPriceId }).where("id", "=", priceId).execute();
    }
  });
  return true;
}

/** The sync job: its configuration comes from the services the worker runs with. */
export const stripeSyncJob = defineJob({
  type: STRIPE_SYNC_JOB,
  payload: z.object({ offerId: z.string().min(1).max(64) }),
  run: async ({ offerId }, { db, services }) => {
    await runStripeSync(db, services.config, offerId);
  },
});

export function registerStripeSyncJob(): void {
  registerJob(stripeSyncJob);
}

/** The latest sync job of an offer, for its admin page. */
export async function lastStripeSync(db: Db, offerId: string) {
  return db
    .selectFrom("jobs")
    .select(["id", "state", "attempts", "last_error", "updated_at"])
    .where("type", "=", STRIPE_SYNC_JOB)
    .where("dedupe_key", "like", `${STRIPE_SYNC_JOB}:${offerId}:%`)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
}

// ---------------------------------------------------------------------------
// Stripe Tax switch (EU VAT): a site-wide setting passed to every checkout.

const taxKey = "offers.automatic_tax";

export async function automaticTaxEnabled(db: Db): Promise<boolean> {
  return (await getSetting<boolean>(db, taxKey)) === true;
}

export async function setAutomaticTax(db: Db, on: boolean): Promise<void> {
  await putSetting(db, taxKey, on);
}
