import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { describeEvent, timelineFormat, type EventRow } from "../../../platform/events/index.ts";
import type { Child } from "hono/jsx";
import {
  formatDate,
  formatDateTime,
  formatMoney,
  formatNumber,
  t as translate,
  type Locale,
} from "../../../platform/i18n/index.ts";
import {
  Checkbox,
  CsrfField,
  Field,
  FormErrors,
  Notice,
  Select,
  TextArea,
  type Errors,
} from "../../../platform/views/components.tsx";
import { timeZones } from "../../../platform/http/validation.ts";
import type { Member } from "../service.ts";
import { filterQuery, type RawFilter } from "./filters.ts";
import type { ConsentRow, MemberListRow } from "./queries.ts";
import { payingStatuses, type MemberMoney } from "./money.ts";

const knownSources = new Set(["signup", "checkout", "gift", "admin", "staff", "import", "test"]);

/** Where a member came from, in words ("import:substack" → "Imported from Substack"). */
export function sourceLabel(locale: Locale, source: string): string {
  if (source.startsWith("import:")) {
    const platform = source.slice(7);
    const name = platform === "csv" ? "CSV" : platform.charAt(0).toUpperCase() + platform.slice(1);
    return translate(locale, "members.admin.source.importFrom", { platform: name });
  }
  return translate(locale, `members.admin.source.${knownSources.has(source) ? source : "other"}`);
}

/* The owner's member screens. Every value from a member is rendered as text (hono/jsx escapes it). */

function displayName(c: AppContext, m: { name: string }): string {
  return m.name || tr(c)("members.admin.noName");
}

function StatusBadge({ c, status }: { c: AppContext; status: "pending" | "active" }) {
  return <span class={status === "active" ? "badge ok" : "badge warn"}>{tr(c)(`members.admin.status.${status}`)}</span>;
}

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
  const err = errors[name];
  const id = `f-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="date"
        name={name}
        value={value}
        aria-invalid={err ? "true" : undefined}
        aria-describedby={err ? `${id}-error` : undefined}
      />
      {err && (
        <p class="error" id={`${id}-error`}>
          {tr(c)(err.key, err.params)}
        </p>
      )}
    </div>
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
        <div class="field members-q">
          <label for="f-q">{t("members.admin.filter.q")}</label>
          <input
            id="f-q"
            type="search"
            name="q"
            value={v.raw.q}
            maxlength={200}
            placeholder={t("members.admin.filter.qHint")}
          />
        </div>
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
  const err = errors.revenue;
  return (
    <div class="field">
      <label for="f-revenue">{t("members.admin.filter.revenue", { currency: c.var.site.currency })}</label>
      <input
        id="f-revenue"
        type="text"
        name="revenue"
        inputmode="decimal"
        value={value}
        maxlength={20}
        aria-invalid={err ? "true" : undefined}
        aria-describedby={err ? "f-revenue-error" : undefined}
      />
      {err && (
        <p class="error" id="f-revenue-error">
          {t(err.key, err.params)}
        </p>
      )}
    </div>
  );
}

export interface EditValues {
  name: string;
  email: string;
  locale: string;
  timeZone: string;
  newsletter: boolean;
  consent: boolean;
  /** Comma-separated, as typed. */
  tags: string;
}

export interface MemberView {
  member: Member;
  consents: ConsentRow[];
  /** Blocks other modules add (purchases, subscriptions, access...). */
  sections: Child[];
  events: EventRow[];
  /** Id of the oldest event shown, when older ones exist. */
  olderBefore: string | null;
  paged: boolean;
  notice: string | null;
  edit: EditValues;
  editErrors: Errors;
  note: string;
  noteErrors: Errors;
}

function localeOptions(c: AppContext) {
  const t = tr(c);
  return [
    { value: "fr", label: t("members.admin.locale.fr") },
    { value: "en", label: t("members.admin.locale.en") },
  ];
}

/** How an event reads, from its declaration in the event catalogue (fr/en, amounts and names formatted). */
function eventText(c: AppContext, e: EventRow): string {
  return describeEvent(e, timelineFormat(c.var.locale, c.var.site.timeZone)).text;
}

export function MemberDetail({ c, v }: { c: AppContext; v: MemberView }) {
  const t = tr(c);
  const locale = c.var.locale;
  const tz = c.var.site.timeZone;
  const m = v.member;
  const when = (iso: string | null) =>
    iso ? (
      <time datetime={iso}>{formatDateTime(locale, iso, tz)}</time>
    ) : (
      <span class="muted">{t("members.admin.never")}</span>
    );
  return (
    <div class="members-admin member-page">
      <p class="small">
        <a href="/admin/members">‹ {t("members.admin.back")}</a>
      </p>
      <div class="admin-top">
        <div>
          <h1 class="member-title">{displayName(c, m)}</h1>
          <p class="member-sub">
            <span>{m.email}</span> <StatusBadge c={c} status={m.status} />
          </p>
        </div>
        <a class="btn secondary small danger-link" href={`/admin/members/${m.id}/delete`}>
          {t("members.admin.delete.link")}
        </a>
      </div>
      {v.notice && <Notice>{v.notice}</Notice>}
      <div class="grid-2 member-grid">
        <section class="card" aria-labelledby="h-profile">
          <h2 id="h-profile">{t("members.admin.profile")}</h2>
          <dl class="member-facts">
            <dt>{t("members.admin.field.name")}</dt>
            <dd>{m.name || <span class="muted">{t("members.admin.noName")}</span>}</dd>
            <dt>{t("members.admin.field.email")}</dt>
            <dd class="break">{m.email}</dd>
            <dt>{t("members.admin.field.locale")}</dt>
            <dd>{t(`members.admin.locale.${m.locale}`)}</dd>
            <dt>{t("members.admin.field.timeZone")}</dt>
            <dd>{m.timeZone}</dd>
            <dt>{t("members.admin.field.status")}</dt>
            <dd>
              <StatusBadge c={c} status={m.status} />
            </dd>
            <dt>{t("members.admin.field.emailOptIn")}</dt>
            <dd>{m.emailOptIn ? t("members.admin.yes") : t("members.admin.no")}</dd>
            <dt>{t("members.admin.field.source")}</dt>
            <dd>{sourceLabel(locale, m.source)}</dd>
            <dt>{t("members.admin.field.createdAt")}</dt>
            <dd>{when(m.createdAt)}</dd>
            <dt>{t("members.admin.field.confirmedAt")}</dt>
            <dd>{when(m.confirmedAt)}</dd>
            <dt>{t("members.admin.field.lastSeenAt")}</dt>
            <dd>{when(m.lastSeenAt)}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="h-note">
          <h2 id="h-note">{t("members.admin.note.title")}</h2>
          <form method="post" action={`/admin/members/${m.id}/note`} class="stack">
            <CsrfField c={c} />
            <TextArea
              c={c}
              name="note"
              label={t("members.admin.field.note")}
              hint={t("members.admin.note.hint")}
              value={v.note}
              errors={v.noteErrors}
              rows={6}
              maxLength={5000}
            />
            <div>
              <button type="submit" class="small">
                {t("members.admin.note.save")}
              </button>
            </div>
          </form>
        </section>
      </div>
      {v.sections}
      <section class="card member-section" id="timeline" aria-labelledby="h-timeline">
        <h2 id="h-timeline">{t("members.admin.timeline.title")}</h2>
        {v.events.length === 0 ? (
          <p class="muted">{t("members.admin.timeline.empty")}</p>
        ) : (
          <ol class="timeline member-timeline">
            {v.events.map((e) => {
              return (
                <li data-event={e.type}>
                  <strong>{eventText(c, e)}</strong>
                  <span class="muted small">
                    {" · "}
                    <time datetime={e.createdAt}>{formatDateTime(locale, e.createdAt, tz)}</time>
                    {" · "}
                    {t(`members.admin.actor.${e.actor === "member" || e.actor === "staff" ? e.actor : "system"}`)}
                  </span>
                </li>
              );
            })}
          </ol>
        )}
        {(v.paged || v.olderBefore) && (
          <p class="pager small">
            {v.paged && <a href={`/admin/members/${m.id}#timeline`}>{t("members.admin.timeline.newest")}</a>}
            {v.olderBefore && (
              <a href={`/admin/members/${m.id}?before=${encodeURIComponent(v.olderBefore)}#timeline`} rel="next">
                {t("members.admin.timeline.older")} ›
              </a>
            )}
          </p>
        )}
      </section>
      <div class="grid-2 member-grid">
        <section class="card" id="edit" aria-labelledby="h-edit">
          <h2 id="h-edit">{t("members.admin.edit.title")}</h2>
          <MemberForm
            c={c}
            action={`/admin/members/${m.id}`}
            values={v.edit}
            errors={v.editErrors}
            withTimeZone
            wasSubscribed={m.emailOptIn}
            submit={t("form.save")}
          />
        </section>
        <section class="card" aria-labelledby="h-consents">
          <h2 id="h-consents">{t("members.admin.consents.title")}</h2>
          {v.consents.length === 0 ? (
            <p class="muted">{t("members.admin.consents.empty")}</p>
          ) : (
            <ul class="consents">
              {v.consents.map((k) => (
                <li>
                  <span class={k.granted ? "badge ok" : "badge"}>
                    {k.granted ? t("members.admin.consents.granted") : t("members.admin.consents.withdrawn")}
                  </span>{" "}
                  <time class="small muted" datetime={k.createdAt}>
                    {formatDateTime(locale, k.createdAt, tz)}
                  </time>
                  <blockquote class="small">{k.wording}</blockquote>
                  {k.ip && <span class="small muted">{t("members.admin.consents.ip", { ip: k.ip })}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
}

/** The add and edit form (the consent box is required only when the newsletter gets switched on). */
export function MemberForm(p: {
  c: AppContext;
  action: string;
  values: EditValues;
  errors: Errors;
  withTimeZone?: boolean;
  wasSubscribed: boolean;
  submit: string;
}) {
  const t = tr(p.c);
  const { c, values, errors } = p;
  return (
    <form method="post" action={p.action} class="stack" novalidate>
      <CsrfField c={c} />
      <FormErrors c={c} errors={errors} />
      <Field
        c={c}
        name="email"
        type="email"
        label={t("members.admin.field.email")}
        value={values.email}
        errors={errors}
        required
        autocomplete="off"
        maxLength={254}
      />
      <Field
        c={c}
        name="name"
        label={t("members.admin.field.name")}
        value={values.name}
        errors={errors}
        autocomplete="off"
        maxLength={120}
      />
      <Select
        c={c}
        name="locale"
        label={t("members.admin.field.locale")}
        value={values.locale}
        options={localeOptions(c)}
        errors={errors}
      />
      <Field
        c={c}
        name="tags"
        label={t("members.tags.label")}
        hint={t("members.tags.hint")}
        value={values.tags}
        errors={errors}
        autocomplete="off"
        maxLength={900}
      />
      {p.withTimeZone && (
        <Select
          c={c}
          name="timeZone"
          label={t("members.admin.field.timeZone")}
          value={values.timeZone}
          options={timeZones().map((z) => ({ value: z, label: z }))}
          errors={errors}
        />
      )}
      <Checkbox
        c={c}
        name="newsletter"
        label={t("members.admin.edit.newsletter")}
        checked={values.newsletter}
        errors={errors}
      />
      {!p.wasSubscribed && (
        <Checkbox
          c={c}
          name="consent"
          label={t("members.admin.edit.consent")}
          checked={values.consent}
          errors={errors}
        />
      )}
      <div>
        <button type="submit">{p.submit}</button>
      </div>
    </form>
  );
}

export function NewMember({ c, values, errors }: { c: AppContext; values: EditValues; errors: Errors }) {
  const t = tr(c);
  return (
    <div class="members-admin narrow-admin">
      <p class="small">
        <a href="/admin/members">‹ {t("members.admin.back")}</a>
      </p>
      <h1>{t("members.admin.new.title")}</h1>
      <p class="muted">{t("members.admin.new.intro")}</p>
      <div class="card">
        <MemberForm
          c={c}
          action="/admin/members/new"
          values={values}
          errors={errors}
          wasSubscribed={false}
          submit={t("members.admin.new.submit")}
        />
      </div>
    </div>
  );
}

export function DeleteMember({ c, member }: { c: AppContext; member: Member }) {
  const t = tr(c);
  return (
    <div class="members-admin narrow-admin">
      <p class="small">
        <a href={`/admin/members/${member.id}`}>‹ {displayName(c, member)}</a>
      </p>
      <h1>{t("members.admin.delete.title", { name: member.name || member.email })}</h1>
      <div class="card stack-tight">
        <p class="break">
          <strong>{member.email}</strong>
        </p>
        <p>{t("members.admin.delete.body")}</p>
        <form method="post" action={`/admin/members/${member.id}/delete`} class="inline-form">
          <CsrfField c={c} />
          <button type="submit" class="danger">
            {t("members.admin.delete.confirm")}
          </button>
          <a class="btn secondary" href={`/admin/members/${member.id}`}>
            {t("form.cancel")}
          </a>
        </form>
      </div>
    </div>
  );
}
