import Stripe from "stripe";

/** The Stripe SDK client (local stub through STRIPE_API_BASE in tests) and the short hashes in idempotency keys. */

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

/** A short, stable hash of a text, for idempotency keys. */
export function shortHash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
