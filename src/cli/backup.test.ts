import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import sharp from "sharp";
import * as tar from "tar";
import { startTestApp, type TestApp } from "../../test/support/app.ts";
import { loadConfig } from "../platform/config.ts";
import { createStorage } from "../platform/storage/index.ts";
import { openDatabase, toNumber } from "../platform/db/index.ts";
import { newId, nowIso } from "../platform/ids.ts";
import { start, type Running } from "../main.ts";
import { createMember } from "../modules/members/index.ts";
import { createOffer, downloadLink, saveOfferFile } from "../modules/offers/index.ts";
import { grantEntitlement } from "../modules/access/index.ts";
import { savePostImage } from "../modules/publishing/index.ts";

/*
 * The restore drill (issue 7): a running site with members, a download and a
 * post image is backed up by the CLI into one archive, restored into a fresh
 * DATA_DIR, started there, and serves the same bytes. A damaged archive or a
 * non-empty target is refused; a stored file gone from disk is a 404.
 */
const cliPath = path.resolve(import.meta.dirname, "main.ts");
let app: TestApp;
let restored: Running | undefined;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-drill-"));
const pg = () => !!app.running.services.config.databaseUrl;

before(async () => {
  app = await startTestApp();
});
after(async () => {
  await restored?.stop();
  await app?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function cli(args: string[], dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "warn", PORT: "0" };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  const url = app.running.services.config.databaseUrl;
  if (url) env.DATABASE_URL = url;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", cliPath, ...args], {
      env,
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

async function bytesOf(base: string, url: string): Promise<{ status: number; body: Buffer; text: string }> {
  const res = await fetch(base + url);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, body, text: body.toString("utf8") };
}

test("backup a running site, restore into a fresh DATA_DIR, start there: downloads and images are byte-identical", async () => {
  const { db, config, secret } = app.running.services;
  const member = await createMember(
    db,
    { email: "drill@example.org", name: "Drill", locale: "fr", status: "active", emailOptIn: false, source: "test" },
    "system",
  );
  const offer = await createOffer(db, { slug: "pack", kind: "product", name: "Pack", status: "published" }, [
    { kind: "one_off", amount: 900, currency: "EUR" },
  ]);
  const pdf = Buffer.from(`%PDF-1.4 drill ${newId()}`);
  const fileId = await saveOfferFile(db, createStorage(config), offer.id, "guide.pdf", pdf, "application/pdf");
  await grantEntitlement(db, {
    memberId: member.id,
    resourceKind: "offer",
    resourceId: offer.id,
    sourceKind: "complimentary",
    sourceId: newId(),
  });
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#b4532a" } })
    .png()
    .toBuffer();
  const image = await savePostImage(db, createStorage(config), new Uint8Array(png), "post-image");
  await db
    .insertInto("dev_mailbox")
    .values({
      id: newId(),
      to_address: "drill@example.org",
      from_address: "a@b.c",
      subject: "Lien",
      text: "/login/verify?token=abc",
      html: "",
      headers: "{}",
      created_at: nowIso(),
    })
    .execute();
  const download = downloadLink(secret, fileId, member.id);
  const liveDownload = await bytesOf(app.url, download);
  const liveImage = await bytesOf(app.url, `/post-media/${image.id}`);
  assert.equal(liveDownload.status, 200);
  assert.equal(liveImage.status, 200);

  const archive = path.join(tmp, "site.tar.gz");
  const made = await cli(["backup", "--out", archive], config.dataDir);
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, /Backup written to .*2 files/);
  if (pg()) assert.match(made.stdout, /pg_dump/);

  const fresh = path.join(tmp, "fresh");
  const put = await cli(["restore", "--from", archive], fresh);
  assert.equal(put.code, 0, put.stderr);
  assert.match(put.stdout, /Restored 2 files/);
  const again = await cli(["restore", "--from", archive], fresh);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /not empty.*--force/);
  assert.equal(again.stderr.trim().split("\n").length, 1);
  assert.equal((await cli(["restore", "--from", archive, "--force"], fresh)).code, 0);

  if (!pg()) {
    // The dev mailbox (whole emails with live links) is not carried by backups.
    const copy = openDatabase({ dataDir: fresh });
    try {
      const n = await copy.db
        .selectFrom("dev_mailbox")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      assert.equal(toNumber(n.n), 0);
      assert.ok(await copy.db.selectFrom("members").select("id").where("id", "=", member.id).executeTakeFirst());
    } finally {
      await copy.close();
    }
  }

  restored = await start(
    loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: fresh,
      ...(config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : {}),
      SMTP_URL: app.mail.url,
      LOG_LEVEL: "error",
    }),
    { role: "web" },
  );
  const back = await bytesOf(restored.url, download);
  assert.equal(back.status, 200);
  assert.ok(back.body.equals(liveDownload.body), "same download bytes");
  const img = await bytesOf(restored.url, `/post-media/${image.id}`);
  assert.equal(img.status, 200);
  assert.ok(img.body.equals(liveImage.body), "same image bytes");

  // A stored file gone from disk: a clear 404, not a 500.
  fs.rmSync(path.join(fresh, "files", image.path));
  fs.rmSync(path.join(fresh, "files"), { recursive: true, force: true });
  for (const url of [download, `/post-media/${image.id}`]) {
    const gone: Response = await fetch(restored.url + url, { headers: { "accept-language": "en" } });
    assert.equal(gone.status, 404, url);
    assert.match(await gone.text(), /no longer available/);
  }
});

test("a damaged archive is refused (checksums) and nothing is restored", async () => {
  const archive = path.join(tmp, "site.tar.gz");
  const work = path.join(tmp, "tamper");
  fs.mkdirSync(work);
  await tar.extract({ file: archive, cwd: work });
  const files = fs.readdirSync(path.join(work, "files"), { recursive: true, withFileTypes: true });
  const victim = files.find((f) => f.isFile())!;
  fs.appendFileSync(path.join(victim.parentPath, victim.name), "tampered");
  const bad = path.join(tmp, "bad.tar.gz");
  await tar.create({ gzip: true, file: bad, cwd: work }, fs.readdirSync(work));
  const target = path.join(tmp, "never");
  const run = await cli(["restore", "--from", bad], target);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Checksum mismatch/);
  assert.ok(!fs.existsSync(path.join(target, "files")), "nothing restored");
});
