/**
 * The payment provider contract. Two implementations: Stripe (official SDK)
 * and dev (a local checkout page for trying Atelier without an account,
 * refused in production). Fulfilment never trusts a browser redirect: it is
 * driven by verified provider events, normalised to ProviderEvent below and
 * applied idempotently by the offers module.
 */

export type BillingInterval = "month" | "year";

export interface CheckoutLine {
  /** Our offer and price ids (copied into the provider's metadata). */
  offerId: string;
  priceId: string;
  name: string;
  /** Integer minor units (cents). For pay-what-you-want, the amount the buyer chose. */
  amount: number;
  currency: string;
  interval: BillingInterval | null;
  trialDays?: number;
  /** The provider's price id when the price is synced (fixed prices); absent for custom amounts. */
  providerPriceId?: string;
}

export interface CheckoutRequest {
  /** Our pending order (one-off) or pending subscription id; returned in every event about it. */
  reference: string;
  mode: "payment" | "subscription";
  line: CheckoutLine;
  /** Prefills the provider's form; never used to overwrite member data. */
  customerEmail: string;
  /** The provider's customer id when this member already has one. */
  providerCustomerId?: string;
  successUrl: string;
  cancelUrl: string;
  metadata: Record<string, string>;
  /** Sent as the provider's Idempotency-Key. */
  idempotencyKey: string;
  automaticTax?: boolean;
}

export interface CheckoutSession {
  id: string;
  url: string;
}

export type SubscriptionStatus =
  "incomplete" | "trialing" | "active" | "past_due" | "unpaid" | "canceled" | "incomplete_expired" | "paused";

/** A subscription as the provider holds it right now: the truth we apply, whatever order events came in. */
export interface SubscriptionSnapshot {
  providerSubscriptionId: string;
  providerCustomerId: string;
  status: SubscriptionStatus;
  providerPriceId: string | null;
  /** Our price id from metadata, when known. */
  priceId: string | null;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: string | null;
  metadata: Record<string, string>;
}

/** Provider events, normalised. Each carries the provider's unique event id (stored once). */
export type ProviderEvent =
  | {
      id: string;
      type: "checkout.completed";
      created: number;
      checkoutId: string;
      reference: string;
      mode: "payment" | "subscription";
      /** false for delayed methods (SEPA) until checkout.async_payment_succeeded. */
      paid: boolean;
      amountTotal: number;
      /** VAT computed by Stripe Tax into amountTotal; null when none. */
      amountTax?: number | null;
      currency: string;
      providerCustomerId: string | null;
      providerPaymentId: string | null;
      providerSubscriptionId: string | null;
      customerEmail: string | null;
      metadata: Record<string, string>;
    }
  | {
      id: string;
      type: "checkout.async_payment_succeeded" | "checkout.async_payment_failed" | "checkout.expired";
      created: number;
      checkoutId: string;
      reference: string;
      providerPaymentId: string | null;
    }
  | { id: string; type: "subscription.changed"; created: number; providerSubscriptionId: string }
  | {
      id: string;
      type: "invoice.paid" | "invoice.payment_failed";
      created: number;
      providerSubscriptionId: string | null;
      amountPaid: number;
      /** VAT computed by Stripe Tax into amountPaid; null when none. */
      amountTax?: number | null;
      currency: string;
      invoiceId: string;
      /** The invoice's PaymentIntent id when known (lets a refund of a renewal find its invoice). */
      providerPaymentId?: string | null;
      /** The end of the service period the invoice pays for (its lines'), when the provider says. */
      periodEnd?: string | null;
    }
  | {
      id: string;
      type: "charge.refunded";
      created: number;
      providerPaymentId: string;
      amountRefunded: number;
      fullyRefunded: boolean;
    }
  | { id: string; type: "ignored"; created: number; providerType: string };

export interface PaymentProvider {
  readonly name: "stripe" | "dev";
  /** Creates a hosted checkout and returns where to send the buyer. */
  createCheckout(req: CheckoutRequest): Promise<CheckoutSession>;
  /** Verifies the signature on the raw body and normalises the event; throws WebhookSignatureError when it is not genuine. */
  parseWebhook(rawBody: string, headers: Record<string, string | undefined>): Promise<ProviderEvent>;
  /** Re-reads a subscription from the provider (the source of truth for its state). */
  retrieveSubscription(providerSubscriptionId: string): Promise<SubscriptionSnapshot>;
  refund(providerPaymentId: string, idempotencyKey: string): Promise<void>;
  cancelSubscription(
    providerSubscriptionId: string,
    opts: { atPeriodEnd: boolean; idempotencyKey: string },
  ): Promise<void>;
  /** The provider's self-service billing page (change card, switch plan, cancel, resume). */
  customerPortalUrl(providerCustomerId: string, returnUrl: string): Promise<string>;
}

export class WebhookSignatureError extends Error {}
