/**
 * The method shared by every page benchmark: seed a demo site (100,000
 * members) in a temp DATA_DIR, start it exactly as `npm start` does, record
 * one response per distinct path, serve the same bytes and headers by path
 * from a bare node:http server, then load both with the same request
 * sequence (children pinned to core 0, autocannon from this process on
 * 127.0.0.1, warm-up then A-B-B-A halves so a drift in machine load hits both
 * alike). The sequence covers many distinct paths in a skewed (Zipf)
 * popularity order and, for personal pages, many sessions in rotation.
 *
 * Each mode writes its own bench/results/NAME.json: "uncached" adds a unique
 * query string to every request (the page cache never answers: every request
 * is a full render), "cached" sends the plain paths (the page cache answers
 * what it may). The app's page-cache hits are read from /healthz before and
 * after each run, so `details.cacheHitRatio` is measured, not assumed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrateToLatest, openDatabase, type Db } from "../../src/platform/db/index.ts";
import { seedDemo, prng, type SeedResult } from "../../src/modules/demo/seed.ts";
import { benchDatabase } from "./harness.ts";
import {
  appStartArgs,
  cpuMs,
  freePort,
  hasTaskset,
  loadSequence,
  type Load,
  record,
  type Recorded,
  rssMb,
  root,
  spawnPinned,
  stopChild,
  waitFor200,
  writeResult,
} from "./harness.ts";

export interface PreparedPages {
  /** Distinct paths, most popular first. */
  paths: string[];
  /** Cookies of distinct sessions used in rotation (none: anonymous). */
  cookies?: string[];
  details?: Record<string, unknown>;
}

export type Mode = "cached" | "uncached";

export interface PageBenchOptions {
  /** Result names per mode, e.g. { uncached: "post-page", cached: "post-page-cached" }. */
  names: Partial<Record<Mode, string>>;
  /** Seeds what the pages need beyond the demo and returns what to request. */
  prepare(db: Db, seeded: SeedResult): Promise<PreparedPages>;
  /** Throws when a recorded page is not the one meant (e.g. a paywall instead of the content). */
  check?(path: string, body: string): void;
  /** Content type every recorded response must have. */
  contentType?: RegExp;
  targets: Partial<Record<Mode, Record<string, number>>>;
}

const connections = 50;
const durationS = Number(process.env.BENCH_DURATION_S ?? 10);
const members = Number(process.env.BENCH_MEMBERS ?? 100_000);

/** A deterministic request sequence: paths drawn with Zipf weights (1/rank), sessions in strict rotation. */
export function requestSequence(
  paths: string[],
  cookies: string[],
  length = 20_000,
): { path: string; cookie?: string }[] {
  const weights = paths.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const rng = prng(42);
  const out: { path: string; cookie?: string }[] = [];
  for (let i = 0; i < length; i++) {
    let r = rng() * total;
    let k = 0;
    while (k < paths.length - 1 && (r -= weights[k]!) > 0) k++;
    out.push({ path: paths[k]!, cookie: cookies.length ? cookies[i % cookies.length] : undefined });
  }
  return out;
}

function combine(runs: Load[]) {
  const total = runs.reduce((s, r) => s + r.total, 0);
  return {
    total,
    reqPerSec: total / durationS,
    p50: Math.max(...runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    errors: runs.reduce((s, r) => s + r.errors + r.non2xx, 0),
  };
}

/** Requests the app's page cache answered and did not, counted by the app itself (/healthz). */
async function cacheCounts(origin: string): Promise<{ hits: number; stale: number; others: number }> {
  const res = await fetch(`${origin}/healthz`);
  const body = (await res.json()) as {
    pageCache?: { hits: number; stale?: number; misses: number; bypassed: number };
  };
  const c = body.pageCache;
  return c
    ? { hits: c.hits, stale: c.stale ?? 0, others: c.misses + c.bypassed }
    : { hits: NaN, stale: NaN, others: NaN };
}

export async function runPageBench(opts: PageBenchOptions): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-bench-"));
  const database = await benchDatabase();
  try {
    const handle = openDatabase({ dataDir, databaseUrl: database.url });
    await migrateToLatest(handle.db);
    const seedStarted = performance.now();
    const seeded = await seedDemo(handle.db, { members });
    const prepared = await opts.prepare(handle.db, seeded);
    const seedMs = Math.round(performance.now() - seedStarted);
    await handle.close();
    const cookies = prepared.cookies ?? [];
    const baseHeaders = { "accept-language": "fr-FR,fr;q=0.9,en;q=0.5", accept: "text/html" };
    const sequence = requestSequence(prepared.paths, cookies);

    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      // Production refuses the dev mailbox; the pages measured send no mail, so a closed port will do.
      SMTP_URL: process.env.SMTP_URL ?? "smtp://127.0.0.1:9",
    };
    delete env.DATABASE_URL;
    if (database.url) env.DATABASE_URL = database.url;
    const startArgs = appStartArgs();
    const spawnedAt = performance.now();
    const app = spawnPinned(startArgs, env);
    let appErr = "";
    app.stderr!.on("data", (d: Buffer) => (appErr += d.toString()));
    const origin = `http://127.0.0.1:${port}`;
    let firstResponseMs: number;
    try {
      firstResponseMs = await waitFor200(`${origin}/healthz`, spawnedAt, 60_000);
    } catch (err) {
      await stopChild(app);
      throw new Error(`${(err as Error).message}\n${appErr}`);
    }
    const startupCpuMs = cpuMs(app.pid!);
    await new Promise((r) => setTimeout(r, 1500));
    const idleRssMb = rssMb(app.pid!);

    // One recorded response per distinct path (with the first session, if any): the baseline sends these bytes.
    const recorded: Record<string, Recorded> = {};
    for (const p of prepared.paths) {
      const headers = cookies[0] ? { ...baseHeaders, cookie: cookies[0] } : baseHeaders;
      const page = await record(`${origin}${p}`, headers);
      const type = String(page.headers["content-type"]);
      if (page.status !== 200 || !(opts.contentType ?? /^text\/html/).test(type))
        throw new Error(`${p} answered ${page.status} ${type}`);
      opts.check?.(p, page.body.toString());
      recorded[p] = page;
    }
    const basePort = await freePort();
    const specFile = path.join(dataDir, "bare.json");
    fs.writeFileSync(
      specFile,
      JSON.stringify({
        port: basePort,
        pages: Object.fromEntries(
          Object.entries(recorded).map(([p, r]) => [
            p,
            { status: r.status, headers: r.headers, bodyBase64: r.body.toString("base64") },
          ]),
        ),
      }),
    );
    const bare = spawnPinned([path.join(root, "bench/support/bare-server.mjs"), specFile], process.env);
    const baseOrigin = `http://127.0.0.1:${basePort}`;
    await waitFor200(`${baseOrigin}${prepared.paths[0]}`, performance.now(), 20_000);
    for (const p of prepared.paths)
      if (!(await record(`${baseOrigin}${p}`, baseHeaders)).body.equals(recorded[p]!.body))
        throw new Error(`baseline does not send the same bytes for ${p}`);
    const bytes = Object.values(recorded).map((r) => r.body.length);

    const run = (o: string, mode: Mode, s: number) =>
      loadSequence(o, sequence, { connections, durationS: s, headers: baseHeaders, uniqueQuery: mode === "uncached" });
    await run(origin, "uncached", 2);
    await run(baseOrigin, "uncached", 2);
    for (const mode of ["uncached", "cached"] as const) {
      const name = opts.names[mode] && (database.url ? `${opts.names[mode]}-pg` : opts.names[mode]);
      if (!name) continue;
      const half = durationS / 2;
      const before = await cacheCounts(origin);
      const cpuBefore = cpuMs(app.pid!);
      const appRuns: Load[] = [await run(origin, mode, half)];
      const baseRuns: Load[] = [await run(baseOrigin, mode, half), await run(baseOrigin, mode, half)];
      appRuns.push(await run(origin, mode, half));
      const after = await cacheCounts(origin);
      const cpuAfter = cpuMs(app.pid!);
      const loadedRssMb = rssMb(app.pid!);
      const appLoad = combine(appRuns);
      const baseLoad = combine(baseRuns);
      const hits = after.hits - before.hits;
      // The server also answered the requests still in flight when each run stopped; minus the /healthz read.
      const served = hits + after.others - before.others - 1;
      const result = {
        name,
        unit: "req/s",
        value: Math.round(appLoad.reqPerSec),
        baseline: Math.round(baseLoad.reqPerSec),
        ratio: Math.round((appLoad.reqPerSec / baseLoad.reqPerSec) * 1000) / 1000,
        details: {
          mode,
          measured:
            mode === "uncached"
              ? "every request carries a unique query string, so the page cache never answers: full renders"
              : "plain paths: the anonymous page cache answers what it may (personal pages are never cached)",
          distinctPaths: prepared.paths.length,
          distinctSessions: cookies.length,
          cacheHitRatio: Math.round((hits / served) * 1000) / 1000,
          cacheHits: hits,
          /** Hits answered with a page's previous version while its one re-render ran (part of cacheHits). */
          cacheStaleHits: after.stale - before.stale,
          cacheMisses: served - hits,
          requests: appLoad.total,
          /**
           * The app's CPU time (user + system, from /proc) per request it served in this mode: steadier
           * than req/s on a machine shared with other work, which slows both servers unevenly.
           */
          appCpuUsPerRequest:
            cpuBefore === null || cpuAfter === null ? null : Math.round(((cpuAfter - cpuBefore) * 1000) / served),
          popularity: "Zipf (1/rank) over the paths, most popular first; sessions in strict rotation",
          paths: prepared.paths.slice(0, 5).concat(prepared.paths.length > 5 ? ["..."] : []),
          locale: "fr",
          database: database.url ? "postgres" : "sqlite",
          ...prepared.details,
          rssMb: idleRssMb,
          rssAfterLoadMb: loadedRssMb,
          firstHealthzMs: Math.round(firstResponseMs),
          startupCpuMs,
          startCommand: `node ${startArgs.map((a) => path.relative(root, a) || a).join(" ")}`,
          latency: { p50: appLoad.p50, p99: appLoad.p99 },
          baselineLatency: { p50: baseLoad.p50, p99: baseLoad.p99 },
          errors: appLoad.errors,
          method: "warm-up, then A-B-B-A halves of durationS each side, 50 connections, both servers pinned to core 0",
          bytes: { min: Math.min(...bytes), max: Math.max(...bytes) },
          connections,
          durationS,
          members: seeded.members,
          seedMs,
          pinnedToCore0: hasTaskset(),
          node: process.version,
          cpus: os.cpus().length,
          loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
          date: new Date().toISOString(),
          targets: opts.targets[mode] ?? {},
        },
      };
      const file = writeResult(name, result);
      console.log(JSON.stringify(result, null, 2));
      console.log(`written ${path.relative(root, file)}`);
    }
    const exitCode = await stopChild(app);
    await stopChild(bare);
    if (exitCode !== 0) throw new Error(`the app exited with ${exitCode}\n${appErr}`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  }
}
