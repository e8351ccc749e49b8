import type { Db } from "../platform/db/index.ts";
import type { Storage } from "../platform/storage/index.ts";

/**
 * `atelier storage migrate --to s3`: copies every object of the local files
 * folder to the bucket STORAGE_URL names. An object already in the bucket
 * with the same size is skipped, so a run stopped half-way (Ctrl-C, a lost
 * connection) simply resumes, and a second run copies nothing. The local
 * files are left in place: delete DATA_DIR/files yourself once the site runs
 * on the bucket.
 */
export interface MigrateResult {
  copied: number;
  skipped: number;
  bytes: number;
  /** Files the database lists whose bytes are on neither side. */
  missing: string[];
}

export async function migrateStorage(
  db: Db,
  from: Storage,
  to: Storage,
  progress: (line: string) => void = () => undefined,
): Promise<MigrateResult> {
  const objects = [];
  for await (const o of from.list("")) objects.push(o);
  const total = objects.length;
  const result: MigrateResult = { copied: 0, skipped: 0, bytes: 0, missing: [] };
  let done = 0;
  let lastLine = 0;
  for (const o of objects) {
    const there = await to.stat(o.key);
    if (there && there.size === o.size) result.skipped++;
    else {
      const { stream } = await from.get(o.key);
      await to.put(o.key, { stream, size: o.size });
      result.copied++;
      result.bytes += o.size;
    }
    done++;
    // One line per 2 % (and the last): readable in a log, not a line per file for 100,000 files.
    if (done === total || done - lastLine >= Math.max(1, Math.floor(total / 50))) {
      lastLine = done;
      progress(
        `${done}/${total} objects (${result.copied} copied, ${result.skipped} already there, ${mb(result.bytes)} sent)`,
      );
    }
  }
  const rows = await db.selectFrom("files").select(["id", "path"]).execute();
  const known = new Set(objects.map((o) => o.key));
  for (const r of rows) if (!known.has(r.path) && !(await to.stat(r.path))) result.missing.push(r.path);
  return result;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
