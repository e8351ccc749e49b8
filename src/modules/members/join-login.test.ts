import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { linkIn } from "../../../test/support/client.ts";
import { recipients } from "../../../test/support/smtp.ts";
import { isoIn } from "../../platform/ids.ts";
import { hashToken } from "../../platform/security/tokens.ts";
import { limits } from "./shared.tsx";
import { createMember, findMemberByEmail } from "./service.ts";
import {
  countWhere,
  eventTypes,
  mailText,
  newClient,
  nextMailTo,
  requestLoginLink,
  settleMail,
  tokenOf,
  uniqueEmail,
} from "./testing.ts";

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app.stop());

async function activeMember(email: string, locale: "fr" | "en" = "fr") {
  return createMember(
    app.db,
    { email, name: "Inès", locale, status: "active", emailOptIn: false, source: "test" },
    "system",
  );
}

test("join → confirmation email over SMTP → GET confirm changes nothing → POST confirm activates and logs in", async () => {
  const email = uniqueEmail("join");
  const client = newClient(app);
  const form = await client.get("/join");
  assert.equal(form.status, 200);
  assert.match(form.text, /name="newsletter"/);
  assert.match(form.text, /J’accepte de recevoir par e-mail/);

  const res = await client.post("/join", { email: `  ${email.toUpperCase()} `, name: "Zoé", newsletter: "on" });
  assert.equal(res.status, 200);
  assert.match(res.text, /Vérifiez votre boîte de réception/);
  assert.equal(res.headers.get("set-cookie"), null, "joining does not log in");

  // The request only enqueued the work (same work for a known and an unknown address).
  await app.drainJobs();
  const member = await findMemberByEmail(app.db, email);
  assert.ok(member);
  assert.equal(member.status, "pending");
  assert.equal(member.emailOptIn, false, "no consent before the address is confirmed");
  assert.equal(member.locale, "fr");
  assert.equal(await countWhere(app, "member_consents", "member_id", member.id), 0);

  const mail = await nextMailTo(app, email, 0);
  assert.match(mail.subject ?? "", /Confirmez votre inscription à L’atelier de Camille/);
  assert.equal(mail.from?.value[0]?.address, "hello@atelier.test");
  assert.equal(mail.headers.get("content-language"), "fr");
  assert.equal(mail.headers.get("auto-submitted"), "auto-generated");
  assert.equal(mail.replyTo?.value[0]?.address, "owner@atelier.test");
  const text = mailText(mail);
  assert.match(text, /Bonjour Zoé,/);
  assert.match(text, /48 heures/);
  assert.match(text, /ignorez cet e-mail/);
  assert.match(String(mail.html), /<html lang="fr">/);
  const link = linkIn(text, app.url, "/join/confirm");

  // Opening the link (what a mail scanner does) shows a button and changes nothing.
  const page = await client.get(link);
  assert.equal(page.status, 200);
  assert.match(page.text, /<form method="post" action="\/join\/confirm">/);
  assert.match(page.text, /Confirmer mon adresse/);
  assert.equal(page.headers.get("set-cookie"), null);
  assert.equal((await findMemberByEmail(app.db, email))?.status, "pending");
  const row = await app.db
    .selectFrom("magic_links")
    .selectAll()
    .where("member_id", "=", member.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.used_at, null);
  assert.equal(row.purpose, "confirm");
  assert.equal(Date.parse(row.expires_at) - Date.parse(row.created_at), 48 * 3600_000);

  const done = await client.post("/join/confirm", { token: tokenOf(link) });
  assert.equal(done.status, 303);
  assert.equal(done.location, "/account?welcome=1");
  assert.ok(client.cookies.get("atl_m"), "logged in");
  assert.equal(client.cookies.get("atl_lang"), "fr");
  const after = await findMemberByEmail(app.db, email);
  assert.equal(after?.status, "active");
  assert.ok(after?.confirmedAt);
  assert.equal(after?.emailOptIn, true);
  const consents = await app.db.selectFrom("member_consents").selectAll().where("member_id", "=", member.id).execute();
  assert.equal(consents.length, 1);
  assert.equal(consents[0]!.granted, 1);
  assert.equal(consents[0]!.locale, "fr");
  assert.match(
    consents[0]!.wording,
    /J’accepte de recevoir par e-mail les lettres et nouvelles de L’atelier de Camille/,
  );
  assert.equal(consents[0]!.ip, client.ip);
  assert.deepEqual(await eventTypes(app, member.id), ["member.joined", "member.confirmed", "consent.granted"]);

  const account = await client.get("/account?welcome=1");
  assert.equal(account.status, 200);
  assert.match(account.text, /Bienvenue dans L’atelier de Camille/);

  // The link worked once.
  const again = await newClient(app).post("/join/confirm", { token: tokenOf(link) });
  assert.equal(again.status, 410);
  assert.match(again.text, /déjà servi/);
});

test("joining in English gets an English email; without the checkbox no consent is recorded", async () => {
  const email = uniqueEmail("en");
  const client = newClient(app);
  client.cookies.set("atl_lang", "en");
  const res = await client.post("/join", { email });
  assert.equal(res.status, 200);
  assert.match(res.text, /Check your inbox/);
  const mail = await nextMailTo(app, email, 0);
  assert.equal(mail.subject, "Confirm your sign-up to L’atelier de Camille");
  assert.equal(mail.headers.get("content-language"), "en");
  assert.match(mailText(mail), /This link expires in 48 hours/);
  const link = linkIn(mailText(mail), app.url, "/join/confirm");
  const done = await client.post("/join/confirm", { token: tokenOf(link) });
  assert.equal(done.status, 303);
  const member = await findMemberByEmail(app.db, email);
  assert.equal(member?.locale, "en");
  assert.equal(member?.emailOptIn, false);
  assert.equal(await countWhere(app, "member_consents", "member_id", member!.id), 0);
});

test("POST /join answers the same for a new, a pending and a known address; the known one gets a login link", async () => {
  const known = uniqueEmail("known");
  await activeMember(known);
  const pending = uniqueEmail("pending");
  await newClient(app).post("/join", { email: pending });
  await app.drainJobs();
  const fresh = uniqueEmail("fresh");
  const answers = [];
  for (const email of [fresh, known, pending]) {
    const res = await newClient(app).post("/join", { email, name: "X", newsletter: "on" });
    answers.push({
      status: res.status,
      body: res.text.replaceAll(email, "EMAIL"),
      cookie: res.headers.get("set-cookie"),
    });
  }
  assert.deepEqual(answers[1], answers[0]);
  assert.deepEqual(answers[2], answers[0]);
  assert.equal(answers[0]!.status, 200);

  const mail = await nextMailTo(app, known, 0);
  assert.match(mail.subject ?? "", /Vous avez déjà un compte/);
  assert.match(mailText(mail), /15 minutes/);
  const link = linkIn(mailText(mail), app.url, "/login/verify");
  const res = await newClient(app).post("/login/verify", { token: tokenOf(link) });
  assert.equal(res.status, 303);
  // The pending address gets a second confirmation link, not a duplicate member.
  await nextMailTo(app, pending, 1);
  assert.equal(await countWhere(app, "members", "email", pending), 1);
});

test("magic link: random, stored hashed, 15 minutes, GET does not log in, POST logs in once", async () => {
  const email = uniqueEmail("magic");
  const member = await activeMember(email, "en");
  const client = newClient(app);
  const link = await requestLoginLink(app, client, email);
  const token = tokenOf(link);
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);

  const rows = await app.db.selectFrom("magic_links").selectAll().where("member_id", "=", member.id).execute();
  assert.equal(rows.length, 1);
  assert.ok(!JSON.stringify(rows).includes(token), "the raw token is never stored");
  assert.equal(rows[0]!.token_hash, hashToken(token));
  assert.equal(rows[0]!.purpose, "login");
  assert.equal(Date.parse(rows[0]!.expires_at) - Date.parse(rows[0]!.created_at), 15 * 60_000);

  const sessionsBefore = await countWhere(app, "sessions", "subject_id", member.id);
  const page = await client.get(link);
  assert.equal(page.status, 200);
  assert.match(page.text, /<form method="post" action="\/login\/verify">/);
  assert.equal(client.cookies.get("atl_m"), undefined);
  assert.equal(await countWhere(app, "sessions", "subject_id", member.id), sessionsBefore);
  const unused = await app.db
    .selectFrom("magic_links")
    .select("used_at")
    .where("member_id", "=", member.id)
    .executeTakeFirstOrThrow();
  assert.equal(unused.used_at, null);

  const res = await client.post("/login/verify", { token });
  assert.equal(res.status, 303);
  assert.equal(res.location, "/account");
  assert.ok(client.cookies.get("atl_m"));
  assert.equal(client.cookies.get("atl_lang"), "en", "the site now speaks the member's language");
  assert.equal(await countWhere(app, "sessions", "subject_id", member.id), sessionsBefore + 1);
  assert.ok((await eventTypes(app, member.id)).includes("member.logged_in"));
  const account = await client.get("/account");
  assert.equal(account.status, 200);
  assert.match(account.text, /My account|Hello Inès/);

  const second = await newClient(app).post("/login/verify", { token });
  assert.equal(second.status, 410);
  assert.match(second.text, /already been used|déjà servi/);
  assert.match(second.text, /href="\/login"/);
  const reopened = await newClient(app).get(link);
  assert.equal(reopened.status, 410);
});

test("magic link: expired after 15 minutes, unknown or malformed tokens are refused", async () => {
  const email = uniqueEmail("expire");
  const member = await activeMember(email);
  const link = await requestLoginLink(app, newClient(app), email);
  await app.db
    .updateTable("magic_links")
    .set({ expires_at: isoIn(-1000) })
    .where("member_id", "=", member.id)
    .execute();
  const client = newClient(app);
  const page = await client.get(link);
  assert.equal(page.status, 410);
  assert.match(page.text, /a expiré/);
  assert.match(page.text, /Recevoir un nouveau lien/);
  const res = await client.post("/login/verify", { token: tokenOf(link) });
  assert.equal(res.status, 410);
  assert.equal(client.cookies.get("atl_m"), undefined);
  assert.equal(await countWhere(app, "sessions", "subject_id", member.id), 0);

  for (const token of ["", "abc", "x".repeat(43), "<script>", "a".repeat(5000)]) {
    const r = await client.post("/login/verify", { token });
    assert.equal(r.status, 400, `token ${token.slice(0, 10)}`);
    assert.match(r.text, /n’est pas valide/);
    const g = await client.get(`/login/verify?token=${encodeURIComponent(token)}`);
    assert.equal(g.status, 400);
    const j = await client.post("/join/confirm", { token });
    assert.equal(j.status, 400);
  }
  // A login token is not a confirmation token.
  const other = await requestLoginLink(app, newClient(app), email);
  assert.equal((await client.post("/join/confirm", { token: tokenOf(other) })).status, 400);
});

test("two concurrent POSTs of one link open exactly one session", async () => {
  const email = uniqueEmail("race");
  const member = await activeMember(email);
  const link = await requestLoginLink(app, newClient(app), email);
  const token = tokenOf(link);
  const a = newClient(app);
  const b = newClient(app);
  const results = await Promise.all([
    a.post("/login/verify", { token }),
    b.post("/login/verify", { token }),
    newClient(app).post("/login/verify", { token }),
  ]);
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [303, 410, 410]);
  assert.equal(await countWhere(app, "sessions", "subject_id", member.id), 1);
  assert.equal((await eventTypes(app, member.id)).filter((t) => t === "member.logged_in").length, 1);
});

test("POST /login answers the same whether or not the address exists; only members get mail", async () => {
  const known = uniqueEmail("lk");
  await activeMember(known);
  const unknown = uniqueEmail("lu");
  const r1 = await newClient(app).post("/login", { email: known });
  const r2 = await newClient(app).post("/login", { email: unknown });
  assert.equal(r1.status, 200);
  assert.equal(r2.status, r1.status);
  assert.equal(r2.text.replaceAll(unknown, "EMAIL"), r1.text.replaceAll(known, "EMAIL"));
  await nextMailTo(app, known, 0);
  await settleMail(app);
  assert.equal(app.mail.to(unknown).length, 0);
  assert.equal(await countWhere(app, "magic_links", "email", unknown), 0);
  assert.equal(await findMemberByEmail(app.db, unknown), undefined, "logging in never creates a member");
});

test("a pending member who logs in by link becomes active; a safe next path is honoured", async () => {
  const email = uniqueEmail("pend");
  await newClient(app).post("/join", { email });
  await nextMailTo(app, email, 0);
  const client = newClient(app);
  const seen = app.mail.to(email).length;
  await client.post("/login", { email, next: "/account?from=mail" });
  const mail = await nextMailTo(app, email, seen);
  const link = linkIn(mailText(mail), app.url, "/login/verify");
  const res = await client.post("/login/verify", { token: tokenOf(link) });
  assert.equal(res.status, 303);
  assert.equal(res.location, "/account?from=mail");
  const member = await findMemberByEmail(app.db, email);
  assert.equal(member?.status, "active");
  assert.ok(member?.confirmedAt);
  const types = await eventTypes(app, member!.id);
  assert.ok(types.includes("member.confirmed") && types.includes("member.logged_in"));

  // Another host, or a scheme-relative URL, falls back to /account.
  const evil = newClient(app);
  const seen2 = app.mail.to(email).length;
  await evil.post("/login", { email, next: "//evil.example/x" });
  const link2 = linkIn(mailText(await nextMailTo(app, email, seen2)), app.url, "/login/verify");
  assert.equal((await evil.post("/login/verify", { token: tokenOf(link2) })).location, "/account");
});

test("rate limit per address: the sixth request in 15 minutes is a 429 and sends nothing", async () => {
  const email = uniqueEmail("rl");
  await activeMember(email);
  for (let i = 0; i < limits.addressMax; i++) {
    const r = await newClient(app).post(i % 2 ? "/login" : "/join", { email });
    assert.equal(r.status, 200);
  }
  await settleMail(app);
  const sent = app.mail.to(email).length;
  assert.equal(sent, limits.addressMax);
  const limited = await newClient(app).post("/login", { email });
  assert.equal(limited.status, 429);
  assert.match(limited.text, /Trop de demandes/);
  const limitedEn = newClient(app);
  limitedEn.cookies.set("atl_lang", "en");
  assert.match((await limitedEn.post("/join", { email })).text, /Too many requests/);
  await settleMail(app);
  assert.equal(app.mail.to(email).length, sent);
});

test("rate limit per IP: past the limit, POST /join is a 429, creates nothing and sends nothing", async () => {
  const client = newClient(app, "192.0.2.99");
  for (let i = 0; i < limits.ipMax; i++) {
    const r = await client.post("/join", { email: uniqueEmail("ip") });
    assert.equal(r.status, 200);
  }
  const last = uniqueEmail("iplast");
  const r = await client.post("/join", { email: last });
  assert.equal(r.status, 429);
  assert.equal(await findMemberByEmail(app.db, last), undefined);
  await settleMail(app);
  assert.equal(app.mail.to(last).length, 0);
  // Another client address still gets through.
  assert.equal((await newClient(app, "192.0.2.100").post("/join", { email: last })).status, 200);
  assert.equal(recipients(await nextMailTo(app, last, 0))[0], last);
});
