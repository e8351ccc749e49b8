import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formatDateTime, formatNumber } from "../../platform/i18n/index.ts";
import { assetUrl } from "../../platform/views/assets.ts";
import { CsrfField, FormErrors, Select, type Errors } from "../../platform/views/components.tsx";
import { tCount } from "../../platform/i18n/index.ts";
import type { ImportPreview } from "./preview.ts";
import type { ImportRow, ReportLine } from "./service.ts";
import { sources } from "./sources/platforms.ts";
import { memberFields, memberSources } from "./sources/types.ts";

/* The owner's import screens: upload, preview with the mapping, progress, report. */

export function sourceLabel(c: AppContext, id: string): string {
  return id === "csv" ? tr(c)("portability.source.csv") : (sources[id]?.label ?? id);
}

function Counts({ c, row }: { c: AppContext; row: ImportRow }) {
  const L = c.var.locale;
  return (
    <ul class="import-counts" data-import-counts>
      {(["created", "updated", "unchanged", "skipped", "failed"] as const).map((k) => (
        <li data-count={k}>{tCount(L, `portability.count.${k}`, row[k])}</li>
      ))}
    </ul>
  );
}

export function UploadPage({
  c,
  recent,
  errors,
  source,
}: {
  c: AppContext;
  recent: ImportRow[];
  errors?: Errors;
  source?: string;
}) {
  const t = tr(c);
  return (
    <>
      <h1>{t("portability.title")}</h1>
      <p>{t("portability.intro")}</p>
      <FormErrors c={c} errors={errors} />
      <form method="post" action="/admin/import" enctype="multipart/form-data" class="stack">
        <CsrfField c={c} />
        <Select
          c={c}
          name="source"
          label={t("portability.source")}
          value={source}
          errors={errors}
          options={memberSources.map((s) => ({ value: s, label: sourceLabel(c, s) }))}
        />
        <div class="field">
          <label for="f-file">{t("portability.file")}</label>
          <input
            id="f-file"
            type="file"
            name="file"
            accept=".csv,text/csv"
            required
            aria-invalid={errors?.file ? "true" : undefined}
            aria-describedby={errors?.file ? "f-file-error" : undefined}
          />
          {errors?.file && (
            <p class="error" id="f-file-error">
              {t(errors.file.key, errors.file.params)}
            </p>
          )}
        </div>
        <button type="submit">{t("portability.upload")}</button>
      </form>
      <h2>{t("portability.recent")}</h2>
      {recent.length === 0 ? (
        <p class="muted">{t("portability.none")}</p>
      ) : (
        <table>
          <tbody>
            {recent.map((r) => (
              <tr>
                <td>
                  <a href={`/admin/import/${r.id}`}>{r.file_name}</a>
                </td>
                <td>{sourceLabel(c, r.source)}</td>
                <td>{t(`portability.state.${r.state}`)}</td>
                <td>{formatDateTime(c.var.locale, r.created_at, c.var.site.timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function PreviewPage({
  c,
  row,
  preview,
  errors,
}: {
  c: AppContext;
  row: ImportRow;
  preview: ImportPreview;
  errors?: Errors;
}) {
  const t = tr(c);
  const editable = row.source === "csv";
  const columns = preview.mapping.columns as Record<string, string | undefined>;
  const shown = preview.headers.slice(0, 8);
  return (
    <>
      <h1>{t("portability.preview.title")}</h1>
      <p>
        {row.file_name} · {sourceLabel(c, row.source)} · {tCount(c.var.locale, "portability.count.rows", row.total)}
      </p>
      <FormErrors c={c} errors={errors} />
      <h2>{t("portability.preview.rows")}</h2>
      <div class="table-scroll">
        <table data-import-preview>
          <thead>
            <tr>
              <th scope="col">{t("portability.report.line")}</th>
              {shown.map((h) => (
                <th scope="col">{h}</th>
              ))}
              <th scope="col">{t("portability.preview.verdict")}</th>
            </tr>
          </thead>
          <tbody>
            {preview.verdicts.map((v) => {
              const record = preview.records.find((r) => r.line === v.line);
              return (
                <tr data-line={v.line}>
                  <td>{v.line}</td>
                  {shown.map((h) => (
                    <td>{(record?.values[h] ?? "").slice(0, 60)}</td>
                  ))}
                  <td>
                    {t(`portability.status.${v.status}`)}
                    {v.reason && ` — ${t(`portability.reason.${v.reason}`, v.params)}`}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <form method="post" action={`/admin/import/${row.id}/start`} class="stack">
        <CsrfField c={c} />
        <h2>{t("portability.preview.mapping")}</h2>
        <table data-import-mapping>
          <thead>
            <tr>
              <th scope="col">{t("portability.preview.ourField")}</th>
              <th scope="col">{t("portability.preview.theirColumn")}</th>
            </tr>
          </thead>
          <tbody>
            {memberFields.map((f) =>
              editable ? (
                <tr>
                  <th scope="row">
                    <label for={`f-col.${f}`}>{t(`portability.field.${f}`)}</label>
                  </th>
                  <td>
                    <select id={`f-col.${f}`} name={`col.${f}`}>
                      <option value="">{t("portability.preview.noColumn")}</option>
                      {preview.headers.map((h) => (
                        <option value={h} selected={columns[f] === h}>
                          {h}
                        </option>
                      ))}
                    </select>
                    {errors?.[`col.${f}`] && <p class="error">{t(errors[`col.${f}`]!.key)}</p>}
                  </td>
                </tr>
              ) : (
                columns[f] && (
                  <tr>
                    <th scope="row">{t(`portability.field.${f}`)}</th>
                    <td>{columns[f]}</td>
                  </tr>
                )
              ),
            )}
          </tbody>
        </table>
        {preview.tiers.length > 0 && (
          <>
            <h2>{t("portability.preview.tiers")}</h2>
            <p class="hint">{t("portability.preview.tiersHelp")}</p>
            {preview.tiers.map((tier, i) => (
              <div class="field">
                <label for={`f-tier.${i}`}>
                  {tier.name} ({tCount(c.var.locale, "portability.count.rows", tier.rows)})
                </label>
                <input type="hidden" name={`tierName.${i}`} value={tier.name} />
                <select id={`f-tier.${i}`} name={`tier.${i}`}>
                  <option value="">{t("portability.preview.noOffer")}</option>
                  {preview.offers.map((o) => (
                    <option
                      value={o.id}
                      selected={(preview.mapping.tiers[tier.name.toLowerCase()] ?? preview.mapping.tiers["*"]) === o.id}
                    >
                      {o.name}
                    </option>
                  ))}
                </select>
                {errors?.[`tier.${i}`] && <p class="error">{t(errors[`tier.${i}`]!.key)}</p>}
              </div>
            ))}
          </>
        )}
        <div class="actions">
          <button type="submit" name="action" value="save" class="secondary">
            {t("portability.preview.save")}
          </button>
          <button type="submit" name="action" value="run">
            {t("portability.run")}
          </button>
        </div>
      </form>
    </>
  );
}

export function ProgressPage({
  c,
  row,
  report,
  onlyProblems,
}: {
  c: AppContext;
  row: ImportRow;
  report: ReportLine[];
  onlyProblems: boolean;
}) {
  const t = tr(c);
  const L = c.var.locale;
  const running = row.state === "running";
  return (
    <>
      <h1>{running ? t("portability.progress.title") : t("portability.title")}</h1>
      <p>
        {row.file_name} · {sourceLabel(c, row.source)} ·{" "}
        <span class={row.state === "done" ? "badge ok" : "badge warn"} data-import-state>
          {t(`portability.state.${row.state}`)}
        </span>
      </p>
      {row.error && <p class="error">{t(row.error)}</p>}
      <div data-import-progress={running ? `/admin/import/${row.id}/progress.json` : undefined}>
        <progress
          max={Math.max(1, row.total)}
          value={row.cursor}
          data-import-bar
          aria-labelledby="import-progress-text"
        ></progress>
        <p id="import-progress-text" data-import-text>
          {t("portability.progress.rows", { done: formatNumber(L, row.cursor), total: formatNumber(L, row.total) })}
        </p>
        <Counts c={c} row={row} />
        {running && (
          <p>
            <a href={`/admin/import/${row.id}`}>{t("portability.progress.refresh")}</a>
          </p>
        )}
      </div>
      {running && <script src={assetUrl("import-progress.js" as "app.js")} defer></script>}
      {!running && (
        <>
          <h2>{t("portability.report.title")}</h2>
          <p>
            {onlyProblems ? (
              <a href={`/admin/import/${row.id}?all=1`}>{t("portability.report.all")}</a>
            ) : (
              <a href={`/admin/import/${row.id}`}>{t("portability.report.onlyProblems")}</a>
            )}
          </p>
          <table data-import-report>
            <thead>
              <tr>
                <th scope="col">{t("portability.report.line")}</th>
                <th scope="col">{t("portability.field.email")}</th>
                <th scope="col">{t("portability.report.status")}</th>
                <th scope="col">{t("portability.report.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {report.map((r) => (
                <tr data-line={r.line}>
                  <td>{r.line}</td>
                  <td>{r.email ?? ""}</td>
                  <td>{t(`portability.status.${r.status}`)}</td>
                  <td>{r.reason ? t(`portability.reason.${r.reason}`, r.params) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
