import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { pipeline } from "node:stream/promises";
import { after, before, describe, test } from "node:test";
import { startTestS3, type TestS3 } from "../../../test/support/s3.ts";
import { LocalStorage, ObjectMissingError, type Storage } from "./index.ts";
import { S3Storage } from "./s3.ts";

/** The same contract, run against each driver: what a route sees must not depend on where the bytes are. */
let s3: TestS3;
let tmp: string;
const drivers: Record<string, () => Storage> = {};

before(async () => {
  s3 = await startTestS3();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-storage-"));
  drivers.local = () => new LocalStorage(path.join(tmp, "files"));
  drivers.s3 = () => new S3Storage(s3.config("prefix"));
});

after(async () => {
  await s3.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const text = (s: Storage, key: string, range?: { start: number; end: number }) =>
  s.get(key, range).then(async (g) => ({ ...g, body: (await buffer(g.stream)).toString() }));

/** A file of `mb` megabytes written in 1 MB chunks (never whole in memory), and its SHA-256. */
async function bigFile(mb: number): Promise<{ file: string; sha: string }> {
  const file = path.join(tmp, `big-${crypto.randomUUID()}.bin`);
  const hash = crypto.createHash("sha256");
  const chunk = crypto.randomBytes(1024 * 1024);
  await pipeline(
    Readable.from(
      (function* () {
        for (let i = 0; i < mb; i++) {
          const part = Buffer.from(chunk);
          part[0] = i & 0xff;
          hash.update(part);
          yield part;
        }
      })(),
    ),
    fs.createWriteStream(file),
  );
  return { file, sha: hash.digest("hex") };
}

for (const name of ["local", "s3"]) {
  describe(`storage contract: ${name}`, () => {
    let storage: Storage;
    before(() => {
      storage = drivers[name]!();
    });

    test("put bytes, get, stat, list, delete", async () => {
      await storage.put("aa/one", { bytes: Buffer.from("bonjour le monde") }, { mime: "text/plain" });
      const got = await text(storage, "aa/one");
      assert.equal(got.body, "bonjour le monde");
      assert.equal(got.size, 16);
      assert.equal(got.totalSize, 16);
      assert.deepEqual(await storage.stat("aa/one"), { key: "aa/one", size: 16 });
      const keys: string[] = [];
      for await (const o of storage.list("aa/")) keys.push(o.key);
      assert.deepEqual(keys, ["aa/one"]);
      await storage.delete("aa/one");
      assert.equal(await storage.stat("aa/one"), null);
      await storage.delete("aa/one"); // twice is fine
    });

    test("put from a stream of unknown size and from a file path", async () => {
      await storage.put("bb/stream", { stream: Readable.from([Buffer.from("un "), Buffer.from("deux")]) });
      assert.equal((await text(storage, "bb/stream")).body, "un deux");
      const src = path.join(tmp, `src-${name}.txt`);
      fs.writeFileSync(src, "depuis un fichier");
      await storage.put("bb/file", { path: src, size: 17 });
      assert.equal((await text(storage, "bb/file")).body, "depuis un fichier");
      assert.ok(fs.existsSync(src), "a put without move leaves the source");
      await storage.put("bb/moved", { path: src, size: 17, move: true });
      assert.equal((await text(storage, "bb/moved")).body, "depuis un fichier");
    });

    test("byte ranges: first bytes, middle, to the end, clamped past the end", async () => {
      await storage.put("cc/range", { bytes: Buffer.from("0123456789") });
      const first = await text(storage, "cc/range", { start: 0, end: 3 });
      assert.deepEqual([first.body, first.size, first.totalSize], ["0123", 4, 10]);
      assert.equal((await text(storage, "cc/range", { start: 4, end: 6 })).body, "456");
      assert.equal((await text(storage, "cc/range", { start: 7, end: 9 })).body, "789");
      const clamped = await text(storage, "cc/range", { start: 8, end: 100 });
      assert.deepEqual([clamped.body, clamped.size], ["89", 2]);
    });

    test("a missing object: get throws ObjectMissingError, stat is null", async () => {
      await assert.rejects(() => storage.get("dd/none"), ObjectMissingError);
      await assert.rejects(() => storage.get("dd/none", { start: 0, end: 1 }), ObjectMissingError);
      assert.equal(await storage.stat("dd/none"), null);
    });

    test("keys that climb out or are absolute are refused", async () => {
      for (const key of ["../etc/passwd", "/abs", "a//b", "a/../b", "", "a b", "é"])
        await assert.rejects(() => storage.put(key, { bytes: Buffer.from("x") }), /invalid storage key/);
    });

    test("a 60 MB file goes in (multipart on S3) and back with memory growth under 100 MB", async () => {
      const { file, sha } = await bigFile(60);
      global.gc?.();
      const base = process.memoryUsage().rss;
      let peak = base;
      const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      try {
        await storage.put("ee/big", { path: file, size: 60 * 1024 * 1024 }, { mime: "video/mp4" });
        const got = await storage.get("ee/big");
        assert.equal(got.size, 60 * 1024 * 1024);
        const hash = crypto.createHash("sha256");
        for await (const chunk of got.stream) hash.update(chunk as Buffer);
        assert.equal(hash.digest("hex"), sha, "the same bytes come back");
        const tail = await text(storage, "ee/big", { start: 60 * 1024 * 1024 - 10, end: 60 * 1024 * 1024 - 1 });
        assert.equal(tail.size, 10);
      } finally {
        clearInterval(sample);
      }
      peak = Math.max(peak, process.memoryUsage().rss);
      const growthMb = (peak - base) / 1024 / 1024;
      console.log(`${name}: 60 MB put+get, RSS growth ${growthMb.toFixed(1)} MB`);
      assert.ok(growthMb < 100, `RSS grew by ${growthMb.toFixed(1)} MB`);
      await storage.delete("ee/big");
      assert.equal(await storage.stat("ee/big"), null);
    });
  });
}

test("S3: a prefix keeps objects apart, and a presigned URL fetches the object directly", async () => {
  const a = new S3Storage(s3.config("site-a"));
  const b = new S3Storage(s3.config("site-b"));
  await a.put("ff/x", { bytes: Buffer.from("de A") }, { mime: "text/plain" });
  assert.equal(await b.stat("ff/x"), null);
  const url = await a.presignGet("ff/x", { expiresInSeconds: 60, contentDisposition: "attachment" });
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "de A");
});

test("local: the upload temp folder and half-written files are not objects", async () => {
  const root = path.join(tmp, "listing");
  const local = new LocalStorage(root);
  await local.put("gg/kept", { bytes: Buffer.from("ok") });
  fs.mkdirSync(path.join(root, ".incoming"), { recursive: true });
  fs.writeFileSync(path.join(root, ".incoming", "x.part"), "partial");
  fs.writeFileSync(path.join(root, "gg", "kept.123.tmp"), "partial");
  const keys: string[] = [];
  for await (const o of local.list()) keys.push(o.key);
  assert.deepEqual(keys, ["gg/kept"]);
});
