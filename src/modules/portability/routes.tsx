import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import { allowLargeBody } from "../../platform/http/app.tsx";
import { fileIn, readBody } from "../../platform/http/body.ts";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { AppError, invalidInput, notFound, type FieldError } from "../../platform/http/errors.ts";
import { formValue, readForm, type FormData } from "../../platform/http/forms.ts";
import { formatNumber, t } from "../../platform/i18n/index.ts";
import { registerAsset } from "../../platform/views/assets.ts";
import { adminPage, registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { currentStaff } from "../staff/index.ts";
import { tCount } from "../../platform/i18n/index.ts";
import { previewImport } from "./preview.ts";
import {
  createImport,
  getImport,
  importReport,
  listImports,
  maxImportBytes,
  parseMapping,
  setImportMapping,
  startImport,
  type ImportMapping,
  type ImportRow,
} from "./service.ts";
import { memberFields, memberSources, type ColumnMapping, type MemberSource } from "./sources/types.ts";
import { PreviewPage, ProgressPage, UploadPage } from "./views.tsx";

/*
 * Admin → Import: upload a platform's export, check the preview and the
 * mapping, run it as a background job, watch its progress, read the report.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
registerAsset("import-progress.js", path.join(here, "progress.js"), "text/javascript; charset=utf-8");

async function importOr404(c: AppContext): Promise<ImportRow> {
  const row = await getImport(c.var.services.db, c.req.param("id") ?? "");
  if (!row) throw notFound();
  return row;
}

/** The chosen columns and tiers from the preview form; a 422 for a column not in the file or an unknown offer. */
async function mappingFromForm(c: AppContext, row: ImportRow, form: FormData): Promise<ImportMapping> {
  const current = parseMapping(row.mapping);
  const preview = await previewImport(c.var.services.db, c.var.services.storage, row, 0);
  const errors: Record<string, FieldError> = {};
  const columns: ColumnMapping = { ...current.columns };
  if (row.source === "csv") {
    for (const f of memberFields) {
      const v = formValue(form, `col.${f}`);
      if (v && !preview.headers.includes(v)) errors[`col.${f}`] = { key: "portability.error.column" };
      else if (v) columns[f] = v;
      else delete columns[f];
    }
    if (!columns.email) errors["col.email"] = { key: "validation.required" };
  }
  const tiers: Record<string, string> = {};
  const offerIds = new Set(preview.offers.map((o) => o.id));
  for (let i = 0; i < 200; i++) {
    const name = formValue(form, `tierName.${i}`);
    if (!name) break;
    const offer = formValue(form, `tier.${i}`);
    if (offer && !offerIds.has(offer)) errors[`tier.${i}`] = { key: "portability.error.offer" };
    else if (offer) tiers[name.toLowerCase()] = offer;
  }
  if (Object.keys(errors).length) throw invalidInput(errors);
  return { columns, tiers };
}

export function importRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/import", labelKey: "portability.nav", order: 11 });
  allowLargeBody("/admin/import", maxImportBytes + 512 * 1024);

  app.get("/admin/import", async (c) =>
    adminPage(c, tr(c, "portability.title"), <UploadPage c={c} recent={await listImports(c.var.services.db)} />),
  );

  app.post("/admin/import", async (c) => {
    const db = c.var.services.db;
    const type = c.req.header("content-type") ?? "";
    if (!type.startsWith("multipart/form-data")) throw new AppError("unsupported_media", 415);
    const body = await readBody(c);
    const source = typeof body.fields.source === "string" ? body.fields.source : "";
    const file = fileIn(body, "file");
    const fail = (errors: Record<string, FieldError>, status: 413 | 415 | 422) =>
      adminPage(
        c,
        tr(c, "portability.title"),
        <UploadPage c={c} recent={[]} errors={errors} source={source} />,
        status,
      );
    if (!(memberSources as readonly string[]).includes(source))
      return fail({ source: { key: "portability.error.source" } }, 422);
    if (!file || file.size === 0) return fail({ file: { key: "error.file_empty" } }, 422);
    try {
      const staff = await currentStaff(c);
      const row = await createImport(db, c.var.services.storage, {
        source: source as MemberSource,
        fileName: file.name,
        bytes: await file.bytes(),
        createdBy: staff?.id,
      });
      return c.redirect(`/admin/import/${row.id}`, 303);
    } catch (err) {
      if (err instanceof AppError && (err.status === 422 || err.status === 413 || err.status === 415))
        return fail(
          Object.keys(err.fields).length ? err.fields : { file: { key: err.messageKey, params: err.params } },
          err.status,
        );
      throw err;
    }
  });

  app.get("/admin/import/:id", async (c) => {
    const row = await importOr404(c);
    const db = c.var.services.db;
    if (row.state === "ready") {
      const preview = await previewImport(db, c.var.services.storage, row);
      return adminPage(c, tr(c, "portability.preview.title"), <PreviewPage c={c} row={row} preview={preview} />);
    }
    const onlyProblems = c.req.query("all") !== "1";
    const report =
      row.state === "running"
        ? []
        : await importReport(db, row.id, { status: onlyProblems ? ["skipped", "failed"] : undefined, limit: 500 });
    return adminPage(
      c,
      tr(c, "portability.report.title"),
      <ProgressPage c={c} row={row} report={report} onlyProblems={onlyProblems} />,
    );
  });

  app.post("/admin/import/:id/start", async (c) => {
    const row = await importOr404(c);
    const db = c.var.services.db;
    if (row.state !== "ready") return c.redirect(`/admin/import/${row.id}`, 303);
    const form = await readForm(c);
    try {
      await setImportMapping(db, row.id, await mappingFromForm(c, row, form));
    } catch (err) {
      if (err instanceof AppError && err.status === 422) {
        const preview = await previewImport(db, c.var.services.storage, row);
        return adminPage(
          c,
          tr(c, "portability.preview.title"),
          <PreviewPage c={c} row={row} preview={preview} errors={err.fields} />,
          422,
        );
      }
      throw err;
    }
    if (formValue(form, "action") === "run") await startImport(db, row.id);
    return c.redirect(`/admin/import/${row.id}`, 303);
  });

  app.get("/admin/import/:id/progress.json", async (c) => {
    const row = await importOr404(c);
    const L = c.var.locale;
    const counts = Object.fromEntries(
      (["created", "updated", "unchanged", "skipped", "failed"] as const).map((k) => [
        k,
        tCount(L, `portability.count.${k}`, row[k]),
      ]),
    );
    return c.json({
      state: row.state,
      cursor: row.cursor,
      total: row.total,
      progressText: t(L, "portability.progress.rows", {
        done: formatNumber(L, row.cursor),
        total: formatNumber(L, row.total),
      }),
      counts,
    });
  });
}

function tr(c: AppContext, key: string): string {
  return t(c.var.locale, key);
}
