import type { Hono } from "hono";
import type { AppEnv } from "../../platform/http/context.ts";
import type { Config } from "../../platform/config.ts";
import { errorFields, log } from "../../platform/log.ts";
import { WebhookSignatureError } from "../../platform/payments/provider.ts";
import { StripeProvider, stripeProviderFromConfig } from "../../platform/payments/stripe.ts";
import { applyProviderEvent } from "./fulfilment.ts";

/**
 * POST /webhooks/stripe — Stripe's deliveries.
 *
 * - The body is read raw (c.req.text()) and verified before anything else: a forged, stale
 *   (older than 300 s) or unsigned delivery gets 400 and writes nothing.
 * - 200 for applied, duplicate and ignored events: Stripe stops retrying.
 * - A failure while applying gets 500 (no details in the body) so Stripe retries later; the
 *   fulfilment stores the event id in the same transaction as its effects, so the retry
 *   re-applies it from scratch.
 * - CSRF does not apply (the csrf middleware exempts /webhooks/); the signature is the authentication.
 */

const providers = new WeakMap<Config, { key: string; provider: StripeProvider | null }>();

/** One provider per configuration (rebuilt if the keys change, e.g. in tests). */
export function stripeProviderFor(config: Config): StripeProvider | null {
  const key = `${config.stripeSecretKey ?? ""}|${config.stripeWebhookSecret ?? ""}|${config.stripeApiBase ?? ""}`;
  const cached = providers.get(config);
  if (cached && cached.key === key) return cached.provider;
  const provider = stripeProviderFromConfig(config);
  providers.set(config, { key, provider });
  return provider;
}

export function stripeWebhookRoutes(app: Hono<AppEnv>): void {
  app.post("/webhooks/stripe", async (c) => {
    const { db, config } = c.var.services;
    const provider = stripeProviderFor(config);
    // Not configured: there is no Stripe endpoint here (Stripe will show the delivery as failed).
    if (!provider) return c.json({ error: "stripe_not_configured" }, 404);

    const raw = await c.req.text();
    let event;
    try {
      event = await provider.parseWebhook(raw, { "stripe-signature": c.req.header("stripe-signature") });
    } catch (err) {
      if (err instanceof WebhookSignatureError) {
        log.warn("stripe webhook refused", { reason: err.message, ip: c.req.header("x-forwarded-for") ?? null });
        return c.json({ error: "invalid_signature" }, 400);
      }
      // Genuine, but a look-up at Stripe failed (e.g. an invoice's payment): let Stripe retry.
      log.error("stripe webhook not read (Stripe will retry)", errorFields(err));
      return c.json({ error: "not_applied", retry: true }, 500);
    }

    try {
      const result = await applyProviderEvent(db, provider, event);
      return c.json({ received: true, result });
    } catch (err) {
      log.error("stripe webhook not applied (Stripe will retry)", {
        eventId: event.id,
        type: event.type,
        ...errorFields(err),
      });
      return c.json({ error: "not_applied", retry: true }, 500);
    }
  });
}
