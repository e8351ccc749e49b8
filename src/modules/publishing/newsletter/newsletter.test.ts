import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { DateTime } from "luxon";
import { ownerEmail, type TestApp } from "../../../../test/support/app.ts";
import { recipients } from "../../../../test/support/smtp.ts";
import { loginOwner } from "../../staff/testing.ts";
import { nowIso } from "../../../platform/ids.ts";
import type { Db } from "../../../platform/db/index.ts";
import { countSegment } from "./segments.ts";
import { createSend, getSend } from "./engine.ts";
import { figures } from "./figures.ts";
import { PAID_MARKER } from "./testing/harness.ts";
import { HOOK, addMember as addWorldMember, startNewsletterWorld } from "./testing/world.ts";

let app: TestApp;
let postId: string;
let tierId: string;

before(async () => {
  ({ app, postId, tierId } = await startNewsletterWorld());
});

after(async () => {
  await app.stop();
});

const addMember = (db: Db, email: string, opts?: Parameters<typeof addWorldMember>[3]) =>
  addWorldMember(db, tierId, email, opts);

test("send to all: per-recipient paywall, headers, text part, figures; test email to myself", async () => {
  const owner = app.client();
  await loginOwner(owner);
  await owner.get(`/admin/newsletters/new?post=${postId}`);
  const testMail = await owner.post("/admin/newsletters", {
    post: postId,
    subject: "Essai",
    segment: "all",
    action: "test",
  });
  assert.match(testMail.text, /Test envoyé/);
  await app.drainJobs();
  const mine = await app.mail.waitFor(
    (m) => recipients(m).includes(ownerEmail) && (m.subject ?? "").startsWith("[Test]"),
  );
  assert.ok(mine.html && String(mine.html).includes(PAID_MARKER), "the owner's test shows the whole post");

  const res = await owner.post("/admin/newsletters", {
    post: postId,
    subject: "Lettre de novembre",
    segment: "all",
    when: "now",
    action: "send",
  });
  assert.equal(res.status, 303);
  const sendId = res.location!.split("/").pop()!;
  for (let i = 0; i < 20 && (await getSend(app.db, sendId))?.state !== "finished"; i++) await app.drainJobs();
  assert.equal((await getSend(app.db, sendId))?.state, "finished");
  const host = new URL(app.url).hostname;
  const byTo = (e: string) =>
    app.mail.messages.find((m) => recipients(m).includes(e) && m.subject === "Lettre de novembre");
  for (const e of ["free1@example.test", "free2@example.test"]) {
    const m = byTo(e)!;
    assert.ok(m, `no email for ${e}`);
    assert.ok(
      !String(m.html).includes(PAID_MARKER) && !(m.text ?? "").includes(PAID_MARKER),
      "free recipient got the paid part",
    );
    assert.ok(String(m.html).includes("Le début, ouvert à tous"));
    assert.ok(String(m.html).includes(`${app.url}/p/`), "link to read/upgrade");
  }
  assert.match(String(byTo("free1@example.test")!.html), /La suite est réservée/);
  assert.match(String(byTo("free2@example.test")!.html), /The rest is for subscribed members/);
  for (const e of ["paying1@example.test", "paying2@example.test"]) {
    const m = byTo(e)!;
    assert.ok(
      String(m.html).includes(PAID_MARKER) && (m.text ?? "").includes(PAID_MARKER),
      "paying recipient did not get the full post",
    );
  }
  for (const e of ["pending@example.test", "optedout@example.test", "suppressed@example.test"])
    assert.equal(byTo(e), undefined, e);
  const m = byTo("free1@example.test")!;
  const raw = (name: string) =>
    m.headerLines
      .find((h) => h.key === name)
      ?.line.replace(/^[^:]+:\s*/, "")
      .replace(/\r?\n\s+/g, " ") ?? "";
  const lu = raw("list-unsubscribe");
  assert.match(lu, new RegExp(`^<${app.url.replace(/[.]/g, "\\.")}/unsubscribe\\?token=[\\w.-]+>$`));
  assert.equal(raw("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
  assert.match(raw("list-id"), new RegExp(`<newsletter\\.${host.replace(/\./g, "\\.")}>`));
  assert.ok(m.messageId?.endsWith(`@${host}>`), m.messageId);
  assert.equal((Array.isArray(m.replyTo) ? m.replyTo[0] : m.replyTo)?.value[0]?.address, ownerEmail);
  assert.ok((m.text ?? "").length > 50, "plain-text part");
  assert.ok(!String(m.html).includes("/nl/o/"), "no tracking pixel by default");
  const f = await figures(app.db, sendId);
  assert.equal(f.recipients, 4);
  assert.equal(f.accepted, 4);
  const show = await owner.get(`/admin/newsletters/${sendId}`);
  assert.equal(show.status, 200);
  assert.match(show.text, /Terminé/);
  const json = await owner.get(`/admin/newsletters/${sendId}/progress.json`, { accept: "application/json" });
  assert.equal(JSON.parse(json.text).figures.accepted, 4);

  // Unsubscribe: GET changes nothing; a cookie-less one-click POST unsubscribes and records consent.
  const url = lu.slice(1, -1).slice(app.url.length);
  const memberId = (
    await app.db.selectFrom("members").select("id").where("email", "=", "free1@example.test").executeTakeFirstOrThrow()
  ).id;
  const stranger = app.client();
  const confirm = await stranger.get(url);
  assert.equal(confirm.status, 200);
  assert.match(confirm.text, /Me désinscrire|Unsubscribe me/);
  assert.equal(
    (await app.db.selectFrom("members").select("email_opt_in").where("id", "=", memberId).executeTakeFirstOrThrow())
      .email_opt_in,
    1,
  );
  const oneClick = await fetch(app.url + url, {
    method: "POST",
    body: "List-Unsubscribe=One-Click",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    redirect: "manual",
  });
  assert.equal(oneClick.status, 200);
  assert.equal(
    (await app.db.selectFrom("members").select("email_opt_in").where("id", "=", memberId).executeTakeFirstOrThrow())
      .email_opt_in,
    0,
  );
  const consent = await app.db
    .selectFrom("member_consents")
    .select(["granted"])
    .where("member_id", "=", memberId)
    .orderBy("created_at", "desc")
    .executeTakeFirst();
  assert.equal(consent?.granted, 0);
  const ev = await app.db
    .selectFrom("events")
    .select("type")
    .where("member_id", "=", memberId)
    .where("type", "=", "consent.withdrawn")
    .executeTakeFirst();
  assert.ok(ev, "consent.withdrawn recorded");
  assert.equal((await figures(app.db, sendId)).unsubscribed, 1);
  const forged = await fetch(app.url + "/unsubscribe?token=abc.def", {
    method: "POST",
    body: "List-Unsubscribe=One-Click",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assert.equal(forged.status, 400);
});

test("suppressions and unsubscribes are checked at send time", async () => {
  const db = app.db;
  const a = await addMember(db, "late-bounce@example.test");
  const b = await addMember(db, "late-unsub@example.test");
  const sendId = await createSend(app.running.services, {
    postId,
    subject: "Lettre B",
    segment: { kind: "all" },
    scheduledAt: null,
    createdBy: null,
  });
  // Rows exist; now, before the batch runs, one address bounces and one member unsubscribes.
  await db
    .insertInto("newsletter_suppressions")
    .values({ email: "late-bounce@example.test", reason: "hard_bounce", detail: "", created_at: nowIso() })
    .execute();
  await db.updateTable("members").set({ email_opt_in: 0 }).where("id", "=", b).execute();
  for (let i = 0; i < 20 && (await getSend(db, sendId))?.state !== "finished"; i++) await app.drainJobs();
  const rows = await db
    .selectFrom("newsletter_deliveries")
    .select(["member_id", "state", "reason"])
    .where("send_id", "=", sendId)
    .where("member_id", "in", [a, b])
    .execute();
  assert.deepEqual(rows.map((r) => `${r.state}:${r.reason}`).sort(), ["skipped:suppressed", "skipped:unsubscribed"]);
  assert.equal(
    app.mail.messages.filter((m) => m.subject === "Lettre B" && recipients(m).some((e) => e.startsWith("late-")))
      .length,
    0,
  );
});

test("Postmark bounce and complaint webhook: token required, suppression written, delivery bounced", async () => {
  const db = app.db;
  const hook = (q: string, body: unknown) =>
    fetch(`${app.url}/webhooks/mail/postmark${q}`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
  assert.equal(
    (await hook("", { RecordType: "Bounce", Type: "HardBounce", Email: "paying1@example.test" })).status,
    404,
  );
  assert.equal(
    (await hook("?token=wrong", { RecordType: "Bounce", Type: "HardBounce", Email: "paying1@example.test" })).status,
    404,
  );
  const bad = await fetch(`${app.url}/webhooks/mail/postmark?token=${HOOK}`, {
    method: "POST",
    body: "{not json",
    headers: { "content-type": "application/json" },
  });
  assert.equal(bad.status, 400);
  const ok = await hook(`?token=${HOOK}`, {
    RecordType: "Bounce",
    Type: "HardBounce",
    TypeCode: 1,
    Email: "Paying1@example.test",
    Description: "Unknown user",
  });
  assert.equal(ok.status, 200);
  assert.equal(
    (
      await db
        .selectFrom("newsletter_suppressions")
        .select("reason")
        .where("email", "=", "paying1@example.test")
        .executeTakeFirst()
    )?.reason,
    "hard_bounce",
  );
  const bouncedMember = await db
    .selectFrom("members")
    .select("id")
    .where("email", "=", "paying1@example.test")
    .executeTakeFirstOrThrow();
  assert.ok(
    await db
      .selectFrom("events")
      .select("id")
      .where("member_id", "=", bouncedMember.id)
      .where("type", "=", "email.bounced")
      .executeTakeFirst(),
    "the bounce is on the member's timeline",
  );
  const bounced = await db
    .selectFrom("newsletter_deliveries")
    .select("state")
    .where("email", "=", "paying1@example.test")
    .where("state", "=", "bounced")
    .execute();
  assert.equal(bounced.length, 1);
  const soft = await hook(`?token=${HOOK}`, {
    RecordType: "Bounce",
    Type: "SoftBounce",
    Email: "paying2@example.test",
  });
  assert.equal(((await soft.json()) as { suppressed: boolean }).suppressed, false);
  const basic = await fetch(`${app.url}/webhooks/mail/postmark`, {
    method: "POST",
    body: JSON.stringify({ RecordType: "SpamComplaint", Email: "free2@example.test" }),
    headers: {
      "content-type": "application/json",
      authorization: `Basic ${Buffer.from(`postmark:${HOOK}`).toString("base64")}`,
    },
  });
  assert.equal(basic.status, 200);
  assert.equal(
    (
      await db
        .selectFrom("newsletter_suppressions")
        .select("reason")
        .where("email", "=", "free2@example.test")
        .executeTakeFirst()
    )?.reason,
    "complaint",
  );
  assert.equal(
    (
      await db
        .selectFrom("members")
        .select("email_opt_in")
        .where("email", "=", "free2@example.test")
        .executeTakeFirstOrThrow()
    ).email_opt_in,
    0,
  );
  assert.equal(await countSegment(db, { kind: "paid" }, nowIso()), 1);
});

test("scheduling: a time in the site's zone is stored in UTC, the send waits, and can be cancelled", async () => {
  const owner = app.client();
  await loginOwner(owner);
  await owner.get(`/admin/newsletters/new?post=${postId}`);
  const local = DateTime.now().setZone("Europe/Paris").plus({ hours: 3 }).startOf("minute");
  const res = await owner.post("/admin/newsletters", {
    post: postId,
    subject: "Plus tard",
    segment: "all",
    when: "later",
    at: local.toFormat("yyyy-MM-dd'T'HH:mm"),
    action: "send",
  });
  assert.equal(res.status, 303);
  const sendId = res.location!.split("/").pop()!;
  const send = await getSend(app.db, sendId);
  assert.equal(send?.state, "scheduled");
  assert.equal(send?.scheduled_at, local.toUTC().toISO({ suppressMilliseconds: false }));
  await app.drainJobs();
  assert.equal((await getSend(app.db, sendId))?.state, "scheduled");
  assert.equal((await figures(app.db, sendId)).recipients, 0, "no rows before the send starts");
  const page = await owner.get(`/admin/newsletters/${sendId}`);
  assert.match(page.text, /Programmé/);
  const cancel = await owner.post(`/admin/newsletters/${sendId}/cancel`, {});
  assert.equal(cancel.status, 303);
  assert.equal((await getSend(app.db, sendId))?.state, "cancelled");
  const list = await owner.get("/admin/newsletters");
  assert.match(list.text, /Plus tard/);
  assert.match(list.text, /Lettre de novembre/);
});
