import { openStoredFile, type Storage } from "../../platform/storage/index.ts";
import { transaction, type Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { enqueue } from "../../platform/jobs/index.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import { previewCsv, readCsv } from "./csv.ts";
import { mapMemberFile, sourceOf, wrongFile, type MappedItem } from "./parse.ts";
import { missingHeaders } from "./sources/platforms.ts";
import type { ColumnMapping, MemberSource } from "./sources/types.ts";
import type { ImportsTable } from "./tables.ts";
import { writeChunk, type WriteContext } from "./writer.ts";

/** Largest member file accepted (100,000 rows of a rich export are about 30 MB). */
export const maxImportBytes = 50 * 1024 * 1024;
/** Rows per transaction: the unit of progress and of resumption. */
export const CHUNK_ROWS = 500;
export const IMPORT_JOB = "portability.import";

export type ImportRow = ImportsTable;

export interface ImportMapping {
  columns: ColumnMapping;
  /** Source tier (lower-cased) → offer id; "*" for every tier not named. */
  tiers: Record<string, string>;
}

export function parseMapping(json: string): ImportMapping {
  const m = JSON.parse(json) as Partial<ImportMapping>;
  return { columns: m.columns ?? {}, tiers: m.tiers ?? {} };
}

export async function getImport(db: Db, id: string): Promise<ImportRow | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  return db.selectFrom("imports").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function listImports(db: Db, limit = 20): Promise<ImportRow[]> {
  return db.selectFrom("imports").selectAll().orderBy("id", "desc").limit(limit).execute();
}

/**
 * Stores the uploaded file and records the import (state "ready"). The header
 * row is checked first: a file that is not this platform's is a 422 and
 * nothing is kept.
 */
export async function createImport(
  db: Db,
  storage: Storage,
  input: { source: MemberSource; fileName: string; bytes: Uint8Array; columns?: ColumnMapping; createdBy?: string },
): Promise<ImportRow> {
  if (input.bytes.length === 0)
    throw new AppError("invalid_input", 422, "error.file_empty", { file: { key: "error.file_empty" } });
  if (input.bytes.length > maxImportBytes)
    throw new AppError("payload_too_large", 413, "error.file_too_large", {}, { max: maxImportBytes / 1024 / 1024 });
  const bytes = Buffer.from(input.bytes);
  if (bytes.subarray(0, 4096).includes(0))
    throw new AppError("unsupported_media", 415, "portability.error.not_csv", {
      file: { key: "portability.error.not_csv" },
    });
  const source = sourceOf(input.source);
  const { headers } = await previewCsv(bytes, 1);
  // Counted now so the progress bar knows its end from the first chunk (a second's work for 100,000 rows).
  let total = 0;
  for await (const item of readCsv(bytes)) if (item.kind !== "header") total++;
  const columns = input.source === "csv" ? { ...source.mapping(headers), ...input.columns } : source.mapping(headers);
  const missing = missingHeaders(source, headers, columns);
  if (headers.length === 0 || missing.length) throw wrongFile(source, missing.length ? missing : ["email"]);
  const id = newId();
  // In the shared storage: the import job may run on any node.
  const rel = `imports/${id.slice(0, 8)}/${id}.csv`;
  await storage.put(rel, { bytes }, { mime: "text/csv" });
  const at = nowIso();
  const row: ImportRow = {
    id,
    source: input.source,
    state: "ready",
    file_name: input.fileName.replace(/[\u0000-\u001F\u007F]/g, "").slice(0, 200) || "import.csv",
    file_path: rel,
    file_size: bytes.length,
    mapping: JSON.stringify({ columns, tiers: await defaultTiers(db) } satisfies ImportMapping),
    cursor: 0,
    total,
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    failed: 0,
    error: null,
    created_by: input.createdBy ?? null,
    started_at: null,
    finished_at: null,
    created_at: at,
    updated_at: at,
  };
  await db.insertInto("imports").values(row).execute();
  return row;
}

/** With a single tier on sale, every paying member maps to it until the owner says otherwise. */
async function defaultTiers(db: Db): Promise<Record<string, string>> {
  const { listOffers } = await import("../offers/index.ts");
  const tiers = (await listOffers(db, { status: ["published"] })).filter((o) => o.kind === "tier");
  return tiers.length === 1 ? { "*": tiers[0]!.id } : {};
}

export async function setImportMapping(db: Db, id: string, mapping: ImportMapping): Promise<void> {
  const r = await db
    .updateTable("imports")
    .set({ mapping: JSON.stringify(mapping), updated_at: nowIso() })
    .where("id", "=", id)
    .where("state", "=", "ready")
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new AppError("conflict", 409, "portability.error.not_ready");
}

/** Queues the run (or lets the caller run it, as the CLI does); a second start does nothing. */
export async function startImport(db: Db, id: string, opts: { enqueue?: boolean } = {}): Promise<void> {
  const at = nowIso();
  const r = await db
    .updateTable("imports")
    .set({ state: "running", started_at: at, updated_at: at })
    .where("id", "=", id)
    .where("state", "=", "ready")
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0 && opts.enqueue !== false)
    await enqueue(db, IMPORT_JOB, { importId: id }, { dedupeKey: `${IMPORT_JOB}:${id}:0` });
}

export interface RunOptions {
  /** Stop after this long and hand over to a new job (each job stays short). */
  budgetMs?: number;
  /** Called after each committed chunk (the CLI's progress line). */
  onChunk?: (row: ImportRow) => void;
  /** Tests: throw after this many committed chunks, as a crash would. */
  crashAfterChunks?: number;
}

/**
 * Processes an import from its cursor: each chunk of CHUNK_ROWS records is one
 * transaction holding its effects, its report rows and the new cursor, so a
 * crash anywhere resumes at the first uncommitted chunk. Returns true when the
 * file is done.
 */
export async function runImport(db: Db, storage: Storage, id: string, opts: RunOptions = {}): Promise<boolean> {
  let row = await getImport(db, id);
  if (!row || row.state !== "running") return true;
  const started = Date.now();
  const site = await getSiteSettings(db);
  const mapping = parseMapping(row.mapping);
  const ctx: WriteContext = {
    importId: id,
    source: row.source as MemberSource,
    tiers: Object.fromEntries(Object.entries(mapping.tiers).map(([k, v]) => [k.toLowerCase(), v])),
    locale: site.locale,
    timeZone: site.timeZone,
    now: nowIso(),
  };
  const file = (await openStoredFile(storage, { id, path: row.file_path })).stream;
  let chunk: MappedItem[] = [];
  let chunks = 0;
  let total = row.cursor;
  const flush = async () => {
    const items = chunk;
    chunk = [];
    const from = row!.cursor;
    row = await transaction(db, async (trx) => {
      const reports = await writeChunk(trx, ctx, items);
      const count = (s: string) => reports.filter((r) => r.status === s).length;
      const next = items[items.length - 1]!.index + 1;
      const r = await trx
        .updateTable("imports")
        .set((eb) => ({
          cursor: next,
          created: eb("created", "+", count("created")),
          updated: eb("updated", "+", count("updated")),
          unchanged: eb("unchanged", "+", count("unchanged")),
          skipped: eb("skipped", "+", count("skipped")),
          failed: eb("failed", "+", count("failed")),
          updated_at: nowIso(),
        }))
        .where("id", "=", id)
        .where("cursor", "=", from)
        .returningAll()
        .executeTakeFirst();
      // Another worker moved the cursor (a stale job taken twice): roll this chunk back.
      if (!r) throw new AppError("conflict", 409, "portability.error.not_ready");
      return r;
    });
    chunks++;
    opts.onChunk?.(row);
    if (opts.crashAfterChunks !== undefined && chunks >= opts.crashAfterChunks) throw new Error("simulated crash");
  };
  try {
    for await (const item of mapMemberFile(file, ctx.source, { now: ctx.now, mapping: mapping.columns })) {
      total = item.index + 1;
      if (item.index < row.cursor) continue;
      chunk.push(item);
      if (chunk.length >= CHUNK_ROWS) {
        await flush();
        if (opts.budgetMs !== undefined && Date.now() - started > opts.budgetMs) {
          file.destroy();
          await enqueue(db, IMPORT_JOB, { importId: id }, { dedupeKey: `${IMPORT_JOB}:${id}:${row.cursor}` });
          return false;
        }
      }
    }
    if (chunk.length) await flush();
  } catch (err) {
    file.destroy();
    if (err instanceof AppError && err.code === "import_headers") {
      await finish(db, id, "failed", err.messageKey);
      return true;
    }
    throw err;
  }
  await db.updateTable("imports").set({ total }).where("id", "=", id).execute();
  await finish(db, id, "done", null);
  return true;
}

async function finish(db: Db, id: string, state: "done" | "failed", error: string | null): Promise<void> {
  const at = nowIso();
  await db.updateTable("imports").set({ state, error, finished_at: at, updated_at: at }).where("id", "=", id).execute();
}

export interface ReportLine {
  line: number;
  status: string;
  reason: string | null;
  params: Record<string, string | number>;
  email: string | null;
}

/** The per-row report, by line; `status` filters (e.g. only failures). */
export async function importReport(
  db: Db,
  id: string,
  opts: { status?: string[]; limit?: number; offset?: number } = {},
): Promise<ReportLine[]> {
  let q = db.selectFrom("import_rows").selectAll().where("import_id", "=", id);
  if (opts.status?.length) q = q.where("status", "in", opts.status as ImportRow["state"][] as never);
  const rows = await q
    .orderBy("record_index")
    .limit(opts.limit ?? 200)
    .offset(opts.offset ?? 0)
    .execute();
  return rows.map((r) => ({
    line: r.line,
    status: r.status,
    reason: r.reason,
    params: r.params ? (JSON.parse(r.params) as Record<string, string | number>) : {},
    email: r.email,
  }));
}
