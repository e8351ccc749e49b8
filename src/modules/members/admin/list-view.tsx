import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { formatDate, formatDateTime, formatMoney, formatNumber } from "../../../platform/i18n/index.ts";
import { Notice, Select, type Errors } from "../../../platform/views/components.tsx";
import { fieldAria, FormField } from "../../../platform/views/form-field.tsx";
import { filterQuery, type RawFilter } from "./filters.ts";
import type { MemberListRow } from "./queries.ts";
import { payingStatuses, type MemberMoney } from "./money.ts";
import { displayName, sourceLabel, StatusBadge } from "./views.tsx";

/** An optional date filter (Field would mark it "optional", which every filter is). */
function DateFilter({
  c,
  name,
  label,
  value,
  errors,
}: {
  c: AppContext;
  name: string;
  label: string;
  value: string;
  errors: Errors;
}) {
  return (
    <FormField c={c} name={name} label={label} errors={errors}>
      <input type="date" name={name} value={value} {...fieldAria(name, errors)} />
    </FormField>
  );
}

export interface ListView {
  raw: RawFilter;
  errors: Errors;
  rows: MemberListRow[];
  total: number;
  all: number;
  page: number;
  pages: number;
  sources: string[];
  /** Tiers to filter by, and the money facts of the rows shown (null without the offers module). */
  tiers: { id: string; name: string }[];
  money: Map<string, MemberMoney> | null;
  /** Query strings (with "?") of the paging links, null when there is no such page. */
  links: { first: string | null; previous: string | null; next: string | null; last: string | null };
  notice: string | null;
}

export function MemberList({ c, v }: { c: AppContext; v: ListView }) {
  const t = tr(c);
  const locale = c.var.locale;
  const tz = c.var.site.timeZone;
  const filtered = filterQuery(v.raw) !== "" && filterQuery(v.raw) !== `?sort=${v.raw.sort}`;
  const csvQuery = filterQuery(v.raw);
  return (
    <div class="members-admin">
      <div class="admin-top">
        <h1>{t("members.admin.title")}</h1>
        <a class="btn" href="/admin/members/new">
          {t("members.admin.new")}
        </a>
      </div>
      {v.notice && <Notice>{v.notice}</Notice>}
      <form method="get" action="/admin/members" class="filters members-filters" role="search">
        <FormField c={c} name="q" label={t("members.admin.filter.q")} class="members-q">
          <input
            id="f-q"
            type="search"
            name="q"
            value={v.raw.q}
            maxlength={200}
            placeholder={t("members.admin.filter.qHint")}
          />
        </FormField>
        <Select
          c={c}
          name="status"
          label={t("members.admin.filter.status")}
          value={v.raw.status}
          options={[
            { value: "", label: t("members.admin.filter.any") },
            { value: "active", label: t("members.admin.status.active") },
            { value: "pending", label: t("members.admin.status.pending") },
          ]}
        />
        <Select
          c={c}
          name="newsletter"
          label={t("members.admin.filter.newsletter")}
          value={v.raw.newsletter}
          options={[
            { value: "", label: t("members.admin.filter.any") },
            { value: "yes", label: t("members.admin.yes") },
            { value: "no", label: t("members.admin.no") },
          ]}
        />
        <DateFilter c={c} name="from" label={t("members.admin.filter.from")} value={v.raw.from} errors={v.errors} />
        <DateFilter c={c} name="until" label={t("members.admin.filter.until")} value={v.raw.until} errors={v.errors} />
        <Select
          c={c}
          name="source"
          label={t("members.admin.filter.source")}
          value={v.raw.source}
          options={[
            { value: "", label: t("members.admin.filter.any") },
            ...[...new Set([...v.sources, ...(v.raw.source ? [v.raw.source] : [])])].map((s) => ({
              value: s,
              label: sourceLabel(locale, s),
            })),
          ]}
        />
        {v.money && (
          <>
            <Select
              c={c}
              name="tier"
              label={t("members.admin.filter.tier")}
              value={v.raw.tier}
              errors={v.errors}
              options={[
                { value: "", label: t("members.admin.filter.any") },
                ...v.tiers.map((tier) => ({ value: tier.id, label: tier.name })),
              ]}
            />
            <Select
              c={c}
              name="paying"
              label={t("members.admin.filter.paying")}
              value={v.raw.paying}
              options={[
                { value: "", label: t("members.admin.filter.any") },
                ...payingStatuses.map((p) => ({ value: p, label: t(`members.admin.paying.${p}`) })),
              ]}
            />
            <AmountFilter c={c} value={v.raw.revenue} errors={v.errors} />
          </>
        )}
        <Select
          c={c}
          name="sort"
          label={t("members.admin.filter.sort")}
          value={v.raw.sort || "newest"}
          options={(v.money
            ? (["newest", "oldest", "name", "revenue"] as const)
            : (["newest", "oldest", "name"] as const)
          ).map((s) => ({
            value: s,
            label: t(`members.admin.sort.${s}`),
          }))}
        />
        <div class="members-filter-actions">
          <button type="submit">{t("members.admin.filter.apply")}</button>
          {filtered && <a href="/admin/members">{t("members.admin.filter.reset")}</a>}
        </div>
      </form>
      <div class="members-summary">
        <p class="muted" data-total={v.total}>
          {v.total === v.all
            ? t("members.admin.countAll", { count: formatNumber(locale, v.total) })
            : t("members.admin.count", { count: formatNumber(locale, v.total), all: formatNumber(locale, v.all) })}
        </p>
        <p class="members-exports">
          <a href={`/admin/members/export.csv${csvQuery}`} download>
            {t("members.admin.export")}
          </a>
          <a href={`/admin/members/export.csv${filterQuery(v.raw, { delimiter: "semicolon" })}`} download>
            {t("members.admin.exportExcel")}
          </a>
        </p>
      </div>
      {v.rows.length === 0 ? (
        <p class="card muted">{v.all === 0 ? t("members.admin.emptyAll") : t("members.admin.empty")}</p>
      ) : (
        <div class="table-wrap">
          <table class="members-table">
            <thead>
              <tr>
                <th scope="col">{t("members.admin.col.name")}</th>
                <th scope="col">{t("members.admin.col.email")}</th>
                <th scope="col">{t("members.admin.col.status")}</th>
                <th scope="col">{t("members.admin.col.newsletter")}</th>
                {v.money && (
                  <>
                    <th scope="col">{t("members.admin.col.tier")}</th>
                    <th scope="col">{t("members.admin.col.paying")}</th>
                    <th scope="col" class="num">
                      {v.raw.sort === "revenue" ? (
                        <span aria-sort="descending">{t("members.admin.col.revenue")} ↓</span>
                      ) : (
                        <a href={`/admin/members${filterQuery({ ...v.raw, sort: "revenue" })}`}>
                          {t("members.admin.col.revenue")}
                        </a>
                      )}
                    </th>
                  </>
                )}
                <th scope="col">{t("members.admin.col.joined")}</th>
                <th scope="col">{t("members.admin.col.lastSeen")}</th>
              </tr>
            </thead>
            <tbody>
              {v.rows.map((m) => (
                <tr>
                  <td class="m-name">
                    <a href={`/admin/members/${m.id}`} class={m.name ? undefined : "muted"}>
                      {displayName(c, m)}
                    </a>
                  </td>
                  <td class="m-email" data-label={t("members.admin.col.email")}>
                    {m.email}
                  </td>
                  <td data-label={t("members.admin.col.status")}>
                    <StatusBadge c={c} status={m.status} />
                  </td>
                  <td data-label={t("members.admin.col.newsletter")}>
                    {m.emailOptIn ? t("members.admin.yes") : t("members.admin.no")}
                  </td>
                  {v.money && <MoneyCells c={c} money={v.money.get(m.id)} />}
                  <td data-label={t("members.admin.col.joined")}>
                    <time datetime={m.createdAt}>{formatDate(locale, m.createdAt, tz)}</time>
                  </td>
                  <td data-label={t("members.admin.col.lastSeen")}>
                    {m.lastSeenAt ? (
                      <time datetime={m.lastSeenAt}>{formatDateTime(locale, m.lastSeenAt, tz)}</time>
                    ) : (
                      <span class="muted">{t("members.admin.never")}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {v.pages > 1 && (
        <nav class="pagination members-pagination" aria-label={t("pagination.page", { page: v.page, pages: v.pages })}>
          <span class="pager">
            {v.links.first ? <a href={`/admin/members${v.links.first}`}>« {t("members.admin.first")}</a> : null}
            {v.links.previous ? (
              <a href={`/admin/members${v.links.previous}`} rel="prev">
                ‹ {t("pagination.previous")}
              </a>
            ) : null}
          </span>
          <span class="muted" data-page={v.page} data-pages={v.pages}>
            {t("pagination.page", { page: formatNumber(locale, v.page), pages: formatNumber(locale, v.pages) })}
          </span>
          <span class="pager">
            {v.links.next ? (
              <a href={`/admin/members${v.links.next}`} rel="next">
                {t("pagination.next")} ›
              </a>
            ) : null}
            {v.links.last ? <a href={`/admin/members${v.links.last}`}>{t("members.admin.last")} »</a> : null}
          </span>
        </nav>
      )}
    </div>
  );
}

function MoneyCells({ c, money }: { c: AppContext; money: MemberMoney | undefined }) {
  const t = tr(c);
  const paying = money?.paying ?? "free";
  return (
    <>
      <td data-label={t("members.admin.col.tier")} data-tier>
        {money?.tier ?? <span class="muted">—</span>}
      </td>
      <td data-label={t("members.admin.col.paying")}>
        <span class={paying === "paying" ? "badge ok" : "badge"} data-paying={paying}>
          {t(`members.admin.paying.${paying}`)}
        </span>
      </td>
      <td data-label={t("members.admin.col.revenue")} class="num" data-revenue={money?.revenue ?? 0}>
        {formatMoney(c.var.locale, money?.revenue ?? 0, c.var.site.currency)}
      </td>
    </>
  );
}

/** "At least … €" on lifetime revenue. */
function AmountFilter({ c, value, errors }: { c: AppContext; value: string; errors: Errors }) {
  const t = tr(c);
  return (
    <FormField
      c={c}
      name="revenue"
      label={t("members.admin.filter.revenue", { currency: c.var.site.currency })}
      errors={errors}
    >
      <input
        type="text"
        name="revenue"
        inputmode="decimal"
        value={value}
        maxlength={20}
        {...fieldAria("revenue", errors)}
      />
    </FormField>
  );
}
