import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { freshDatabase, type FreshDatabase } from "../../test/support/db.ts";
import { openDatabase, toNumber, type DbHandle } from "../platform/db/index.ts";
import { seedDemo } from "../modules/demo/index.ts";

/* The CLI as an operator runs it: a child process reading the environment. */

const cliPath = path.resolve(import.meta.dirname, "main.ts");
let database: FreshDatabase;
const pg = () => database.databaseUrl !== undefined;

before(async () => {
  database = await freshDatabase();
});
after(() => database.cleanup());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: database.dataDir, LOG_LEVEL: "warn", PORT: "0", ...extra };
  delete e.DATABASE_URL;
  delete e.TEST_DATABASE_URL;
  delete e.ATELIER_OWNER_PASSWORD;
  if (database.databaseUrl) e.DATABASE_URL = database.databaseUrl;
  return { ...e, ...extra };
}

function cli(args: string[], extra: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", cliPath, ...args], {
      env: env(extra),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function withDb<T>(fn: (h: DbHandle) => Promise<T>): Promise<T> {
  const h = openDatabase({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

test("migrate applies the migrations once and lists them", async () => {
  const first = await cli(["migrate"]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /Applied \d+ migrations? to/);
  assert.match(first.stdout, /2026112301_foundation/);
  const second = await cli(["migrate"]);
  assert.equal(second.code, 0);
  assert.match(second.stdout, /up to date/);
});

test("create-owner creates the first owner and refuses a second one", async () => {
  const bad = await cli([
    "create-owner",
    "--email",
    "camille@atelier.test",
    "--name",
    "Camille",
    "--password",
    "short",
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /password.*10 characters/);
  const missing = await cli(["create-owner", "--name", "Camille"]);
  assert.equal(missing.code, 2);
  const ok = await cli(["create-owner", "--email", "Camille@Atelier.test", "--name", "Camille"], {
    ATELIER_OWNER_PASSWORD: "terre et feu 2026",
  });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Owner camille@atelier\.test created/);
  const again = await cli([
    "create-owner",
    "--email",
    "other@atelier.test",
    "--name",
    "Other",
    "--password",
    "another long one",
  ]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /An owner already exists \(camille@atelier\.test\)/);
  const owners = await withDb((h) => h.db.selectFrom("staff_users").select("email").execute());
  assert.deepEqual(
    owners.map((o) => o.email),
    ["camille@atelier.test"],
  );
});

test("export writes valid JSON with every member and no secrets", async () => {
  await withDb((h) => seedDemo(h.db, { members: 120, now: new Date("2026-11-20T10:00:00Z") }));
  const out = path.join(database.dataDir, "export.json");
  const run = await cli(["export", "--out", out]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Exported 120 members/);
  const text = fs.readFileSync(out, "utf8");
  const data = JSON.parse(text) as {
    format: string;
    settings: Record<string, unknown>;
    staff: Record<string, unknown>[];
    members: unknown[];
    memberConsents: unknown[];
    events: { data: unknown }[];
    files: unknown[];
  };
  assert.equal(data.format, "atelier-export");
  assert.equal(data.members.length, 120);
  assert.ok(data.events.length > 120);
  assert.equal(typeof data.events[0]!.data, "object");
  assert.ok(data.memberConsents.length > 0);
  assert.ok(Array.isArray(data.files));
  assert.equal(data.staff.length, 1);
  assert.equal((data.settings.site as { name: string }).name.length > 0, true);
  assert.ok(!("app_secret" in data.settings));
  const secret = await withDb((h) =>
    h.db.selectFrom("settings").select("value").where("key", "=", "app_secret").executeTakeFirst(),
  );
  if (secret) assert.ok(!text.includes(JSON.parse(secret.value) as string), "the app secret is not exported");
  assert.doesNotMatch(text, /password_hash|totp_secret|scrypt\$/);
  // Without --out the JSON goes to stdout, logs stay out of it.
  const piped = await cli(["export"]);
  assert.equal(piped.code, 0);
  assert.equal((JSON.parse(piped.stdout) as { members: unknown[] }).members.length, 120);
});

test("backup writes one archive and restore puts it back; PostgreSQL: files only, pg_dump for the database", async () => {
  const target = path.join(database.dataDir, "backups", "atelier.tar.gz");
  const run = await cli(["backup", "--out", target]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Backup written to/);
  if (pg()) assert.match(run.stdout, /pg_dump/);
  const dir = path.join(database.dataDir, "restored");
  const put = await cli(["restore", "--from", target], { DATA_DIR: dir });
  assert.equal(put.code, 0, put.stderr);
  if (!pg()) {
    const live = await withDb(async (h) =>
      toNumber(
        (
          await h.db
            .selectFrom("members")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    );
    const restored = openDatabase({ dataDir: dir });
    try {
      const n = await restored.db
        .selectFrom("members")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      assert.equal(toNumber(n.n), live);
      const owner = await restored.db.selectFrom("staff_users").select("email").executeTakeFirstOrThrow();
      assert.equal(owner.email, "camille@atelier.test");
    } finally {
      await restored.close();
    }
  }
  const again = await cli(["backup", "--out", target]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);
});

test("bad configuration is one clear line and a non-zero exit, for every command", async () => {
  for (const [args, extra, name] of [
    [["migrate"], { PORT: "eighty" }, /PORT/],
    [["export"], { DATABASE_URL: "mysql://x" }, /DATABASE_URL/],
    [["start"], { SMTP_URL: "mail.example.com" }, /SMTP_URL/],
    [["backup", "--out", "/tmp/never.tar.gz"], { PUBLIC_URL: "not a url" }, /PUBLIC_URL/],
  ] as const) {
    const run = await cli([...args], extra);
    assert.notEqual(run.code, 0, `${args[0]} exits non-zero`);
    assert.match(run.stderr, name);
    assert.equal(run.stderr.trim().split("\n").length, 1, `one line: ${run.stderr}`);
  }
});

test("unknown commands and flags are one line and exit 2", async () => {
  for (const args of [["frobnicate"], ["export", "--nope"], ["start", "--role", "chef"], ["backup"]]) {
    const run = await cli(args);
    assert.equal(run.code, 2, args.join(" "));
    assert.equal(run.stderr.trim().split("\n").length, 1);
  }
  const help = await cli(["help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /create-owner --email E --name N/);
});

async function startServesAndStops(args: string[]): Promise<void> {
  const child = spawn(process.execPath, args, { env: env(), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  let url = "";
  while (!url && Date.now() < deadline) {
    url = /running at (http:\/\/\S+)/.exec(stdout)?.[1] ?? "";
    if (!url) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(url, `started: ${stdout}`);
  const res = await fetch(`${url}/healthz`);
  assert.equal(res.status, 200);
  const started = Date.now();
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
  assert.ok(Date.now() - started < 5000, "graceful shutdown within 5 s");
}

test("start serves /healthz and exits 0 soon after SIGTERM", async () => {
  await startServesAndStops(["--import", "tsx", cliPath, "start"]);
});

test("the built server (what npm start runs) migrates, serves /healthz and stops on SIGTERM", async () => {
  const root = path.resolve(path.dirname(cliPath), "../..");
  const build = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
  await startServesAndStops([path.join(root, "dist/start.mjs"), "start"]);
});
