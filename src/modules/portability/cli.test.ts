import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";
import { completeSetup } from "../../../test/support/app.ts";
import { freshDatabase, type FreshDatabase } from "../../../test/support/db.ts";
import { migrateToLatest, openDatabase, type DbHandle } from "../../platform/db/index.ts";
import { createOffer } from "../offers/index.ts";

/* `atelier import` as an operator runs it: a child process reading the environment. */

const cliPath = path.resolve(import.meta.dirname, "../../cli/main.ts");
const fixture = (name: string) => path.join(import.meta.dirname, "fixtures", name);
let database: FreshDatabase;

async function withDb<T>(fn: (h: DbHandle) => Promise<T>): Promise<T> {
  const h = openDatabase({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

before(async () => {
  database = await freshDatabase();
  await withDb(async ({ db }) => {
    await migrateToLatest(db);
    await completeSetup(db, { locale: "en" });
    await createOffer(db, { slug: "supporters", kind: "tier", name: "Supporters", status: "published" });
  });
});
after(() => database.cleanup());

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: database.dataDir, LOG_LEVEL: "warn", PORT: "0" };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", cliPath, ...args], {
      env,
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

const members = () => withDb(async ({ db }) => (await db.selectFrom("members").select("email").execute()).length);

test("import --dry-run says what would happen and writes nothing", async () => {
  const r = await cli(["import", "--from", "patreon", fixture("patreon-members.csv"), "--dry-run"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Dry run, nothing written: 4 new members, 0 already members, 0 rows skipped, 1 row refused/);
  assert.match(r.stdout, /Line 7: no email address/);
  assert.equal(await members(), 0);
});

test("import runs, maps every tier to an offer with --tier, and a second run changes nothing", async () => {
  const first = await cli(["import", "--from", "patreon", fixture("patreon-members.csv"), "--tier", "supporters"]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(
    first.stdout,
    /4 members created, 0 members updated, 0 already up to date, 0 rows skipped, 1 row refused/,
  );
  assert.equal(await members(), 4);
  const access = await withDb(({ db }) =>
    db.selectFrom("entitlements").select(["ends_at", "source_id"]).orderBy("ends_at").execute(),
  );
  assert.deepEqual(access, [
    { ends_at: "2030-12-05T14:22:11.000Z", source_id: "import:patreon" },
    { ends_at: "2031-02-01T00:00:00.000Z", source_id: "import:patreon" },
  ]);
  const second = await cli(["import", "--from", "patreon", fixture("patreon-members.csv"), "--tier", "supporters"]);
  assert.match(second.stdout, /0 members created, 0 members updated, 4 already up to date/);
});

test("usage mistakes and wrong files are one clear line and a non-zero exit", async () => {
  const noFile = await cli(["import", "--from", "ghost"]);
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /import needs --from/);
  const badSource = await cli(["import", "--from", "myspace", fixture("ghost-members.csv")]);
  assert.equal(badSource.code, 1);
  assert.match(badSource.stderr, /--from must be one of substack, ghost, patreon, kit, gumroad, csv/);
  const wrong = await cli(["import", "--from", "ghost", fixture("kit-subscribers.csv")]);
  assert.equal(wrong.code, 1);
  assert.match(
    wrong.stderr,
    /does not look like a Ghost export: email, subscribed_to_emails, complimentary_plan is missing/,
  );
  const badTier = await cli(["import", "--from", "ghost", fixture("ghost-members.csv"), "--tier", "Gold=nope"]);
  assert.match(badTier.stderr, /no offer with the slug "nope"/);
  assert.equal(await members(), 4);
});

test("import of a Ghost content export (JSON) brings the posts; a dry run first writes none", async () => {
  const dry = await cli(["import", "--from", "ghost", fixture("ghost-export.json"), "--dry-run"]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /Dry run, nothing written: 2 posts imported, 0 posts already here, 2 posts refused/);
  const run = await cli(["import", "--from", "ghost", fixture("ghost-export.json")]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /2 posts imported, 0 posts already here, 2 posts refused, 0 images copied/);
  assert.match(run.stdout, /64a1f0c2e4b0a1000100dddd: no HTML \(old Ghost export in mobiledoc\)/);
  const posts = await withDb(({ db }) => db.selectFrom("posts").select(["slug", "audience"]).orderBy("slug").execute());
  assert.deepEqual(posts, [
    { slug: "atelier-news", audience: "members" },
    { slug: "paid-tutorial", audience: "paid" },
  ]);
});
