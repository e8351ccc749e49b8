import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";

/** Shared pieces of the page benchmarks: pinned children, load runs, results files. */

export const root = path.resolve(import.meta.dirname, "../..");

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  non2xx: number;
  timeouts: number;
  throughput: { average: number };
}
interface AutocannonRequest {
  path?: string;
  headers?: Record<string, string>;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: AutocannonResult) => void) => unknown;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

export function hasTaskset(): boolean {
  return spawnSync("taskset", ["-c", "0", "true"]).status === 0;
}

/** Spawns `node args` pinned to core 0 when taskset exists, so app and baseline get the same CPU. */
/**
 * The arguments `npm start` gives node, after building dist/ the way it does:
 * the benchmark starts the server exactly as an operator would.
 */
export function appStartArgs(): string[] {
  const build = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) throw new Error("scripts/build.mjs failed");
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const run = (pkg.scripts.start ?? "").split("&&").at(-1)!.trim().split(/\s+/);
  if (run[0] !== "node") throw new Error(`npm start does not end with a node command: ${pkg.scripts.start}`);
  const args = run.slice(1).map((w) => (/\.(m?js|ts)$/.test(w) ? path.join(root, w) : w));
  // BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" passes flags to the app (NODE_OPTIONS refuses
  // --cpu-prof); BENCH_CPU_PROF=<dir> is the short form for a CPU profile.
  const extra = (process.env.BENCH_APP_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const prof = process.env.BENCH_CPU_PROF;
  return [...(prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : []), ...extra, ...args];
}

export function spawnPinned(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const [cmd, argv] = hasTaskset() ? ["taskset", ["-c", "0", process.execPath, ...args]] : [process.execPath, args];
  return spawn(cmd, argv, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Polls until url answers 200; returns ms since `since`. Bounded by timeoutMs. */
export async function waitFor200(
  url: string,
  since: number,
  timeoutMs = 60_000,
  headers: Record<string, string> = {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { headers });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

export interface Load {
  reqPerSec: number;
  total: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/**
 * Loads `origin` with a fixed request sequence, shared by all connections in
 * order (a counter), so the app and the baseline get the same mix. With
 * uniqueQuery every request gets its own query string (no cache can answer).
 */
export function loadSequence(
  origin: string,
  sequence: { path: string; cookie?: string }[],
  opts: { connections: number; durationS: number; headers: Record<string, string>; uniqueQuery: boolean },
): Promise<Load> {
  let i = 0;
  let n = 0;
  const setupRequest = (req: AutocannonRequest): AutocannonRequest => {
    const next = sequence[i]!;
    i = (i + 1) % sequence.length;
    const headers = next.cookie ? { ...opts.headers, cookie: next.cookie } : { ...opts.headers };
    const unique = opts.uniqueQuery ? `${next.path.includes("?") ? "&" : "?"}u=${++n}` : "";
    return { ...req, path: `${next.path}${unique}`, headers };
  };
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: origin,
        connections: opts.connections,
        duration: opts.durationS,
        requests: [{ method: "GET", setupRequest }],
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({
          reqPerSec: r.requests.average,
          total: r.requests.total,
          p50: r.latency.p50,
          p99: r.latency.p99,
          errors: r.errors + r.timeouts,
          non2xx: r.non2xx,
        });
      },
    );
  });
}

export type Recorded = { status: number; headers: Record<string, string | string[]>; body: Buffer };

/** One GET, keeping the status, the headers (less the ones node adds itself) and the exact body bytes. */
export function record(url: string, headers: Record<string, string>): Promise<Recorded> {
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

export async function stopChild(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

export function writeResult(name: string, result: Record<string, unknown>): string {
  const file = path.join(root, "bench/results", `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  return file;
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
export function cpuMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * BENCH_DATABASE_URL (a PostgreSQL server) runs the same bench on a fresh database of that
 * server, dropped afterwards; its results are written as NAME-pg.json.
 */
export async function benchDatabase(): Promise<{ url?: string; drop(): Promise<void> }> {
  const server = process.env.BENCH_DATABASE_URL;
  if (!server) return { drop: async () => {} };
  const name = `atelier_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
