import { AppError } from "../../platform/http/errors.ts";
import { readCsv, type CsvRecord } from "./csv.ts";
import { missingHeaders, sources } from "./sources/platforms.ts";
import type { ColumnMapping, MappedRow, MemberSource, SourceDefinition } from "./sources/types.ts";

export interface MappedItem {
  /** Position among the file's data records (the import cursor). */
  index: number;
  row: MappedRow;
}

export interface MapOptions {
  now: string;
  /** Column mapping for the generic CSV (platform files use their fixed one). */
  mapping?: ColumnMapping;
}

export function sourceOf(id: MemberSource): SourceDefinition {
  return sources[id]!;
}

/** Too few columns for this platform: one file-level 422 naming what is missing, before any row is read. */
export function wrongFile(source: SourceDefinition, missing: string[]): AppError {
  return new AppError(
    "import_headers",
    422,
    "portability.error.headers",
    {
      file: { key: "portability.error.headers", params: { source: source.label, missing: missing.join(", ") } },
    },
    { source: source.label, missing: missing.join(", ") },
  );
}

/**
 * Every record of a member file, mapped to an ImportedMember or a reported
 * problem, in file order. A second row with the same e-mail (any case) is a
 * "duplicate" naming the first line; deterministic, so a resumed import that
 * re-reads from the start reaches the same verdicts.
 */
export async function* mapMemberFile(
  input: Buffer | string | NodeJS.ReadableStream,
  sourceId: MemberSource,
  opts: MapOptions,
): AsyncGenerator<MappedItem> {
  const source = sourceOf(sourceId);
  let mapping: ColumnMapping = {};
  const seen = new Map<string, number>();
  for await (const item of readCsv(input)) {
    if (item.kind === "header") {
      mapping =
        sourceId === "csv" ? { ...source.mapping(item.headers), ...opts.mapping } : source.mapping(item.headers);
      const missing = missingHeaders(source, item.headers, mapping);
      if (missing.length) throw wrongFile(source, missing);
      continue;
    }
    if (item.kind === "bad") {
      yield { index: item.index, row: { ok: false, line: item.line, reason: "malformed" } };
      continue;
    }
    let row = source.map(item.values, item.line, { now: opts.now, mapping });
    if (row.ok) {
      const first = seen.get(row.member.email);
      if (first !== undefined)
        row = { ok: false, line: item.line, reason: "duplicate", email: row.member.email, params: { line: first } };
      else seen.set(row.member.email, item.line);
    }
    yield { index: item.index, row };
  }
}

export type { CsvRecord };
