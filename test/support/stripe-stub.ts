/**
 * An in-process stub of exactly the Stripe API endpoints Atelier uses, for the real `stripe` SDK
 * pointed at it through STRIPE_API_BASE (host/port/protocol options).
 *
 * - Requests are form-encoded like Stripe's (`a[b][0][c]=v`), authenticated with the secret key,
 *   and every POST's Idempotency-Key is honoured: same key + same parameters → the same response
 *   (header Idempotent-Replayed), same key + other parameters → 400 idempotency_error.
 * - State lives in memory. Helpers drive lifecycles (complete a checkout, renew, fail a payment,
 *   recover, cancel at period end, end the period, refund, change price, SEPA success/failure) and
 *   return Stripe-shaped events (API version of the SDK); `sign`/`deliver` produce signed webhook
 *   deliveries with the SDK's own generateTestHeaderString.
 */
import { StripeStub } from "./stripe-stub/lifecycle.ts";
import type { StripeStubOptions } from "./stripe-stub/state.ts";

// The stub is split by concept under stripe-stub/: form.ts (encoding, values), state.ts, catalog.ts, billing.ts,
// server.ts (HTTP, idempotency, routes) and lifecycle.ts; this file stays the one tests import.
export { parseStripeForm, type StripeObj } from "./stripe-stub/form.ts";
export type { SignedDelivery, StripeStubOptions, StubEvent, StubRequest } from "./stripe-stub/state.ts";
export { StripeStub };

/** Starts a stub on a random port. */
export async function startStripeStub(opts: StripeStubOptions = {}): Promise<StripeStub> {
  const stub = new StripeStub(opts);
  await stub.start();
  return stub;
}
