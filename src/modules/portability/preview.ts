import { readStoredFile, type Storage } from "../../platform/storage/index.ts";
import type { Db } from "../../platform/db/index.ts";
import { nowIso } from "../../platform/ids.ts";
import { membersByEmail } from "../members/index.ts";
import { listOffers } from "../offers/index.ts";
import { previewCsv, type CsvRecord } from "./csv.ts";
import { mapMemberFile, type MappedItem } from "./parse.ts";
import { parseMapping, type ImportMapping, type ImportRow } from "./service.ts";
import type { MemberSource } from "./sources/types.ts";

/**
 * What the owner sees before running an import: the first rows as the file
 * has them, what each would become, the column mapping and every paid tier
 * of the file with the offer it maps to.
 */
export interface ImportPreview {
  headers: string[];
  records: CsvRecord[];
  verdicts: {
    line: number;
    status: "new" | "exists" | "skipped" | "failed";
    reason: string | null;
    params: Record<string, string | number>;
    email: string;
  }[];
  mapping: ImportMapping;
  /** Distinct paid tiers in the whole file (as written) with how many rows carry each. */
  tiers: { name: string; rows: number }[];
  offers: { id: string; name: string }[];
}

export async function previewImport(db: Db, storage: Storage, row: ImportRow, limit = 10): Promise<ImportPreview> {
  const bytes = await readStoredFile(storage, { id: row.id, path: row.file_path });
  const mapping = parseMapping(row.mapping);
  const { headers, rows: records } = await previewCsv(bytes, limit);
  const first: MappedItem[] = [];
  const tiers = new Map<string, number>();
  for await (const item of mapMemberFile(bytes, row.source as MemberSource, {
    now: nowIso(),
    mapping: mapping.columns,
  })) {
    if (first.length < limit) first.push(item);
    if (item.row.ok && item.row.member.paid) {
      const name = item.row.member.paid.tier;
      tiers.set(name, (tiers.get(name) ?? 0) + 1);
    }
  }
  const known = await membersByEmail(
    db,
    first.flatMap((i) => (i.row.ok ? [i.row.member.email] : [])),
  );
  const verdicts = first.map(({ row: r }) =>
    r.ok
      ? {
          line: r.member.line,
          status: known.has(r.member.email) ? ("exists" as const) : ("new" as const),
          reason: null,
          params: {},
          email: r.member.email,
        }
      : {
          line: r.line,
          status: r.reason === "duplicate" || r.reason === "deleted" ? ("skipped" as const) : ("failed" as const),
          reason: r.reason,
          params: r.params ?? {},
          email: r.email ?? "",
        },
  );
  const offers = (await listOffers(db)).filter((o) => o.kind === "tier").map((o) => ({ id: o.id, name: o.name }));
  return {
    headers,
    records: records.filter((r) => first.some((f) => f.index === r.index)),
    verdicts,
    mapping,
    tiers: [...tiers.entries()].map(([name, rows]) => ({ name, rows })).sort((a, b) => b.rows - a.rows),
    offers,
  };
}
