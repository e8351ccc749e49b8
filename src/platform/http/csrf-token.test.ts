import assert from "node:assert/strict";
import { test } from "node:test";
import { sign } from "../security/tokens.ts";
import { csrfTokenFor } from "./middleware.ts";

/* A session's CSRF token is kept after its first page: it must stay the token the secret signs for it. */

test("csrf token: kept per session, still the signed one, per secret and per session", () => {
  const a = "a".repeat(64);
  const b = "b".repeat(64);
  const first = csrfTokenFor("secret-1", a);
  assert.equal(first, sign("secret-1", `csrf:${a}:-`));
  assert.equal(csrfTokenFor("secret-1", a), first);
  assert.equal(csrfTokenFor("secret-1", undefined, a), sign("secret-1", `csrf:-:${a}`));
  assert.equal(csrfTokenFor("secret-1", a, b), sign("secret-1", `csrf:${a}:${b}`));
  assert.notEqual(csrfTokenFor("secret-1", b), first);
  // Another secret (a rotated one) signs anew: no token of the old secret is handed out.
  assert.equal(csrfTokenFor("secret-2", a), sign("secret-2", `csrf:${a}:-`));
  assert.equal(csrfTokenFor("secret-1", a), first);
  assert.equal(csrfTokenFor("secret-1"), sign("secret-1", "csrf:-:-"));
});
