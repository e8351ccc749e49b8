/**
 * Benchmark "startup": from `npm start` (the command an operator types) to
 * the first 200 on /healthz, on a migrated demo database, with dist/ already
 * built (`npm start` then only checks that no source changed). Median of
 * five starts; also the CPU the server process used to get there (on a
 * busy shared machine wall time also counts waiting for a core).
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrateToLatest, openDatabase } from "../src/platform/db/index.ts";
import { seedDemo } from "../src/modules/demo/seed.ts";
import { freePort, root, stopChild, waitFor200, writeResult } from "./support/harness.ts";

const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-bench-start-"));
try {
  const handle = openDatabase({ dataDir });
  await migrateToLatest(handle.db);
  await seedDemo(handle.db, { members: 300 });
  await handle.close();
  if (spawnSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, stdio: "inherit" }).status !== 0)
    throw new Error("build failed");
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    };
    delete env.DATABASE_URL;
    const started = performance.now();
    // Its own process group, so stopping it stops npm's node child too.
    const child = spawn("npm", ["start", "--silent"], { cwd: root, env, stdio: "ignore", detached: true });
    times.push(await waitFor200(`http://127.0.0.1:${port}/healthz`, started, 60_000));
    process.kill(-child.pid!, "SIGTERM");
    await stopChild(child);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const result = {
    name: "startup",
    unit: "ms",
    value: Math.round(median),
    baseline: null,
    ratio: null,
    details: {
      measured: "wall time from spawning `npm start` to the first 200 on /healthz, dist/ up to date",
      runsMs: times.map((t) => Math.round(t)),
      node: process.version,
      cpus: os.cpus().length,
      loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
      date: new Date().toISOString(),
      targets: { ms: 1500 },
    },
  };
  writeResult("startup", result);
  console.log(JSON.stringify(result, null, 2));
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
