import assert from "node:assert/strict";
import { test } from "node:test";
import { startTestApp } from "../../../test/support/app.ts";

/* Issue 7 (identity): Strict-Transport-Security exactly when the site is served over https. */

test("no Strict-Transport-Security over http", async () => {
  const app = await startTestApp();
  try {
    const res = await app.client().get("/");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("strict-transport-security"), null);
  } finally {
    await app.stop();
  }
});

test("Strict-Transport-Security on every answer when PUBLIC_URL is https", async () => {
  const app = await startTestApp({ env: { PUBLIC_URL: "https://atelier.example" } });
  try {
    for (const path of ["/", "/login", "/admin/login", "/no-such-page"]) {
      const res = await app.client().get(path);
      assert.match(res.headers.get("strict-transport-security") ?? "", /^max-age=31536000$/, path);
    }
  } finally {
    await app.stop();
  }
});
