import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { ownerEmail, startTestApp, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { getSetting, type SiteSettings } from "../../platform/settings.ts";
import { createStaffUser } from "../staff/index.ts";
import { filesOnDisk, multipart, png1x1, svgLogo, type Upload } from "./testing.ts";

let app: TestApp;
let owner: TestClient;

before(async () => {
  app = await startTestApp();
  const row = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  owner = await staffClient(row.id);
});
after(() => app.stop());

/** A POST on a fresh, unpooled connection; resolves with the status. */
function rawPost(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      url,
      { method: "POST", agent: false, headers: { ...headers, "content-length": String(body.length) } },
      (res) => {
        answered = true;
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    // The server may close while the rest of the body is still being sent: once it has answered, that is expected.
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    req.end(body);
  });
}

async function staffClient(staffId: string): Promise<TestClient> {
  const { token } = await createSession(app.db, "staff", staffId);
  const client = app.client();
  client.cookies.set("atl_s", token);
  return client;
}

const site = async () => (await getSetting<SiteSettings>(app.db, "site"))!;

function validFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    siteName: "Terre & Feu",
    tagline: "Céramique, cuissons et transmission",
    story: "Je tourne depuis **vingt ans**.",
    about: "",
    locale: "fr",
    currency: "EUR",
    timeZone: "Europe/Paris",
    accentColor: "#3a7d44",
    contactEmail: "bonjour@terre-et-feu.test",
    mailFromName: "Camille de Terre & Feu",
    action: "save",
    ...overrides,
  };
}

/** Posts the settings form as the browser does (multipart, with the page's CSRF token). */
async function postSettings(
  client: TestClient,
  fields: Record<string, string>,
  files: Record<string, Upload> = {},
  headers: Record<string, string> = {},
) {
  await client.get("/admin/settings");
  return client.request("POST", "/admin/settings", {
    body: multipart({ _csrf: client.csrf, ...fields }, files),
    headers,
  });
}

test("the settings page needs a staff login", async () => {
  const res = await app.client().get("/admin/settings");
  assert.equal(res.status, 303);
  assert.match(res.location ?? "", /^\/admin\/login/);
  const post = await app.client().request("POST", "/admin/settings", { body: multipart(validFields()) });
  assert.equal(post.status, 401);
});

test("an assistant cannot change the site settings", async () => {
  const assistant = await createStaffUser(app.db, {
    email: "aide@atelier.test",
    password: "mot de passe aide",
    name: "Aide",
    locale: "fr",
    role: "assistant",
  });
  const client = await staffClient(assistant.id);
  assert.equal((await client.get("/admin/settings")).status, 403);
});

test("the owner sees every section with the current values", async () => {
  const res = await owner.get("/admin/settings", { "accept-language": "en" });
  assert.equal(res.status, 200);
  for (const id of ["site", "story", "theme", "region", "mail"]) assert.match(res.text, new RegExp(`id="${id}"`));
  assert.match(res.text, /value="L’atelier de Camille"/);
  assert.match(res.text, /enctype="multipart\/form-data"/);
  assert.match(res.text, /name="_csrf"/);
  // The test app sends mail over SMTP.
  assert.match(res.text, /data-mail="smtp"/);
  assert.match(res.text, /href="\/admin\/settings"[^>]*aria-current="page"/);
});

test("saving updates the settings and shows a notice", async () => {
  const res = await postSettings(owner, validFields({ about: "Installée à *Lyon*." }));
  assert.equal(res.status, 303);
  assert.equal(res.location, "/admin/settings?saved=1");
  const s = await site();
  assert.equal(s.name, "Terre & Feu");
  assert.equal(s.accentColor, "#3a7d44");
  assert.equal(s.contactEmail, "bonjour@terre-et-feu.test");
  assert.equal(s.mailFromName, "Camille de Terre & Feu");
  assert.equal(s.storyHtml, "<p>Je tourne depuis <strong>vingt ans</strong>.</p>\n");
  assert.equal(s.aboutHtml, "<p>Installée à <em>Lyon</em>.</p>\n");
  const page = await owner.get("/admin/settings?saved=1", { "accept-language": "fr" });
  assert.match(page.text, /Réglages enregistrés/);
  const home = await app.client().get("/");
  assert.match(home.text, /<h1>Terre &amp; Feu<\/h1>/);
  assert.match(home.text, /theme\.css\?v=3a7d44/);
  const theme = await (await fetch(`${app.url}/theme.css`)).text();
  assert.match(theme, /--accent:#3a7d44/);
});

test("invalid settings: 422 with the field errors, what was typed, nothing saved", async () => {
  const before = await site();
  const res = await postSettings(
    owner,
    validFields({
      siteName: "",
      accentColor: "vert",
      contactEmail: "pas une adresse",
      timeZone: "Lune/Mer",
      currency: "DOGE",
      tagline: "x".repeat(100_000),
    }),
    {},
    { "accept-language": "en" },
  );
  assert.equal(res.status, 422);
  for (const f of ["siteName", "accentColor", "contactEmail", "timeZone", "currency", "tagline"])
    assert.match(res.text, new RegExp(`id="f-${f}-error"`), f);
  assert.match(res.text, /value="pas une adresse"/);
  assert.deepEqual(await site(), before);
});

test("the preview shows the sanitised story and saves nothing", async () => {
  const before = await site();
  const res = await postSettings(
    owner,
    validFields({ action: "preview", story: "Un *aperçu*.\n\n<script>alert(1)</script> [x](javascript:alert(2))" }),
  );
  assert.equal(res.status, 200);
  assert.match(res.text, /class="settings-preview"/);
  assert.match(res.text, /Un <em>aperçu<\/em>\./);
  assert.doesNotMatch(res.text, /<script>alert/);
  assert.doesNotMatch(res.text, /href="javascript:/);
  // The textarea keeps the raw text (escaped) so the owner can go on editing.
  assert.match(res.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.deepEqual(await site(), before);
});

test("logo: upload, replace (old file deleted), refuse an SVG, remove", async () => {
  const filesDir = app.running.services.config.filesDir;
  const first = await postSettings(owner, validFields(), {
    logo: { bytes: png1x1, name: "logo.png", type: "image/png" },
  });
  assert.equal(first.status, 303);
  const firstId = (await site()).logoFileId!;
  assert.ok(firstId);
  const media = await fetch(`${app.url}/media/${firstId}`);
  assert.equal(media.status, 200);
  assert.equal(media.headers.get("content-type"), "image/png");
  assert.match((await app.client().get("/")).text, new RegExp(`/media/${firstId}`));

  const refused = await postSettings(owner, validFields({ siteName: "Changé ?" }), {
    logo: { bytes: svgLogo, name: "logo.png", type: "image/png" },
  });
  assert.equal(refused.status, 422);
  assert.match(refused.text, /id="f-logo-error"/);
  assert.equal((await site()).logoFileId, firstId);
  assert.equal((await site()).name, "Terre & Feu");
  assert.equal((await app.db.selectFrom("files").select("id").execute()).length, 1);

  const second = await postSettings(owner, validFields(), {
    logo: { bytes: png1x1, name: "nouveau.png", type: "image/png" },
  });
  assert.equal(second.status, 303);
  const secondId = (await site()).logoFileId!;
  assert.notEqual(secondId, firstId);
  assert.equal((await fetch(`${app.url}/media/${firstId}`)).status, 404);
  assert.equal(filesOnDisk(filesDir).length, 1);

  const removed = await postSettings(owner, validFields({ removeLogo: "on" }));
  assert.equal(removed.status, 303);
  assert.equal((await site()).logoFileId, null);
  assert.equal((await app.db.selectFrom("files").select("id").execute()).length, 0);
  assert.deepEqual(filesOnDisk(filesDir), []);
});

test("a logo up to 2 MB is accepted; a bigger one is refused with its field error", async () => {
  const big = (size: number) => {
    const bytes = new Uint8Array(size);
    bytes.set(png1x1);
    return { bytes, name: "grand.png", type: "image/png" };
  };
  const ok = await postSettings(owner, validFields(), { logo: big(1_600_000) });
  assert.equal(ok.status, 303);
  const id = (await site()).logoFileId!;
  assert.equal(
    (await app.db.selectFrom("files").select("size").where("id", "=", id).executeTakeFirstOrThrow()).size,
    1_600_000,
  );
  const tooBig = await postSettings(
    owner,
    validFields(),
    { logo: big(2 * 1024 * 1024 + 10) },
    { "accept-language": "en" },
  );
  assert.equal(tooBig.status, 422);
  assert.match(tooBig.text, /larger than 2 MB/);
  assert.equal((await site()).logoFileId, id);
  // Twice the limit: read to its end but not kept, so still the form's own 422, not a 413 page.
  const twice = await postSettings(owner, validFields(), { logo: big(4 * 1024 * 1024) }, { "accept-language": "en" });
  assert.equal(twice.status, 422);
  assert.match(twice.text, /larger than 2 MB/);
  // Over the whole request's limit (limits.uploadBodyBytes), on its own connection: the server
  // answers 413 before reading the body and closes that socket.
  await owner.get("/admin/settings");
  const huge = await rawPost(`${app.url}/admin/settings`, Buffer.alloc(49 * 1024 * 1024), {
    "content-type": "multipart/form-data; boundary=x",
    cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
  });
  assert.equal(huge, 413);
  assert.equal((await app.db.selectFrom("files").select("id").execute()).length, 1);
});

test("a settings post without the CSRF token is refused", async () => {
  const before = await site();
  const res = await owner.request("POST", "/admin/settings", { body: multipart(validFields({ siteName: "Pirate" })) });
  assert.equal(res.status, 403);
  assert.deepEqual(await site(), before);
});

test("a settings post that is not a form is a 415", async () => {
  await owner.get("/admin/settings");
  const res = await owner.request("POST", "/admin/settings", {
    body: JSON.stringify(validFields()),
    headers: { "content-type": "application/json", "x-csrf-token": owner.csrf },
  });
  assert.equal(res.status, 415);
});
