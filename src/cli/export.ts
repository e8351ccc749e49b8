import type { Writable } from "node:stream";
import type { Db, DialectName } from "../platform/db/index.ts";

/**
 * `atelier export`: the whole site as one JSON document, written in pages of
 * rows (keyset by id) so 100,000 members never sit in memory at once, and
 * respecting the stream's backpressure. Secrets stay out: the app secret and
 * any setting whose key names a secret, staff password hashes and TOTP
 * secrets. Rows keep their stored column names.
 */

const PAGE = 1000;

/** Settings keys never exported (they sign links and sessions, or hold credentials). */
function isSecretSetting(key: string): boolean {
  return key === "app_secret" || /secret|password|token|api_?key|private/i.test(key);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

class JsonWriter {
  constructor(private readonly out: Writable) {}

  async write(text: string): Promise<void> {
    if (!this.out.write(text)) await new Promise<void>((resolve) => this.out.once("drain", resolve));
  }
}

export interface ExportCounts {
  settings: number;
  staff: number;
  members: number;
  memberConsents: number;
  events: number;
  files: number;
}

/** Writes every row of a table, page by page, as a JSON array. */
async function writeTable<R extends { id: string }>(
  w: JsonWriter,
  name: string,
  page: (after: string | null) => Promise<R[]>,
  map: (row: R) => unknown = (r) => r,
): Promise<number> {
  await w.write(`,\n  ${JSON.stringify(name)}: [`);
  let after: string | null = null;
  let count = 0;
  for (;;) {
    const rows = await page(after);
    if (rows.length === 0) break;
    let chunk = "";
    for (const row of rows) {
      chunk += `${count === 0 ? "" : ","}\n    ${JSON.stringify(map(row))}`;
      count++;
    }
    await w.write(chunk);
    after = rows[rows.length - 1]!.id;
    if (rows.length < PAGE) break;
  }
  await w.write(count ? "\n  ]" : "]");
  return count;
}

export async function exportAll(db: Db, dialect: DialectName, out: Writable): Promise<ExportCounts> {
  const w = new JsonWriter(out);
  const counts: ExportCounts = { settings: 0, staff: 0, members: 0, memberConsents: 0, events: 0, files: 0 };
  const settingsRows = await db.selectFrom("settings").select(["key", "value", "updated_at"]).orderBy("key").execute();
  const settings: Record<string, unknown> = {};
  for (const row of settingsRows) {
    if (isSecretSetting(row.key)) continue;
    settings[row.key] = parseJson(row.value);
    counts.settings++;
  }
  await w.write(
    `{\n  "format": "atelier-export",\n  "version": 1,\n  "exportedAt": ${JSON.stringify(new Date().toISOString())},\n  "database": ${JSON.stringify(dialect)}`,
  );
  await w.write(`,\n  "settings": ${JSON.stringify(settings)}`);
  counts.staff = await writeTable(w, "staff", (after) => {
    let q = db
      .selectFrom("staff_users")
      .select(["id", "email", "name", "role", "locale", "totp_enabled", "created_at", "updated_at"]);
    if (after) q = q.where("id", ">", after);
    return q.orderBy("id").limit(PAGE).execute();
  });
  counts.members = await writeTable(w, "members", (after) => {
    let q = db.selectFrom("members").selectAll();
    if (after) q = q.where("id", ">", after);
    return q.orderBy("id").limit(PAGE).execute();
  });
  counts.memberConsents = await writeTable(w, "memberConsents", (after) => {
    let q = db.selectFrom("member_consents").selectAll();
    if (after) q = q.where("id", ">", after);
    return q.orderBy("id").limit(PAGE).execute();
  });
  counts.events = await writeTable(
    w,
    "events",
    (after) => {
      let q = db.selectFrom("events").selectAll();
      if (after) q = q.where("id", ">", after);
      return q.orderBy("id").limit(PAGE).execute();
    },
    (row) => ({ ...row, data: parseJson(row.data) }),
  );
  counts.files = await writeTable(w, "files", (after) => {
    let q = db.selectFrom("files").select(["id", "purpose", "path", "mime", "size", "created_at"]);
    if (after) q = q.where("id", ">", after);
    return q.orderBy("id").limit(PAGE).execute();
  });
  await w.write(`,\n  "counts": ${JSON.stringify(counts)}\n}\n`);
  return counts;
}
