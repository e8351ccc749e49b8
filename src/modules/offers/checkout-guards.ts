import type { Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";

/**
 * Checkout guards: what another module says about buying an offer, asked
 * before any order, code reservation or provider session exists. Coaching
 * registers one (a package sold by application is bought only by the member
 * whose application was accepted). Offers knows nothing of the reasons: a
 * guard answers null (fine) or a refusal with a translated message and,
 * optionally, where to go instead; the offer page shows that instead of the
 * buy button and POST /checkout refuses with it.
 */

export interface CheckoutAttempt {
  offerId: string;
  /** The signed-in member; null for an anonymous buyer (whose typed email proves nothing). */
  memberId: string | null;
  /** True when the purchase is a gift for someone else. */
  gift: boolean;
  now: string;
}

export interface CheckoutRefusal {
  status: 403 | 409;
  messageKey: string;
  /** Where to go instead (a same-site path) and its label key. */
  href?: string;
  linkKey?: string;
}

export type CheckoutGuard = (db: Db, attempt: CheckoutAttempt) => Promise<CheckoutRefusal | null>;

// By kind, so registering again (each app booted in one test process) replaces instead of stacking.
const guards = new Map<string, CheckoutGuard>();

/** Adds (or replaces) the guard named `kind` (usually the registering module's name). */
export function registerCheckoutGuard(kind: string, guard: CheckoutGuard): void {
  guards.set(kind, guard);
}

/** The first refusal of any guard, or null when every guard lets the purchase through. */
export async function checkoutRefusal(db: Db, attempt: CheckoutAttempt): Promise<CheckoutRefusal | null> {
  for (const guard of guards.values()) {
    const refusal = await guard(db, attempt);
    if (refusal) return refusal;
  }
  return null;
}

/** The error thrown for a refusal (rendered as the offer page with the message, or JSON for the API). */
export function refusalError(r: CheckoutRefusal): AppError {
  return new AppError("checkout_refused", r.status, r.messageKey);
}
