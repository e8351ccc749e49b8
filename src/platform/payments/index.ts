import type { Services } from "../http/context.ts";
import { DevProvider, type Deliver } from "./dev.ts";
import type { PaymentProvider } from "./provider.ts";
import { stripeProviderFromConfig } from "./stripe.ts";

export type { PaymentProvider } from "./provider.ts";
export { DevProvider } from "./dev.ts";

/**
 * Which payment provider this Atelier uses: Stripe when STRIPE_SECRET_KEY
 * (and STRIPE_WEBHOOK_SECRET) are set, else the dev provider — except in
 * production, where the dev provider is refused and null means "payments are
 * not configured" (checkouts answer a translated 503).
 */
const cache = new WeakMap<Services, { key: string; provider: PaymentProvider | null }>();

export function paymentProviderFor(services: Services, deliver: Deliver): PaymentProvider | null {
  const cfg = services.config;
  const key = `${cfg.stripeSecretKey ?? ""}|${cfg.stripeWebhookSecret ?? ""}|${cfg.stripeApiBase ?? ""}|${cfg.production}|${cfg.publicUrl}`;
  const hit = cache.get(services);
  if (hit && hit.key === key) return hit.provider;
  let provider: PaymentProvider | null = null;
  if (cfg.stripeSecretKey) provider = stripeProviderFromConfig(cfg);
  else if (!cfg.production)
    provider = new DevProvider(services.db, { publicUrl: cfg.publicUrl, secret: services.secret, deliver });
  cache.set(services, { key, provider });
  return provider;
}
