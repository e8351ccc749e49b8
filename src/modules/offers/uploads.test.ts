import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startTestApp, ownerEmail, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { createMember } from "../members/index.ts";
import { createOffer } from "./service.ts";
import { downloadLink, offerUpload, setOfferUploadLimit } from "./downloads.tsx";
import { grantEntitlement } from "../access/index.ts";
import { newId } from "../../platform/ids.ts";

/** Download uploads: streamed to disk past the 1 MB global body limit, capped, CSRF-checked, served back byte for byte. */
let app: TestApp;
let owner: TestClient;
let offerId = "";

before(async () => {
  app = await startTestApp();
  const staff = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  const s = await createSession(app.db, "staff", staff.id);
  owner = app.client();
  owner.cookies.set("atl_s", s.token);
  offerId = (
    await createOffer(app.db, { slug: "pack", kind: "product", name: "Le pack", status: "published" }, [
      { kind: "one_off", amount: 900, currency: "EUR" },
    ])
  ).id;
});

after(async () => {
  setOfferUploadLimit(200 * 1024 * 1024);
  await app.stop();
});

function bytes(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x & 0xff;
  }
  return b;
}

/** A POST on its own connection (agent: false), as the owner; resolves as soon as the response is read. */
function rawPost(
  path: string,
  headers: Record<string, string>,
  body: Uint8Array,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(app.url + path);
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: "POST",
        agent: false,
        headers: { ...headers, "content-length": String(body.length), cookie: `atl_s=${owner.cookies.get("atl_s")}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", (err: NodeJS.ErrnoException) =>
      err.code === "EPIPE" || err.code === "ECONNRESET" ? undefined : reject(err),
    );
    req.end(body);
  });
}

function uploadForm(csrf: string | null, data: Uint8Array<ArrayBuffer>, name: string): FormData {
  const form = new FormData();
  if (csrf !== null) form.append("_csrf", csrf);
  form.append("file", new Blob([data], { type: "application/zip" }), name);
  return form;
}

test("a 5 MB download is streamed to disk and served back byte for byte through a signed link", async () => {
  assert.equal(offerUpload.maxBytes, 200 * 1024 * 1024, "200 MB by default");
  const page = await owner.get(`/admin/offers/${offerId}`);
  assert.match(page.text, /action="\/admin\/offer-upload\?offer=/);
  assert.match(page.text, /200 Mo au plus/);
  const data = bytes(5 * 1024 * 1024, 7);
  const up = await owner.request("POST", `/admin/offer-upload?offer=${offerId}`, {
    body: uploadForm(owner.csrf, data, "pack sons.zip"),
  });
  assert.equal(up.status, 303, up.text.slice(0, 300));
  const row = await app.db
    .selectFrom("offer_files")
    .selectAll()
    .where("offer_id", "=", offerId)
    .executeTakeFirstOrThrow();
  assert.equal(row.size, data.length);
  assert.equal(row.name, "pack sons.zip");
  assert.equal(row.mime, "application/zip");

  const m = await createMember(
    app.db,
    { email: "buyer@example.org", locale: "fr", status: "active", emailOptIn: false, source: "test" },
    "system",
  );
  await grantEntitlement(app.db, {
    memberId: m.id,
    resourceKind: "offer",
    resourceId: offerId,
    sourceKind: "manual",
    sourceId: newId(),
  });
  const res = await fetch(app.url + downloadLink(app.running.services.secret, row.id, m.id));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-length"), String(data.length));
  assert.match(res.headers.get("content-disposition") ?? "", /attachment/);
  const got = new Uint8Array(await res.arrayBuffer());
  assert.equal(Buffer.compare(Buffer.from(got), Buffer.from(data)), 0, "same bytes");
});

test("too large: 413 with a translated message, nothing stored (declared length and multipart overflow)", async () => {
  setOfferUploadLimit(2 * 1024 * 1024);
  try {
    const before = (await app.db.selectFrom("offer_files").select("id").execute()).length;
    await owner.get(`/admin/offers/${offerId}`);
    // Body within the route's limit (file + multipart allowance) but file over the cap: the streamed count refuses it.
    await owner.get(`/admin/offers/${offerId}`);
    const edge = await owner.request("POST", `/admin/offer-upload?offer=${offerId}`, {
      body: uploadForm(owner.csrf, bytes(2 * 1024 * 1024 + 10_000, 4), "edge.zip"),
    });
    assert.equal(edge.status, 413);
    assert.match(edge.text, /Le fichier dépasse 2 Mo/);
    await owner.get(`/admin/offers/${offerId}`);
    const en = await owner.request("POST", `/admin/offer-upload?offer=${offerId}`, {
      body: uploadForm(owner.csrf, bytes(2 * 1024 * 1024 + 10_000, 5), "edge.zip"),
      headers: { "accept-language": "en" },
    });
    assert.equal(en.status, 413);
    assert.match(en.text, /larger than 2 MB|too large/);
    // Body larger than the route's limit: refused from its Content-Length before being read
    // (on its own connection: the server answers without reading the body and closes it).
    const form = uploadForm(owner.csrf, bytes(3 * 1024 * 1024, 3), "big.zip");
    const encoded = new Response(form);
    const big = await rawPost(
      `/admin/offer-upload?offer=${offerId}`,
      { "content-type": encoded.headers.get("content-type")! },
      new Uint8Array(await encoded.arrayBuffer()),
    );
    assert.equal(big.status, 413);
    assert.match(big.text, /trop volumineuses/);
    assert.equal((await app.db.selectFrom("offer_files").select("id").execute()).length, before, "nothing recorded");
    // A raw request announcing 300 MB is answered 413 at once, without waiting for the bytes.
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${app.url}/admin/offer-upload?offer=${offerId}`);
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname + u.search,
          method: "POST",
          agent: false,
          headers: {
            "content-type": "multipart/form-data; boundary=x",
            "content-length": String(300 * 1024 * 1024),
            cookie: `atl_s=${owner.cookies.get("atl_s")}`,
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on("error", reject);
      req.write("--x\r\n");
    });
    assert.equal(status, 413);
  } finally {
    setOfferUploadLimit(200 * 1024 * 1024);
  }
});

test("an upload without the form's CSRF token, or from another site, stores nothing", async () => {
  const before = (await app.db.selectFrom("offer_files").select("id").execute()).length;
  const none = await owner.request("POST", `/admin/offer-upload?offer=${offerId}`, {
    body: uploadForm(null, bytes(1000, 1), "x.zip"),
  });
  assert.equal(none.status, 403);
  const wrong = await owner.request("POST", `/admin/offer-upload?offer=${offerId}`, {
    body: uploadForm("nope", bytes(1000, 1), "x.zip"),
  });
  assert.equal(wrong.status, 403);
  await owner.get(`/admin/offers/${offerId}`);
  const cross = await owner.request("POST", `/admin/offer-upload?offer=${offerId}`, {
    body: uploadForm(owner.csrf, bytes(1000, 1), "x.zip"),
    headers: { origin: "https://evil.example" },
  });
  assert.equal(cross.status, 403);
  const anon = await app
    .client()
    .request("POST", `/admin/offer-upload?offer=${offerId}`, { body: uploadForm("x", bytes(1000, 1), "x.zip") });
  assert.notEqual(anon.status, 303);
  const empty = await owner.request("POST", `/admin/offer-upload?offer=${offerId}`, {
    body: uploadForm(owner.csrf, new Uint8Array(0), "empty.zip"),
  });
  assert.equal(empty.status, 422);
  assert.equal((await app.db.selectFrom("offer_files").select("id").execute()).length, before);
});
