// Runs every *.test.ts / *.test.tsx under src/ and test/ with Node's test runner (TypeScript through esbuild).
// Files are listed explicitly: a bare `node --test` would find none of them and pass.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const roots = ["src", "test"];
const only = process.argv.slice(2);
const files = [];
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (/\.test\.tsx?$/.test(entry.name)) files.push(full);
  }
}
for (const root of roots) if (fs.existsSync(root)) walk(root);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
if (selected.length === 0) {
  console.error("No test files found.");
  process.exit(1);
}
// The longest files start first, so no long one is left running alone at the end.
const heavy = /e2e|journey|kill|multinode|fuzz|replay|list\.test/;
const ordered = [...selected].sort((a, b) => Number(heavy.test(b)) - Number(heavy.test(a)) || a.localeCompare(b));
// Three files at a time on two cores: the suite waits on the database, the browser and mail about as
// much as it computes (measured: 24 files took 180 s at 2, 146 s at 3).
const concurrency = process.env.TEST_CONCURRENCY ?? "3";
const db = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL ? "PostgreSQL" : "SQLite";
console.log(`Running ${selected.length} test files on ${db}, ${concurrency} at a time`);
const result = spawnSync(
  process.execPath,
  [
    // In-thread TypeScript hooks (scripts/ts-hooks.mjs): each test file starts about a second sooner than with tsx.
    "--import",
    pathToFileURL(path.join(import.meta.dirname, "ts-hooks.mjs")).href,
    "--test",
    `--test-concurrency=${concurrency}`,
    "--test-timeout=180000",
    "--test-reporter=spec",
    ...ordered,
  ],
  { stdio: "inherit", env: { LOG_LEVEL: "error", ...process.env, NODE_ENV: "test" } },
);
process.exit(result.status ?? 1);
