import * as OTPAuth from "otpauth";
import assert from "node:assert/strict";
import type { TestClient } from "../../../test/support/client.ts";
import { ownerEmail, ownerPassword } from "../../../test/support/app.ts";

/** Logs the owner in with email and password; returns where the login redirected. */
export async function loginOwner(client: TestClient, password = ownerPassword): Promise<string | null> {
  await client.get("/admin/login");
  const res = await client.post("/admin/login", { email: ownerEmail, password });
  assert.equal(res.status, 303, `login failed with ${res.status}`);
  return res.location;
}

/** The current TOTP code for a base32 secret, `offset` steps away (tests of the ±1 window). */
export function totpCode(secret: string, offset = 0): string {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
    algorithm: "SHA1",
  });
  return totp.generate({ timestamp: Date.now() + offset * 30_000 });
}

/** A code that is not valid now, nor one step before or after. */
export function wrongCode(secret: string): string {
  const valid = new Set([-1, 0, 1].map((o) => totpCode(secret, o)));
  for (let n = 123456; ; n = (n + 111111) % 1_000_000) {
    const code = String(n).padStart(6, "0");
    if (!valid.has(code)) return code;
  }
}
