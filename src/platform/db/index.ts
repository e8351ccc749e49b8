import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import SQLite from "better-sqlite3";
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  SqliteQueryCompiler,
  sql,
  type RawBuilder,
  type Expression,
} from "kysely";
import { Migrator, type Migration, type MigrationProvider } from "kysely/migration";
import pg from "pg";
import type { Database } from "./schema.ts";
import { log } from "../log.ts";
import { namingPool } from "./pg-named.ts";

export type { Database } from "./schema.ts";
export type Db = Kysely<Database>;
export type DialectName = "sqlite" | "postgres";

export interface DbHandle {
  db: Db;
  dialect: DialectName;
  /** Where the data lives, for logs and /healthz (never includes a password). */
  description: string;
  close(): Promise<void>;
}

const dialects = new WeakMap<object, DialectName>();

/** The dialect behind a Kysely instance (also works inside transactions). */
export function dialectOf(db: Db): DialectName {
  return dialects.get(db) ?? dialects.get(Object.getPrototypeOf(db) as object) ?? "sqlite";
}

type DirectRead = (sql: string, parameters: readonly unknown[]) => unknown[] | undefined;
const directReads = new WeakMap<object, DirectRead>();

/**
 * On SQLite, runs a read statement straight on the connection, without Kysely's connection
 * round (a lock and several awaits around a synchronous call): for the few reads every request
 * makes (prepared.ts). Undefined on PostgreSQL and for a transaction object; the read returns
 * undefined (the caller goes through Kysely, which waits its turn) while a transaction is open,
 * so no read sees another operation's uncommitted writes.
 */
export function directSqliteRead(db: Db): DirectRead | undefined {
  return directReads.get(db);
}

type DirectWrite = (sql: string, parameters: readonly unknown[]) => number | undefined;
const directWrites = new WeakMap<object, DirectWrite>();

/**
 * On SQLite, runs one write statement (no RETURNING) straight on the connection, in its own
 * implicit transaction, under the same rule as directSqliteRead: undefined (go through Kysely)
 * on PostgreSQL, for a transaction object and while a transaction is open, so it never lands
 * inside another operation's transaction. Answers the number of rows changed. For the one
 * cursor write a hot page makes, where Kysely's connection round cost about what the write does.
 */
export function directSqliteWrite(db: Db): DirectWrite | undefined {
  return directWrites.get(db);
}

/** The embedded database's file name inside DATA_DIR. */
export const sqliteFileName = "atelier.sqlite";

/**
 * True on PostgreSQL, read from the query adapter, so it is right for any
 * Kysely object: the database, a transaction, or the one a migration receives.
 */
export function isPostgres(db: { getExecutor(): { readonly adapter: unknown } }): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export function openDatabase(opts: { databaseUrl?: string; dataDir: string }): DbHandle {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    // An idle connection cut by the server (restart, failover, admin) must not
    // crash the process: pg emits it on the pool, and the next query reconnects.
    pool.on("error", (err) => log.warn("postgres idle connection lost", { error: err.message }));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: namingPool(pool) }) });
    dialects.set(db, "postgres");
    const u = new URL(opts.databaseUrl);
    return { db, dialect: "postgres", description: `postgres://${u.host}${u.pathname}`, close: () => db.destroy() };
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.dataDir, sqliteFileName);
  const sqlite = new SQLite(file);
  // WAL lets readers run while the job worker writes; busy_timeout absorbs short lock waits.
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.function(
    "unicode_lower",
    { deterministic: true },
    (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v) as string | null,
  );
  const statements = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new PlannedOnceSqliteDialect({ database: statements }) });
  dialects.set(db, "sqlite");
  directReads.set(db, (text, parameters) => {
    if (sqlite.inTransaction) return undefined;
    const stmt = statements.prepare(text);
    return stmt.reader ? (stmt.all(parameters) as unknown[]) : undefined;
  });
  directWrites.set(db, (text, parameters) => {
    if (sqlite.inTransaction) return undefined;
    const stmt = statements.prepare(text);
    return stmt.reader ? undefined : stmt.run(parameters).changes;
  });
  return { db, dialect: "sqlite", description: file, close: () => db.destroy() };
}

/**
 * SQLite (built with STAT4) throws away a prepared statement's plan each time
 * a new value is bound to a bare `?` that the planner looked at, and plans the
 * statement again on its next run: ~100-150 µs for a join or an ORDER BY, more
 * than running it. A unary `+` is a no-op on any value (no affinity, no
 * collation, as a bare parameter) that the planner does not look through, so
 * each statement is planned once. No partial index or LIKE prefix depends on a
 * bound value here.
 */
class PlannedOnceCompiler extends SqliteQueryCompiler {
  protected override getCurrentParameterPlaceholder(): string {
    return "+?";
  }
}

class PlannedOnceSqliteDialect extends SqliteDialect {
  override createQueryCompiler(): SqliteQueryCompiler {
    return new PlannedOnceCompiler();
  }
}

/**
 * Kysely's SQLite driver prepares every query anew; compiling the SQL cost more
 * than running it on hot paths (a newsletter marks and re-checks rows by the
 * thousand). Statements are kept by their SQL text, the least recently used
 * dropped past a bound (IN lists of varying length make many texts).
 * SQLite recompiles a kept statement by itself after a schema change.
 */
function withStatementCache(
  sqlite: SQLite.Database,
  max = 500,
): { close(): void; prepare(text: string): SQLite.Statement } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      // A statement still iterating (a stream) cannot run twice at once: that query gets a fresh one.
      if (stmt?.busy) return sqlite.prepare(text);
      if (stmt) cache.delete(text);
      else {
        stmt = sqlite.prepare(text);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

/**
 * Kysely transactions are new objects; remember their dialect too. Called with a transaction,
 * fn joins it (Kysely cannot nest them): a service used by an operation runs in the operation's
 * transaction, its writes and events committed or rolled back together.
 */
export async function transaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  const dialect = dialectOf(db);
  return db.transaction().execute(async (trx) => {
    dialects.set(trx, dialect);
    const steps = new Map<string, (trx: Db) => Promise<void>>();
    lastSteps.set(trx, steps);
    const result = await fn(trx);
    for (const step of steps.values()) await step(trx);
    return result;
  });
}

const lastSteps = new WeakMap<object, Map<string, (trx: Db) => Promise<void>>>();

/**
 * Runs `step` as the last write of the transaction `trx` (once per `key`, however often it is asked for),
 * just before the commit: for a shared row every writer bumps (a change counter), so each takes that
 * row's lock last and holds it only for the commit; taken mid-transaction, it would be held while the
 * rest waits on rows another writer locked before reaching the counter, a deadlock on PostgreSQL.
 * Outside a transaction opened by `transaction()`, `step` runs at once.
 */
export async function lastInTransaction(trx: Db, key: string, step: (trx: Db) => Promise<void>): Promise<void> {
  const steps = lastSteps.get(trx);
  if (!steps) return step(trx);
  if (!steps.has(key)) steps.set(key, step);
}

/**
 * A transaction that holds a lock on `key` across processes, with `prepare` (a network call, say)
 * run under that lock. PostgreSQL: pg_advisory_xact_lock, then `prepare` inside the transaction,
 * so two processes never interleave. SQLite has one writing process (the caller serialises
 * within it): `prepare` runs before the transaction, so the single connection is not held
 * during the call. The one place that knows how each dialect locks.
 */
export async function lockedTransaction<P, T>(
  db: Db,
  key: string,
  prepare: () => Promise<P>,
  fn: (trx: Db, prepared: P) => Promise<T>,
): Promise<T> {
  if (dialectOf(db) === "postgres")
    return transaction(db, async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
      return fn(trx, await prepare());
    });
  const prepared = await prepare();
  return transaction(db, (trx) => fn(trx, prepared));
}

const here = path.dirname(fileURLToPath(import.meta.url));
const srcDir = path.resolve(here, "../..");

/**
 * Migrations live beside what they belong to: platform ones in
 * platform/db/migrations, each module's in modules/<name>/migrations. They are
 * applied in file-name order, so names start with a date-like sequence
 * (YYYYMMDDNN_name.ts) that never repeats.
 */
export function migrationFolders(): string[] {
  const folders = [path.join(here, "migrations")];
  const modulesDir = path.join(srcDir, "modules");
  for (const name of fs.existsSync(modulesDir) ? fs.readdirSync(modulesDir).sort() : []) {
    const folder = path.join(modulesDir, name, "migrations");
    if (fs.existsSync(folder)) folders.push(folder);
  }
  return folders;
}

let bundledMigrations: Record<string, Migration> | null = null;

/** The built server (scripts/build.mjs) carries its migrations inside and registers them here. */
export function registerBundledMigrations(migrations: Record<string, Migration>): void {
  bundledMigrations = migrations;
}

class FolderMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    if (bundledMigrations) return bundledMigrations;
    const out: Record<string, Migration> = {};
    for (const folder of migrationFolders()) {
      for (const file of fs.readdirSync(folder).sort()) {
        if (!/^\d{10}_[a-z0-9_]+\.ts$/.test(file)) continue;
        const name = file.replace(/\.ts$/, "");
        if (out[name]) throw new Error(`Two migrations share the name ${name}`);
        out[name] = (await import(pathToFileURL(path.join(folder, file)).href)) as Migration;
      }
    }
    return out;
  }
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new FolderMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Migration ${failed?.migrationName ?? "(unknown)"} failed: ${reason}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Case-insensitive LIKE on both dialects (SQLite's LIKE already ignores ASCII case). */
export function ilike(db: Db, column: Expression<string> | string, pattern: string): RawBuilder<boolean> {
  const col = typeof column === "string" ? sql.ref(column) : column;
  if (dialectOf(db) === "postgres") return sql<boolean>`${col} ILIKE ${pattern}`;
  // SQLite's LIKE ignores case for ASCII letters only: « ÉLODIE » would miss « élodie ». Plain
  // ASCII patterns keep the native (fast) LIKE; others compare Unicode-lowercased text.
  if (/^[\x00-\x7f]*$/.test(pattern)) return sql<boolean>`${col} LIKE ${pattern} ESCAPE '\\'`;
  return sql<boolean>`unicode_lower(${col}) LIKE ${pattern.toLowerCase()} ESCAPE '\\'`;
}

/** Escapes % and _ in user text meant for a LIKE pattern. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (m) => "\\" + m);
}

/** count(*) comes back as a string (bigint) from pg and a number from SQLite. */
export function toNumber(v: unknown): number {
  return typeof v === "number" ? v : Number(v ?? 0);
}

/** Online SQLite backup (VACUUM INTO), never a file copy of a live database. */
export async function backupSqlite(db: Db, target: string, opts: { emptyTables?: string[] } = {}): Promise<void> {
  if (dialectOf(db) !== "sqlite")
    throw new Error("backup: only the embedded SQLite database can be backed up this way; use pg_dump for PostgreSQL");
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  if (fs.existsSync(target)) throw new Error(`backup: ${target} already exists`);
  await sql`VACUUM INTO ${path.resolve(target)}`.execute(db);
  if (opts.emptyTables?.length) {
    // Emptied in the copy only, then compacted so the deleted pages do not linger in the file.
    const copy = new SQLite(path.resolve(target));
    try {
      for (const table of opts.emptyTables) copy.prepare(`DELETE FROM "${table.replace(/"/g, "")}"`).run();
      copy.exec("VACUUM");
    } finally {
      copy.close();
    }
  }
}

/**
 * Multi-row INSERTs written directly as SQL (the query builder's per-value
 * work dominated at 600,000 rows), sized to stay under both dialects'
 * bound-parameter limits. Column names come from the caller's own row
 * objects (bulk loads: the demo's 100,000 members), never from input.
 */
export async function insertRows(db: Db, table: keyof Database & string, rows: object[]): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]!);
  const pg = dialectOf(db) === "postgres";
  const per = Math.max(1, Math.floor((pg ? 60_000 : 30_000) / columns.length));
  const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) values `;
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per) as Record<string, unknown>[];
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const row of chunk) {
      const marks: string[] = [];
      for (const c of columns) {
        params.push(row[c]);
        marks.push(pg ? `$${params.length}` : "?");
      }
      tuples.push(`(${marks.join(", ")})`);
    }
    await db.executeQuery(CompiledQuery.raw(head + tuples.join(", "), params));
  }
}

/** A unique constraint refused the write (the one place that knows each dialect's way of saying so). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return (
    !!e &&
    (e.code === "23505" || e.code === "SQLITE_CONSTRAINT_UNIQUE" || /UNIQUE constraint failed/i.test(e.message ?? ""))
  );
}
