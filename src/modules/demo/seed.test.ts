import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { freshDatabase, type FreshDatabase } from "../../../test/support/db.ts";
import { migrateToLatest, openDatabase, toNumber, type DbHandle } from "../../platform/db/index.ts";
import { verifyPassword } from "../../platform/security/passwords.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import { demoOwner, prng, seedDemo, uuidv7At, type SeedResult } from "./seed.ts";
import { findEventType } from "../../platform/events/index.ts";
import "../members/index.ts";

const now = new Date("2026-11-20T10:00:00.000Z");
const opened: { database: FreshDatabase; handle: DbHandle }[] = [];

async function seededDatabase(members: number): Promise<{ handle: DbHandle; result: SeedResult }> {
  const database = await freshDatabase();
  const handle = openDatabase({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
  opened.push({ database, handle });
  await migrateToLatest(handle.db);
  const result = await seedDemo(handle.db, { members, now, batchSize: 120 });
  return { handle, result };
}

let a: { handle: DbHandle; result: SeedResult };
let b: { handle: DbHandle; result: SeedResult };
before(async () => {
  a = await seededDatabase(300);
  b = await seededDatabase(300);
});
after(async () => {
  for (const { database, handle } of opened) {
    await handle.close();
    await database.cleanup();
  }
});

async function count(handle: DbHandle, table: "members" | "member_consents" | "events"): Promise<number> {
  const row = await handle.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  return toNumber(row.n);
}

test("the demo creates the site, the owner and the asked number of members with history", async () => {
  const { handle, result } = a;
  assert.equal(result.siteCreated, true);
  assert.equal(result.ownerCreated, true);
  assert.equal(await count(handle, "members"), 300);
  assert.equal(await count(handle, "member_consents"), result.consents);
  assert.equal(await count(handle, "events"), result.events);
  assert.ok(result.events > 300 * 3, `a lively history (${result.events} events)`);
  const site = await getSiteSettings(handle.db);
  assert.equal(site.setupDone, true);
  assert.equal(site.name, "L’atelier de Camille");
  assert.match(site.storyHtml, /<h2>Ce que je partage ici<\/h2>/);
  assert.match(site.aboutHtml, /Camille Lefèvre/);
  const owner = await handle.db
    .selectFrom("staff_users")
    .selectAll()
    .where("email", "=", demoOwner.email)
    .executeTakeFirstOrThrow();
  assert.equal(owner.role, "owner");
  assert.equal(await verifyPassword(demoOwner.password, owner.password_hash), true);
});

test("members look real: mostly active, some pending, both languages, several time zones, consents on file", async () => {
  const rows = await a.handle.db.selectFrom("members").selectAll().execute();
  const pending = rows.filter((r) => r.status === "pending").length;
  assert.ok(pending > 5 && pending < 90, `pending: ${pending}`);
  const en = rows.filter((r) => r.locale === "en").length;
  assert.ok(en > 20 && en < 150, `english: ${en}`);
  assert.ok(new Set(rows.map((r) => r.time_zone)).size >= 4);
  assert.equal(new Set(rows.map((r) => r.email)).size, rows.length);
  for (const r of rows) assert.match(r.email, /^[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+$/);
  // Every opted-in member's latest consent row grants.
  const consents = await a.handle.db
    .selectFrom("member_consents")
    .select(["member_id", "granted", "created_at", "id"])
    .orderBy("id")
    .execute();
  const latest = new Map<string, number>();
  for (const c of consents) latest.set(c.member_id, c.granted);
  for (const r of rows.filter((m) => m.email_opt_in === 1))
    assert.equal(latest.get(r.id), 1, `consent on file for ${r.email}`);
  for (const r of rows.filter((m) => m.status === "active" && m.source === "signup"))
    assert.ok(r.confirmed_at && r.confirmed_at >= r.created_at);
});

test("history spreads over the past twelve months, ids sort like time", async () => {
  const events = await a.handle.db.selectFrom("events").select(["id", "type", "created_at"]).orderBy("id").execute();
  const months = new Set(events.map((e) => e.created_at.slice(0, 7)));
  assert.ok(months.size >= 12, `months covered: ${months.size}`);
  for (const e of events) assert.ok(e.created_at <= now.toISOString() && e.created_at > "2025-11-19");
  const types = new Set(events.map((e) => e.type));
  for (const t of [
    "member.joined",
    "member.confirmed",
    "member.logged_in",
    "member.preferences_changed",
    "consent.granted",
  ])
    assert.ok(types.has(t), t);
  const sortedByTime = [...events].sort((x, y) =>
    x.created_at < y.created_at ? -1 : x.created_at > y.created_at ? 1 : 0,
  );
  assert.deepEqual(
    events.map((e) => e.created_at.slice(0, 19)),
    sortedByTime.map((e) => e.created_at.slice(0, 19)),
  );
});

test("the same seed and date give the same data", async () => {
  const rowsA = await a.handle.db.selectFrom("members").selectAll().orderBy("id").execute();
  const rowsB = await b.handle.db.selectFrom("members").selectAll().orderBy("id").execute();
  assert.deepEqual(rowsB, rowsA);
  assert.deepEqual(b.result.events, a.result.events);
  // `tx` is the writing transaction on PostgreSQL, so it differs between two databases by design.
  const columns = ["id", "member_id", "type", "version", "actor", "data", "created_at"] as const;
  const evA = await a.handle.db.selectFrom("events").select(columns).orderBy("id").execute();
  const evB = await b.handle.db.selectFrom("events").select(columns).orderBy("id").execute();
  assert.deepEqual(evB, evA);
});

test("seeding an already set-up site keeps its settings and owner", async () => {
  const more = await seedDemo(a.handle.db, { members: 10, now, seed: 7 });
  assert.equal(more.siteCreated, false);
  assert.equal(more.ownerCreated, false);
  assert.equal(await count(a.handle, "members"), 310);
});

test("generated ids are valid, time-ordered UUIDv7", () => {
  const rng = prng(1);
  const x = uuidv7At(Date.parse("2026-01-01T00:00:00Z"), rng);
  const y = uuidv7At(Date.parse("2026-01-01T00:00:00.001Z"), rng);
  assert.match(x, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(x < y);
});

test("every seeded event is a declared type with a valid payload, so timelines read it", async () => {
  const rows = await a.handle.db.selectFrom("events").select(["type", "version", "data"]).execute();
  for (const r of rows) {
    const def = findEventType(r.type);
    assert.ok(def, `${r.type} is declared`);
    assert.equal(Number(r.version), def.version);
    assert.ok(def.payload.safeParse(JSON.parse(r.data)).success, `${r.type}: ${r.data}`);
  }
});
