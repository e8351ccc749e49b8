import Stripe from "stripe";
import type { Config } from "../config.ts";
import {
  WebhookSignatureError,
  type BillingInterval,
  type CheckoutRequest,
  type CheckoutSession,
  type PaymentProvider,
  type ProviderEvent,
  type SubscriptionSnapshot,
  type SubscriptionStatus,
} from "./provider.ts";

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

/** Our ids in Stripe metadata (sessions, subscriptions, payment intents, prices). */
export const metadataKeys = {
  reference: "reference",
  offerId: "offer_id",
  priceId: "price_id",
  /** On Stripe prices created by syncOfferToStripe. */
  atelierPriceId: "atelier_price_id",
  atelierOfferId: "atelier_offer_id",
} as const;

/** The Stripe event types we act on; anything else is acknowledged and ignored. */
export const handledStripeEventTypes = [
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_failed",
  "charge.refunded",
] as const;
const handled = new Set<string>(handledStripeEventTypes);

const subscriptionStatuses = new Set<SubscriptionStatus>([
  "incomplete",
  "trialing",
  "active",
  "past_due",
  "unpaid",
  "canceled",
  "incomplete_expired",
  "paused",
]);

function idOf(v: string | { id: string } | null | undefined): string | null {
  if (!v) return null;
  return typeof v === "string" ? v : v.id;
}

function isoFromUnix(v: number | null | undefined): string | null {
  return typeof v === "number" && v > 0 ? new Date(v * 1000).toISOString() : null;
}

/** Stripe metadata values are strings; drop anything else defensively. */
function stringRecord(meta: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (meta && typeof meta === "object")
    for (const [k, v] of Object.entries(meta)) if (typeof v === "string") out[k] = v;
  return out;
}

export function stripeClient(opts: { secretKey: string; apiBase?: string }): Stripe {
  const config: ConstructorParameters<typeof Stripe>[1] = {
    // We send our own idempotency keys; SDK retries reuse them, so retrying is safe.
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: "Atelier" },
    telemetry: false,
  };
  if (opts.apiBase) {
    const u = new URL(opts.apiBase);
    config.host = u.hostname;
    config.protocol = u.protocol === "http:" ? "http" : "https";
    config.port = u.port || (u.protocol === "http:" ? 80 : 443);
  }
  return new Stripe(opts.secretKey, config);
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

/**
 * The service period an invoice pays for is on its lines (the invoice's own
 * period_end is the previous cycle's): the latest line end, so a webhook
 * delivered late still names its own period, not the subscription's current one.
 */
function invoicePeriodEnd(inv: Stripe.Invoice): string | null {
  let end = 0;
  for (const line of inv.lines?.data ?? []) if (line.period?.end && line.period.end > end) end = line.period.end;
  return end ? new Date(end * 1000).toISOString() : null;
}

function invoicePaymentIntent(payments: Stripe.ApiList<Stripe.InvoicePayment> | undefined): string | null {
  const paid = payments?.data.find((p) => p.status === "paid") ?? payments?.data[0];
  return idOf(paid?.payment.payment_intent ?? null);
}

function shortHash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
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

export function subscriptionSnapshot(sub: Stripe.Subscription): SubscriptionSnapshot {
  const item = sub.items.data[0];
  const price = item?.price;
  const metadata = stringRecord(sub.metadata);
  const status = subscriptionStatuses.has(sub.status as SubscriptionStatus)
    ? (sub.status as SubscriptionStatus)
    : "incomplete";
  // Since API 2025-03-31 the period lives on the items; take the latest end among them.
  const periodEnd = sub.items.data.reduce<number | null>(
    (max, it) => (max === null || it.current_period_end > max ? it.current_period_end : max),
    null,
  );
  return {
    providerSubscriptionId: sub.id,
    providerCustomerId: idOf(sub.customer) ?? "",
    status,
    providerPriceId: price?.id ?? null,
    priceId: stringRecord(price?.metadata)[metadataKeys.atelierPriceId] ?? metadata[metadataKeys.priceId] ?? null,
    currentPeriodEnd: isoFromUnix(periodEnd),
    cancelAtPeriodEnd:
      Boolean(sub.cancel_at_period_end) ||
      (sub.cancel_at !== null && sub.cancel_at !== undefined && status !== "canceled"),
    canceledAt: isoFromUnix(sub.canceled_at),
    metadata,
  };
}

/** Reduces a verified Stripe event to our ProviderEvent (ids and amounts only). */
export function normaliseStripeEvent(event: Stripe.Event): ProviderEvent {
  const base = { id: event.id, created: event.created };
  if (!handled.has(event.type)) return { ...base, type: "ignored", providerType: event.type };
  switch (event.type) {
    case "checkout.session.completed": {
      const s = event.data.object;
      return {
        ...base,
        type: "checkout.completed",
        checkoutId: s.id,
        reference: s.metadata?.[metadataKeys.reference] ?? s.client_reference_id ?? "",
        mode: s.mode === "subscription" ? "subscription" : "payment",
        // SEPA and other delayed methods complete as "unpaid": grant only on async_payment_succeeded.
        paid: s.payment_status === "paid" || s.payment_status === "no_payment_required",
        amountTotal: s.amount_total ?? 0,
        amountTax: s.total_details?.amount_tax || null,
        currency: (s.currency ?? "").toUpperCase(),
        providerCustomerId: idOf(s.customer),
        providerPaymentId: idOf(s.payment_intent),
        providerSubscriptionId: idOf(s.subscription),
        customerEmail: s.customer_details?.email ?? s.customer_email ?? null,
        metadata: stringRecord(s.metadata),
      };
    }
    case "checkout.session.async_payment_succeeded":
    case "checkout.session.async_payment_failed":
    case "checkout.session.expired": {
      const s = event.data.object;
      const type =
        event.type === "checkout.session.async_payment_succeeded"
          ? "checkout.async_payment_succeeded"
          : event.type === "checkout.session.async_payment_failed"
            ? "checkout.async_payment_failed"
            : "checkout.expired";
      return {
        ...base,
        type,
        checkoutId: s.id,
        reference: s.metadata?.[metadataKeys.reference] ?? s.client_reference_id ?? "",
        providerPaymentId: idOf(s.payment_intent),
      };
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
      // Only the id: the state is re-read from Stripe (events may be stale or out of order).
      return { ...base, type: "subscription.changed", providerSubscriptionId: event.data.object.id };
    case "invoice.paid":
    case "invoice.payment_failed": {
      const inv = event.data.object;
      const subscription = inv.parent?.subscription_details?.subscription;
      return {
        ...base,
        type: event.type,
        providerSubscriptionId: idOf(subscription ?? null),
        amountPaid: inv.amount_paid ?? 0,
        amountTax: (inv.total_taxes ?? []).reduce((sum, tx) => sum + tx.amount, 0) || null,
        currency: (inv.currency ?? "").toUpperCase(),
        invoiceId: inv.id ?? "",
        periodEnd: invoicePeriodEnd(inv),
      };
    }
    case "charge.refunded": {
      const ch = event.data.object;
      const pi = idOf(ch.payment_intent);
      // A charge without a PaymentIntent was not made through our Checkout: nothing of ours to revoke.
      if (!pi) return { ...base, type: "ignored", providerType: event.type };
      return {
        ...base,
        type: "charge.refunded",
        providerPaymentId: pi,
        amountRefunded: ch.amount_refunded,
        fullyRefunded: ch.refunded || ch.amount_refunded >= ch.amount,
      };
    }
    default:
      return { ...base, type: "ignored", providerType: event.type };
  }
}

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
