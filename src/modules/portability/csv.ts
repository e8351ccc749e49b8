import { Readable } from "node:stream";
import { parse, type Options } from "csv-parse";

/**
 * CSV as the platforms write it: a header row, fields quoted when they hold
 * commas, quotes or newlines, sometimes a UTF-8 byte-order mark, CRLF or LF.
 * A record csv-parse cannot read (an unclosed quote, ragged columns are fine)
 * is reported as a bad row with its line and never stops the others.
 */
export interface CsvRecord {
  /** Line of the file where the record starts (1 = the header). */
  line: number;
  /** 0-based index among data records (header excluded); the import cursor counts these. */
  index: number;
  values: Record<string, string>;
}

export interface CsvBadRecord {
  line: number;
  index: number;
  error: string;
}

export type CsvItem = ({ kind: "record" } & CsvRecord) | ({ kind: "bad" } & CsvBadRecord);

const options: Options = {
  bom: true,
  relax_column_count: true,
  skip_empty_lines: true,
  skip_records_with_error: true,
  info: true,
  trim: false,
};

/** Header names as written, trimmed (Patreon pads some with spaces). */
export function cleanHeader(h: string): string {
  return h.replace(/^\uFEFF/, "").trim();
}

/**
 * Streams the records of a CSV (Buffer, string or stream) as objects keyed
 * by header, with their starting line. Records before `fromIndex` are parsed
 * but not yielded (resuming after a crash).
 */
export async function* readCsv(
  input: Buffer | string | NodeJS.ReadableStream,
  opts: { fromIndex?: number } = {},
): AsyncGenerator<CsvItem | { kind: "header"; headers: string[] }> {
  const skipped: { lines: number }[] = [];
  const parser = parse({
    ...options,
    on_skip: (err) => {
      skipped.push({ lines: (err as { lines?: number } | undefined)?.lines ?? 0 });
      return undefined;
    },
  });
  const source = typeof input === "string" || Buffer.isBuffer(input) ? Readable.from([input]) : input;
  (source as NodeJS.ReadableStream).pipe(parser);
  let headers: string[] | null = null;
  let lastLine = 0;
  let index = 0;
  const fromIndex = opts.fromIndex ?? 0;
  const flush = function* (before: number): Generator<CsvItem> {
    while (skipped.length && skipped[0]!.lines < before) {
      const s = skipped.shift()!;
      const line = lastLine + 1;
      lastLine = Math.max(lastLine, s.lines);
      if (index >= fromIndex) yield { kind: "bad", line, index, error: "csv_malformed" };
      index++;
    }
  };
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const { record, info } = item;
    if (!headers) {
      headers = record.map(cleanHeader);
      lastLine = info.lines;
      yield { kind: "header", headers };
      continue;
    }
    const start = firstLineOf(record, info.lines);
    yield* flush(start);
    const line = Math.max(lastLine + 1, start);
    lastLine = info.lines;
    if (index >= fromIndex) {
      const values: Record<string, string> = {};
      headers.forEach((h, i) => {
        if (h && !(h in values)) values[h] = record[i] ?? "";
      });
      yield { kind: "record", line, index, values };
    }
    index++;
  }
  if (headers) yield* flush(Infinity);
}

/** Where a record began: its last line minus the newlines inside its fields. */
function firstLineOf(record: string[], endLine: number): number {
  let inner = 0;
  for (const v of record) for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) === 10) inner++;
  return endLine - inner;
}

/** The header row and the first `limit` records, for the preview. */
export async function previewCsv(
  input: Buffer | string,
  limit: number,
): Promise<{ headers: string[]; rows: CsvRecord[]; bad: CsvBadRecord[] }> {
  let headers: string[] = [];
  const rows: CsvRecord[] = [];
  const bad: CsvBadRecord[] = [];
  for await (const item of readCsv(input)) {
    if (item.kind === "header") headers = item.headers;
    else if (item.kind === "record") rows.push(item);
    else bad.push(item);
    if (rows.length + bad.length >= limit) break;
  }
  return { headers, rows, bad };
}
