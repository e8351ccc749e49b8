import { newId } from "../ids.ts";
import type {
  BillingInterval,
  CheckoutRequest,
  PaymentProvider,
  ProviderEvent,
  SubscriptionSnapshot,
} from "./provider.ts";

/** The dev provider's "remote" objects (kept in dev_payment_objects) and the small helpers it builds them with. */

export interface DevCheckout {
  id: string;
  request: CheckoutRequest;
  status: "open" | "processing" | "completed" | "failed" | "canceled";
  /** Like Stripe's Checkout Sessions: an open checkout stops working after 24 hours (absent on old rows: no limit). */
  expiresAt?: string;
  customerId: string;
  paymentId: string | null;
  subscriptionId: string | null;
}

export interface DevSubscription extends SubscriptionSnapshot {
  interval: BillingInterval;
  amount: number;
  currency: string;
  name: string;
  checkoutId: string;
}

export interface DevPayment {
  id: string;
  amount: number;
  currency: string;
  refunded: boolean;
  checkoutId: string;
}

export interface DevCustomer {
  id: string;
  email: string;
}

export type Kind = "checkout" | "subscription" | "customer" | "payment";

export type Deliver = (provider: PaymentProvider, event: ProviderEvent) => Promise<unknown>;

export function addInterval(from: Date, interval: BillingInterval, count = 1): Date {
  const d = new Date(from);
  if (interval === "year") d.setUTCFullYear(d.getUTCFullYear() + count);
  else d.setUTCMonth(d.getUTCMonth() + count);
  return d;
}

export const sec = () => Math.floor(Date.now() / 1000);

/** Stripe's defaults: a Checkout Session lives 24 hours; a portal link is short-lived (we use 1 hour). */
export const devCheckoutLifetimeMs = 24 * 3600_000;
export const devPortalLifetimeMs = 3600_000;
export const evId = () => `devevt_${newId()}`;
