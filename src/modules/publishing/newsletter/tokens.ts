import { safeEqual, sign } from "../../../platform/security/tokens.ts";

/**
 * Signed, stateless tokens put in emails. An unsubscribe token names the
 * member (and the send it came from, for the per-send figures); it never
 * expires, as RFC 8058 expects the link to keep working.
 */
function encode(purpose: string, secret: string, parts: string[]): string {
  const body = Buffer.from(parts.join("|")).toString("base64url");
  return `${body}.${sign(secret, `${purpose}:${body}`).slice(0, 32)}`;
}

function decode(purpose: string, secret: string, token: string | undefined, count: number): string[] | null {
  if (!token || token.length > 400) return null;
  const [body, mac, extra] = token.split(".");
  if (!body || !mac || extra !== undefined) return null;
  if (!safeEqual(mac, sign(secret, `${purpose}:${body}`).slice(0, 32))) return null;
  const parts = Buffer.from(body, "base64url").toString("utf8").split("|");
  return parts.length === count && parts.every((p) => p.length > 0) ? parts : null;
}

export function unsubscribeToken(secret: string, memberId: string, sendId: string | null): string {
  return encode("unsub", secret, [memberId, sendId ?? "-"]);
}

export function readUnsubscribeToken(
  secret: string,
  token: string | undefined,
): { memberId: string; sendId: string | null } | null {
  const p = decode("unsub", secret, token, 2);
  return p ? { memberId: p[0]!, sendId: p[1] === "-" ? null : p[1]! } : null;
}

/** Opens and clicks (only when the creator turned tracking on). */
export function trackingToken(secret: string, sendId: string, memberId: string): string {
  return encode("track", secret, [sendId, memberId]);
}

export function readTrackingToken(
  secret: string,
  token: string | undefined,
): { sendId: string; memberId: string } | null {
  const p = decode("track", secret, token, 2);
  return p ? { sendId: p[0]!, memberId: p[1]! } : null;
}

/** A click redirect only goes where the email pointed: the target URL is signed (per send, so one rendering serves every recipient). */
export function linkSignature(secret: string, sendId: string, url: string): string {
  return sign(secret, `link:${sendId}:${url}`).slice(0, 22);
}
