import { safeEqual, sign } from "../security/tokens.ts";
import { devPortalLifetimeMs, sec } from "./dev-objects.ts";

/** The dev provider's portal links: signed with the app secret, short-lived like Stripe's portal sessions. */

/** The signed part of a portal link: its expiry (seconds) and an HMAC over customer and expiry. */
export function portalSignature(
  secret: string,
  customerId: string,
  expiresAtSec = sec() + Math.floor(devPortalLifetimeMs / 1000),
): string {
  const mac = sign(secret, `dev-portal:${customerId}:${expiresAtSec}`).slice(0, 32);
  return `${expiresAtSec}.${mac}`;
}

/** "ok", "expired" (a genuine link past its time, like Stripe's portal sessions) or "invalid". */
export function checkPortalSignature(secret: string, customerId: string, sig: string): "ok" | "expired" | "invalid" {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{32})$/.exec(sig);
  if (!m) return "invalid";
  const exp = Number(m[1]);
  if (!safeEqual(portalSignature(secret, customerId, exp), sig)) return "invalid";
  return exp > sec() ? "ok" : "expired";
}
