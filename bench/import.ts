/**
 * `npm run bench -- import`: 100,000 generated member rows (Ghost's export format: names with
 * commas, labels, complimentary and Stripe tiers, a few bad and duplicate rows) imported into a
 * fresh database through the same runner the admin's job and the CLI use. Baseline, same run,
 * same file: csv-parse alone reading every record. Target: under 60 s.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "csv-parse";
import { completeSetup } from "../test/support/app.ts";
import { migrateToLatest, openDatabase } from "../src/platform/db/index.ts";
import { registerMessages } from "../src/platform/i18n/index.ts";
import { createOffer } from "../src/modules/offers/index.ts";
import { portabilityMessages } from "../src/modules/portability/i18n.ts";
import {
  createImport,
  getImport,
  parseMapping,
  runImport,
  setImportMapping,
  startImport,
} from "../src/modules/portability/service.ts";
import { root, writeResult } from "./support/harness.ts";
import { LocalStorage } from "../src/platform/storage/index.ts";

const N = Number(process.env.IMPORT_BENCH_ROWS ?? 100_000);
const databaseUrl = process.env.BENCH_DATABASE_URL;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-bench-import-"));
const storage = new LocalStorage(path.join(dataDir, "files"));

function generate(): Buffer {
  const lines = [
    "id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,deleted_at,labels,tiers",
  ];
  for (let i = 0; i < N; i++) {
    const id = (0x6571b0a1c3e1f20001000000n + BigInt(i)).toString(16);
    const email =
      i % 997 === 0 ? "not-an-email" : i % 1009 === 0 ? `Member${i - 1}@Example.com` : `member${i}@example.com`;
    const paid = i % 10 === 0;
    const comped = i % 25 === 0;
    lines.push(
      [
        id,
        email,
        `"Nom ${i}, Prénom"`,
        i % 50 === 0 ? `"Met at the fair, ""${i}""\nsecond line"` : "",
        i % 3 === 0 ? "false" : "true",
        comped ? "true" : "false",
        paid && !comped ? `cus_${i.toString(36).padStart(8, "0")}` : "",
        new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(),
        "",
        i % 4 === 0 ? '"newsletter, lyon"' : "",
        paid || comped ? (i % 20 === 0 ? "Gold" : "Silver") : "",
      ].join(","),
    );
  }
  return Buffer.from("\uFEFF" + lines.join("\n") + "\n");
}

async function baseline(bytes: Buffer): Promise<{ ms: number; records: number }> {
  const t = performance.now();
  let records = 0;
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true });
  parser.end(bytes);
  for await (const _ of parser) records++;
  return { ms: performance.now() - t, records };
}

const handle = openDatabase({ databaseUrl, dataDir });
try {
  registerMessages(portabilityMessages);
  const db = handle.db;
  await migrateToLatest(db);
  await completeSetup(db);
  const gold = (await createOffer(db, { slug: "gold", kind: "tier", name: "Gold", status: "published" })).id;
  const silver = (await createOffer(db, { slug: "silver", kind: "tier", name: "Silver", status: "published" })).id;
  const bytes = generate();
  const base = await baseline(bytes);
  const t0 = performance.now();
  const row = await createImport(db, storage, { source: "ghost", fileName: "members.csv", bytes });
  await setImportMapping(db, row.id, { columns: parseMapping(row.mapping).columns, tiers: { gold, silver } });
  await startImport(db, row.id, { enqueue: false });
  const uploadMs = performance.now() - t0;
  const t1 = performance.now();
  await runImport(db, storage, row.id);
  const runMs = performance.now() - t1;
  const done = (await getImport(db, row.id))!;
  if (done.state !== "done" || done.total !== N) throw new Error(`import not done: ${JSON.stringify(done)}`);
  const totalMs = uploadMs + runMs;
  const ours = N / (totalMs / 1000);
  const parsed = base.records - 1;
  const result = {
    name: "import",
    unit: "rows/s",
    value: Math.round(ours),
    baseline: Math.round(parsed / (base.ms / 1000)),
    ratio: Math.round((ours / (parsed / (base.ms / 1000))) * 10000) / 10000,
    details: {
      rows: N,
      fileBytes: bytes.length,
      totalSeconds: Math.round(totalMs / 100) / 10,
      uploadAndCheckSeconds: Math.round(uploadMs / 100) / 10,
      runSeconds: Math.round(runMs / 100) / 10,
      baselineSeconds: Math.round(base.ms / 100) / 10,
      baselineWhat: "csv-parse alone over the same file, same run",
      created: done.created,
      skipped: done.skipped,
      failed: done.failed,
      database: databaseUrl ? "postgres" : "sqlite",
      node: process.version,
      cpus: os.cpus().length,
      loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
      date: new Date().toISOString(),
      targets: { totalSeconds: 60 },
    },
  };
  const file = writeResult("import", result);
  console.log(JSON.stringify(result, null, 2));
  console.log(`written ${path.relative(root, file)}`);
} finally {
  await handle.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
