import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { startTestS3, type TestS3 } from "../../../test/support/s3.ts";
import { parseRange, storeBytes, type StoredFile } from "./index.ts";

/** serveStoredFile through a real node, on local disk and on S3: the answers must be the same. */
let s3: TestS3;
before(async () => {
  s3 = await startTestS3();
});
after(async () => {
  await s3.stop();
});

const bytes = Buffer.from("0123456789abcdefghij"); // 20 bytes

for (const driver of ["local", "s3"] as const) {
  describe(`serveStoredFile on ${driver}`, () => {
    let app: TestApp;
    let file: StoredFile;
    let url: string;
    before(async () => {
      app = await startTestApp({ env: driver === "s3" ? s3.env(`serve-${Date.now()}`) : {} });
      assert.equal(app.running.services.storage.kind, driver);
      file = await storeBytes(app.db, app.running.services.storage, { bytes, mime: "image/png", purpose: "logo" });
      url = `${app.url}/media/${file.id}`;
    });
    after(async () => {
      await app.stop();
    });

    test("GET whole: 200, length, type, ETag, Accept-Ranges, the cache control asked for", async () => {
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), bytes.toString());
      assert.equal(res.headers.get("content-length"), "20");
      assert.equal(res.headers.get("content-type"), "image/png");
      assert.equal(res.headers.get("accept-ranges"), "bytes");
      assert.equal(res.headers.get("etag"), `"${file.id}"`);
      assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    });

    test("HEAD: the headers, no body", async () => {
      const res = await fetch(url, { method: "HEAD" });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-length"), "20");
      assert.equal(await res.text(), "");
    });

    const ranges: [string, string, string][] = [
      ["bytes=0-3", "0123", "bytes 0-3/20"],
      ["bytes=5-9", "56789", "bytes 5-9/20"],
      ["bytes=-4", "ghij", "bytes 16-19/20"],
      ["bytes=15-", "fghij", "bytes 15-19/20"],
      ["bytes=18-400", "ij", "bytes 18-19/20"],
    ];
    for (const [range, body, contentRange] of ranges)
      test(`Range ${range} → 206 ${contentRange}`, async () => {
        const res = await fetch(url, { headers: { Range: range } });
        assert.equal(res.status, 206);
        assert.equal(await res.text(), body);
        assert.equal(res.headers.get("content-range"), contentRange);
        assert.equal(res.headers.get("content-length"), String(body.length));
      });

    test("an unsatisfiable range is a 416 with the size", async () => {
      for (const range of ["bytes=20-", "bytes=99-120", "bytes=-0"]) {
        const res = await fetch(url, { headers: { Range: range } });
        assert.equal(res.status, 416, range);
        assert.equal(res.headers.get("content-range"), "bytes */20");
        await res.arrayBuffer();
      }
    });

    test("If-None-Match with the ETag is a 304; another ETag gets the file", async () => {
      const res = await fetch(url, { headers: { "If-None-Match": `"${file.id}"` } });
      assert.equal(res.status, 304);
      assert.equal(res.headers.get("etag"), `"${file.id}"`);
      const other = await fetch(url, { headers: { "If-None-Match": `"nope"` } });
      assert.equal(other.status, 200);
      await other.arrayBuffer();
    });

    test("a stale If-Range sends it whole", async () => {
      const res = await fetch(url, { headers: { Range: "bytes=0-3", "If-Range": `"old"` } });
      assert.equal(res.status, 200);
      assert.equal((await res.text()).length, 20);
    });

    test("bytes gone from the store: a translated 404, never a 500 (GET, HEAD and ranges)", async () => {
      const gone = await storeBytes(app.db, app.running.services.storage, {
        bytes,
        mime: "image/png",
        purpose: "logo",
      });
      await app.running.services.storage.delete(gone.path);
      for (const init of [{}, { method: "HEAD" }, { headers: { Range: "bytes=0-1" } }] as RequestInit[]) {
        const res = await fetch(`${app.url}/media/${gone.id}`, {
          ...init,
          headers: { ...init.headers, "Accept-Language": "fr" },
        });
        assert.equal(res.status, 404, JSON.stringify(init));
        const text = await res.text();
        if (init.method !== "HEAD") assert.match(text, /plus disponible/);
      }
      const unknown = await fetch(`${app.url}/media/00000000-0000-0000-0000-000000000000`);
      assert.equal(unknown.status, 404);
      await unknown.arrayBuffer();
    });
  });
}

test("parseRange reads the forms browsers and players send", () => {
  assert.deepEqual(parseRange("bytes=0-0", 10), { start: 0, end: 0 });
  assert.deepEqual(parseRange("bytes=-20", 10), { start: 0, end: 9 });
  assert.equal(parseRange("bytes=0-1,4-5", 10), undefined, "several ranges: served whole");
  assert.equal(parseRange("items=0-1", 10), undefined);
  assert.equal(parseRange("bytes=5-2", 10), undefined);
  assert.equal(parseRange("bytes=10-", 10), "unsatisfiable");
  assert.equal(parseRange(undefined, 10), undefined);
});

test("with STORAGE_PRESIGN_SECONDS, an S3 download redirects to a presigned URL that works", async () => {
  const app = await startTestApp({ env: { ...s3.env("presign"), STORAGE_PRESIGN_SECONDS: "120" } });
  try {
    const file = await storeBytes(app.db, app.running.services.storage, { bytes, mime: "image/png", purpose: "logo" });
    const res = await fetch(`${app.url}/media/${file.id}`, { redirect: "manual" });
    assert.equal(res.status, 302);
    const location = res.headers.get("location")!;
    assert.match(location, /X-Amz-Expires=120/);
    const direct = await fetch(location);
    assert.equal(direct.status, 200);
    assert.equal(await direct.text(), bytes.toString());
  } finally {
    await app.stop();
  }
});
