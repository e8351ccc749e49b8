import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ownerEmail, startTestApp, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { connectRaw, healthy, leftovers, postHead, type RawAnswer } from "../../../test/support/raw-http.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { getSetting, type SiteSettings } from "../../platform/settings.ts";
import { filesOnDisk, setupFields } from "./testing.ts";

/**
 * A photo straight from a phone (20 MB) is far over an image's limit and, before, over the whole
 * request's limit too, so the page answered a bare 413 and what was typed was lost. Now the file is
 * read but not kept, and the form comes back with its translated error and every text field —
 * also those sent after the file. Real streamed bodies over a socket, not fetch.
 */
let setupApp: TestApp;
let app: TestApp;
let owner: TestClient;

before(async () => {
  [setupApp, app] = await Promise.all([startTestApp({ skipSetup: true }), startTestApp()]);
  const row = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  owner = app.client();
  owner.cookies.set("atl_s", (await createSession(app.db, "staff", row.id)).token);
});
after(() => Promise.all([setupApp.stop(), app.stop()]));

const MB = 1024 * 1024;
const pngHead = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Streams a multipart form over a raw socket: `before` fields, then `file` of `fileBytes` bytes in 1 MB writes, then `after` fields. */
async function streamForm(
  base: string,
  target: string,
  parts: { before: Record<string, string>; file: string; fileBytes: number; after: Record<string, string> },
  headers: Record<string, string> = {},
  declaredLength?: number,
): Promise<RawAnswer> {
  const boundary = "----atelier-big-upload";
  const field = (k: string, v: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  const head = Buffer.from(
    Object.entries(parts.before)
      .map(([k, v]) => field(k, v))
      .join("") +
      `--${boundary}\r\nContent-Disposition: form-data; name="${parts.file}"; filename="photo.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const tail = Buffer.from(
    "\r\n" +
      Object.entries(parts.after)
        .map(([k, v]) => field(k, v))
        .join("") +
      `--${boundary}--\r\n`,
  );
  const length = head.length + parts.fileBytes + tail.length;
  const conn = await connectRaw(base);
  conn.write(
    postHead(base, target, {
      "Content-Type": `multipart/form-data; boundary=${boundary}`,
      "Content-Length": String(declaredLength ?? length),
      "Accept-Language": "fr",
      ...headers,
    }),
  );
  conn.write(head);
  const chunk = Buffer.alloc(MB, 7);
  pngHead.forEach((b, i) => (chunk[i] = b));
  for (let sent = 0; sent < parts.fileBytes; sent += MB)
    conn.write(chunk.subarray(0, Math.min(MB, parts.fileBytes - sent)));
  conn.write(tail);
  return conn.answer(30_000);
}

const cookieOf = (c: TestClient) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ");

async function homeFormFields(): Promise<Record<string, string>> {
  const html = (await owner.get("/admin/settings/home")).text;
  const fields: Record<string, string> = { _csrf: owner.csrf };
  for (const m of html.matchAll(/<select id="f-(position-[a-z]+)" name="[^"]+"[^>]*>([\s\S]*?)<\/select>/g))
    fields[m[1]!] = /<option value="(\d+)" selected/.exec(m[2]!)?.[1] ?? "";
  for (const m of html.matchAll(/name="(show-[a-z]+)"/g)) fields[m[1]!] = "on";
  return fields;
}

test("home settings: a 20 MB cover → 422 beside the field, the texts typed before and after it kept, nothing stored", async () => {
  const before = await getSetting<SiteSettings>(app.db, "site");
  const filesBefore = (await app.db.selectFrom("files").select("id").execute()).length;
  const res = await streamForm(
    app.url,
    "/admin/settings/home",
    {
      before: { ...(await homeFormFields()), pricingIntro: "Trois façons de me suivre" },
      file: "cover",
      fileBytes: 20 * MB,
      after: { membersWelcome: "Bienvenue dans les coulisses" },
    },
    { Cookie: cookieOf(owner) },
  );
  assert.equal(res.status, 422, res.text.slice(0, 300));
  assert.match(res.text, /Le fichier dépasse 5 Mo\./);
  assert.match(res.text, /value="Trois façons de me suivre"/);
  assert.match(res.text, /Bienvenue dans les coulisses/);
  assert.deepEqual(await getSetting<SiteSettings>(app.db, "site"), before);
  assert.equal((await app.db.selectFrom("files").select("id").execute()).length, filesBefore);
  assert.deepEqual(leftovers(app.running.services.config.filesDir), []);
  assert.ok(await healthy(app.url));
});

test("home settings: a body over the whole limit → a translated 413, the server up, nothing stored", async () => {
  const before = await getSetting<SiteSettings>(app.db, "site");
  const res = await streamForm(
    app.url,
    "/admin/settings/home",
    { before: await homeFormFields(), file: "cover", fileBytes: 2 * MB, after: {} },
    { Cookie: cookieOf(owner) },
    // Announced bigger than the limit: refused on the header, before a byte of the file is read.
    200 * MB,
  );
  assert.equal(res.status, 413);
  assert.match(res.text, /Les données envoyées sont trop volumineuses\./);
  assert.deepEqual(await getSetting<SiteSettings>(app.db, "site"), before);
  assert.deepEqual(leftovers(app.running.services.config.filesDir), []);
  assert.ok(await healthy(app.url));
});

test("setup: a 12 MB portrait → 422 with everything typed (but the password), nothing stored", async () => {
  const { tagline: _t, ...typed } = setupFields({ siteName: "L’atelier gardé" });
  const res = await streamForm(setupApp.url, "/setup", {
    before: typed,
    file: "portrait",
    fileBytes: 12 * MB,
    after: { tagline: "Écrit après le fichier" },
  });
  assert.equal(res.status, 422, res.text.slice(0, 300));
  assert.match(res.text, /Le fichier dépasse 3 Mo\./);
  assert.match(res.text, /value="L’atelier gardé"/);
  assert.match(res.text, /value="Écrit après le fichier"/);
  assert.ok(res.text.includes(`value="${typed.email}"`));
  assert.doesNotMatch(res.text, new RegExp(`value="${typed.password}"`), "never the password");
  assert.equal((await setupApp.db.selectFrom("staff_users").select("id").execute()).length, 0);
  assert.equal((await setupApp.db.selectFrom("files").select("id").execute()).length, 0);
  assert.deepEqual(filesOnDisk(setupApp.running.services.config.filesDir), []);
  assert.deepEqual(leftovers(setupApp.running.services.config.filesDir), []);
  assert.ok(await healthy(setupApp.url));
});
