/**
 * The portability module's tables (column conventions: platform/db/schema.ts).
 * Only this module's code names them.
 */

/** One import: a stored file, how its columns and tiers map, where it stands. */
export interface ImportsTable {
  id: string;
  /** substack | ghost | patreon | kit | gumroad | csv */
  source: string;
  state: "ready" | "running" | "done" | "failed";
  file_name: string;
  /** Path of the uploaded file under DATA_DIR/files. */
  file_path: string;
  file_size: number;
  /** JSON { columns: ColumnMapping, tiers: { [source tier]: offer id } }. */
  mapping: string;
  /** Data records read so far; every record before it has its import_rows row (the resume point). */
  cursor: number;
  /** Records in the file, known once it has been read to the end (0 before). */
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
  /** i18n key of a file-level failure (wrong headers), or null. */
  error: string | null;
  created_by: string | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The per-row report: what happened to each record of the file. */
export interface ImportRowsTable {
  import_id: string;
  record_index: number;
  line: number;
  status: "created" | "updated" | "unchanged" | "skipped" | "failed";
  /** i18n key under portability.reason.* (why skipped or failed; what changed when updated). */
  reason: string | null;
  /** JSON parameters of the reason. */
  params: string | null;
  email: string | null;
  member_id: string | null;
}

declare module "../../platform/db/schema.ts" {
  interface Database {
    imports: ImportsTable;
    import_rows: ImportRowsTable;
  }
}

/** The tables this module owns. */
export const portabilityTables = ["imports", "import_rows"] as const;
