import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { createOffer } from "../offers/index.ts";
import { addComment } from "../publishing/index.ts";
import { makePost } from "../publishing/testing.ts";
import { personalData } from "./personal-data.ts";
import { findMemberByEmail } from "./service.ts";
import { setMemberTags } from "./tags.ts";
import { newClient, settleMail, tokenOf, type IpClient } from "./testing.ts";

/*
 * Erasure and export against the real, migrated schema (SQLite and
 * PostgreSQL): every column is classified in personal-data.ts; a member who
 * joined, confirmed, bought, commented, was tagged and got a newsletter is
 * exported (every key the classification names is there) and erased, and
 * then no table holds their address, name, IP, browser or words.
 */
let app: TestApp;
const email = `erase-me-${Date.now().toString(36)}@example.org`;
const name = "Zéphyrine Quillebœuf";
const agent = "ProbeBrowser/7.3 (erasure test)";
const words = "Un commentaire très personnel qwxz";
let client: IpClient;

before(async () => {
  app = await startTestApp({ devMailbox: true });
});
after(async () => {
  await app?.stop();
});

test("every table and column of the migrated database is classified (personal or not, and why)", async () => {
  const tables = await app.db.introspection.getTables();
  const problems: string[] = [];
  for (const t of tables) {
    const c = personalData[t.name];
    if (!c) {
      problems.push(`table ${t.name} is not classified in members/personal-data.ts`);
      continue;
    }
    const declared = [...(c.personal?.columns ?? []), ...Object.values(c.notPersonal ?? {}).flat()];
    for (const col of t.columns)
      if (!declared.includes(col.name)) problems.push(`column ${t.name}.${col.name} is not classified`);
    for (const col of declared)
      if (!t.columns.some((x) => x.name === col)) problems.push(`${t.name}.${col} is classified but does not exist`);
    if (c.personal && (!c.personal.erase || !c.personal.export)) problems.push(`${t.name}: erase/export missing`);
  }
  for (const name of Object.keys(personalData))
    if (!tables.some((t) => t.name === name)) problems.push(`${name} is classified but is not a table`);
  assert.deepEqual(problems, []);
});

async function joinAndConfirm(): Promise<void> {
  client = newClient(app);
  const headers = { "user-agent": agent };
  await client.get("/join");
  const joined = await client.request("POST", "/join", {
    body: new URLSearchParams({ email, name, newsletter: "on" }),
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
  });
  assert.equal(joined.status, 200);
  await settleMail(app);
  const mail = await app.db
    .selectFrom("dev_mailbox")
    .select("text")
    .where("to_address", "=", email)
    .executeTakeFirstOrThrow();
  const link = /\/join\/confirm\?token=[A-Za-z0-9_-]+/.exec(mail.text)?.[0] ?? "";
  const confirmed = await client.request("POST", "/join/confirm", {
    body: new URLSearchParams({ token: tokenOf(link) }),
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
  });
  assert.equal(confirmed.status, 303, confirmed.text.slice(0, 300));
  await client.get("/account", headers);
}

async function buyTier(): Promise<void> {
  const tier = await createOffer(app.db, { slug: "cercle", kind: "tier", name: "Le cercle", status: "published" }, [
    { kind: "recurring", interval: "month", amount: 500, currency: "EUR" },
  ]);
  const price = await app.db
    .selectFrom("prices")
    .select("id")
    .where("offer_id", "=", tier.id)
    .executeTakeFirstOrThrow();
  await client.get("/offers/cercle");
  const start = await client.post("/checkout", { offer: tier.id, price: price.id, email });
  assert.equal(start.status, 303, start.text.slice(0, 300));
  const checkout = new URL(start.location!).pathname;
  await client.get(checkout);
  assert.equal((await client.post(checkout, { action: "pay" })).status, 303);
  await settleMail(app);
}

async function commentTagAndNewsletter(memberId: string): Promise<void> {
  const post = await makePost(app.db, { title: "Carnet", body: "Texte." });
  await addComment(app.db, post.id, memberId, words);
  await app.db
    .insertInto("comment_blocks")
    .values({ member_id: memberId, blocked_by: null, created_at: nowIso() })
    .execute();
  await setMemberTags(app.db, memberId, ["mécène"], "system");
  const sendId = newId();
  const at = nowIso();
  await app.db
    .insertInto("newsletter_sends")
    .values({
      id: sendId,
      post_id: post.id,
      subject: "Lettre",
      segment: "{}",
      state: "finished",
      scheduled_at: at,
      started_at: at,
      finished_at: at,
      recipients: 1,
      created_by: "staff",
      heartbeat_at: null,
      resume_count: 0,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await app.db
    .insertInto("newsletter_deliveries")
    .values({
      send_id: sendId,
      member_id: memberId,
      email,
      batch_no: 0,
      state: "failed",
      reason: `550 <${email}> mailbox full`,
      attempts: 1,
      lease_owner: null,
      lease_until: null,
      accepted_at: at,
      unsubscribed_at: null,
      opened_at: at,
      clicked_at: null,
      updated_at: at,
    })
    .execute();
  await app.db
    .insertInto("newsletter_events")
    .values({
      id: newId(),
      send_id: sendId,
      member_id: memberId,
      kind: "click",
      url: `${app.url}/p/carnet`,
      created_at: at,
    })
    .execute();
  // A delivery error that quotes the address, as an SMTP server would.
  await app.db
    .insertInto("jobs")
    .values({
      id: newId(),
      type: "mail.send",
      payload: "{}",
      state: "dead",
      run_at: at,
      attempts: 8,
      max_attempts: 8,
      last_error: `550 5.1.1 <${email}>: Recipient address rejected`,
      dedupe_key: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
}

/** Every row of every table, as text, that mentions one of the needles. */
async function rowsMentioning(needles: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const t of await app.db.introspection.getTables()) {
    if (personalData[t.name]?.personal?.erase.startsWith("kept on purpose")) continue;
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(t.name)}`.execute(app.db);
    for (const row of rows.rows) {
      const text = JSON.stringify(row).toLowerCase();
      for (const n of needles) if (text.includes(n.toLowerCase())) found.push(`${t.name}: ${n}`);
    }
  }
  return [...new Set(found)];
}

function at(data: unknown, keyPath: string): unknown {
  return keyPath.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], data);
}

test("the export holds every kind of data erasure deletes; after erasure no table holds the member's data", async () => {
  await joinAndConfirm();
  await buyTier();
  const member = (await findMemberByEmail(app.db, email))!;
  assert.ok(member, "joined");
  await commentTagAndNewsletter(member.id);
  const ip = client.ip;

  const before = await rowsMentioning([email, name, agent, words]);
  for (const table of ["members", "sessions", "orders", "comments", "newsletter_deliveries", "dev_mailbox"])
    assert.ok(
      before.some((f) => f.startsWith(`${table}:`)),
      `the scenario put data in ${table}`,
    );

  const res = await client.get("/account/export.json");
  assert.equal(res.status, 200);
  const data = JSON.parse(res.text) as Record<string, unknown>;
  const missing: string[] = [];
  for (const [table, c] of Object.entries(personalData)) {
    const key = c.personal?.export;
    if (typeof key === "string" && at(data, key) === undefined) missing.push(`${table} → ${key}`);
  }
  assert.deepEqual(missing, [], "export keys named by the classification");
  for (const key of ["comments.comments", "newsletters.deliveries", "newsletters.events", "tags", "links"])
    assert.ok((at(data, key) as unknown[]).length > 0, `${key} holds the member's rows`);
  assert.equal(at(data, "comments.blocked"), true);
  assert.ok(res.text.includes(words));

  const page = await client.get("/account/delete");
  assert.equal(page.status, 200);
  const erased = await client.post("/account/delete", {});
  assert.equal(erased.status, 200, erased.text.slice(0, 300));
  assert.equal(await findMemberByEmail(app.db, email), undefined);
  assert.deepEqual(await rowsMentioning([email, name, agent, words, ip]), []);
});
