import type Stripe from "stripe";
import type { Config } from "../config.ts";
import {
  WebhookSignatureError,
  type CheckoutRequest,
  type CheckoutSession,
  type PaymentProvider,
  type ProviderEvent,
  type SubscriptionSnapshot,
} from "./provider.ts";
import { invoicePaymentIntent, metadataKeys, normaliseStripeEvent, subscriptionSnapshot } from "./stripe-events.ts";
import { shortHash, stripeClient } from "./stripe-client.ts";

export { metadataKeys, handledStripeEventTypes, normaliseStripeEvent, subscriptionSnapshot } from "./stripe-events.ts";
export { stripeClient } from "./stripe-client.ts";
export {
  syncOfferToStripe,
  stripeProductIdFor,
  type SyncOfferInput,
  type SyncPriceInput,
  type SyncResult,
} from "./stripe-sync.ts";

/**
 * PaymentProvider on the official Stripe SDK.
 *
 * - Every POST carries an Idempotency-Key (the SDK's `idempotencyKey` request option), so a
 *   retried request never creates a second session, price or refund.
 * - Webhooks are verified on the RAW body (constructEvent, 300 s tolerance) and reduced to an
 *   allow-list of event types. For subscriptions only the id is taken from the payload:
 *   fulfilment re-reads the subscription (retrieveSubscription), so arrival order does not matter.
 * - STRIPE_API_BASE (tests only) points the SDK at a local stub through its host/port/protocol options.
 */

export interface StripeProviderOptions {
  secretKey: string;
  webhookSecret: string;
  /** e.g. http://127.0.0.1:12111; unset = api.stripe.com. */
  apiBase?: string;
  /** Seconds a signed delivery stays acceptable (Stripe's default: 300). */
  toleranceSeconds?: number;
}

export class StripeProvider implements PaymentProvider {
  readonly name = "stripe" as const;
  readonly stripe: Stripe;
  private readonly webhookSecret: string;
  private readonly tolerance: number;

  constructor(opts: StripeProviderOptions) {
    this.stripe = stripeClient(opts);
    this.webhookSecret = opts.webhookSecret;
    this.tolerance = opts.toleranceSeconds ?? 300;
  }

  async createCheckout(req: CheckoutRequest): Promise<CheckoutSession> {
    const { line } = req;
    const metadata: Record<string, string> = {
      ...req.metadata,
      [metadataKeys.reference]: req.reference,
      [metadataKeys.offerId]: line.offerId,
      [metadataKeys.priceId]: line.priceId,
    };
    const lineItem: Stripe.Checkout.SessionCreateParams.LineItem = line.providerPriceId
      ? { price: line.providerPriceId, quantity: 1 }
      : {
          // Pay-what-you-want (or a price not synced yet): the amount chosen, as an inline price.
          price_data: {
            currency: line.currency.toLowerCase(),
            unit_amount: line.amount,
            product_data: { name: line.name, metadata: { [metadataKeys.atelierOfferId]: line.offerId } },
            ...(req.mode === "subscription" && line.interval ? { recurring: { interval: line.interval } } : {}),
          },
          quantity: 1,
        };
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: req.mode,
      line_items: [lineItem],
      client_reference_id: req.reference,
      metadata,
      success_url: req.successUrl,
      cancel_url: req.cancelUrl,
    };
    if (req.providerCustomerId) params.customer = req.providerCustomerId;
    else params.customer_email = req.customerEmail;
    if (req.mode === "payment") {
      params.payment_intent_data = { metadata };
      // A customer lets the member reuse saved details and the portal later.
      if (!req.providerCustomerId) params.customer_creation = "always";
    } else {
      params.subscription_data = {
        metadata,
        ...(line.trialDays && line.trialDays > 0 ? { trial_period_days: line.trialDays } : {}),
      };
    }
    if (req.automaticTax) {
      params.automatic_tax = { enabled: true };
      params.billing_address_collection = "required";
      // Stripe Tax needs the address on an existing customer to be updatable from Checkout.
      if (req.providerCustomerId) params.customer_update = { address: "auto", name: "auto" };
    }
    const session = await this.stripe.checkout.sessions.create(params, { idempotencyKey: req.idempotencyKey });
    if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a URL`);
    return { id: session.id, url: session.url };
  }

  async parseWebhook(rawBody: string, headers: Record<string, string | undefined>): Promise<ProviderEvent> {
    const signature = headers["stripe-signature"] ?? headers["Stripe-Signature"];
    if (!signature) throw new WebhookSignatureError("missing Stripe-Signature header");
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature, this.webhookSecret, this.tolerance);
    } catch (err) {
      throw new WebhookSignatureError(err instanceof Error ? err.message : "invalid signature");
    }
    const normalised = normaliseStripeEvent(event);
    if (normalised.type === "invoice.paid" && normalised.amountPaid > 0 && normalised.invoiceId) {
      // Since API 2025-03-31 an invoice names its PaymentIntent only in `payments`, absent from webhook payloads.
      const inline = (event.data.object as Stripe.Invoice).payments;
      normalised.providerPaymentId = invoicePaymentIntent(
        inline ?? (await this.stripe.invoices.retrieve(normalised.invoiceId, { expand: ["payments"] })).payments,
      );
    }
    return normalised;
  }

  async retrieveSubscription(providerSubscriptionId: string): Promise<SubscriptionSnapshot> {
    const sub = await this.stripe.subscriptions.retrieve(providerSubscriptionId);
    return subscriptionSnapshot(sub);
  }

  async refund(providerPaymentId: string, idempotencyKey: string): Promise<void> {
    await this.stripe.refunds.create({ payment_intent: providerPaymentId }, { idempotencyKey });
  }

  async cancelSubscription(
    providerSubscriptionId: string,
    opts: { atPeriodEnd: boolean; idempotencyKey: string },
  ): Promise<void> {
    if (opts.atPeriodEnd) {
      await this.stripe.subscriptions.update(
        providerSubscriptionId,
        { cancel_at_period_end: true },
        { idempotencyKey: opts.idempotencyKey },
      );
    } else {
      await this.stripe.subscriptions.cancel(providerSubscriptionId, {}, { idempotencyKey: opts.idempotencyKey });
    }
  }

  /** Undoes a pending cancel-at-period-end (the member changed their mind). */
  async resumeSubscription(providerSubscriptionId: string, idempotencyKey: string): Promise<void> {
    await this.stripe.subscriptions.update(providerSubscriptionId, { cancel_at_period_end: false }, { idempotencyKey });
  }

  async customerPortalUrl(providerCustomerId: string, returnUrl: string): Promise<string> {
    // A portal session is short-lived and harmless to duplicate, but every POST gets a key:
    // one per customer, return URL and minute absorbs double clicks and SDK retries.
    const minute = Math.floor(Date.now() / 60_000);
    const session = await this.stripe.billingPortal.sessions.create(
      { customer: providerCustomerId, return_url: returnUrl },
      { idempotencyKey: `portal:${providerCustomerId}:${minute}:${shortHash(returnUrl)}` },
    );
    return session.url;
  }
}

/** Builds the provider from the config; null when Stripe is not configured. */
export function stripeProviderFromConfig(config: Config): StripeProvider | null {
  if (!config.stripeSecretKey || !config.stripeWebhookSecret) return null;
  return new StripeProvider({
    secretKey: config.stripeSecretKey,
    webhookSecret: config.stripeWebhookSecret,
    apiBase: config.stripeApiBase,
  });
}
