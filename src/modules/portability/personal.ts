import { registerAccountExport, registerEraseHook } from "../members/index.ts";
import "./tables.ts";

/**
 * The import report names the people of the imported file: erasure clears
 * the member's rows (the report keeps their line and status, not who they
 * were) and "download my data" lists them (see members/personal-data.ts).
 */
const eraseImportRows: Parameters<typeof registerEraseHook>[0] = async (trx, member) => {
  await trx
    .updateTable("import_rows")
    .set({ email: null, member_id: null, params: null, reason: null })
    .where((eb) => eb.or([eb("member_id", "=", member.id), eb("email", "=", member.email)]))
    .execute();
};

const exportImportRows: Parameters<typeof registerAccountExport>[1] = async (db, member) =>
  db
    .selectFrom("import_rows")
    .innerJoin("imports", "imports.id", "import_rows.import_id")
    .select([
      "imports.source",
      "imports.created_at as importedAt",
      "import_rows.line",
      "import_rows.status",
      "import_rows.reason",
      "import_rows.email",
    ])
    .where((eb) => eb.or([eb("import_rows.member_id", "=", member.id), eb("import_rows.email", "=", member.email)]))
    .execute();

export function registerImportPersonalData(): void {
  registerEraseHook(eraseImportRows);
  registerAccountExport("imports", exportImportRows);
}
