import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { allCatalogs } from "../i18n/index.ts";

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app.stop());

test("GET /healthz reports the database kind", async () => {
  const res = await fetch(`${app.url}/healthz`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { status: string; database: string };
  assert.equal(body.status, "ok");
  assert.equal(body.database, process.env.TEST_DATABASE_URL || process.env.DATABASE_URL ? "postgres" : "sqlite");
});

test("every response carries a CSP that forbids inline scripts", async () => {
  const res = await fetch(`${app.url}/healthz`);
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
});

test("an unknown page is a translated 404, never a stack trace", async () => {
  const res = await fetch(`${app.url}/no/such/page`, { headers: { "accept-language": "en" } });
  assert.equal(res.status, 404);
  const html = await res.text();
  assert.match(html, /This page does not exist/);
  assert.doesNotMatch(html, /at .*\.ts:\d+/);
});

test("a cross-site POST is refused", async () => {
  const res = await fetch(`${app.url}/lang/en`, {
    method: "POST",
    headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
    body: "a=1",
  });
  assert.equal(res.status, 403);
});

test("bad configuration stops start-up with one clear line", () => {
  assert.throws(
    () => loadConfig({ PORT: "eighty" }),
    (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message) && !e.message.includes("\n"),
  );
  assert.throws(() => loadConfig({ DATABASE_URL: "mysql://x" }), /DATABASE_URL must start with postgres/);
  assert.throws(() => loadConfig({ SMTP_URL: "mail.example.com" }), /SMTP_URL/);
  assert.equal(loadConfig({}).port, 3000);
  assert.equal(loadConfig({ PUBLIC_URL: "https://atelier.example/" }).secureCookies, true);
  assert.equal(loadConfig({}).trustProxy, false, "X-Forwarded-For is ignored unless the operator says a proxy sets it");
  assert.equal(loadConfig({ TRUST_PROXY: "1" }).trustProxy, true);
});

test("French and English catalogs have the same keys", () => {
  const { fr, en } = allCatalogs();
  const missingEn = Object.keys(fr).filter((k) => !(k in en));
  const missingFr = Object.keys(en).filter((k) => !(k in fr));
  assert.deepEqual(missingEn, []);
  assert.deepEqual(missingFr, []);
  assert.ok(Object.keys(fr).length > 20);
});
