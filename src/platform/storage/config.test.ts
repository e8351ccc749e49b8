import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../config.ts";
import { start } from "../../main.ts";
import { createStorage, describeStorage } from "./index.ts";

const base = { DATA_DIR: "/tmp/atelier-config-test", LOG_LEVEL: "silent" };
const s3 = {
  STORAGE_URL: "s3://atelier-media/site-1",
  S3_ENDPOINT: "https://s3.fr-par.scw.cloud",
  S3_REGION: "fr-par",
  S3_ACCESS_KEY_ID: "AKIA",
  S3_SECRET_ACCESS_KEY: "secret",
};

test("local disk is the default; STORAGE_URL=s3://bucket/prefix picks S3 with its settings", () => {
  const local = loadConfig(base);
  assert.equal(local.storage.driver, "local");
  assert.equal(createStorage(local).kind, "local");
  const cfg = loadConfig({ ...base, ...s3, S3_FORCE_PATH_STYLE: "1", STORAGE_PRESIGN_SECONDS: "300" });
  assert.equal(cfg.storage.driver, "s3");
  assert.deepEqual(cfg.storage.s3, {
    bucket: "atelier-media",
    prefix: "site-1/",
    endpoint: "https://s3.fr-par.scw.cloud",
    region: "fr-par",
    accessKeyId: "AKIA",
    secretAccessKey: "secret",
    forcePathStyle: true,
  });
  assert.equal(cfg.storage.presignSeconds, 300);
  assert.equal(createStorage(cfg).kind, "s3");
  assert.equal(describeStorage(cfg), "s3://atelier-media/site-1/ at https://s3.fr-par.scw.cloud");
  assert.ok(!describeStorage(cfg).includes("secret"));
  assert.equal(loadConfig({ ...base, STORAGE_URL: "s3://bucket" }).storage.s3?.prefix, "");
});

test("a wrong storage setting is one clear line naming it", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ STORAGE_URL: "https://bucket" }, /STORAGE_URL must look like s3:\/\/bucket/],
    [{ STORAGE_URL: "s3://B" }, /STORAGE_URL/],
    [{ STORAGE_URL: "s3://bucket/../x" }, /STORAGE_URL prefix must not contain/],
    [{ ...s3, S3_ENDPOINT: "ftp://x" }, /S3_ENDPOINT must be an http\(s\) URL/],
    [{ ...s3, S3_REGION: "Paris!" }, /S3_REGION must be a region name/],
    [{ ...s3, S3_SECRET_ACCESS_KEY: "" }, /set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/],
    [{ ...s3, S3_FORCE_PATH_STYLE: "yes" }, /S3_FORCE_PATH_STYLE must be 1 or 0/],
    [{ ...s3, STORAGE_PRESIGN_SECONDS: "999999999" }, /STORAGE_PRESIGN_SECONDS must be at most 604800/],
    [{ S3_ENDPOINT: "https://s3.example" }, /S3_\* variables are set but STORAGE_URL is not/],
    [{ STORAGE_PRESIGN_SECONDS: "60" }, /STORAGE_PRESIGN_SECONDS needs STORAGE_URL/],
  ];
  for (const [env, message] of cases)
    assert.throws(
      () => loadConfig({ ...base, ...env }),
      (e: unknown) => e instanceof ConfigError && message.test(e.message) && !e.message.includes("\n"),
      JSON.stringify(env),
    );
});

test("a bucket that cannot be reached stops the start with one line", async () => {
  const cfg = loadConfig({ ...base, ...s3, S3_ENDPOINT: "http://127.0.0.1:9", PORT: "0" });
  await assert.rejects(
    () => start(cfg),
    (e: unknown) =>
      e instanceof Error && /^Storage s3:\/\/atelier-media at http:\/\/127\.0\.0\.1:9: cannot reach it/.test(e.message),
  );
});
