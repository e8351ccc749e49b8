import type { Db } from "../db/index.ts";
import { newId, nowIso } from "../ids.ts";
import { randomToken } from "../security/tokens.ts";
import { checkPortalSignature, portalSignature } from "./dev-portal-links.ts";
import type {
  BillingInterval,
  CheckoutRequest,
  CheckoutSession,
  PaymentProvider,
  ProviderEvent,
  SubscriptionSnapshot,
} from "./provider.ts";

import {
  addInterval,
  evId,
  sec,
  devCheckoutLifetimeMs,
  type Deliver,
  type DevCheckout,
  type DevCustomer,
  type DevPayment,
  type DevSubscription,
  type Kind,
} from "./dev-objects.ts";

/**
 * The dev payment provider: a local stand-in for Stripe so anyone can try
 * Atelier without an account. It keeps its "remote" objects in
 * dev_payment_objects and produces the same normalised ProviderEvents as the
 * Stripe implementation, handed to `deliver` (the offers module's
 * applyProviderEvent) — so the dev journey exercises the real fulfilment.
 * Never used in production (see payments/index.ts).
 */

export {
  devCheckoutLifetimeMs,
  devPortalLifetimeMs,
  type Deliver,
  type DevCheckout,
  type DevCustomer,
  type DevPayment,
  type DevSubscription,
} from "./dev-objects.ts";

export class DevProvider implements PaymentProvider {
  readonly name = "dev" as const;

  constructor(
    private readonly db: Db,
    private readonly opts: { publicUrl: string; secret: string; deliver: Deliver },
  ) {}

  /* ---- storage ---- */

  private async get<T>(kind: Kind, id: string): Promise<T | undefined> {
    const row = await this.db
      .selectFrom("dev_payment_objects")
      .select("data")
      .where("id", "=", id)
      .where("kind", "=", kind)
      .executeTakeFirst();
    return row ? (JSON.parse(row.data) as T) : undefined;
  }

  private async put(kind: Kind, id: string, data: unknown): Promise<void> {
    const at = nowIso();
    await this.db
      .insertInto("dev_payment_objects")
      .values({ id, kind, data: JSON.stringify(data), created_at: at, updated_at: at })
      .onConflict((oc) => oc.column("id").doUpdateSet({ data: JSON.stringify(data), updated_at: at }))
      .execute();
  }

  private async emit(...events: ProviderEvent[]): Promise<void> {
    for (const e of events) await this.opts.deliver(this, e);
  }

  async getCheckout(id: string): Promise<DevCheckout | undefined> {
    if (!/^devcs_[A-Za-z0-9_-]{10,60}$/.test(id)) return undefined;
    return this.get<DevCheckout>("checkout", id);
  }

  async getSubscription(id: string): Promise<DevSubscription | undefined> {
    return this.get<DevSubscription>("subscription", id);
  }

  async customerSubscriptions(customerId: string): Promise<DevSubscription[]> {
    const rows = await this.db
      .selectFrom("dev_payment_objects")
      .select("data")
      .where("kind", "=", "subscription")
      .orderBy("created_at", "desc")
      .execute();
    return rows.map((r) => JSON.parse(r.data) as DevSubscription).filter((s) => s.providerCustomerId === customerId);
  }

  /* ---- PaymentProvider ---- */

  async createCheckout(req: CheckoutRequest): Promise<CheckoutSession> {
    const id = `devcs_${randomToken(18)}`;
    const customerId = req.providerCustomerId ?? `devcus_${newId()}`;
    if (!req.providerCustomerId)
      await this.put("customer", customerId, { id: customerId, email: req.customerEmail } satisfies DevCustomer);
    await this.put("checkout", id, {
      id,
      request: req,
      status: "open",
      customerId,
      paymentId: null,
      subscriptionId: null,
      expiresAt: new Date(Date.now() + devCheckoutLifetimeMs).toISOString(),
    } satisfies DevCheckout);
    return { id, url: `${this.opts.publicUrl}/dev-checkout/${id}` };
  }

  async parseWebhook(): Promise<ProviderEvent> {
    // The dev provider delivers its events in-process; there is no webhook to trust.
    throw new Error("dev provider has no webhooks");
  }

  async retrieveSubscription(id: string): Promise<SubscriptionSnapshot> {
    const s = await this.getSubscription(id);
    if (!s) throw new Error(`dev provider: no subscription ${id}`);
    return {
      providerSubscriptionId: s.providerSubscriptionId,
      providerCustomerId: s.providerCustomerId,
      status: s.status,
      providerPriceId: s.providerPriceId,
      priceId: s.priceId,
      currentPeriodEnd: s.currentPeriodEnd,
      cancelAtPeriodEnd: s.cancelAtPeriodEnd,
      canceledAt: s.canceledAt,
      metadata: s.metadata,
    };
  }

  async refund(providerPaymentId: string): Promise<void> {
    const p = await this.get<DevPayment>("payment", providerPaymentId);
    if (!p) throw new Error(`dev provider: no payment ${providerPaymentId}`);
    if (p.refunded) return;
    await this.put("payment", p.id, { ...p, refunded: true });
    await this.emit({
      id: evId(),
      type: "charge.refunded",
      created: sec(),
      providerPaymentId: p.id,
      amountRefunded: p.amount,
      fullyRefunded: true,
    });
  }

  async cancelSubscription(id: string, opts: { atPeriodEnd: boolean }): Promise<void> {
    const s = await this.getSubscription(id);
    if (!s) throw new Error(`dev provider: no subscription ${id}`);
    if (opts.atPeriodEnd) await this.put("subscription", id, { ...s, cancelAtPeriodEnd: true });
    else
      await this.put("subscription", id, { ...s, status: "canceled", canceledAt: nowIso(), cancelAtPeriodEnd: false });
    await this.emit({ id: evId(), type: "subscription.changed", created: sec(), providerSubscriptionId: id });
  }

  /** The signed part of a portal link (dev-portal-links.ts). */
  portalSignature(customerId: string, expiresAtSec?: number): string {
    return portalSignature(this.opts.secret, customerId, expiresAtSec);
  }

  checkPortalSignature(customerId: string, sig: string): "ok" | "expired" | "invalid" {
    return checkPortalSignature(this.opts.secret, customerId, sig);
  }

  async customerPortalUrl(providerCustomerId: string, returnUrl: string): Promise<string> {
    const ret = returnUrl.startsWith(this.opts.publicUrl)
      ? returnUrl.slice(this.opts.publicUrl.length) || "/"
      : "/account";
    return `${this.opts.publicUrl}/dev-portal/${encodeURIComponent(providerCustomerId)}/${this.portalSignature(providerCustomerId)}?return=${encodeURIComponent(ret)}`;
  }

  /** An open checkout past its expiry is expired (the event Stripe sends then), before anyone looks at it. */
  async expireIfDue(co: DevCheckout): Promise<DevCheckout> {
    if (co.status !== "open" || !co.expiresAt || co.expiresAt > nowIso()) return co;
    await this.cancelCheckout(co.id);
    return (await this.getCheckout(co.id)) ?? co;
  }

  /* ---- what the dev checkout page and portal do ---- */

  /** The buyer pays. `delayed` simulates SEPA: completed but unpaid until settle(). */
  async pay(checkoutId: string, opts: { delayed: boolean }): Promise<DevCheckout> {
    const co = await this.getCheckout(checkoutId);
    if (!co || co.status !== "open") throw new Error("dev checkout not open");
    const req = co.request;
    const paymentId = req.mode === "payment" ? `devpi_${newId()}` : null;
    let subscriptionId: string | null = null;
    if (paymentId)
      await this.put("payment", paymentId, {
        id: paymentId,
        amount: req.line.amount,
        currency: req.line.currency,
        refunded: false,
        checkoutId,
      } satisfies DevPayment);
    if (req.mode === "subscription") {
      subscriptionId = `devsub_${newId()}`;
      const interval = req.line.interval ?? "month";
      const trial = req.line.trialDays ?? 0;
      const end = trial > 0 ? new Date(Date.now() + trial * 86_400_000) : addInterval(new Date(), interval);
      const sub: DevSubscription = {
        providerSubscriptionId: subscriptionId,
        providerCustomerId: co.customerId,
        status: opts.delayed ? "incomplete" : trial > 0 ? "trialing" : "active",
        providerPriceId: req.line.providerPriceId ?? null,
        priceId: req.line.priceId,
        currentPeriodEnd: end.toISOString(),
        cancelAtPeriodEnd: false,
        canceledAt: null,
        metadata: { ...req.metadata, reference: req.reference, price_id: req.line.priceId, offer_id: req.line.offerId },
        interval,
        amount: req.line.amount,
        currency: req.line.currency,
        name: req.line.name,
        checkoutId,
      };
      await this.put("subscription", subscriptionId, sub);
    }
    const updated: DevCheckout = {
      ...co,
      status: opts.delayed ? "processing" : "completed",
      paymentId,
      subscriptionId,
    };
    await this.put("checkout", checkoutId, updated);
    const events: ProviderEvent[] = [
      {
        id: evId(),
        type: "checkout.completed",
        created: sec(),
        checkoutId,
        reference: req.reference,
        mode: req.mode,
        paid: !opts.delayed,
        amountTotal: req.line.amount,
        currency: req.line.currency.toLowerCase(),
        providerCustomerId: co.customerId,
        providerPaymentId: paymentId,
        providerSubscriptionId: subscriptionId,
        customerEmail: req.customerEmail,
        metadata: { ...req.metadata, reference: req.reference },
      },
    ];
    if (subscriptionId) {
      events.push({ id: evId(), type: "subscription.changed", created: sec(), providerSubscriptionId: subscriptionId });
      if (!opts.delayed && !(req.line.trialDays ?? 0)) {
        events.push({
          id: evId(),
          type: "invoice.paid",
          created: sec(),
          providerSubscriptionId: subscriptionId,
          amountPaid: req.line.amount,
          currency: req.line.currency.toLowerCase(),
          invoiceId: `devin_${newId()}`,
        });
      }
    }
    await this.emit(...events);
    return updated;
  }

  /** The delayed payment arrives (ok) or bounces. */
  async settle(checkoutId: string, ok: boolean): Promise<void> {
    const co = await this.getCheckout(checkoutId);
    if (!co || co.status !== "processing") throw new Error("dev checkout not processing");
    await this.put("checkout", checkoutId, { ...co, status: ok ? "completed" : "failed" });
    const events: ProviderEvent[] = [];
    if (co.subscriptionId) {
      const s = (await this.getSubscription(co.subscriptionId))!;
      await this.put("subscription", s.providerSubscriptionId, { ...s, status: ok ? "active" : "incomplete_expired" });
      events.push({
        id: evId(),
        type: "subscription.changed",
        created: sec(),
        providerSubscriptionId: s.providerSubscriptionId,
      });
      if (ok)
        events.push({
          id: evId(),
          type: "invoice.paid",
          created: sec(),
          providerSubscriptionId: s.providerSubscriptionId,
          amountPaid: s.amount,
          currency: s.currency.toLowerCase(),
          invoiceId: `devin_${newId()}`,
        });
    }
    events.push({
      id: evId(),
      type: ok ? "checkout.async_payment_succeeded" : "checkout.async_payment_failed",
      created: sec(),
      checkoutId,
      reference: co.request.reference,
      providerPaymentId: co.paymentId,
    });
    await this.emit(...events);
  }

  /** The buyer leaves without paying. */
  async cancelCheckout(checkoutId: string): Promise<void> {
    const co = await this.getCheckout(checkoutId);
    if (!co || co.status !== "open") return;
    await this.put("checkout", checkoutId, { ...co, status: "canceled" });
    await this.emit({
      id: evId(),
      type: "checkout.expired",
      created: sec(),
      checkoutId,
      reference: co.request.reference,
      providerPaymentId: null,
    });
  }

  /** Portal: cancel at period end, or resume. */
  async setCancelAtPeriodEnd(subscriptionId: string, cancel: boolean): Promise<void> {
    const s = await this.getSubscription(subscriptionId);
    if (!s || s.status === "canceled") return;
    await this.put("subscription", subscriptionId, { ...s, cancelAtPeriodEnd: cancel });
    await this.emit({
      id: evId(),
      type: "subscription.changed",
      created: sec(),
      providerSubscriptionId: subscriptionId,
    });
  }

  /** Portal: switch to another price (monthly <-> yearly, upgrade/downgrade). */
  async switchPrice(
    subscriptionId: string,
    price: { priceId: string; providerPriceId: string | null; amount: number; interval: BillingInterval },
  ): Promise<void> {
    const s = await this.getSubscription(subscriptionId);
    if (!s || s.status === "canceled") return;
    await this.put("subscription", subscriptionId, {
      ...s,
      priceId: price.priceId,
      providerPriceId: price.providerPriceId,
      amount: price.amount,
      interval: price.interval,
      metadata: { ...s.metadata, price_id: price.priceId },
    });
    await this.emit({
      id: evId(),
      type: "subscription.changed",
      created: sec(),
      providerSubscriptionId: subscriptionId,
    });
  }

  /**
   * Simulates the end of the current period: a cancelled subscription ends,
   * otherwise it renews (a paid invoice) or, with `fail`, goes past_due.
   */
  async endPeriod(subscriptionId: string, opts: { fail: boolean }): Promise<void> {
    const s = await this.getSubscription(subscriptionId);
    if (!s || s.status === "canceled") return;
    const events: ProviderEvent[] = [];
    if (s.cancelAtPeriodEnd) {
      await this.put("subscription", subscriptionId, { ...s, status: "canceled", canceledAt: nowIso() });
    } else if (opts.fail) {
      const end = addInterval(new Date(s.currentPeriodEnd ?? Date.now()), s.interval);
      await this.put("subscription", subscriptionId, { ...s, status: "past_due", currentPeriodEnd: end.toISOString() });
      events.push({
        id: evId(),
        type: "invoice.payment_failed",
        created: sec(),
        providerSubscriptionId: subscriptionId,
        amountPaid: 0,
        currency: s.currency.toLowerCase(),
        invoiceId: `devin_${newId()}`,
      });
    } else {
      const from = s.status === "past_due" ? new Date() : new Date(s.currentPeriodEnd ?? Date.now());
      const end = addInterval(from < new Date() ? new Date() : from, s.interval);
      await this.put("subscription", subscriptionId, { ...s, status: "active", currentPeriodEnd: end.toISOString() });
      events.push({
        id: evId(),
        type: "invoice.paid",
        created: sec(),
        providerSubscriptionId: subscriptionId,
        amountPaid: s.amount,
        currency: s.currency.toLowerCase(),
        invoiceId: `devin_${newId()}`,
      });
    }
    events.push({ id: evId(), type: "subscription.changed", created: sec(), providerSubscriptionId: subscriptionId });
    await this.emit(...events);
  }
}
