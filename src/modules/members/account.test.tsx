import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { allCatalogs } from "../../platform/i18n/index.ts";
import { describeEvent, findEventType, timelineFormat } from "../../platform/events/index.ts";
import "./events.ts";
import { registerAccountSection } from "./extensions.ts";
import { createMember, findMemberByEmail, getMember } from "./service.ts";
import { countWhere, eventTypes, logIn, newClient, settleMail, uniqueEmail } from "./testing.ts";

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app.stop());

async function loggedIn(opts: { optIn?: boolean; locale?: "fr" | "en" } = {}) {
  const email = uniqueEmail("acc");
  const member = await createMember(
    app.db,
    {
      email,
      name: "Léa",
      locale: opts.locale ?? "fr",
      status: "active",
      emailOptIn: opts.optIn ?? false,
      source: "test",
    },
    "system",
  );
  const client = newClient(app);
  await logIn(app, client, email);
  return { email, member, client };
}

test("/account needs a login: GET goes to the login page, POST is a 401", async () => {
  const client = newClient(app);
  const res = await client.get("/account");
  assert.equal(res.status, 303);
  assert.equal(res.location, "/login?next=%2Faccount");
  const login = await client.get(res.location!);
  assert.match(login.text, /name="next" value="\/account"/);
  assert.equal((await client.get("/account/export.json")).status, 303);
  assert.equal((await client.post("/account", { name: "x" })).status, 401);
  assert.equal((await client.post("/account/delete")).status, 401);
});

test("account page shows the profile; saving records preferences and consent changes", async () => {
  const { member, client } = await loggedIn();
  const page = await client.get("/account");
  assert.equal(page.status, 200);
  assert.match(page.text, /Bonjour Léa/);
  assert.match(page.text, new RegExp(member.email.replace(/[.+]/g, "\\$&")));
  assert.match(page.text, /<option value="Europe\/Paris" selected="">/);
  assert.match(page.text, /Télécharger mes données/);
  assert.equal(page.headers.get("cache-control"), "private, no-store");

  // Opt in, change language and time zone.
  const res = await client.post("/account", {
    name: "Léa M.",
    locale: "en",
    timeZone: "America/Toronto",
    newsletter: "on",
  });
  assert.equal(res.status, 303);
  assert.equal(res.location, "/account?saved=1");
  assert.equal(client.cookies.get("atl_lang"), "en");
  let after = await getMember(app.db, member.id);
  assert.equal(after?.name, "Léa M.");
  assert.equal(after?.locale, "en");
  assert.equal(after?.timeZone, "America/Toronto");
  assert.equal(after?.emailOptIn, true);
  const consents = await app.db
    .selectFrom("member_consents")
    .selectAll()
    .where("member_id", "=", member.id)
    .orderBy("created_at")
    .execute();
  assert.equal(consents.length, 1);
  assert.equal(consents[0]!.granted, 1);
  // The wording recorded is the French one this page showed.
  assert.equal(consents[0]!.locale, "fr");
  assert.match(consents[0]!.wording, /^J’accepte de recevoir/);
  assert.equal(consents[0]!.ip, client.ip);
  let types = await eventTypes(app, member.id);
  assert.ok(types.includes("consent.granted"));
  assert.ok(types.includes("member.preferences_changed"));
  const saved = await client.get("/account?saved=1");
  assert.match(saved.text, /Your preferences are saved/);

  // Opt out: a withdrawal row, the rest unchanged, no preferences event.
  const before = types.length;
  assert.equal(
    (await client.post("/account", { name: "Léa M.", locale: "en", timeZone: "America/Toronto" })).status,
    303,
  );
  after = await getMember(app.db, member.id);
  assert.equal(after?.emailOptIn, false);
  const rows = await app.db
    .selectFrom("member_consents")
    .selectAll()
    .where("member_id", "=", member.id)
    .orderBy("created_at")
    .execute();
  assert.equal(rows.length, 2);
  assert.equal(rows[1]!.granted, 0);
  assert.equal(rows[1]!.locale, "en");
  types = await eventTypes(app, member.id);
  assert.deepEqual(types.slice(before), ["consent.withdrawn"]);
});

test("account validation: bad values are a 422 with messages and change nothing", async () => {
  const { member, client } = await loggedIn();
  const cases: [Record<string, string | string[]>, string, RegExp][] = [
    [{ name: "x".repeat(101), locale: "fr", timeZone: "Europe/Paris" }, "name", /trop long/],
    [{ name: "A\u202Eevil", locale: "fr", timeZone: "Europe/Paris" }, "name", /non autorisés/],
    [{ name: "Léa", locale: "de", timeZone: "Europe/Paris" }, "locale", /français ou anglais/],
    [{ name: "Léa", locale: "fr", timeZone: "Mars/Olympus" }, "timeZone", /fuseau horaire/],
    [{ name: "Léa", locale: "fr" }, "timeZone", /fuseau horaire/],
    [{ name: ["a", "b"], locale: "fr", timeZone: "Europe/Paris" }, "name", /obligatoire|valide/],
  ];
  for (const [fields, name, message] of cases) {
    const res = await client.post("/account", fields);
    assert.equal(res.status, 422, JSON.stringify(fields).slice(0, 80));
    assert.match(res.text, new RegExp(`id="f-${name}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-${name}"`));
    assert.match(res.text, message);
  }
  const after = await getMember(app.db, member.id);
  assert.deepEqual({ ...after, lastSeenAt: null }, { ...member, lastSeenAt: null, status: "active" });
  assert.ok(!(await eventTypes(app, member.id)).includes("member.preferences_changed"));
  // HTML in a name is kept as text and escaped on the way out.
  assert.equal(
    (await client.post("/account", { name: "<script>alert(1)</script>", locale: "fr", timeZone: "Europe/Paris" }))
      .status,
    303,
  );
  const page = await client.get("/account");
  assert.ok(!page.text.includes("<script>alert(1)</script>"));
  assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  // Without the CSRF token the change is refused.
  assert.equal(
    (await client.post("/account", { _csrf: "nope", name: "x", locale: "fr", timeZone: "Europe/Paris" })).status,
    403,
  );
});

test("download my data: a JSON attachment with profile, consents and events", async () => {
  const { member, client } = await loggedIn({ optIn: true });
  const res = await client.get("/account/export.json");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  assert.match(
    res.headers.get("content-disposition") ?? "",
    /^attachment; filename="my-data-\d{4}-\d{2}-\d{2}\.json"$/,
  );
  const data = JSON.parse(res.text) as {
    format: string;
    profile: { id: string; email: string; name: string; emailOptIn: boolean };
    consents: { granted: boolean; wording: string }[];
    events: { type: string; label: string }[];
    sessions: unknown[];
  };
  assert.equal(data.format, "atelier.member-export/1");
  assert.equal(data.profile.id, member.id);
  assert.equal(data.profile.email, member.email);
  assert.equal(data.profile.emailOptIn, true);
  assert.equal(data.consents.length, 1);
  assert.equal(data.consents[0]!.granted, true);
  const types = data.events.map((e) => e.type);
  for (const t of ["member.joined", "consent.granted", "member.logged_in", "member.exported_data"])
    assert.ok(types.includes(t), t);
  assert.equal(data.events.find((e) => e.type === "member.logged_in")?.label, "S’est connecté·e");
  assert.equal(data.sessions.length, 1);
  assert.ok((await eventTypes(app, member.id)).includes("member.exported_data"));
});

test("delete my account: confirm page first, then every row about the member is gone", async () => {
  const { email, member, client } = await loggedIn({ optIn: true });
  await client.post("/login", { email }); // leaves an unused magic link behind
  const confirm = await client.get("/account/delete");
  assert.equal(confirm.status, 200);
  assert.match(confirm.text, /Supprimer définitivement mon compte/);
  assert.ok(await getMember(app.db, member.id), "GET changes nothing");

  const res = await client.post("/account/delete");
  assert.equal(res.status, 200);
  assert.match(res.text, /Votre compte est supprimé/);
  assert.match(res.text, /href="\/login"/, "the page is shown logged out");
  assert.equal(client.cookies.get("atl_m"), undefined);
  assert.equal(await countWhere(app, "members", "id", member.id), 0);
  assert.equal(await countWhere(app, "sessions", "subject_id", member.id), 0);
  assert.equal(await countWhere(app, "member_consents", "member_id", member.id), 0);
  assert.equal(await countWhere(app, "magic_links", "member_id", member.id), 0);
  assert.equal(await countWhere(app, "magic_links", "email", email), 0);
  assert.equal(await countWhere(app, "events", "member_id", member.id), 0);
  const audit = await app.db.selectFrom("events").selectAll().where("type", "=", "member.deleted").execute();
  assert.ok(audit.length >= 1);
  for (const e of audit) {
    assert.equal(e.member_id, null);
    assert.ok(!e.data.includes(email) && !e.data.includes(member.id) && !e.data.includes("Léa"));
  }
  assert.equal((await client.get("/account")).status, 303);
  // The address is free again.
  await settleMail(app);
  assert.equal((await newClient(app).post("/join", { email })).status, 200);
  await app.drainJobs();
  assert.equal((await findMemberByEmail(app.db, email))?.status, "pending");
});

test("logout ends the session and records it", async () => {
  const { member, client } = await loggedIn();
  assert.equal(await countWhere(app, "sessions", "subject_id", member.id), 1);
  const res = await client.post("/logout");
  assert.equal(res.status, 303);
  assert.equal(res.location, "/");
  assert.equal(client.cookies.get("atl_m"), undefined);
  assert.equal(await countWhere(app, "sessions", "subject_id", member.id), 0);
  assert.ok((await eventTypes(app, member.id)).includes("member.logged_out"));
  assert.equal((await client.get("/account")).status, 303);
});

test("later modules can add a section to the account page", async () => {
  registerAccountSection((_c, m) => <p class="test-section">Purchases of {m.name}</p>, {
    id: "test-purchases",
    order: 10,
  });
  const { client } = await loggedIn();
  const page = await client.get("/account");
  assert.match(page.text, /<p class="test-section">Purchases of Léa<\/p>/);
  registerAccountSection(() => null, { id: "test-purchases" });
});

test("bad input on every form: 4xx with a message, never a 500, nothing stored", async () => {
  const { client } = await loggedIn();
  const anon = newClient(app);
  const longEmail = `${"a".repeat(10_000)}@example.org`;
  const malformed = [
    "",
    "   ",
    "plainaddress",
    "@no-local.org",
    "a@",
    "a@b@c.org",
    "a b@c.org",
    "<script>alert(1)</script>@x.org",
    "a@b.org\r\nBcc: x@y.org",
    longEmail,
    "ünï\u0000@x.org",
  ];
  for (const email of malformed) {
    for (const path of ["/join", "/login"]) {
      const res = await anon.post(path, { email, name: "x" });
      assert.equal(res.status, 422, `${path} ${JSON.stringify(email).slice(0, 40)}`);
      assert.match(res.text, /adresse e-mail valide|obligatoire/);
      assert.ok(!res.text.includes("<script>alert(1)</script>"));
      assert.ok(res.text.length < 60_000, "the 10k input is not echoed back whole");
    }
  }
  const count = await app.db.selectFrom("members").select("email").execute();
  assert.ok(!count.some((m) => m.email.includes("script") || m.email.includes("plainaddress")));

  // Arrays: a repeated field is refused rather than guessed.
  assert.equal((await anon.post("/join", { email: ["a@example.org", "b@example.org"] })).status, 422);
  assert.equal((await anon.post("/login", { email: ["a@example.org", "b@example.org"] })).status, 422);
  assert.equal(await findMemberByEmail(app.db, "a@example.org"), undefined);

  // Names: HTML is text, odd Unicode is normalised, direction overrides refused.
  const htmlName = uniqueEmail("html");
  assert.equal((await anon.post("/join", { email: htmlName, name: "<img src=x onerror=alert(1)>" })).status, 200);
  await app.drainJobs();
  assert.equal((await findMemberByEmail(app.db, htmlName))?.name, "<img src=x onerror=alert(1)>");
  const nfc = uniqueEmail("nfc");
  assert.equal((await anon.post("/join", { email: nfc, name: "Zoe\u0301 🌿" })).status, 200);
  await app.drainJobs();
  assert.equal((await findMemberByEmail(app.db, nfc))?.name, "Zoé 🌿");
  const rtl = uniqueEmail("rtl");
  assert.equal((await anon.post("/join", { email: rtl, name: "abc\u202Edef" })).status, 422);
  assert.equal(await findMemberByEmail(app.db, rtl), undefined);
  assert.equal((await anon.post("/join", { email: uniqueEmail("long"), name: "n".repeat(10_000) })).status, 422);

  // JSON instead of a form: 415 everywhere.
  const json = { "content-type": "application/json" };
  for (const path of ["/join", "/login", "/join/confirm", "/login/verify"]) {
    const res = await anon.request("POST", path, {
      body: JSON.stringify({ email: "j@example.org", token: "x" }),
      headers: json,
    });
    assert.equal(res.status, 415, path);
    assert.match(res.text, /type de contenu/);
  }
  for (const path of ["/account", "/account/delete", "/logout"]) {
    const res = await client.request("POST", path, {
      body: JSON.stringify({ name: "x" }),
      headers: { ...json, "x-csrf-token": client.csrf },
    });
    assert.equal(res.status, 415, path);
  }
  assert.equal(await findMemberByEmail(app.db, "j@example.org"), undefined);
  // Tokens given as arrays or empty.
  assert.equal((await anon.post("/login/verify", { token: ["a", "b"] })).status, 400);
  assert.equal((await anon.post("/join/confirm", {})).status, 400);
  // The account survived all of this.
  assert.equal((await client.get("/account")).status, 200);
});

test("every event type of the contract has a label in both languages", () => {
  const types = [
    "member.joined",
    "member.confirmed",
    "member.logged_in",
    "member.logged_out",
    "member.preferences_changed",
    "member.updated",
    "member.added_by_staff",
    "member.deleted",
    "member.exported_data",
    "consent.granted",
    "consent.withdrawn",
  ];
  const { fr, en } = allCatalogs();
  for (const type of types) {
    const def = findEventType(type);
    assert.ok(def, `${type} is declared`);
    for (const locale of ["fr", "en"] as const) {
      const line = describeEvent({ type, version: def.version, data: def.example }, timelineFormat(locale));
      assert.ok(line.declared && line.text !== type, `${locale} ${type}`);
    }
  }
  const members = Object.keys(fr).filter((k) => k.startsWith("members."));
  assert.deepEqual(
    members.filter((k) => !(k in en)),
    [],
  );
});
