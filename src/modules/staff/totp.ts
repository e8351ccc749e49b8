import * as OTPAuth from "otpauth";
import QRCode from "qrcode";
import type { Db } from "../../platform/db/index.ts";
import { nowIso } from "../../platform/ids.ts";

/**
 * TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s), the kind every
 * authenticator app reads from a QR code. A code is accepted one step early or
 * late (window ±1) to absorb clock drift on phones.
 */

function totp(secretBase32: string, label = "", issuer = ""): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

/** Normalises what people type ("123 456", "123-456") to six digits, or null. */
export function normaliseCode(input: string): string | null {
  const digits = input.replace(/[\s-]/g, "");
  return /^\d{6}$/.test(digits) ? digits : null;
}

export function checkTotp(secretBase32: string, code: string): boolean {
  const token = normaliseCode(code);
  if (!token) return false;
  return totp(secretBase32).validate({ token, window: 1 }) !== null;
}

/**
 * Checks a login code and burns its time step: the same code (or an older
 * one) is refused afterwards, even within the ±1 window. The conditional
 * UPDATE makes two concurrent uses of one code let only one through.
 */
export async function useTotpCode(
  db: Db,
  staffId: string,
  secretBase32: string,
  code: string,
  now = Date.now(),
): Promise<boolean> {
  const token = normaliseCode(code);
  if (!token) return false;
  const delta = totp(secretBase32).validate({ token, window: 1, timestamp: now });
  if (delta === null) return false;
  const step = Math.floor(now / 30_000) + delta;
  const result = await db
    .updateTable("staff_users")
    .set({ totp_last_step: step })
    .where("id", "=", staffId)
    .where((eb) => eb.or([eb("totp_last_step", "is", null), eb("totp_last_step", "<", step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The otpauth:// URI an authenticator app imports (label = the staff email, issuer = the site). */
export function totpUri(secretBase32: string, email: string, issuer: string): string {
  return totp(secretBase32, email, issuer).toString();
}

/** The URI as a QR code SVG, ready for <img src="data:image/svg+xml;base64,..."> (the CSP allows data: images). */
export async function qrDataUri(text: string): Promise<string> {
  const svg = await QRCode.toString(text, {
    type: "svg",
    margin: 2,
    errorCorrectionLevel: "M",
    color: { dark: "#1d1a17", light: "#ffffff" },
  });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}

/** Groups a base32 secret by four for people who type it by hand. */
export function groupSecret(secretBase32: string): string {
  return secretBase32.replace(/(.{4})/g, "$1 ").trim();
}

export async function getTotpState(db: Db, staffId: string): Promise<{ secret: string | null; enabled: boolean }> {
  const row = await db
    .selectFrom("staff_users")
    .select(["totp_secret", "totp_enabled"])
    .where("id", "=", staffId)
    .executeTakeFirst();
  return { secret: row?.totp_secret ?? null, enabled: row?.totp_enabled === 1 };
}

/** Stores a fresh secret, not yet enabled: the owner must prove their app has it before it protects the login. */
export async function startTotpSetup(db: Db, staffId: string): Promise<string> {
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await db
    .updateTable("staff_users")
    .set({ totp_secret: secret, totp_enabled: 0, updated_at: nowIso() })
    .where("id", "=", staffId)
    .where("totp_enabled", "=", 0)
    .execute();
  return secret;
}

/** Enables TOTP when `code` matches the pending secret; returns whether it did. */
export async function confirmTotpSetup(db: Db, staffId: string, code: string): Promise<boolean> {
  const { secret, enabled } = await getTotpState(db, staffId);
  if (!secret || enabled || !checkTotp(secret, code)) return false;
  await db
    .updateTable("staff_users")
    .set({ totp_enabled: 1, updated_at: nowIso() })
    .where("id", "=", staffId)
    .execute();
  return true;
}

export async function disableTotp(db: Db, staffId: string): Promise<void> {
  await db
    .updateTable("staff_users")
    .set({ totp_enabled: 0, totp_secret: null, updated_at: nowIso() })
    .where("id", "=", staffId)
    .execute();
}
