import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ConfigError, loadConfig } from "./config.ts";

const base = { DATA_DIR: "/tmp/atelier-config-test", LOG_LEVEL: "silent" };

/** The one line a bad start prints (what the operator sees). */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig({ ...base, ...env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.ok(!err.message.includes("\n"), "one line");
    return err.message;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
}

test("newsletter settings come from platform/config, with their defaults", () => {
  const nl = loadConfig(base).newsletter;
  assert.deepEqual(nl, {
    poolSize: 5,
    ratePerSecond: 0,
    batchSize: 200,
    leaseMs: 60_000,
    watchMs: 5_000,
    webhookToken: undefined,
    dkim: undefined,
  });
  const set = loadConfig({
    ...base,
    NEWSLETTER_SMTP_POOL: "8",
    NEWSLETTER_RATE_PER_SECOND: "50",
    NEWSLETTER_BATCH_SIZE: "500",
    NEWSLETTER_LEASE_MS: "3000",
    NEWSLETTER_WATCH_MS: "300",
    MAIL_WEBHOOK_TOKEN: "tok",
  }).newsletter;
  assert.equal(set.poolSize, 8);
  assert.equal(set.ratePerSecond, 50);
  assert.equal(set.batchSize, 500);
  assert.equal(set.leaseMs, 3000);
  assert.equal(set.watchMs, 300);
  assert.equal(set.webhookToken, "tok");
});

test("bad newsletter values are refused with one clear line, not silently replaced by the default", () => {
  assert.equal(
    refusal({ NEWSLETTER_SMTP_POOL: "abc" }),
    "Configuration error: NEWSLETTER_SMTP_POOL must be a whole number from 1 to 100",
  );
  assert.match(refusal({ NEWSLETTER_SMTP_POOL: "0" }), /NEWSLETTER_SMTP_POOL must be a whole number from 1 to 100/);
  assert.match(refusal({ NEWSLETTER_BATCH_SIZE: "2.5" }), /NEWSLETTER_BATCH_SIZE must be a whole number/);
  assert.match(refusal({ NEWSLETTER_RATE_PER_SECOND: "-1" }), /NEWSLETTER_RATE_PER_SECOND/);
  assert.match(refusal({ NEWSLETTER_LEASE_MS: "100" }), /NEWSLETTER_LEASE_MS must be a whole number from 500/);
  assert.match(refusal({ NEWSLETTER_WATCH_MS: "1e9" }), /NEWSLETTER_WATCH_MS/);
});

test("DKIM is all or nothing; a key file that cannot be read stops the start", () => {
  assert.match(refusal({ DKIM_DOMAIN: "example.com" }), /DKIM needs DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY/);
  assert.match(refusal({ DKIM_DOMAIN: "not a domain", DKIM_SELECTOR: "s1" }), /DKIM_DOMAIN must be a domain/);
  assert.match(
    refusal({ DKIM_DOMAIN: "example.com", DKIM_SELECTOR: "s1", DKIM_PRIVATE_KEY_FILE: "/nonexistent/key.pem" }),
    /DKIM_PRIVATE_KEY_FILE cannot be read/,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-dkim-"));
  try {
    const file = path.join(dir, "key.pem");
    fs.writeFileSync(file, "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n");
    const dkim = loadConfig({ ...base, DKIM_DOMAIN: "example.com", DKIM_SELECTOR: "s1", DKIM_PRIVATE_KEY_FILE: file })
      .newsletter.dkim;
    assert.equal(dkim?.domainName, "example.com");
    assert.equal(dkim?.keySelector, "s1");
    assert.match(dkim?.privateKey ?? "", /BEGIN PRIVATE KEY/);
    fs.writeFileSync(file, "not a key");
    assert.match(
      refusal({ DKIM_DOMAIN: "example.com", DKIM_SELECTOR: "s1", DKIM_PRIVATE_KEY_FILE: file }),
      /must hold a PEM private key/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
