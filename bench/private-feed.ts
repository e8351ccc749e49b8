/**
 * Benchmark "private-feed": 10,000 members, each with their own private
 * podcast feed token, polling in strict rotation a show of 100 episodes
 * (half of them for paying members, whom every member here is).
 * (a) `ratio`: every poll sends the feed's current ETag in If-None-Match → 304;
 * (b) `details.fullFeedRatio`: polls without validators → 200 with the whole feed.
 * Each against a bare node:http server sending the same status, headers and
 * bytes, in the same run (A-B-B-A halves, both pinned to core 0 when taskset exists).
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { migrateToLatest, openDatabase } from "../src/platform/db/index.ts";
import { seedDemo } from "../src/modules/demo/seed.ts";
import { privateFeedPath } from "../src/modules/podcasts/tokens.ts";
import { preparePrivateFeeds } from "./support/private-feed-seed.ts";
import {
  appStartArgs,
  cpuMs,
  freePort,
  hasTaskset,
  record,
  rssMb,
  spawnPinned,
  stopChild,
  waitFor200,
  writeResult,
  type Load,
} from "./support/harness.ts";

type AutocannonResult = {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
};
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: AutocannonResult) => void) => unknown;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const members = Number(process.env.BENCH_MEMBERS ?? 10_000);
const durationS = Number(process.env.BENCH_DURATION_S ?? 10);
const connections = 50;
const episodes = 100;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-bench-pf-"));
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
// BENCH_DATABASE_URL=postgres://…: the same run on a fresh PostgreSQL database made (and dropped) on that server.
const serverUrl = process.env.BENCH_DATABASE_URL || undefined;
const dbName = `atelier_bench_pf_${process.pid}`;
const databaseUrl = serverUrl ? Object.assign(new URL(serverUrl), { pathname: `/${dbName}` }).toString() : undefined;
async function onServer(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
if (serverUrl) await onServer(`CREATE DATABASE ${dbName}`);
try {
  const handle = openDatabase({ dataDir, databaseUrl });
  const db = handle.db;
  await migrateToLatest(db);
  const seedStarted = performance.now();
  await seedDemo(db, { members });
  const { feeds, etags } = await preparePrivateFeeds(db, { members, episodes, origin });
  const seedMs = Math.round(performance.now() - seedStarted);
  await handle.close();

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
    PUBLIC_URL: origin,
    // Production refuses the dev mailbox; nothing is mailed during the run.
    SMTP_URL: "smtp://127.0.0.1:2525",
  };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  // BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the app under this load.
  const startArgs = [...(process.env.BENCH_APP_NODE_ARGS ?? "").split(/\s+/).filter(Boolean), ...appStartArgs()];
  const app = spawnPinned(startArgs, env);
  let appErr = "";
  app.stderr!.on("data", (d: Buffer) => (appErr += d.toString()));
  try {
    await waitFor200(`${origin}/healthz`, performance.now(), 60_000);
  } catch (err) {
    await stopChild(app);
    throw new Error(`${(err as Error).message}\n${appErr}`);
  }
  const startupCpuMs = cpuMs(app.pid!);
  const headers = { "user-agent": "Overcast/3.0 (+http://overcast.fm/)" };
  const paths = feeds.map((f) => privateFeedPath(f.token));
  const full = await record(`${origin}${paths[0]}`, headers);
  const notMod = await record(`${origin}${paths[0]}`, { ...headers, "if-none-match": etags[0]! });
  if (full.status !== 200 || notMod.status !== 304) throw new Error(`feed answered ${full.status}/${notMod.status}`);
  const items = (full.body.toString().match(/<item>/g) ?? []).length;
  if (items !== episodes) throw new Error(`the full feed has ${items} items, not ${episodes}`);

  // The baseline answers any path with the recorded bytes (the bare server keys by path: one entry per token).
  const basePort = await freePort();
  const specFile = path.join(dataDir, "bare.json");
  const spec = (r: { status: number; headers: Record<string, string | string[]>; body: Buffer }) => ({
    status: r.status,
    headers: r.headers,
    bodyBase64: r.body.toString("base64"),
  });
  const base304 = spec(notMod);
  const base200 = spec(full);
  const baseOrigin = `http://127.0.0.1:${basePort}`;
  // One recorded answer for every path (each member's feed differs only by the token in its URLs).
  const bareFile = path.join(dataDir, "bare-one.mjs");
  fs.writeFileSync(
    bareFile,
    `import fs from "node:fs"; import http from "node:http";
const { port, page } = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const body = Buffer.from(page.bodyBase64, "base64");
http.createServer((req, res) => { res.writeHead(page.status, page.headers); res.end(body); }).listen(port, "127.0.0.1");`,
  );
  const startBare = async (page: ReturnType<typeof spec>) => {
    fs.writeFileSync(specFile, JSON.stringify({ port: basePort, page }));
    const bare = spawnPinned([bareFile, specFile], process.env);
    for (let i = 0; i < 200; i++) {
      try {
        await record(`${baseOrigin}${paths[0]}`, headers);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return bare;
  };
  const combine = (runs: Load[]) => {
    const total = runs.reduce((s, r) => s + r.total, 0);
    return {
      total,
      reqPerSec: total / durationS,
      p50: Math.max(...runs.map((r) => r.p50)),
      p99: Math.max(...runs.map((r) => r.p99)),
      errors: runs.reduce((s, r) => s + r.errors, 0),
    };
  };
  // Tokens in strict rotation, each poll with that member's own ETag when conditional.
  // "date": If-Modified-Since alone, which the validator index leaves to the DB-checked route.
  const lastModified = String(full.headers["last-modified"]);
  async function loadTagged(o: string, s: number, conditional: boolean | "date", amount?: number): Promise<Load> {
    let k = 0;
    return new Promise((resolve, reject) => {
      autocannon(
        {
          url: o,
          connections,
          ...(amount ? { amount } : { duration: s }),
          requests: [
            {
              method: "GET",
              setupRequest: (req: Record<string, unknown>) => {
                const j = k++ % feeds.length;
                return {
                  ...req,
                  path: paths[j],
                  headers:
                    conditional === "date"
                      ? { ...headers, "if-modified-since": lastModified }
                      : conditional
                        ? { ...headers, "if-none-match": etags[j]! }
                        : headers,
                };
              },
            },
          ],
        },
        (err: Error | null, r: AutocannonResult) => {
          if (err) return reject(err);
          resolve({
            reqPerSec: r.requests.average,
            total: r.requests.total,
            p50: r.latency.p50,
            p99: r.latency.p99,
            errors: r.errors + r.timeouts,
            non2xx: 0,
          });
        },
      );
    });
  }
  // The app's own counters (/healthz): how much its caches answered during the measured halves.
  type Counts = Record<string, Record<string, number>>;
  const counters = async (): Promise<Counts> =>
    ((await (await fetch(`${origin}/healthz`)).json()) as { stats: Counts }).stats;
  const ratioOf = (before: Counts, after: Counts, name: string) => {
    const hits = (after[name]?.hits ?? 0) - (before[name]?.hits ?? 0);
    const misses = (after[name]?.misses ?? 0) - (before[name]?.misses ?? 0);
    return { hits, misses, ratio: hits + misses ? Math.round((hits / (hits + misses)) * 1000) / 1000 : 0 };
  };
  const caches: Record<
    string,
    {
      accessCache: ReturnType<typeof ratioOf>;
      feedXml: ReturnType<typeof ratioOf>;
      feedIndex: ReturnType<typeof ratioOf>;
    }
  > = {};
  const results: Record<string, { app: ReturnType<typeof combine>; base: ReturnType<typeof combine> }> = {};
  // First pass: every feed fetched once, as its app does once an hour. Each (feed, network, app) is
  // then written as shared-feed evidence (at most once an hour); the measured polls are the hour's others.
  const firstStarted = performance.now();
  const first = await loadTagged(origin, 0, true, feeds.length);
  const firstPass = {
    requests: first.total,
    reqPerSec: Math.round(first.total / ((performance.now() - firstStarted) / 1000)),
    p99: first.p99,
    errors: first.errors,
  };
  // BENCH_MODES=304 (or 200) runs one half only (profiling); the results file then lacks the other.
  // "304db": the same 304s validated by date only, so through the DB-checked route (no validator index).
  const modes = (process.env.BENCH_MODES ?? "304,304db,200")
    .split(",")
    .filter((m): m is "304" | "304db" | "200" => m === "304" || m === "304db" || m === "200");
  const byDate = await record(`${origin}${paths[0]}`, { ...headers, "if-modified-since": lastModified });
  if (byDate.status !== 304) throw new Error(`a poll by date answered ${byDate.status}`);
  for (const mode of modes) {
    const bare = await startBare(mode === "200" ? base200 : base304);
    const conditional = mode === "304db" ? ("date" as const) : mode === "304";
    await loadTagged(origin, 2, conditional);
    await loadTagged(baseOrigin, 2, conditional);
    const half = durationS / 2;
    const before = await counters();
    const appRuns = [await loadTagged(origin, half, conditional)];
    const mid = await counters();
    const baseRuns = [await loadTagged(baseOrigin, half, conditional), await loadTagged(baseOrigin, half, conditional)];
    const mid2 = await counters();
    appRuns.push(await loadTagged(origin, half, conditional));
    const after = await counters();
    // Sum of the two measured app halves (the baseline halves in between do not touch the app).
    const sum = (name: string) => {
      const a = ratioOf(before, mid, name);
      const b = ratioOf(mid2, after, name);
      const hits = a.hits + b.hits;
      const misses = a.misses + b.misses;
      return { hits, misses, ratio: hits + misses ? Math.round((hits / (hits + misses)) * 1000) / 1000 : 0 };
    };
    caches[mode] = {
      accessCache: sum("accessCache"),
      feedXml: sum("podcastFeedXml"),
      feedIndex: sum("podcastFeedIndex"),
    };
    results[mode] = { app: combine(appRuns), base: combine(baseRuns) };
    await stopChild(bare);
  }
  const loadedRssMb = rssMb(app.pid!);
  await stopChild(app);
  const none = { app: { reqPerSec: 0, p50: 0, p99: 0, errors: 0 }, base: { reqPerSec: 1, p50: 0, p99: 0, errors: 0 } };
  const r304 = results["304"] ?? none;
  const r200 = results["200"] ?? none;
  const rDb = results["304db"] ?? none;
  const ratio = (x: { app: { reqPerSec: number }; base: { reqPerSec: number } }) =>
    Math.round((x.app.reqPerSec / x.base.reqPerSec) * 1000) / 1000;
  const result = {
    name: "private-feed",
    unit: "req/s",
    value: Math.round(r304.app.reqPerSec),
    baseline: Math.round(r304.base.reqPerSec),
    ratio: ratio(r304),
    details: {
      measured:
        "(a) every poll sends the member's current ETag (If-None-Match) → 304; (b) polls without validators → 200, the whole feed",
      database: databaseUrl ? "postgres" : "sqlite",
      distinctSessions: feeds.length,
      distinctPaths: paths.length,
      firstPass,
      // Page (HTTP) cache: none answers these. The podcasts' validator index (feed-index.ts) answers
      // the 304s of (a): cacheHitRatio is its share of them. The access policy's per-member entitlement
      // cache (ACCESS_CACHE_MS) and the feed XML rendered per show version are counted in caches.
      cacheHitRatio: caches["304"]?.feedIndex.ratio ?? 0,
      // (a) without the index: the same 304s validated by If-Modified-Since, which the index leaves to
      // the DB-checked route (token and show lookup, the access policy, validators computed per poll).
      withoutIndex: {
        ratio: ratio(rDb),
        value: Math.round(rDb.app.reqPerSec),
        baseline: Math.round(rDb.base.reqPerSec),
        latency: { p50: rDb.app.p50, p99: rDb.app.p99 },
        errors: rDb.app.errors,
      },
      caches,
      members,
      episodes,
      feedBytes: full.body.length,
      fullFeedRatio: ratio(r200),
      fullFeed: {
        value: Math.round(r200.app.reqPerSec),
        baseline: Math.round(r200.base.reqPerSec),
        latency: { p50: r200.app.p50, p99: r200.app.p99 },
        baselineLatency: { p50: r200.base.p50, p99: r200.base.p99 },
        errors: r200.app.errors,
      },
      latency: { p50: r304.app.p50, p99: r304.app.p99 },
      baselineLatency: { p50: r304.base.p50, p99: r304.base.p99 },
      errors: r304.app.errors,
      rotation: "feed tokens in strict rotation, one member after another",
      method: "warm-up, then A-B-B-A halves of durationS each side, 50 connections, both servers pinned to core 0",
      connections,
      durationS,
      seedMs,
      startupCpuMs,
      rssAfterLoadMb: loadedRssMb,
      pinnedToCore0: hasTaskset(),
      node: process.version,
      cpus: os.cpus().length,
      loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
      date: new Date().toISOString(),
      targets: { ratio: 0.7, fullFeedRatio: 0.2 },
    },
  };
  console.log(JSON.stringify(result, null, 2));
  if (modes.length === 3)
    console.log(`wrote ${writeResult(databaseUrl ? "private-feed-postgres" : "private-feed", result)}`);
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (serverUrl) await onServer(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
