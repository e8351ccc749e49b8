import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import type { Config } from "../platform/config.ts";
import { backupSqlite, sqliteFileName, type Db } from "../platform/db/index.ts";
import { newId, nowIso } from "../platform/ids.ts";
import { createStorage, type Storage } from "../platform/storage/index.ts";

/**
 * `atelier backup` and `atelier restore`: one .tar.gz holding a manifest
 * (format, date, every entry with its size and SHA-256), the SQLite database
 * (an online `VACUUM INTO` copy) and every stored object, from DATA_DIR/files
 * or from the S3 bucket (STORAGE_URL), under files/<key>; restore puts them
 * back into whichever storage is configured then. On PostgreSQL the archive
 * holds the files only and the manifest says so: the database is backed up
 * with pg_dump.
 *
 * The dev mailbox is emptied in the copy: it holds whole emails with live
 * login and confirmation links, which must not outlive the site in a backup.
 */

export const BACKUP_FORMAT = "atelier.backup/1";

export interface ManifestEntry {
  path: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  dialect: "sqlite" | "postgres";
  /** The database copy inside the archive (SQLite only). */
  database: ManifestEntry | null;
  files: ManifestEntry[];
}

/** A failure already explained to the operator in one line. */
export class BackupError extends Error {}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash("sha256");
    fs.createReadStream(file)
      .on("data", (d) => hash.update(d))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** Every regular file under `root`, as paths relative to it with "/" separators (half-written *.tmp left out). */
function listFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const d of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) walk(r);
      else if (d.isFile() && !d.name.endsWith(".tmp")) out.push(r);
    }
  };
  walk("");
  return out.sort();
}

async function entry(root: string, rel: string): Promise<ManifestEntry> {
  const abs = path.join(root, rel);
  return { path: rel, size: fs.statSync(abs).size, sha256: await sha256Of(abs) };
}

/** Hard-links (or, across file systems, copies) a file: stored files are immutable, so a link is a snapshot. */
function snapshot(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

async function download(storage: Storage, key: string, to: string): Promise<void> {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const { stream } = await storage.get(key);
  await pipeline(stream, fs.createWriteStream(to));
}

export interface BackupResult {
  target: string;
  bytes: number;
  files: number;
  database: boolean;
}

/** Writes the archive to `target` (which must not exist); only a complete archive takes that name. */
export async function createBackup(db: Db, dialect: "sqlite" | "postgres", cfg: Config, target: string) {
  if (fs.existsSync(target)) throw new BackupError(`${target} already exists; choose a new file name.`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.mkdirSync(cfg.dataDir, { recursive: true });
  const staging = path.join(cfg.dataDir, `.backup-${newId()}`);
  const partial = `${target}.partial`;
  try {
    fs.mkdirSync(path.join(staging, "files"), { recursive: true });
    let database: ManifestEntry | null = null;
    if (dialect === "sqlite") {
      await backupSqlite(db, path.join(staging, "database.sqlite"), { emptyTables: ["dev_mailbox"] });
      database = await entry(staging, "database.sqlite");
    }
    const files: ManifestEntry[] = [];
    const storage = createStorage(cfg);
    for await (const o of storage.list("")) {
      const to = path.join(staging, "files", o.key);
      if (storage.kind === "local") snapshot(path.join(cfg.filesDir, o.key), to);
      else await download(storage, o.key, to);
      files.push(await entry(staging, `files/${o.key}`));
    }
    const manifest: BackupManifest = { format: BACKUP_FORMAT, createdAt: nowIso(), dialect, database, files };
    fs.writeFileSync(path.join(staging, "manifest.json"), JSON.stringify(manifest, null, 2));
    const entries = ["manifest.json", ...(database ? ["database.sqlite"] : []), "files"];
    await tar.create({ gzip: true, file: partial, cwd: staging, portable: true }, entries);
    fs.renameSync(partial, target);
    return { target, bytes: fs.statSync(target).size, files: files.length, database: database !== null };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(partial, { force: true });
  }
}

function readManifest(dir: string): BackupManifest {
  const file = path.join(dir, "manifest.json");
  if (!fs.existsSync(file)) throw new BackupError("This archive has no manifest.json: it is not an Atelier backup.");
  let m: BackupManifest;
  try {
    m = JSON.parse(fs.readFileSync(file, "utf8")) as BackupManifest;
  } catch {
    throw new BackupError("The archive's manifest.json is not valid JSON.");
  }
  if (m.format !== BACKUP_FORMAT || !Array.isArray(m.files))
    throw new BackupError(`Unknown backup format ${JSON.stringify(m.format)} (expected ${BACKUP_FORMAT}).`);
  return m;
}

/** Every entry the manifest lists is there with its size and checksum, and nothing else came with it. */
async function verify(dir: string, m: BackupManifest): Promise<void> {
  const listed = [...(m.database ? [m.database] : []), ...m.files];
  for (const e of listed) {
    const abs = path.resolve(dir, e.path);
    if (!abs.startsWith(dir + path.sep) || !fs.existsSync(abs))
      throw new BackupError(`The archive lacks ${e.path}, which its manifest lists; nothing was restored.`);
    const got = await entry(dir, e.path);
    if (got.size !== e.size || got.sha256 !== e.sha256)
      throw new BackupError(`Checksum mismatch for ${e.path}: the archive is damaged; nothing was restored.`);
  }
  const expected = new Set(m.files.map((f) => f.path));
  for (const rel of listFiles(path.join(dir, "files")))
    if (!expected.has(`files/${rel}`))
      throw new BackupError(`The archive holds files/${rel}, which its manifest does not list; nothing was restored.`);
}

/** True when the directory holds anything but an empty files/ folder. */
function hasData(dataDir: string): boolean {
  if (!fs.existsSync(dataDir)) return false;
  return fs.readdirSync(dataDir).some((name) => name !== "files" || listFiles(path.join(dataDir, "files")).length > 0);
}

export interface RestoreResult {
  files: number;
  database: boolean;
  dialect: "sqlite" | "postgres";
}

/**
 * Puts an archive back into `cfg.dataDir`: extracted aside, every checksum
 * verified, then moved in place. A data directory that already holds data is
 * replaced only with `force`. Run it with the site stopped.
 */
export async function restoreBackup(cfg: Config, archive: string, force: boolean): Promise<RestoreResult> {
  if (!fs.existsSync(archive)) throw new BackupError(`${archive} does not exist.`);
  if (hasData(cfg.dataDir) && !force)
    throw new BackupError(
      `${cfg.dataDir} is not empty; pass --force to replace its database and files with the backup.`,
    );
  const storage = createStorage(cfg);
  if (storage.kind === "s3" && !force) {
    for await (const _ of storage.list("")) {
      throw new BackupError(
        "The bucket STORAGE_URL names is not empty; pass --force to write the backup's files into it.",
      );
    }
  }
  fs.mkdirSync(cfg.dataDir, { recursive: true });
  const staging = path.join(cfg.dataDir, `.restore-${newId()}`);
  fs.mkdirSync(staging);
  try {
    try {
      await tar.extract({ file: archive, cwd: staging, strict: true });
    } catch (err) {
      throw new BackupError(`Cannot read ${archive}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const m = readManifest(staging);
    await verify(staging, m);
    if (m.dialect === "sqlite" && cfg.databaseUrl)
      throw new BackupError("This backup holds a SQLite database but DATABASE_URL points at PostgreSQL; unset it.");
    if (m.dialect === "postgres" && !cfg.databaseUrl)
      throw new BackupError(
        "This backup comes from a PostgreSQL site: set DATABASE_URL and restore the database with pg_restore.",
      );
    if (storage.kind === "local") {
      const filesDir = cfg.filesDir;
      fs.rmSync(filesDir, { recursive: true, force: true });
      fs.renameSync(path.join(staging, "files"), filesDir);
    } else {
      // Objects already in the bucket under other keys are left alone (files never change: same key, same bytes).
      for (const f of m.files) {
        const key = f.path.slice("files/".length);
        await storage.put(key, { path: path.join(staging, f.path), size: f.size });
      }
    }
    if (m.database) {
      const db = path.join(cfg.dataDir, sqliteFileName);
      for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(db + suffix, { force: true });
      fs.renameSync(path.join(staging, m.database.path), db);
    }
    return { files: m.files.length, database: m.database !== null, dialect: m.dialect };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
