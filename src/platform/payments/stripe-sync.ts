import Stripe from "stripe";
import type { BillingInterval } from "./provider.ts";
import { metadataKeys } from "./stripe-events.ts";
import { shortHash } from "./stripe-client.ts";

// ---------------------------------------------------------------------------
// Product and price sync

export interface SyncOfferInput {
  id: string;
  name: string;
  description?: string | null;
  /** Archived offers keep their Stripe product (existing subscribers) but it is marked inactive. */
  active: boolean;
  providerProductId?: string | null;
}

export interface SyncPriceInput {
  id: string;
  amount: number;
  currency: string;
  interval: BillingInterval | null;
  active?: boolean;
  providerPriceId?: string | null;
}

export interface SyncResult {
  providerProductId: string;
  /** Our price id → the Stripe price to use now (new when the amount, currency or interval changed). */
  prices: Record<string, string>;
}

/** The Stripe product id for an offer: derived from our id, so a lost response never makes a second product. */
export function stripeProductIdFor(offerId: string): string {
  return `atelier_${offerId.replace(/[^A-Za-z0-9_-]/g, "")}`;
}

function isMissing(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeError && (err.statusCode === 404 || err.code === "resource_missing");
}

function samePrice(p: Stripe.Price, want: SyncPriceInput): boolean {
  return (
    p.unit_amount === want.amount &&
    p.currency.toLowerCase() === want.currency.toLowerCase() &&
    (p.recurring?.interval ?? null) === want.interval &&
    (p.recurring?.interval_count ?? 1) === 1
  );
}

/**
 * Makes Stripe hold the offer's product and one active price per price of ours. Stripe prices are
 * immutable: when an amount, currency or interval changed, a new price is created (existing
 * subscriptions stay on the old one) and the old one is deactivated for new checkouts.
 * The caller stores the returned ids.
 */
export async function syncOfferToStripe(
  stripe: Stripe,
  offer: SyncOfferInput,
  prices: SyncPriceInput[],
): Promise<SyncResult> {
  const productId = offer.providerProductId || stripeProductIdFor(offer.id);
  let product: Stripe.Product | null = null;
  try {
    product = await stripe.products.retrieve(productId);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  const productFields = {
    name: offer.name,
    active: offer.active,
    metadata: { [metadataKeys.atelierOfferId]: offer.id },
    ...(offer.description ? { description: offer.description.slice(0, 5000) } : {}),
  };
  if (!product) {
    product = await stripe.products.create(
      { id: productId, ...productFields },
      { idempotencyKey: `product:create:${productId}` },
    );
  } else if (
    product.name !== offer.name ||
    product.active !== offer.active ||
    (offer.description && product.description !== offer.description.slice(0, 5000))
  ) {
    product = await stripe.products.update(productId, productFields, {
      idempotencyKey: `product:update:${productId}:${shortHash(JSON.stringify(productFields))}`,
    });
  }

  const result: SyncResult = { providerProductId: product.id, prices: {} };
  for (const want of prices) {
    let current: Stripe.Price | null = null;
    if (want.providerPriceId) {
      try {
        current = await stripe.prices.retrieve(want.providerPriceId);
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
    if (current && samePrice(current, want) && current.product === product.id) {
      // A price the creator disabled must not stay buyable from Stripe (links, portal switches).
      const active = want.active !== false;
      if (current.active !== active) {
        // Setting `active` is idempotent by nature; the minute in the key lets a later toggle back
        // reach Stripe (a reused key would get the first answer back without any change).
        current = await stripe.prices.update(
          current.id,
          { active },
          { idempotencyKey: `price:active:${current.id}:${active}:${Math.floor(Date.now() / 60_000)}` },
        );
      }
      result.prices[want.id] = current.id;
      continue;
    }
    // A disabled price is not created in Stripe; one that changed is only deactivated there.
    if (want.active === false) {
      if (current?.active)
        await stripe.prices.update(current.id, { active: false }, { idempotencyKey: `price:deactivate:${current.id}` });
      if (current) result.prices[want.id] = current.id;
      continue;
    }
    // A previous sync may have created the price and lost the response: look for it first.
    let found: Stripe.Price | undefined;
    for await (const p of stripe.prices.list({ product: product.id, active: true, limit: 100 })) {
      if (p.metadata?.[metadataKeys.atelierPriceId] === want.id && samePrice(p, want)) {
        found = p;
        break;
      }
    }
    const fingerprint = `${want.amount}:${want.currency.toLowerCase()}:${want.interval ?? "once"}`;
    const created =
      found ??
      (await stripe.prices.create(
        {
          product: product.id,
          currency: want.currency.toLowerCase(),
          unit_amount: want.amount,
          ...(want.interval ? { recurring: { interval: want.interval } } : {}),
          metadata: { [metadataKeys.atelierPriceId]: want.id, [metadataKeys.atelierOfferId]: offer.id },
        },
        { idempotencyKey: `price:create:${want.id}:${fingerprint}` },
      ));
    if (current && current.id !== created.id && current.active) {
      await stripe.prices.update(current.id, { active: false }, { idempotencyKey: `price:deactivate:${current.id}` });
    }
    result.prices[want.id] = created.id;
  }
  return result;
}
