import type { AppContext, Services } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { paymentProviderFor } from "../../platform/payments/index.ts";
import type { PaymentProvider } from "../../platform/payments/provider.ts";
import { DevProvider } from "../../platform/payments/dev.ts";
import { applyProviderEvent } from "./fulfilment.ts";

/** This request's payment provider (null in production without Stripe). */
export function providerOf(c: AppContext): PaymentProvider | null {
  return providerFor(c.var.services);
}

/** The services' payment provider (null in production without Stripe); its events reach fulfilment. */
export function providerFor(services: Services): PaymentProvider | null {
  return paymentProviderFor(services, (p, e) => applyProviderEvent(services.db, p, e));
}

export function requireProvider(c: AppContext): PaymentProvider {
  return requireProviderFor(c.var.services);
}

export function requireProviderFor(services: Services): PaymentProvider {
  const p = providerFor(services);
  if (!p) throw new AppError("payments_not_configured", 503 as 500, "offers.error.not_configured");
  return p;
}

/** The dev provider, or a 404 (it does not exist in production or when Stripe is configured). */
export function requireDev(c: AppContext): DevProvider {
  const p = providerOf(c);
  if (!(p instanceof DevProvider) || c.var.services.config.production) throw new AppError("not_found", 404);
  return p;
}

export function isTestMode(c: AppContext): boolean {
  return providerOf(c) instanceof DevProvider;
}
