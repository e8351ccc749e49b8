import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { z } from "zod";
import { runForever, type Role } from "../main.ts";
import { loadConfig, type Config } from "../platform/config.ts";
import { migrateToLatest, openDatabase, toNumber, type DbHandle } from "../platform/db/index.ts";
import { AppError } from "../platform/http/errors.ts";
import { field, parseInput } from "../platform/http/validation.ts";
import { registerMessages, t } from "../platform/i18n/index.ts";
import { platformMessages } from "../platform/i18n/messages.ts";
import { setLogLevel } from "../platform/log.ts";
import { createStorage } from "../platform/storage/index.ts";
import { getSiteSettings } from "../platform/settings.ts";
import { createStaffUser, hasOwner } from "../modules/staff/index.ts";
// The demo generator and the exporter load only for their commands: `start` stays lean.

/**
 * The `atelier` command. Every command reads the same environment
 * configuration as the server (loadConfig); a bad value is one clear line and
 * exit 1, a usage mistake one clear line and exit 2.
 */

const usage = `Usage: atelier <command> [options]

Commands:
  start [--role web|worker|all]   Run the server (default: web and job worker in one process)
  migrate                         Apply pending database migrations and list them
  demo                            Fill an empty site with a demo creator and members, then start
  create-owner --email E --name N [--password P]
                                  Create the owner account (password also from ATELIER_OWNER_PASSWORD
                                  or asked on a terminal); refused when an owner exists
  export [--out file.json]        Everything as JSON (no secrets, no password hashes); stdout by default
  backup --out file.tar.gz        One archive: the database (SQLite; PostgreSQL: use pg_dump) and DATA_DIR/files,
                                  with a manifest and checksums; safe while Atelier runs
  restore --from file.tar.gz [--force]
                                  Put a backup back into DATA_DIR (checksums verified; --force replaces data)
  import --from substack|ghost|patreon|kit|gumroad|csv FILE [--dry-run] [--tier NAME=offer-slug]...
                                  Import members from another platform's export (--tier maps a paid
                                  tier to an offer; --tier offer-slug maps every tier); a dry run writes nothing
  storage migrate --to s3         Copy DATA_DIR/files to the bucket STORAGE_URL names (resumable: objects
                                  already there are skipped); then restart the nodes with STORAGE_URL set
  help                            This text

Configuration comes from environment variables: PORT, HOST, DATA_DIR, DATABASE_URL, PUBLIC_URL,
SMTP_URL, MAIL_FROM, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, LOG_LEVEL, NODE_ENV, STORAGE_URL, S3_ENDPOINT,
S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_FORCE_PATH_STYLE, STORAGE_PRESIGN_SECONDS.`;

class UsageError extends Error {}
/** A failure already explained to the user in one line. */
class CommandError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

function parse<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    // Node's messages are precise ("Unknown option '--x'"); keep the first line.
    throw new UsageError((err instanceof Error ? err.message : String(err)).split("\n")[0]!);
  }
}

function config(): Config {
  try {
    return loadConfig();
  } catch (err) {
    throw new CommandError(err instanceof Error ? err.message : String(err));
  }
}

async function withDatabase<T>(cfg: Config, fn: (handle: DbHandle) => Promise<T>): Promise<T> {
  const handle = openDatabase({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir });
  try {
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

async function migrate(): Promise<void> {
  const cfg = config();
  await withDatabase(cfg, async (handle) => {
    const applied = await migrateToLatest(handle.db);
    if (applied.length === 0) console.log(`Database is up to date (${handle.description}).`);
    else {
      console.log(`Applied ${applied.length} migration${applied.length > 1 ? "s" : ""} to ${handle.description}:`);
      for (const name of applied) console.log(`  ${name}`);
    }
  });
}

/** Reads a line on a terminal without echoing it. */
async function askHidden(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const writable = rl as unknown as { _writeToOutput: (s: string) => void };
  let muted = false;
  writable._writeToOutput = (s: string) => {
    if (!muted) process.stdout.write(s);
  };
  try {
    return await new Promise<string>((resolve) => {
      rl.question(question, (answer) => {
        process.stdout.write("\n");
        resolve(answer);
      });
      muted = true;
    });
  } finally {
    rl.close();
  }
}

const ownerSchema = z.object({ email: field.email(), name: field.text(80), password: field.password() });

async function createOwner(args: string[]): Promise<void> {
  const values = parse(args, { email: { type: "string" }, name: { type: "string" }, password: { type: "string" } });
  if (!values.email || !values.name)
    throw new UsageError(
      "create-owner needs --email and --name (the password comes from --password, ATELIER_OWNER_PASSWORD or a prompt)",
    );
  const cfg = config();
  let password = values.password ?? process.env.ATELIER_OWNER_PASSWORD;
  if (!password) {
    if (!process.stdin.isTTY)
      throw new CommandError(
        "No password: pass --password, set ATELIER_OWNER_PASSWORD, or run on a terminal to be asked.",
      );
    password = await askHidden("Password (10 characters or more): ");
    const again = await askHidden("Same password again: ");
    if (again !== password) throw new CommandError("The two passwords differ; nothing was created.");
  }
  registerMessages(platformMessages);
  let input: z.output<typeof ownerSchema>;
  try {
    input = parseInput(ownerSchema, { email: values.email, name: values.name, password });
  } catch (err) {
    if (err instanceof AppError) {
      const [name, fe] = Object.entries(err.fields)[0] ?? ["input", { key: "validation.invalid" }];
      throw new CommandError(`${name}: ${t("en", fe.key, fe.params)}`);
    }
    throw err;
  }
  await withDatabase(cfg, async ({ db }) => {
    await migrateToLatest(db);
    if (await hasOwner(db)) {
      const owner = await db
        .selectFrom("staff_users")
        .select("email")
        .where("role", "=", "owner")
        .executeTakeFirstOrThrow();
      throw new CommandError(
        `An owner already exists (${owner.email}); nothing was created. Add assistants from the admin instead.`,
      );
    }
    const site = await getSiteSettings(db);
    const user = await createStaffUser(db, {
      email: input.email,
      name: input.name,
      password: input.password,
      locale: site.locale,
      role: "owner",
    });
    console.log(`Owner ${user.email} created. Log in at ${cfg.publicUrl}/admin/login`);
  });
}

async function exportCommand(args: string[]): Promise<void> {
  const values = parse(args, { out: { type: "string" } });
  const cfg = config();
  await withDatabase(cfg, async ({ db, dialect }) => {
    await migrateToLatest(db);
    if (values.out) {
      const target = path.resolve(values.out);
      const tmp = `${target}.partial`;
      const stream = fs.createWriteStream(tmp);
      const { exportAll } = await import("./export.ts");
      const counts = await exportAll(db, dialect, stream);
      await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
      // Only a complete export takes the requested name.
      fs.renameSync(tmp, target);
      console.log(
        `Exported ${counts.members} members, ${counts.events} events, ${counts.memberConsents} consents, ${counts.staff} staff to ${target}`,
      );
    } else {
      const { exportAll } = await import("./export.ts");
      await exportAll(db, dialect, process.stdout);
    }
  });
}

async function backup(args: string[]): Promise<void> {
  const values = parse(args, { out: { type: "string" } });
  if (!values.out) throw new UsageError("backup needs --out atelier-backup.tar.gz");
  const cfg = config();
  const target = path.resolve(values.out);
  const { BackupError, createBackup } = await import("./backup.ts");
  await withDatabase(cfg, async ({ db, dialect }) => {
    await migrateToLatest(db);
    try {
      const done = await createBackup(db, dialect, cfg, target);
      const mb = (done.bytes / 1024 / 1024).toFixed(1);
      const members = await db
        .selectFrom("members")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      console.log(
        `Backup written to ${target} (${mb} MB, ${toNumber(members.n)} members, ${done.files} files${done.database ? "" : "; files only"}).`,
      );
      if (!done.database)
        console.log(
          'This site uses PostgreSQL (DATABASE_URL): back the database up with pg_dump too, e.g. pg_dump --format=custom "$DATABASE_URL" > atelier.dump',
        );
    } catch (err) {
      if (err instanceof BackupError) throw new CommandError(err.message);
      throw err;
    }
  });
}

async function importMembers(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { from: { type: "string" }, "dry-run": { type: "boolean" }, tier: { type: "string", multiple: true } },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError((err instanceof Error ? err.message : String(err)).split("\n")[0]!);
  }
  const { values, positionals } = parsed;
  if (!values.from || positionals.length !== 1)
    throw new UsageError("import needs --from substack|ghost|patreon|kit|gumroad|csv and one FILE");
  const cfg = config();
  const { importCommand, ImportCommandError, portabilityMessages } = await import("../modules/portability/index.ts");
  registerMessages(portabilityMessages);
  await withDatabase(cfg, async ({ db }) => {
    await migrateToLatest(db);
    const site = await getSiteSettings(db);
    try {
      await importCommand(db, createStorage(cfg), {
        from: values.from!,
        file: positionals[0]!,
        dryRun: values["dry-run"] ?? false,
        tiers: values.tier ?? [],
        locale: site.locale,
        out: (line) => console.log(line),
        progress: (line) => {
          if (process.stderr.isTTY) process.stderr.write(`\r${line}   `);
        },
      });
    } catch (err) {
      if (err instanceof ImportCommandError) throw new CommandError(err.message);
      throw err;
    }
  });
}

async function restore(args: string[]): Promise<void> {
  const values = parse(args, { from: { type: "string" }, force: { type: "boolean" } });
  if (!values.from) throw new UsageError("restore needs --from atelier-backup.tar.gz");
  const cfg = config();
  const { BackupError, restoreBackup } = await import("./backup.ts");
  try {
    const done = await restoreBackup(cfg, path.resolve(values.from), values.force === true);
    console.log(
      `Restored ${done.files} files${done.database ? " and the database" : ""} into ${cfg.dataDir}.` +
        (done.dialect === "postgres" ? " Restore the PostgreSQL database with pg_restore." : ""),
    );
  } catch (err) {
    if (err instanceof BackupError) throw new CommandError(err.message);
    throw err;
  }
}

async function storageCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== "migrate") throw new UsageError("storage needs a subcommand: storage migrate --to s3");
  const values = parse(rest, { to: { type: "string" } });
  if (values.to !== "s3") throw new UsageError("storage migrate needs --to s3");
  const cfg = config();
  if (cfg.storage.driver !== "s3")
    throw new CommandError(
      "STORAGE_URL is not set to a bucket: set STORAGE_URL=s3://bucket/prefix and the S3_* variables, then run this again.",
    );
  const { LocalStorage, describeStorage } = await import("../platform/storage/index.ts");
  const { migrateStorage, mb } = await import("./storage.ts");
  const from = new LocalStorage(cfg.filesDir);
  const to = createStorage(cfg);
  console.log(`Copying ${cfg.filesDir} to ${describeStorage(cfg)}...`);
  await withDatabase(cfg, async ({ db }) => {
    await migrateToLatest(db);
    const done = await migrateStorage(db, from, to, (line) => console.log(line));
    console.log(
      `Done: ${done.copied} copied (${mb(done.bytes)}), ${done.skipped} already in the bucket. Restart every node with STORAGE_URL set; the local files can then be deleted.`,
    );
    if (done.missing.length)
      console.log(
        `${done.missing.length} files listed by the database are on neither side (already lost), e.g. ${done.missing[0]}.`,
      );
  });
}

async function demo(args: string[]): Promise<void> {
  parse(args, {});
  const cfg = config();
  const { demoOwner, seedDemo } = await import("../modules/demo/index.ts");
  const seeded = await withDatabase(cfg, async ({ db }) => {
    await migrateToLatest(db);
    const site = await getSiteSettings(db);
    if (site.setupDone) return null;
    return seedDemo(db, { members: 300 });
  });
  if (seeded) {
    console.log(`Demo site “L’atelier de Camille” created with ${seeded.members} members (${seeded.events} events).`);
    if (seeded.offers)
      console.log(
        `  ${seeded.offers.offers} offers, ${seeded.offers.orders} orders, ${seeded.offers.subscriptions} subscriptions (test payments)`,
      );
    if (seeded.publishing) console.log(`  ${seeded.publishing.posts} posts, ${seeded.publishing.comments} comments`);
    if (seeded.ownerCreated)
      console.log(`Demo owner: ${demoOwner.email} / ${demoOwner.password}  (log in at ${cfg.publicUrl}/admin/login)`);
  } else {
    console.log("This site is already set up: the demo uses the existing data.");
  }
  await runForever({ role: "all" });
}

async function main(argv: string[]): Promise<void> {
  const [command = "start", ...args] = argv;
  if (command !== "start") setLogLevel("warn");
  switch (command) {
    case "start": {
      const values = parse(args, { role: { type: "string" } });
      const role = values.role ?? "all";
      if (role !== "web" && role !== "worker" && role !== "all")
        throw new UsageError(`--role must be web, worker or all (got "${role}")`);
      config();
      await runForever({ role: role as Role });
      return;
    }
    case "migrate":
      parse(args, {});
      return migrate();
    case "demo":
      return demo(args);
    case "create-owner":
      return createOwner(args);
    case "export":
      return exportCommand(args);
    case "backup":
      return backup(args);
    case "import":
      return importMembers(args);
    case "restore":
      return restore(args);
    case "storage":
      return storageCommand(args);
    case "help":
    case "--help":
    case "-h":
      console.log(usage);
      return;
    default:
      throw new UsageError(
        `Unknown command "${command}". Commands: start, migrate, demo, create-owner, export, backup, restore, import, storage, help`,
      );
  }
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`atelier: ${err.message} (see "atelier help")`);
    process.exit(2);
  }
  if (err instanceof CommandError) {
    console.error(`atelier: ${err.message}`);
    process.exit(1);
  }
  console.error(`atelier: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
