import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { describeEvent, timelineFormat, type EventRow } from "../../../platform/events/index.ts";
import type { Child } from "hono/jsx";
import { formatDateTime } from "../../../platform/i18n/index.ts";
import { CsrfField, Notice, TextArea, type Errors } from "../../../platform/views/components.tsx";
import type { Member } from "../service.ts";
import type { ConsentRow } from "./queries.ts";
import { MemberForm, type EditValues } from "./member-form.tsx";
import { displayName, sourceLabel, StatusBadge } from "./views.tsx";

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
