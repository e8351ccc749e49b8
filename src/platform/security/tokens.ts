import crypto from "node:crypto";

/** A URL-safe random token with 256 bits of entropy. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

/** Tokens are stored only as their SHA-256, so a database leak gives no working link or session. */
export function hashToken(token: string): string {
  // One-shot: every personal request hashes its session cookie (a third of createHash's chain).
  return crypto.hash("sha256", token, "hex");
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

/** HMAC signature for values we hand out and take back (signed links). */
export function sign(secret: string, value: string): string {
  return crypto.createHmac("sha256", secretKey(secret)).update(value).digest("base64url");
}

/** The secret as a key object, made once: preparing a string key took as long as the HMAC itself. */
let keyOf: { secret: string; key: crypto.KeyObject } | null = null;
function secretKey(secret: string): crypto.KeyObject {
  if (keyOf?.secret !== secret) keyOf = { secret, key: crypto.createSecretKey(Buffer.from(secret, "utf8")) };
  return keyOf.key;
}
