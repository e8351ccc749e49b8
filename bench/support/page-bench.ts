/**
 * The method shared by every page benchmark: seed a demo site in a temp
 * DATA_DIR, start it exactly as `npm start` does, record one response, serve
 * the same bytes and headers from a bare node:http server, then load both
 * (children pinned to core 0, autocannon from this process on 127.0.0.1,
 * warm-up then A-B-B-A halves so a drift in machine load hits both alike).
 * Writes bench/results/NAME.json with value, baseline and ratio.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { migrateToLatest, openDatabase, type Db } from "../../src/platform/db/index.ts";
import { seedDemo, type SeedResult } from "../../src/modules/demo/seed.ts";
import {
  appStartArgs,
  cpuMs,
  freePort,
  hasTaskset,
  load,
  type Load,
  rssMb,
  root,
  spawnPinned,
  stopChild,
  waitFor200,
  writeResult,
} from "./harness.ts";

export interface PreparedPage {
  path: string;
  /** Extra request headers (a member's session cookie). */
  headers?: Record<string, string>;
  details?: Record<string, unknown>;
}

export interface PageBenchOptions {
  name: string;
  /** Seeds what the page needs beyond the demo members and returns what to request. */
  prepare(db: Db, seeded: SeedResult): Promise<PreparedPage>;
  /** Throws when the recorded page is not the one meant (e.g. a paywall instead of the content). */
  check?(body: string): void;
  /** More loads against the app after the main ones, merged into details. */
  extraLoads?(url: string, run: (url: string) => Promise<Load>): Promise<Record<string, unknown>>;
  targets: Record<string, number>;
}

const connections = 50;
const durationS = Number(process.env.BENCH_DURATION_S ?? 10);

type Recorded = { status: number; headers: Record<string, string | string[]>; body: Buffer };

function record(url: string, headers: Record<string, string>): Promise<Recorded> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const kept: Record<string, string | string[]> = {};
          // Node adds Date/Connection/Keep-Alive itself on both servers.
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined && !["date", "connection", "keep-alive"].includes(k)) kept[k] = v;
          resolve({ status: res.statusCode ?? 0, headers: kept, body: Buffer.concat(chunks) });
        });
      })
      .on("error", reject);
  });
}

function combine(runs: Load[]) {
  return {
    reqPerSec: runs.reduce((s, r) => s + r.total, 0) / durationS,
    p50: Math.max(...runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    errors: runs.reduce((s, r) => s + r.errors + r.non2xx, 0),
  };
}

export async function runPageBench(opts: PageBenchOptions): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-bench-"));
  try {
    const handle = openDatabase({ dataDir });
    await migrateToLatest(handle.db);
    const seeded = await seedDemo(handle.db, { members: 300 });
    const prepared = await opts.prepare(handle.db, seeded);
    await handle.close();
    const headers = { "accept-language": "fr-FR,fr;q=0.9,en;q=0.5", accept: "text/html", ...prepared.headers };

    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
    };
    delete env.DATABASE_URL;
    const startArgs = appStartArgs();
    const spawnedAt = performance.now();
    const app = spawnPinned(startArgs, env);
    let appErr = "";
    app.stderr!.on("data", (d: Buffer) => (appErr += d.toString()));
    const url = `http://127.0.0.1:${port}${prepared.path}`;
    let firstResponseMs: number;
    try {
      firstResponseMs = await waitFor200(url, spawnedAt, 60_000, headers);
    } catch (err) {
      await stopChild(app);
      throw new Error(`${(err as Error).message}\n${appErr}`);
    }
    // CPU the start-up really took: on a busy shared machine wall time also counts waiting for a core.
    const startupCpuMs = cpuMs(app.pid!);
    await new Promise((r) => setTimeout(r, 1500));
    const idleRssMb = rssMb(app.pid!);

    const page = await record(url, headers);
    if (page.status !== 200 || !String(page.headers["content-type"]).startsWith("text/html"))
      throw new Error(`${prepared.path} answered ${page.status}`);
    opts.check?.(page.body.toString());
    const basePort = await freePort();
    const specFile = path.join(dataDir, "bare.json");
    fs.writeFileSync(
      specFile,
      JSON.stringify({
        status: page.status,
        headers: page.headers,
        bodyBase64: page.body.toString("base64"),
        port: basePort,
      }),
    );
    const bare = spawnPinned([path.join(root, "bench/support/bare-server.mjs"), specFile], process.env);
    const baseUrl = `http://127.0.0.1:${basePort}/`;
    await waitFor200(baseUrl, performance.now(), 20_000);
    if (!(await record(baseUrl, headers)).body.equals(page.body))
      throw new Error("baseline does not send the same bytes");

    await load(url, { connections: 10, durationS: 2, headers });
    await load(baseUrl, { connections: 10, durationS: 2, headers });
    const half = durationS / 2;
    const run = (u: string) => load(u, { connections, durationS: half, headers });
    const appRuns: Load[] = [await run(url)];
    const baseRuns: Load[] = [await run(baseUrl), await run(baseUrl)];
    appRuns.push(await run(url));
    const extra = opts.extraLoads ? await opts.extraLoads(url, run) : {};
    const loadedRssMb = rssMb(app.pid!);
    const exitCode = await stopChild(app);
    await stopChild(bare);
    const appLoad = combine(appRuns);
    const baseLoad = combine(baseRuns);
    for (const [k, v] of Object.entries(extra))
      if (k.endsWith("ReqPerSec") && typeof v === "number")
        extra[k.replace("ReqPerSec", "Ratio")] = Math.round((v / baseLoad.reqPerSec) * 1000) / 1000;

    const result = {
      name: opts.name,
      unit: "req/s",
      value: Math.round(appLoad.reqPerSec),
      baseline: Math.round(baseLoad.reqPerSec),
      ratio: Math.round((appLoad.reqPerSec / baseLoad.reqPerSec) * 1000) / 1000,
      details: {
        path: prepared.path,
        locale: "fr",
        ...prepared.details,
        ...extra,
        rssMb: idleRssMb,
        rssUnderLoadMb: loadedRssMb,
        firstResponseMs: Math.round(firstResponseMs),
        startupCpuMs,
        startCommand: `node ${startArgs.map((a) => path.relative(root, a) || a).join(" ")}`,
        latency: { p50: appLoad.p50, p99: appLoad.p99 },
        baselineLatency: { p50: baseLoad.p50, p99: baseLoad.p99 },
        errors: appLoad.errors,
        method: "warm-up, then A-B-B-A halves of durationS each side, 50 connections, both servers pinned to core 0",
        bytes: page.body.length,
        connections,
        durationS,
        members: seeded.members,
        pinnedToCore0: hasTaskset(),
        appExitCode: exitCode,
        node: process.version,
        cpus: os.cpus().length,
        loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
        date: new Date().toISOString(),
        targets: opts.targets,
      },
    };
    const file = writeResult(opts.name, result);
    console.log(JSON.stringify(result, null, 2));
    console.log(`written ${path.relative(root, file)}`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
