import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, ownerPassword, type TestApp } from "../support/app.ts";
import type { TestClient } from "../support/client.ts";
import { createSession } from "../../src/platform/security/sessions.ts";
import { safeRedirectPath } from "../../src/platform/http/forms.ts";
import { AppError } from "../../src/platform/http/errors.ts";
import { createLink, createMember } from "../../src/modules/members/index.ts";

/**
 * Every place that sends a browser to a `next` the request chose: the target
 * is a same-site path by the URL parser's verdict, or the fallback; control
 * characters and backslashes are a 400, decided before a session or a magic
 * link is created.
 */
let app: TestApp;
let staffToken = "";
let memberToken = "";
const memberEmail = "ines@example.org";

/** Sent somewhere else by a prefix check, a lenient parser or a browser; each must stay on the site. */
const offSite = [
  "//evil.example",
  "///evil.example",
  "/.//evil.example",
  "/..//evil.example",
  "https://evil.example/",
  "http:evil.example",
  "evil.example",
  " //evil.example",
  "/%2F/evil.example",
  "/\u3000/evil.example",
];
/** Refused outright: tab, CR, LF, NUL, DEL, C1 controls and backslashes. */
const refused = [
  "/\t/evil.example",
  "/\n/x",
  "/\r/x",
  "/x\r\nSet-Cookie: a=b",
  "/\u0000/x",
  "/x\u007f",
  "/\u0085x",
  "/\\evil.example",
  "/\\\\evil.example",
];

before(async () => {
  app = await startTestApp();
  const staff = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  staffToken = (await createSession(app.db, "staff", staff.id)).token;
  const member = await createMember(
    app.db,
    { email: memberEmail, name: "Inès", locale: "fr", status: "active", emailOptIn: false, source: "test" },
    "system",
  );
  memberToken = (await createSession(app.db, "member", member.id)).token;
});
beforeEach(async () => {
  await app.db.deleteFrom("rate_limits").execute();
});
after(() => app.stop());

function assertSameSite(location: string | null, value: string): void {
  assert.ok(location, `a Location for ${JSON.stringify(value)}`);
  assert.doesNotMatch(location, /[\u0000-\u001f\u007f\\]/);
  const origin = new URL(app.url).origin;
  assert.equal(new URL(location, app.url).origin, origin, `${JSON.stringify(value)} → ${location}`);
  assert.ok(location.startsWith("/") && !location.startsWith("//"), location);
}

async function count(table: "sessions" | "magic_links"): Promise<number> {
  return (await app.db.selectFrom(table).select("id").execute()).length;
}

function as(kind: "anonymous" | "staff" | "member"): TestClient {
  const c = app.client();
  if (kind === "staff") c.cookies.set("atl_s", staffToken);
  if (kind === "member") c.cookies.set("atl_m", memberToken);
  return c;
}

/** The GET redirects that read `next` from the query. */
const getRoutes: { name: string; who: "anonymous" | "staff" | "member"; path: (next: string) => string }[] = [
  { name: "language switch", who: "anonymous", path: (n) => `/lang/en?next=${encodeURIComponent(n)}` },
  { name: "admin login (logged in)", who: "staff", path: (n) => `/admin/login?next=${encodeURIComponent(n)}` },
  { name: "admin code page (logged in)", who: "staff", path: (n) => `/admin/login/totp?next=${encodeURIComponent(n)}` },
  { name: "member login (logged in)", who: "member", path: (n) => `/login?next=${encodeURIComponent(n)}` },
  { name: "join (logged in)", who: "member", path: (n) => `/join?next=${encodeURIComponent(n)}` },
];

test("safeRedirectPath: the parser's verdict, not a prefix check", () => {
  for (const v of offSite)
    assert.equal(new URL(safeRedirectPath(v, "/home"), "https://site.example").origin, "https://site.example", v);
  assert.equal(safeRedirectPath("/.//evil.example", "/home"), "/home");
  assert.equal(safeRedirectPath("//evil.example", "/home"), "/home");
  assert.equal(safeRedirectPath("/admin/jobs?x=1#y", "/home"), "/admin/jobs?x=1#y");
  assert.equal(safeRedirectPath("/a/../b", "/home"), "/b");
  assert.equal(safeRedirectPath("", "/home"), "/home");
  assert.equal(safeRedirectPath(undefined, "/home"), "/home");
  for (const v of refused)
    assert.throws(
      () => safeRedirectPath(v, "/home"),
      (e: unknown) => e instanceof AppError && e.status === 400 && e.messageKey === "error.bad_redirect",
      JSON.stringify(v),
    );
});

for (const route of getRoutes) {
  test(`GET ${route.name}: off-site next stays on the site, control characters are a 400`, async () => {
    const client = as(route.who);
    for (const v of offSite) {
      const res = await client.get(route.path(v));
      assert.equal(res.status, 303, `${v}: ${res.status} ${res.text.slice(0, 200)}`);
      assertSameSite(res.location, v);
    }
    for (const v of refused) {
      const res = await as(route.who).get(route.path(v));
      assert.equal(res.status, 400, `${JSON.stringify(v)}: ${res.status}`);
      assert.match(res.text, /adresse de retour/);
      assert.equal(res.location, null);
      assert.equal(res.headers.get("set-cookie"), null, "nothing changed");
    }
  });
}

test("POST admin login: off-site next lands on the site; a refused next is a 400 before any session exists", async () => {
  // Each login hashes a password: a handful of the off-site values is enough here (same verdict function).
  for (const v of offSite.slice(0, 4)) {
    const res = await as("anonymous").post("/admin/login", { email: ownerEmail, password: ownerPassword, next: v });
    assert.equal(res.status, 303, `${v}: ${res.status}`);
    assertSameSite(res.location, v);
  }
  for (const v of refused.slice(0, 6)) {
    const before = await count("sessions");
    const res = await as("anonymous").post("/admin/login", { email: ownerEmail, password: ownerPassword, next: v });
    assert.equal(res.status, 400, `${JSON.stringify(v)}: ${res.status}`);
    assert.equal(res.headers.get("set-cookie"), null);
    assert.equal(await count("sessions"), before, "no session created");
  }
});

test("magic links (login and join): only a same-site path is stored; a refused next creates no link", async () => {
  let i = 0;
  for (const v of offSite) {
    const email = `joiner${i++}@example.org`;
    for (const [path, fields] of [
      ["/login", { email: memberEmail, next: v }],
      ["/join", { email, name: "Zoé", next: v }],
    ] as const) {
      await app.db.deleteFrom("rate_limits").execute();
      const res = await as("anonymous").post(path, fields, { "x-forwarded-for": `10.1.0.${i}` });
      assert.equal(res.status, 200, `${path} ${v}: ${res.status}`);
    }
  }
  // The links are made by each request's job: wait for them by state.
  await app.drainJobs();
  for (const link of await app.db.selectFrom("magic_links").select("redirect_to").execute())
    if (link.redirect_to !== null) assertSameSite(link.redirect_to, link.redirect_to);
  for (const v of refused) {
    const before = await count("magic_links");
    for (const [path, fields] of [
      ["/login", { email: memberEmail, next: v }],
      ["/join", { email: `refused${i++}@example.org`, name: "Zoé", next: v }],
    ] as const) {
      const res = await as("anonymous").post(path, fields, { "x-forwarded-for": `10.2.0.${i}` });
      assert.equal(res.status, 400, `${path} ${JSON.stringify(v)}: ${res.status}`);
      assert.match(res.text, /adresse de retour/);
    }
    await app.drainJobs();
    assert.equal(await count("magic_links"), before, "no link created");
  }
});

test("a stored redirect_to that is not a same-site path is never followed when the link is used", async () => {
  const member = await app.db
    .selectFrom("members")
    .select("id")
    .where("email", "=", memberEmail)
    .executeTakeFirstOrThrow();
  for (const bad of ["/\n/x", "//evil.example", "/\\evil.example"]) {
    const link = await createLink(app.db, {
      email: memberEmail,
      memberId: member.id,
      purpose: "login",
      redirectTo: bad,
    });
    const row = await app.db
      .selectFrom("magic_links")
      .select("redirect_to")
      .where("id", "=", link.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.redirect_to, null, "never stored");
    // A row written before this check existed: the link still logs in, to the fallback.
    await app.db.updateTable("magic_links").set({ redirect_to: bad }).where("id", "=", link.id).execute();
    const client = as("anonymous");
    await client.get(`/login/verify?token=${link.token}`);
    const res = await client.post("/login/verify", { token: link.token });
    assert.equal(res.status, 303, `${JSON.stringify(bad)}: ${res.status}`);
    assert.equal(res.location, "/account");
  }
});

test("the comments moderation return address: same-site by the same verdict, checked before the change", async () => {
  const client = as("staff");
  await client.get("/admin/comments");
  const id = "0190a0a0-0000-7000-8000-000000000000";
  for (const v of offSite) {
    const res = await client.post(`/admin/comments/${id}/hide`, { back: v });
    assert.ok(res.status === 303 || res.status === 404, `${v}: ${res.status}`);
    if (res.status === 303) assertSameSite(res.location, v);
  }
  for (const v of refused) {
    const res = await client.post(`/admin/comments/${id}/hide`, { back: v });
    assert.ok(res.status === 400 || res.status === 404, `${JSON.stringify(v)}: ${res.status}`);
  }
});
