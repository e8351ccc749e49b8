import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { modules } from "../../src/modules/index.ts";
import { platformTables } from "../../src/platform/db/schema.ts";
import { migrateToLatest, openDatabase } from "../../src/platform/db/index.ts";
import { freshDatabase } from "../support/db.ts";
import { modulesDir, sourceFiles, tablesMigrated, tablesNamed } from "./scan.ts";

/**
 * Data ownership (ARCHITECTURE.md, "Modules"): every table has one owner, the
 * platform or the module whose defineModule lists it, and only the owner's
 * code names it. Others call the functions the owner's index.ts exports.
 */

const owner = new Map<string, string>();
for (const t of platformTables) owner.set(t, "platform");
for (const m of modules) {
  for (const t of m.tables) {
    assert.ok(!owner.has(t), `${t} is declared by ${owner.get(t)} and ${m.name}`);
    owner.set(t, m.name);
  }
}
const known = new Set(owner.keys());

/**
 * Applied migrations are immutable, so two of them keep creating tables that
 * another owner has since taken over; every later change to those tables is
 * a migration in the owner's folder.
 */
const grandfathered: Record<string, string[]> = {
  // The first migration created the platform's tables and the first members and staff ones.
  "platform/db/migrations/2026112301_foundation.ts": ["staff_users", "members", "member_consents", "magic_links"],
  // Entitlements were created with the offers; the access module owns them (one grant/revoke path).
  "modules/offers/migrations/2026112320_offers.ts": ["entitlements"],
};

/** Cross-module table access not yet moved behind its owner's functions ("file: tables"): none left. */
const remaining: string[] = [];

test("every module's code names only its own tables and the platform's", () => {
  const found: string[] = [];
  for (const m of modules) {
    for (const file of sourceFiles(path.join(modulesDir, m.name))) {
      const foreign = [...tablesNamed(fs.readFileSync(file, "utf8"), known)]
        .filter((t) => owner.get(t) !== m.name && owner.get(t) !== "platform")
        .sort();
      if (foreign.length) found.push(`${path.relative(modulesDir, file)}: ${foreign.join(" ")}`);
    }
  }
  assert.deepEqual(found.sort(), [...remaining].sort());
});

test("the scanner sees builder calls, Database types and raw SQL, not comments", () => {
  const tables = new Set(["offers", "members", "entitlements", "tags"]);
  const seen = tablesNamed(
    [
      '// selectFrom("tags") in a comment is prose',
      'await db.selectFrom("offers as o").innerJoin("members", (j) => j)',
      'type Row = Database["entitlements"];',
    ].join("\n"),
    tables,
  );
  assert.deepEqual([...seen].sort(), ["entitlements", "members", "offers"]);
  assert.deepEqual([...tablesNamed("sql`SELECT 1 FROM tags t JOIN members m ON m.id = t.member_id`", tables)].sort(), [
    "members",
    "tags",
  ]);
});

test("each migration creates and changes only its folder owner's tables", () => {
  const src = path.resolve(modulesDir, "..");
  const folders: { dir: string; owner: string }[] = [
    { dir: path.join(src, "platform/db/migrations"), owner: "platform" },
  ];
  for (const name of fs.readdirSync(modulesDir)) {
    const dir = path.join(modulesDir, name, "migrations");
    if (fs.existsSync(dir)) folders.push({ dir, owner: name });
  }
  const wrong: string[] = [];
  for (const f of folders) {
    for (const file of fs.readdirSync(f.dir).filter((n) => n.endsWith(".ts"))) {
      const rel = path.relative(src, path.join(f.dir, file));
      const allowed = new Set(grandfathered[rel] ?? []);
      for (const t of tablesMigrated(fs.readFileSync(path.join(f.dir, file), "utf8")))
        if (owner.get(t) !== f.owner && !allowed.has(t))
          wrong.push(`${rel}: ${t} (owned by ${owner.get(t) ?? "nobody"})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("every migration file is named so the migrator runs it", () => {
  // The migrator (platform/db/index.ts) and the build (scripts/build.mjs) skip any other name without a word.
  const src = path.resolve(modulesDir, "..");
  const dirs = [path.join(src, "platform/db/migrations")];
  for (const name of fs.readdirSync(modulesDir)) {
    const dir = path.join(modulesDir, name, "migrations");
    if (fs.existsSync(dir)) dirs.push(dir);
  }
  const skipped = dirs.flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".ts") && !/^\d{10}_[a-z0-9_]+\.ts$/.test(f))
      .map((f) => path.relative(src, path.join(dir, f))),
  );
  assert.deepEqual(skipped, []);
});

test("every table of the migrated database has exactly one declared owner", async () => {
  const fresh = await freshDatabase();
  const handle = openDatabase({ databaseUrl: fresh.databaseUrl, dataDir: fresh.dataDir });
  try {
    await migrateToLatest(handle.db);
    const tables = (await handle.db.introspection.getTables())
      .map((t) => t.name)
      .filter((n) => !n.startsWith("kysely_"))
      .sort();
    assert.deepEqual(tables, [...known].sort());
  } finally {
    await handle.close();
    await fresh.cleanup();
  }
});
