import assert from "node:assert/strict";
import { LocalStorage, type Storage } from "../../platform/storage/index.ts";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { freshDatabase, type FreshDatabase } from "../../../test/support/db.ts";
import { completeSetup } from "../../../test/support/app.ts";
import { migrateToLatest, openDatabase, type Db, type DbHandle } from "../../platform/db/index.ts";
import { registerMessages } from "../../platform/i18n/index.ts";
import { findMemberByEmail, memberTags } from "../members/index.ts";
import { createOffer } from "../offers/index.ts";
import { memberEntitlements } from "../access/index.ts";
import { portabilityMessages } from "./i18n.ts";
import { createImport, getImport, importReport, runImport, setImportMapping, startImport } from "./service.ts";
import type { MemberSource } from "./sources/types.ts";

let database: FreshDatabase;
let handle: DbHandle;
let db: Db;
let storage: Storage;
let gold: string;
let silver: string;
const fixtures = path.join(import.meta.dirname, "fixtures");

before(async () => {
  registerMessages(portabilityMessages);
  database = await freshDatabase();
  handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  db = handle.db;
  storage = new LocalStorage(path.join(database.dataDir, "files"));
  await migrateToLatest(db);
  await completeSetup(db, { locale: "fr" });
  gold = (await createOffer(db, { slug: "or", kind: "tier", name: "Or", status: "published" })).id;
  silver = (await createOffer(db, { slug: "argent", kind: "tier", name: "Argent", status: "published" })).id;
});
after(async () => {
  await handle.close();
  await database.cleanup();
});

async function importFile(source: MemberSource, bytes: Buffer, tiers: Record<string, string> = {}, opts = {}) {
  const row = await createImport(db, storage, { source, fileName: "export.csv", bytes });
  await setImportMapping(db, row.id, { columns: JSON.parse(row.mapping).columns, tiers });
  await startImport(db, row.id);
  while (!(await runImport(db, storage, row.id, opts)));
  return (await getImport(db, row.id))!;
}

const counts = (r: { created: number; updated: number; unchanged: number; skipped: number; failed: number }) => ({
  created: r.created,
  updated: r.updated,
  unchanged: r.unchanged,
  skipped: r.skipped,
  failed: r.failed,
});

test("a Ghost import keeps names, notes, labels, consent with its source and date, and grants the mapped tiers", async () => {
  const bytes = fs.readFileSync(path.join(fixtures, "ghost-members.csv"));
  const done = await importFile("ghost", bytes, { gold: gold, silver: silver });
  assert.equal(done.state, "done");
  assert.deepEqual(counts(done), { created: 3, updated: 0, unchanged: 0, skipped: 2, failed: 1 });
  assert.equal(done.total, 6);

  const anna = (await findMemberByEmail(db, "anna.free@example.org"))!;
  assert.equal(anna.name, "Lefèvre, Anna");
  assert.equal(anna.createdAt, "2023-05-14T10:20:30.000Z");
  assert.equal(anna.source, "import:ghost");
  assert.equal(anna.emailOptIn, true);
  assert.deepEqual(await memberTags(db, anna.id), ["lyon", "newsletter"]);
  const consent = await db.selectFrom("member_consents").selectAll().where("member_id", "=", anna.id).execute();
  assert.equal(consent.length, 1);
  assert.equal(consent[0]!.created_at, "2023-05-14T10:20:30.000Z");
  assert.match(consent[0]!.wording, /Ghost.*2023-05-14/);

  const chloe = (await findMemberByEmail(db, "chloe.comp@example.org"))!;
  assert.equal(chloe.emailOptIn, false);
  const chloeAccess = await memberEntitlements(db, chloe.id);
  assert.deepEqual(
    chloeAccess.map((e) => [e.resourceId, e.sourceKind, e.sourceId, e.endsAt]),
    [[silver, "complimentary", "import:ghost", null]],
  );
  const bob = (await findMemberByEmail(db, "bob.paid@example.org"))!;
  const bobAccess = await memberEntitlements(db, bob.id);
  assert.equal(bobAccess[0]?.resourceId, gold);
  assert.ok(bobAccess[0]?.endsAt, "a Stripe member without a paid-through date gets a grace period");
  const link = await db.selectFrom("provider_customers").selectAll().where("member_id", "=", bob.id).execute();
  assert.deepEqual(
    link.map((l) => l.provider_customer_id),
    ["cus_Pq1Rs2Tu3Vw4Xy"],
  );
  assert.equal(await findMemberByEmail(db, "gone@example.org"), undefined);

  const report = await importReport(db, done.id);
  assert.deepEqual(
    report.map((r) => `${r.line}:${r.status}:${r.reason ?? ""}`),
    [
      "2:created:",
      "4:created:access",
      "5:created:access",
      "6:skipped:deleted",
      "7:skipped:duplicate",
      "8:failed:email_invalid",
    ],
  );

  // The same file again changes nothing.
  const eventsBefore = await db.selectFrom("events").select("id").execute();
  const again = await importFile("ghost", bytes, { gold: gold, silver: silver });
  assert.deepEqual(counts(again), { created: 0, updated: 0, unchanged: 3, skipped: 2, failed: 1 });
  assert.equal((await db.selectFrom("events").select("id").execute()).length, eventsBefore.length);
  assert.equal((await memberEntitlements(db, chloe.id)).length, 1);
});

test("Substack paid subscribers get the tier until their expiry; an unmapped tier is a refused row, not a stop", async () => {
  const bytes = fs.readFileSync(path.join(fixtures, "substack-subscribers.csv"));
  const done = await importFile("substack", bytes, { monthly: gold });
  assert.deepEqual(counts(done), { created: 3, updated: 0, unchanged: 0, skipped: 1, failed: 4 });
  const paul = (await findMemberByEmail(db, "paul.monthly@example.com"))!;
  const access = await memberEntitlements(db, paul.id);
  assert.equal(access[0]?.endsAt, "2030-01-31T00:00:00.000Z");
  const problems = await importReport(db, done.id, { status: ["failed"] });
  assert.deepEqual(
    problems.map((r) => `${r.line}:${r.reason}`),
    ["4:tier_unmapped", "7:email_invalid", "8:date_invalid", "9:email_missing"],
  );
  assert.deepEqual(problems[0]!.params, { tier: "yearly" });
  // Once the owner maps the yearly plan, a second import grants it and touches nobody else.
  const fixed = await importFile("substack", bytes, { monthly: gold, yearly: silver });
  assert.deepEqual(counts(fixed), { created: 0, updated: 1, unchanged: 3, skipped: 1, failed: 3 });
});

test("an import killed half-way resumes at its cursor: every row once, the same result as an uninterrupted run", async () => {
  const lines = ["email,name,created_at,tags"];
  for (let i = 0; i < 1_234; i++) lines.push(`resume${i}@example.com,"Person ${i}, Jr",2024-01-01,"a,b"`);
  lines.push("resume7@EXAMPLE.com,Dup,2024-01-01,");
  const bytes = Buffer.from(lines.join("\n"));
  const row = await createImport(db, storage, { source: "csv", fileName: "big.csv", bytes });
  await startImport(db, row.id);
  await assert.rejects(() => runImport(db, storage, row.id, { crashAfterChunks: 1 }), /simulated crash/);
  const halfway = (await getImport(db, row.id))!;
  assert.equal(halfway.cursor, 500);
  assert.equal(halfway.state, "running");
  await runImport(db, storage, row.id);
  const done = (await getImport(db, row.id))!;
  assert.deepEqual(counts(done), { created: 1_234, updated: 0, unchanged: 0, skipped: 1, failed: 0 });
  const reportRows = await db
    .selectFrom("import_rows")
    .select("record_index")
    .where("import_id", "=", row.id)
    .execute();
  assert.equal(reportRows.length, 1_235);
  const members = await db.selectFrom("members").select("email").where("email", "like", "resume%").execute();
  assert.equal(members.length, 1_234);
});

test("bad files are refused with a translated 4xx before anything is stored", async () => {
  const before = await db.selectFrom("imports").select("id").execute();
  const kit = fs.readFileSync(path.join(fixtures, "kit-subscribers.csv"));
  await assert.rejects(
    () => createImport(db, storage, { source: "patreon", fileName: "x.csv", bytes: kit }),
    (e: { status?: number; code?: string }) => e.status === 422 && e.code === "import_headers",
  );
  await assert.rejects(
    () => createImport(db, storage, { source: "csv", fileName: "x.csv", bytes: Buffer.from("") }),
    (e: { status?: number }) => e.status === 422,
  );
  await assert.rejects(
    () => createImport(db, storage, { source: "csv", fileName: "x.png", bytes: Buffer.from([0x89, 0x50, 0, 0, 1]) }),
    (e: { status?: number }) => e.status === 415,
  );
  await assert.rejects(
    () => createImport(db, storage, { source: "csv", fileName: "x.csv", bytes: Buffer.from("nom;prenom\nx;y\n") }),
    (e: { status?: number }) => e.status === 422,
  );
  assert.equal((await db.selectFrom("imports").select("id").execute()).length, before.length);
});
