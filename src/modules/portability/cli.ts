import fs from "node:fs";
import type { Storage } from "../../platform/storage/index.ts";
import path from "node:path";
import type { Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { t, type Locale } from "../../platform/i18n/index.ts";
import { nowIso } from "../../platform/ids.ts";
import { membersByEmail } from "../members/index.ts";
import { getOfferBySlug } from "../offers/index.ts";
import { mapMemberFile } from "./parse.ts";
import { tCount } from "../../platform/i18n/index.ts";
import {
  createImport,
  getImport,
  importReport,
  runImport,
  setImportMapping,
  startImport,
  parseMapping,
} from "./service.ts";
import { memberSources, type MemberSource } from "./sources/types.ts";

/**
 * `atelier import --from SOURCE FILE [--dry-run] [--tier NAME=offer-slug]...`:
 * the same import as the admin's, run in this process with a progress line.
 * A dry run reads and checks every row and says what would happen, writing nothing.
 */
export interface ImportCommand {
  from: string;
  file: string;
  dryRun: boolean;
  tiers: string[];
  locale: Locale;
  out: (line: string) => void;
  progress: (line: string) => void;
}

export class ImportCommandError extends Error {}

function explain(locale: Locale, reason: string | null, params: Record<string, string | number>): string {
  if (!reason) return "";
  return t(locale, reason.includes(".") ? reason : `portability.reason.${reason}`, params);
}

async function tierMapping(db: Db, specs: string[]): Promise<Record<string, string>> {
  const tiers: Record<string, string> = {};
  for (const spec of specs) {
    const [name, slug] = spec.includes("=")
      ? [spec.slice(0, spec.lastIndexOf("=")), spec.slice(spec.lastIndexOf("=") + 1)]
      : ["*", spec];
    const offer = await getOfferBySlug(db, slug!.trim());
    if (!offer) throw new ImportCommandError(`--tier ${spec}: no offer with the slug "${slug}"`);
    tiers[name!.trim().toLowerCase() || "*"] = offer.id;
  }
  return tiers;
}

export async function importCommand(db: Db, storage: Storage, cmd: ImportCommand): Promise<void> {
  if (!(memberSources as readonly string[]).includes(cmd.from))
    throw new ImportCommandError(`--from must be one of ${memberSources.join(", ")} (got "${cmd.from}")`);
  const source = cmd.from as MemberSource;
  const file = path.resolve(cmd.file);
  if (!fs.existsSync(file)) throw new ImportCommandError(`${file}: no such file`);
  const L = cmd.locale;
  const isDir = fs.statSync(file).isDirectory();
  if ((source === "substack" && isDir) || (source === "ghost" && /\.json$/i.test(file)))
    return postsCommand(db, storage, source, file, cmd);
  if (isDir) throw new ImportCommandError(`${file} is a folder: give the members CSV file`);
  const tiers = await tierMapping(db, cmd.tiers);
  try {
    if (cmd.dryRun) return await dryRun(db, source, file, cmd);
    const bytes = fs.readFileSync(file);
    const row = await createImport(db, storage, { source, fileName: path.basename(file), bytes });
    const mapping = parseMapping(row.mapping);
    await setImportMapping(db, row.id, { columns: mapping.columns, tiers: { ...mapping.tiers, ...tiers } });
    await startImport(db, row.id, { enqueue: false });
    const started = Date.now();
    await runImport(db, storage, row.id, {
      onChunk: (r) => cmd.progress(t(L, "portability.progress.rows", { done: r.cursor, total: "…" })),
    });
    const done = (await getImport(db, row.id))!;
    const seconds = (Date.now() - started) / 1000;
    cmd.out(
      [
        tCount(L, "portability.count.created", done.created),
        tCount(L, "portability.count.updated", done.updated),
        tCount(L, "portability.count.unchanged", done.unchanged),
        tCount(L, "portability.count.skipped", done.skipped),
        tCount(L, "portability.count.failed", done.failed),
      ].join(", ") + ` (${seconds.toFixed(1)} s)`,
    );
    for (const p of await importReport(db, row.id, { status: ["skipped", "failed"], limit: 50 }))
      cmd.out(
        `  ${t(L, "portability.report.line")} ${p.line}: ${explain(L, p.reason, p.params)}${p.email ? ` (${p.email})` : ""}`,
      );
    cmd.out(`Import ${done.id}: /admin/members/import/${done.id}`);
  } catch (err) {
    if (err instanceof AppError) throw new ImportCommandError(t(L, err.messageKey, err.params));
    throw err;
  }
}

async function dryRun(db: Db, source: MemberSource, file: string, cmd: ImportCommand): Promise<void> {
  const L = cmd.locale;
  const tally = { created: 0, unchanged: 0, skipped: 0, failed: 0 };
  const problems: string[] = [];
  let pending: string[] = [];
  const check = async () => {
    const known = await membersByEmail(db, pending);
    tally.unchanged += known.size;
    tally.created += pending.length - known.size;
    pending = [];
  };
  for await (const { row } of mapMemberFile(fs.createReadStream(file), source, { now: nowIso() })) {
    if (row.ok) {
      pending.push(row.member.email);
      if (pending.length >= 500) await check();
      continue;
    }
    const skipped = row.reason === "duplicate" || row.reason === "deleted";
    tally[skipped ? "skipped" : "failed"]++;
    if (problems.length < 50)
      problems.push(`  ${t(L, "portability.report.line")} ${row.line}: ${explain(L, row.reason, row.params ?? {})}`);
  }
  await check();
  const counts = [
    tCount(L, "portability.count.new", tally.created),
    tCount(L, "portability.count.existing", tally.unchanged),
    tCount(L, "portability.count.skipped", tally.skipped),
    tCount(L, "portability.count.failed", tally.failed),
  ].join(", ");
  cmd.out(t(L, "portability.dry.summary", { counts }));
  for (const p of problems) cmd.out(p);
}

/** Posts from a Substack export folder (posts.csv + posts/) or a Ghost JSON export. */
async function postsCommand(
  db: Db,
  storage: Storage,
  source: "substack" | "ghost",
  file: string,
  cmd: ImportCommand,
): Promise<void> {
  const L = cmd.locale;
  const { importPosts } = await import("./posts.ts");
  let reports;
  try {
    reports = await importPosts(db, storage, source, file, { dryRun: cmd.dryRun });
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new ImportCommandError(
      t(L, "portability.error.posts", { detail: err instanceof Error ? err.message : String(err) }),
    );
  }
  const n = (s: string) => reports.filter((r) => r.status === s).length;
  const sum = (k: "saved" | "kept") => reports.reduce((a, r) => a + r.images[k], 0);
  const counts = [
    tCount(L, "portability.count.postsCreated", n("created")),
    tCount(L, "portability.count.postsUnchanged", n("unchanged")),
    tCount(L, "portability.count.postsFailed", n("failed")),
    tCount(L, "portability.count.imagesSaved", sum("saved")),
    tCount(L, "portability.count.imagesKept", sum("kept")),
  ].join(", ");
  cmd.out(cmd.dryRun ? t(L, "portability.dry.summary", { counts }) : counts);
  for (const r of reports) if (r.status === "failed") cmd.out(`  ${r.ref}: ${explain(L, r.reason, {})}`);
}
