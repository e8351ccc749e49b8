import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { getSetting, type SiteSettings } from "../../platform/settings.ts";
import { filesOnDisk, multipart, png1x1, setupFields, svgLogo, type Upload } from "./testing.ts";

let app: TestApp;
before(async () => {
  app = await startTestApp({ skipSetup: true });
});
after(() => app.stop());

function postSetup(
  fields: Record<string, string>,
  files: Record<string, Upload> = {},
  headers: Record<string, string> = {},
) {
  return fetch(`${app.url}/setup`, { method: "POST", body: multipart(fields, files), redirect: "manual", headers });
}

async function assertNothingStored(): Promise<void> {
  const staff = await app.db.selectFrom("staff_users").select("id").execute();
  assert.equal(staff.length, 0, "no owner");
  const site = await getSetting<Partial<SiteSettings>>(app.db, "site");
  assert.notEqual(site?.setupDone, true, "setup not done");
  const files = await app.db.selectFrom("files").select("id").execute();
  assert.equal(files.length, 0, "no file row");
  assert.deepEqual(filesOnDisk(app.running.services.config.filesDir), [], "no file on disk");
  const sessions = await app.db.selectFrom("sessions").select("id").execute();
  assert.equal(sessions.length, 0, "no session");
}

test("before setup, pages lead to /setup and other posts are refused", async () => {
  const client = app.client();
  for (const path of ["/", "/about", "/admin", "/admin/settings", "/join", "/no/such/page"]) {
    const res = await client.get(path);
    assert.equal(res.status, 303, path);
    assert.equal(res.location, "/setup", path);
  }
  const head = await fetch(`${app.url}/`, { method: "HEAD", redirect: "manual" });
  assert.equal(head.status, 303);
  const post = await client.post("/join", { email: "a@b.test" }, { "accept-language": "en" });
  assert.equal(post.status, 409);
  assert.match(post.text, /data-error-code="setup_required"/);
  assert.match(post.text, /not set up yet/);
  const json = await fetch(`${app.url}/api/anything`, { method: "POST", headers: { accept: "application/json" } });
  assert.equal(json.status, 409);
  assert.equal(((await json.json()) as { error: { code: string } }).error.code, "setup_required");
  assert.equal((await client.get("/healthz")).status, 200);
  assert.equal((await client.get("/theme.css")).status, 200);
});

test("the setup page speaks the browser's language and offers the other", async () => {
  const fr = await app.client().get("/setup", { "accept-language": "fr-FR,fr;q=0.9" });
  assert.equal(fr.status, 200);
  assert.match(fr.text, /<html lang="fr"/);
  assert.match(fr.text, /Bienvenue dans votre Atelier/);
  assert.match(fr.text, /href="\/lang\/en\?next=\/setup"/);
  assert.match(fr.text, /enctype="multipart\/form-data"/);
  assert.match(fr.text, /<option value="Europe\/Paris" selected="">/);
  assert.doesNotMatch(fr.text, /name="_csrf"/);
  const en = await app.client().get("/setup", { "accept-language": "en-GB,en;q=0.8" });
  assert.match(en.text, /Welcome to your Atelier/);
  assert.match(en.text, /<option value="en" selected="">/);
  const switched = app.client();
  const lang = await switched.get("/lang/en?next=/setup", { "accept-language": "fr" });
  assert.equal(lang.location, "/setup");
  assert.match((await switched.get("/setup", { "accept-language": "fr" })).text, /Welcome to your Atelier/);
});

const badInputs: [string, Record<string, string>, string][] = [
  ["empty form", Object.fromEntries(Object.keys(setupFields()).map((k) => [k, ""])), "siteName"],
  ["100k-character site name", setupFields({ siteName: "a".repeat(100_000) }), "siteName"],
  ["100k-character story", setupFields({ story: "b".repeat(100_000) }), "story"],
  ["100k-character owner name", setupFields({ ownerName: "c".repeat(100_000) }), "ownerName"],
  ["malformed email", setupFields({ email: "camille@@atelier" }), "email"],
  ["mismatched passwords", setupFields({ passwordConfirm: "une autre phrase de passe" }), "passwordConfirm"],
  ["short password", setupFields({ password: "court", passwordConfirm: "court" }), "password"],
  ["bad colour", setupFields({ accentColor: "red; background:url(x)" }), "accentColor"],
  ["bad time zone", setupFields({ timeZone: "Mars/Olympus_Mons" }), "timeZone"],
  ["bad currency", setupFields({ currency: "BTC" }), "currency"],
  ["bad language", setupFields({ locale: "de" }), "locale"],
  ["RTL override in the site name", setupFields({ siteName: "Atelier \u202Egnp.exe" }), "siteName"],
  ["control character in the owner name", setupFields({ ownerName: "Camille\u0000" }), "ownerName"],
];

for (const [label, fields, errorField] of badInputs) {
  test(`setup refuses ${label}: 422, the field's error, nothing stored`, async () => {
    const res = await postSetup(fields, {}, { "accept-language": "en" });
    assert.equal(res.status, 422);
    const html = await res.text();
    assert.match(html, new RegExp(`id="f-${errorField}-error"`));
    assert.match(html, /Please fix the following/);
    await assertNothingStored();
  });
}

test("a refused form shows what was typed, never the password", async () => {
  const res = await postSetup(
    setupFields({
      email: "pas-une-adresse",
      password: "mon secret tres long",
      passwordConfirm: "mon secret tres long",
      siteName: "Poterie <b>Lune</b>",
    }),
  );
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /value="pas-une-adresse"/);
  assert.match(html, /value="Poterie &lt;b&gt;Lune&lt;\/b&gt;"/);
  assert.doesNotMatch(html, /mon secret tres long/);
  assert.match(html, /Saisissez une adresse e-mail valide/);
  await assertNothingStored();
});

test("an SVG logo or text renamed .png is refused and nothing is stored", async () => {
  for (const logo of [
    { bytes: svgLogo, name: "logo.svg", type: "image/svg+xml" },
    { bytes: new TextEncoder().encode("just some text"), name: "logo.png", type: "image/png" },
    { bytes: svgLogo, name: "logo.png", type: "image/png" },
  ]) {
    const res = await postSetup(setupFields(), { logo });
    assert.ok(res.status === 415 || res.status === 422, `status ${res.status}`);
    assert.match(await res.text(), /id="f-logo-error"/);
    await assertNothingStored();
  }
});

test("a bad portrait or cover at setup: 422 beside its field, the typed text kept, nothing stored", async () => {
  const big = new Uint8Array(4 * 1024 * 1024);
  big.set(png1x1);
  const res = await postSetup(
    setupFields({ story: "Mon histoire, gardée." }),
    {
      portrait: { bytes: svgLogo, name: "moi.png", type: "image/png" },
      cover: { bytes: big, name: "couverture.png", type: "image/png" },
      logo: { bytes: png1x1, name: "logo.png", type: "image/png" },
    },
    { "accept-language": "en" },
  );
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /id="f-portrait-error"/);
  assert.doesNotMatch(html, /id="f-cover-error"/, "4 MB is under the cover's 5 MB");
  assert.match(html, /Mon histoire, gardée\./);
  await assertNothingStored();
});

test("a body that is not a form is a 415", async () => {
  const res = await fetch(`${app.url}/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(setupFields()),
  });
  assert.equal(res.status, 415);
  const text = await fetch(`${app.url}/setup`, {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: "siteName=x",
  });
  assert.equal(text.status, 415);
  await assertNothingStored();
});

test("setup creates the owner and the site, logs in, and then closes", async () => {
  const fields = setupFields({
    email: "  Camille@Atelier.TEST ",
    siteName: "<script>alert('name')</script> Atelier",
    // NFD "é" is stored as NFC.
    tagline: "Cafe\u0301 et ce\u0301ramique",
    story:
      "Mon histoire.\n\n<script>alert('story')</script>\n\n[clique](javascript:alert(1)) et <img src=x onerror=alert(2)>",
    locale: "en",
  });
  const res = await postSetup(fields, {
    logo: { bytes: png1x1, name: "logo.png", type: "image/png" },
    portrait: { bytes: png1x1, name: "moi.png", type: "image/png" },
    cover: { bytes: png1x1, name: "couverture.png", type: "image/png" },
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/admin");
  const cookies = res.headers.getSetCookie();
  const staffCookie = cookies.find((c) => c.startsWith("atl_s="));
  assert.ok(staffCookie, "staff session cookie set");
  assert.match(staffCookie, /HttpOnly/i);
  assert.ok(
    cookies.some((c) => c.startsWith("atl_lang=en")),
    "locale cookie set to the chosen language",
  );

  const owner = await app.db.selectFrom("staff_users").selectAll().executeTakeFirstOrThrow();
  assert.equal(owner.role, "owner");
  assert.equal(owner.email, "camille@atelier.test");
  assert.equal(owner.name, "Camille Roux");
  assert.notEqual(owner.password_hash, fields.password);
  const session = await app.db
    .selectFrom("sessions")
    .selectAll()
    .where("subject_id", "=", owner.id)
    .executeTakeFirstOrThrow();
  assert.equal(session.subject_kind, "staff");
  assert.equal(session.mfa_pending, 0);

  const site = (await getSetting<SiteSettings>(app.db, "site"))!;
  assert.equal(site.setupDone, true);
  assert.ok(site.portraitFileId && site.coverFileId && site.logoFileId, "portrait, cover and logo stored");
  assert.equal(new Set([site.portraitFileId, site.coverFileId, site.logoFileId]).size, 3);
  assert.equal(site.contactEmail, "camille@atelier.test");
  assert.equal(site.mailFromName, site.name);
  assert.equal(site.locale, "en");
  assert.equal(site.accentColor, "#2a6fb4");
  assert.equal(site.tagline, "Café et céramique");
  assert.doesNotMatch(site.storyHtml, /<script|href="javascript:|<img[^>]*onerror/i);
  assert.ok(site.logoFileId);
  const file = await app.db.selectFrom("files").selectAll().where("id", "=", site.logoFileId).executeTakeFirstOrThrow();
  assert.equal(file.purpose, "logo");
  assert.equal(file.mime, "image/png");

  // The session works: the staff session is recognised (the CSRF token shows up for it).
  const token = staffCookie.split(";")[0]!.slice("atl_s=".length);
  const home = await fetch(`${app.url}/`, { headers: { cookie: `atl_s=${token}` } });
  assert.equal(home.status, 200);
  const html = await home.text();
  assert.match(html, /name="_csrf"/);
  assert.match(home.headers.get("cache-control") ?? "", /private/);
  assert.match(
    html,
    /&lt;script&gt;alert\(&#39;name&#39;\)&lt;\/script&gt; Atelier|&lt;script&gt;alert\('name'\)&lt;\/script&gt; Atelier/,
  );
  assert.doesNotMatch(html, /<script>alert/);
  assert.doesNotMatch(html, /href="javascript:/i);
  assert.doesNotMatch(html, /<img[^>]*onerror/i);
  assert.match(html, new RegExp(`src="/media/${site.logoFileId}"`));
  const logo = await fetch(`${app.url}/media/${site.logoFileId}`);
  assert.equal(logo.headers.get("content-type"), "image/png");

  // Setup is over: the page is gone and a second setup is refused.
  assert.equal((await app.client().get("/setup")).status, 404);
  const again = await postSetup(setupFields({ email: "intrus@atelier.test" }));
  assert.equal(again.status, 409);
  assert.equal((await app.db.selectFrom("staff_users").select("id").execute()).length, 1);
  const garbage = await postSetup({ siteName: "" });
  assert.equal(garbage.status, 409, "no form is shown once setup is done");
});
