import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../../test/support/app.ts";
import type { TestClient } from "../../../../test/support/client.ts";
import { record } from "../../../platform/events/index.ts";
import { memberLoggedIn } from "../events.ts";
import { createSession } from "../../../platform/security/sessions.ts";
import { createMember, type Member } from "../service.ts";
import { ownerClient } from "./testing.ts";

let app: TestApp;
let owner: TestClient;
let alice: Member;

before(async () => {
  app = await startTestApp();
  owner = await ownerClient(app);
  alice = await createMember(
    app.db,
    {
      email: "alice@example.org",
      name: "Alice Martin",
      locale: "fr",
      status: "active",
      emailOptIn: true,
      source: "signup",
      ip: "203.0.113.7",
    },
    "member",
  );
});
after(() => app.stop());

function rawPost(path: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      app.url + path,
      {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", () => resolve(413));
    req.end(body);
  });
}

async function memberId(email: string): Promise<string | undefined> {
  return (await app.db.selectFrom("members").select("id").where("email", "=", email).executeTakeFirst())?.id;
}

test("the member page shows profile, consent history and a paginated, translated timeline", async () => {
  // 25 more events so the timeline needs an "older" link.
  for (let i = 0; i < 25; i++)
    await record(
      app.db,
      memberLoggedIn,
      { method: "magic_link" },
      { memberId: alice.id, actor: "member", at: new Date(Date.now() - (i + 1) * 3600_000).toISOString() },
    );
  const res = await owner.get(`/admin/members/${alice.id}`);
  assert.equal(res.status, 200);
  assert.match(res.text, /Alice Martin/);
  assert.match(res.text, /alice@example\.org/);
  assert.match(res.text, /IP address: 203\.0\.113\.7/);
  assert.match(res.text, /I agree to receive|J’accepte de recevoir/);
  const events = [...res.text.matchAll(/data-event="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(events.length, 20);
  // Newest first: the join (now) comes before the backdated logins.
  assert.ok(events.indexOf("member.joined") < events.lastIndexOf("member.logged_in"));
  const older = /href="(\/admin\/members\/[^"]+\?before=[^"#]+)#timeline" rel="next"/.exec(res.text);
  assert.ok(older, "older link");
  const page2 = await owner.get(older[1]!);
  assert.equal(page2.status, 200);
  const events2 = [...page2.text.matchAll(/data-event="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(events.length + events2.length, 27);
  assert.doesNotMatch(page2.text, /rel="next"/);
});

test("adding a member by hand: active, source admin, events, consent required for the newsletter", async () => {
  const page = await owner.get("/admin/members/new");
  assert.equal(page.status, 200);
  const refused = await owner.post("/admin/members/new", {
    email: "bob@example.org",
    name: "Bob",
    locale: "en",
    newsletter: "on",
  });
  assert.equal(refused.status, 422);
  assert.match(refused.text, /Tick this box to confirm/);
  assert.equal(await memberId("bob@example.org"), undefined);

  const res = await owner.post("/admin/members/new", {
    email: "  Bob@Example.org ",
    name: "Bob",
    locale: "en",
    newsletter: "on",
    consent: "on",
  });
  assert.equal(res.status, 303);
  const id = await memberId("bob@example.org");
  assert.ok(id);
  assert.equal(res.location, `/admin/members/${id}?added=1`);
  const row = await app.db.selectFrom("members").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  assert.equal(row.status, "active");
  assert.equal(row.source, "admin");
  assert.equal(row.email_opt_in, 1);
  const types = (await app.db.selectFrom("events").select("type").where("member_id", "=", id).execute()).map(
    (e) => e.type,
  );
  assert.ok(types.includes("member.added_by_staff"));
  const consents = await app.db.selectFrom("member_consents").selectAll().where("member_id", "=", id).execute();
  assert.equal(consents.length, 1);
  assert.match(consents[0]!.wording, /Consent declared by the team/);
  const shown = await owner.get(res.location!);
  assert.match(shown.text, /The member was added/);
});

test("a duplicate email is refused with a translated 409 and nothing is stored", async () => {
  const before = await app.db
    .selectFrom("members")
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  const res = await owner.post("/admin/members/new", { email: "ALICE@example.org", name: "Other", locale: "fr" });
  assert.equal(res.status, 409);
  assert.match(res.text, /A member with this email address already exists/);
  const afterCount = await app.db
    .selectFrom("members")
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  assert.equal(Number(afterCount.n), Number(before.n));
  // French too.
  owner.cookies.set("atl_lang", "fr");
  const fr = await owner.post("/admin/members/new", { email: "alice@example.org", locale: "fr" });
  owner.cookies.set("atl_lang", "en");
  assert.equal(fr.status, 409);
  assert.match(fr.text, /existe déjà/);
});

test("editing: fields saved, member.updated by staff, email unique (409), consent needed to switch the newsletter on", async () => {
  const carol = await createMember(
    app.db,
    { email: "carol@example.org", name: "Carol", locale: "fr", status: "pending", emailOptIn: false, source: "signup" },
    "member",
  );
  const base = { email: "carol@example.org", name: "Carol Dupont", locale: "en", timeZone: "America/Toronto" };
  const ok = await owner.post(`/admin/members/${carol.id}`, base);
  assert.equal(ok.status, 303);
  const row = await app.db.selectFrom("members").selectAll().where("id", "=", carol.id).executeTakeFirstOrThrow();
  assert.deepEqual([row.name, row.locale, row.time_zone], ["Carol Dupont", "en", "America/Toronto"]);
  const ev = await app.db
    .selectFrom("events")
    .selectAll()
    .where("member_id", "=", carol.id)
    .where("type", "=", "member.updated")
    .executeTakeFirstOrThrow();
  assert.equal(ev.actor, "staff");

  const taken = await owner.post(`/admin/members/${carol.id}`, { ...base, email: "alice@example.org" });
  assert.equal(taken.status, 409);
  assert.match(taken.text, /already exists/);
  assert.equal(
    (await app.db.selectFrom("members").select("email").where("id", "=", carol.id).executeTakeFirstOrThrow()).email,
    "carol@example.org",
  );

  const noConsent = await owner.post(`/admin/members/${carol.id}`, { ...base, newsletter: "on" });
  assert.equal(noConsent.status, 422);
  assert.equal(
    (await app.db.selectFrom("members").select("email_opt_in").where("id", "=", carol.id).executeTakeFirstOrThrow())
      .email_opt_in,
    0,
  );
  const withConsent = await owner.post(`/admin/members/${carol.id}`, { ...base, newsletter: "on", consent: "on" });
  assert.equal(withConsent.status, 303);
  assert.equal(
    (await app.db.selectFrom("members").select("email_opt_in").where("id", "=", carol.id).executeTakeFirstOrThrow())
      .email_opt_in,
    1,
  );
  // Switching off needs no box, and is recorded as a withdrawal.
  const off = await owner.post(`/admin/members/${carol.id}`, base);
  assert.equal(off.status, 303);
  const consents = await app.db
    .selectFrom("member_consents")
    .select(["granted"])
    .where("member_id", "=", carol.id)
    .orderBy("created_at")
    .execute();
  assert.deepEqual(consents.map((c) => c.granted).sort(), [0, 1]);

  const note = await owner.post(`/admin/members/${carol.id}/note`, {
    note: "Met at the Lyon market.\nLikes blue glazes.",
  });
  assert.equal(note.status, 303);
  const page = await owner.get(note.location!);
  assert.match(page.text, /Met at the Lyon market\.\nLikes blue glazes\./);
  assert.match(page.text, /The note was saved/);
});

test("tags: set from the edit form (trimmed, lowercased, distinct), recorded, and a bad list changes nothing", async () => {
  const dora = await createMember(
    app.db,
    { email: "dora@example.org", name: "Dora", locale: "fr", status: "active", emailOptIn: false, source: "signup" },
    "member",
  );
  const base = { email: "dora@example.org", name: "Dora", locale: "fr", timeZone: "Europe/Paris" };
  const ok = await owner.post(`/admin/members/${dora.id}`, {
    ...base,
    tags: " Lyon, stage-été ,lyon,  Atelier  du  jeudi ",
  });
  assert.equal(ok.status, 303);
  const tags = await app.db
    .selectFrom("member_tags")
    .select("tag")
    .where("member_id", "=", dora.id)
    .orderBy("tag")
    .execute();
  assert.deepEqual(
    tags.map((t) => t.tag),
    ["atelier du jeudi", "lyon", "stage-été"],
  );
  const page = await owner.get(`/admin/members/${dora.id}`);
  assert.match(page.text, /value="atelier du jeudi, lyon, stage-été"/);
  const ev = await app.db
    .selectFrom("events")
    .select("data")
    .where("member_id", "=", dora.id)
    .where("type", "=", "member.updated")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  assert.deepEqual(JSON.parse(ev.data).added, ["atelier du jeudi", "lyon", "stage-été"]);
  const bad = await owner.post(`/admin/members/${dora.id}`, { ...base, name: "Dorothée", tags: "x".repeat(41) });
  assert.equal(bad.status, 422);
  const after = await app.db.selectFrom("members").select("name").where("id", "=", dora.id).executeTakeFirstOrThrow();
  assert.equal(after.name, "Dora", "nothing saved when the tags are refused");
  assert.equal(
    (await app.db.selectFrom("member_tags").select("tag").where("member_id", "=", dora.id).execute()).length,
    3,
  );
});

test("bad input: empty, huge, malformed email, odd Unicode; HTML is rendered escaped", async () => {
  const empty = await owner.post("/admin/members/new", { email: "", name: "", locale: "fr" });
  assert.equal(empty.status, 422);
  assert.match(empty.text, /This field is required/);
  const malformed = await owner.post("/admin/members/new", { email: "not-an-email", locale: "fr" });
  assert.equal(malformed.status, 422);
  assert.match(malformed.text, /Enter a valid email address/);
  const huge = await owner.post("/admin/members/new", {
    email: "huge@example.org",
    name: "x".repeat(5000),
    locale: "fr",
  });
  assert.equal(huge.status, 422);
  assert.match(huge.text, /too long/);
  const badLocale = await owner.post("/admin/members/new", { email: "loc@example.org", locale: "de" });
  assert.equal(badLocale.status, 422);
  const control = await owner.post("/admin/members/new", { email: "ctl@example.org", name: "A\u202Eb", locale: "fr" });
  assert.equal(control.status, 422);
  // Over the 1 MB body limit: a 413, or the server hangs up before reading it all.
  // (on its own socket, so the hang-up cannot break the shared keep-alive pool).
  const tooBig = await rawPost(
    "/admin/members/new",
    new URLSearchParams({
      _csrf: owner.csrf,
      email: "big@example.org",
      name: "y".repeat(1_100_000),
      locale: "fr",
    }).toString(),
  );
  assert.equal(tooBig, 413);
  for (const e of ["huge@example.org", "loc@example.org", "ctl@example.org", "big@example.org"])
    assert.equal(await memberId(e), undefined);

  const script = `<script>alert("x")</script> Zoë 👩🏽‍🎨 e\u0301`;
  const res = await owner.post("/admin/members/new", { email: "xss@example.org", name: script, locale: "fr" });
  assert.equal(res.status, 303);
  const row = await app.db
    .selectFrom("members")
    .select(["name"])
    .where("email", "=", "xss@example.org")
    .executeTakeFirstOrThrow();
  assert.equal(row.name, script.normalize("NFC"));
  const page = await owner.get(res.location!);
  assert.doesNotMatch(page.text, /<script>alert/);
  assert.match(page.text, /&lt;script&gt;alert/);
  assert.match(page.text, /Zoë 👩🏽‍🎨 é/);
  const list = await owner.get("/admin/members?q=" + encodeURIComponent("<script>"));
  assert.doesNotMatch(list.text, /<script>alert/);
  assert.match(list.text, /xss@example\.org/);
  // The search echoes what was typed, escaped.
  assert.match(list.text, /value="&lt;script&gt;"/);
  const noteRes = await owner.post(`/admin/members/${alice.id}/note`, { note: "z".repeat(6000) });
  assert.equal(noteRes.status, 422);
});

test("unknown or malformed ids are 404", async () => {
  for (const path of [
    "/admin/members/0190a0a0-0000-7000-8000-000000000000",
    "/admin/members/nope",
    "/admin/members/'%20OR%201=1",
    "/admin/members/0190a0a0-0000-7000-8000-000000000000/delete",
  ]) {
    const res = await owner.get(path);
    assert.equal(res.status, 404, path);
  }
  const post = await owner.post("/admin/members/0190a0a0-0000-7000-8000-000000000000", {
    email: "a@b.c",
    locale: "fr",
    timeZone: "UTC",
  });
  assert.equal(post.status, 404);
  const older = await owner.get(`/admin/members/${alice.id}?before=not-an-id`);
  assert.equal(older.status, 200);
});

test("deleting asks first, then erases the member and everything about them", async () => {
  const dan = await createMember(
    app.db,
    { email: "dan@example.org", name: "Dan", locale: "fr", status: "active", emailOptIn: true, source: "signup" },
    "member",
  );
  await createSession(app.db, "member", dan.id);
  const confirm = await owner.get(`/admin/members/${dan.id}/delete`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.text, /Delete Dan\?/);
  assert.equal(await memberId("dan@example.org"), dan.id);
  const res = await owner.post(`/admin/members/${dan.id}/delete`);
  assert.equal(res.status, 303);
  assert.equal(res.location, "/admin/members?deleted=1");
  assert.equal(await memberId("dan@example.org"), undefined);
  assert.equal((await app.db.selectFrom("events").select("id").where("member_id", "=", dan.id).execute()).length, 0);
  assert.equal(
    (await app.db.selectFrom("member_consents").select("id").where("member_id", "=", dan.id).execute()).length,
    0,
  );
  assert.equal((await app.db.selectFrom("sessions").select("id").where("subject_id", "=", dan.id).execute()).length, 0);
  const list = await owner.get(res.location!);
  assert.match(list.text, /The member was deleted/);
  assert.equal((await owner.get(`/admin/members/${dan.id}`)).status, 404);
});

test("anonymous visitors and members are kept out of every /admin/members route", async () => {
  const memberClient = app.client();
  const { token } = await createSession(app.db, "member", alice.id);
  memberClient.cookies.set("atl_m", token);
  const anon = app.client();
  const gets = [
    "/admin/members",
    "/admin/members?q=a",
    "/admin/members/export.csv",
    "/admin/members/new",
    `/admin/members/${alice.id}`,
    `/admin/members/${alice.id}/delete`,
  ];
  const posts = [
    "/admin/members/new",
    `/admin/members/${alice.id}`,
    `/admin/members/${alice.id}/note`,
    `/admin/members/${alice.id}/delete`,
  ];
  for (const client of [anon, memberClient]) {
    for (const path of gets) {
      const res = await client.get(path);
      assert.equal(res.status, 303, path);
      assert.match(res.location ?? "", /^\/admin\/login\?next=/);
      assert.doesNotMatch(res.text, /alice@example\.org/);
    }
    for (const path of posts) {
      const res = await client.post(path, { email: "evil@example.org", locale: "fr", timeZone: "UTC", note: "x" });
      assert.ok(res.status === 401 || res.status === 403, `${path} -> ${res.status}`);
    }
  }
  assert.equal(await memberId("alice@example.org"), alice.id);
  assert.equal(await memberId("evil@example.org"), undefined);
});
