import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buffer } from "node:stream/consumers";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../test/support/app.ts";
import { startTestS3, type TestS3 } from "../../test/support/s3.ts";
import { loadConfig } from "../platform/config.ts";
import { start, type Running } from "../main.ts";
import { storeBytes, type StoredFile } from "../platform/storage/index.ts";
import { S3Storage } from "../platform/storage/s3.ts";

/*
 * Moving a running site's files to a bucket: `atelier storage migrate --to s3`
 * copies them (progress lines, resumable, a second run copies nothing), a node
 * started with STORAGE_URL serves them, and backup/restore carry the bucket's objects.
 */
const cliPath = path.resolve(import.meta.dirname, "main.ts");
let app: TestApp;
let s3: TestS3;
let onS3: Running | undefined;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-migrate-"));
const files: StoredFile[] = [];
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 7)]);

before(async () => {
  s3 = await startTestS3();
  app = await startTestApp();
  for (let i = 0; i < 5; i++) {
    const bytes = Buffer.concat([png, Buffer.from(`logo ${i}`)]);
    files.push(await storeBytes(app.db, app.running.services.storage, { bytes, mime: "image/png", purpose: "logo" }));
  }
});
after(async () => {
  await onS3?.stop();
  await app?.stop();
  await s3?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const full: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn", PORT: "0", ...env };
  delete full.DATABASE_URL;
  delete full.TEST_DATABASE_URL;
  const url = app.running.services.config.databaseUrl;
  if (url) full.DATABASE_URL = url;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", cliPath, ...args], {
      env: full,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("storage migrate --to s3: copies with progress, resumes, copies nothing twice; a node on the bucket serves the files", async () => {
  const dataDir = app.running.services.config.dataDir;
  const env = { DATA_DIR: dataDir, ...s3.env("site") };
  const bucket = new S3Storage(s3.config("site"));

  const noBucket = await cli(["storage", "migrate", "--to", "s3"], { DATA_DIR: dataDir });
  assert.equal(noBucket.code, 1);
  assert.match(noBucket.stderr, /STORAGE_URL is not set to a bucket/);
  const usage = await cli(["storage", "migrate"], env);
  assert.equal(usage.code, 2);

  // A first run that stopped after two objects: they are in the bucket already.
  for (const f of files.slice(0, 2))
    await bucket.put(f.path, { path: path.join(dataDir, "files", f.path), size: f.size });
  const first = await cli(["storage", "migrate", "--to", "s3"], env);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /5\/5 objects \(3 copied, 2 already there/);
  assert.match(first.stdout, /Done: 3 copied/);
  for (const f of files) assert.deepEqual(await bucket.stat(f.path), { key: f.path, size: f.size });

  const again = await cli(["storage", "migrate", "--to", "s3"], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Done: 0 copied \(0\.0 MB\), 5 already in the bucket/);

  // The same database, a node on the bucket, and the local files gone: it still serves every file.
  fs.rmSync(path.join(dataDir, "files"), { recursive: true, force: true });
  const otherDir = path.join(tmp, "node-b");
  const node = await start(
    loadConfig({
      PORT: "0",
      DATA_DIR: app.running.services.config.databaseUrl ? otherDir : dataDir,
      LOG_LEVEL: "error",
      ...(app.running.services.config.databaseUrl ? { DATABASE_URL: app.running.services.config.databaseUrl } : {}),
      ...s3.env("site"),
    }),
    { role: "web" },
  );
  onS3 = node;
  for (const f of files) {
    const res: Response = await fetch(`${node.url}/media/${f.id}`);
    assert.equal(res.status, 200);
    assert.equal(Buffer.from(await res.arrayBuffer()).length, f.size);
  }
});

test("backup on S3 holds the bucket's objects; restore writes them into the configured bucket", async () => {
  const dataDir = path.join(tmp, "backup-node");
  const archive = path.join(tmp, "s3-backup.tar.gz");
  const made = await cli(["backup", "--out", archive], { DATA_DIR: dataDir, ...s3.env("site") });
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, /5 files/);

  const restoreDir = path.join(tmp, "restore-node");
  const env = { DATA_DIR: restoreDir, ...s3.env("restored") };
  const restored = await cli(["restore", "--from", archive], env);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /Restored 5 files/);
  const target = new S3Storage(s3.config("restored"));
  for (const f of files) {
    const got = await target.get(f.path);
    assert.equal((await buffer(got.stream)).length, f.size);
  }
  // A bucket that holds objects is replaced only with --force.
  const refused = await cli(["restore", "--from", archive], { ...env, DATA_DIR: path.join(tmp, "restore-2") });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /bucket STORAGE_URL names is not empty/);
});
