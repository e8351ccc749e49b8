/** @jsxImportSource #html-jsx */
import type { Hono } from "hono";
import type { Child } from "hono/jsx";
import { z } from "zod";
import { describeEvent, record, timelineFormat } from "../../platform/events/index.ts";
import { memberExportedData } from "./events.ts";
import { clientIp, tr, type AppContext, type AppEnv } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { formValue, readForm } from "../../platform/http/forms.ts";
import { setLocaleCookie } from "../../platform/http/middleware.ts";
import { field, parseInput, timeZones } from "../../platform/http/validation.ts";
import { formatDate, t as translate, toLocale } from "../../platform/i18n/index.ts";
import { nowIso } from "../../platform/ids.ts";
import {
  Checkbox,
  CsrfField,
  Field,
  FormErrors,
  Notice,
  Select,
  type Errors,
} from "../../platform/views/components.tsx";
import { page } from "../../platform/views/layout.tsx";
import { accountExporters, accountSections } from "./extensions.ts";
import { endMemberSession } from "./shared.tsx";
import { currentMember, eraseMember, updateMember, type Member } from "./service.ts";
import { memberTags } from "./tags.ts";

const accountSchema = z.object({
  name: field.text(100, { optional: true }),
  locale: field.locale(),
  timeZone: field.timeZone(),
  newsletter: field.checkbox(),
});

interface AccountValues {
  name: string;
  locale: string;
  timeZone: string;
  newsletter: boolean;
}

/** The logged-in member, or a redirect to the login page (GET) / a 401 (anything else). */
async function requireMember(c: AppContext): Promise<Member | Response> {
  const member = await currentMember(c);
  if (member) return member;
  // A session whose member was erased meanwhile: drop the cookie.
  if (c.var.memberSession) endMemberSession(c);
  if (c.req.method === "GET") return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
  throw new AppError("unauthenticated", 401);
}

// One list for every account page (the select's options are printed once per list and zone).
let zones: { value: string; label: string }[] | null = null;
const zoneOptions = () => (zones ??= timeZones().map((z) => ({ value: z, label: z.replace(/_/g, " ") })));

async function accountPage(c: AppContext, member: Member, opts: { values?: AccountValues; errors?: Errors } = {}) {
  const t = tr(c);
  const site = c.var.site;
  const v: AccountValues = opts.values ?? {
    name: member.name,
    locale: member.locale,
    timeZone: member.timeZone,
    newsletter: member.emailOptIn,
  };
  // The sections read their data side by side (on PostgreSQL each statement waits for its round trip).
  const extra: Child[] = await Promise.all(
    accountSections().map(async (s) => <div class="account-section">{await s.render(c, member)}</div>),
  );
  const welcome = c.req.query("welcome") === "1";
  const saved = c.req.query("saved") === "1";
  return page(
    c,
    { title: t("members.account.title"), noindex: true },
    <div class="narrow account">
      {welcome && (
        <Notice>
          <strong>{t("members.account.welcome_title", { site: site.name })}</strong> {t("members.account.welcome")}
        </Notice>
      )}
      {saved && <Notice>{t("members.account.saved")}</Notice>}
      <header class="account-head">
        <h1>{member.name ? t("members.account.hello", { name: member.name }) : t("members.account.title")}</h1>
        <p class="muted">
          {t("members.account.member_since", { date: formatDate(c.var.locale, member.createdAt, member.timeZone) })}
          {member.status === "pending" && <span class="badge warn">{t("members.status.pending")}</span>}
        </p>
      </header>

      <section class="card" aria-labelledby="profile-title">
        <h2 id="profile-title">{t("members.account.profile")}</h2>
        <dl class="account-email">
          <dt>{t("members.field.email")}</dt>
          <dd>{member.email}</dd>
        </dl>
        <form method="post" action="/account" class="stack" novalidate>
          <CsrfField c={c} />
          <FormErrors c={c} errors={opts.errors} />
          <Field
            c={c}
            name="name"
            label={t("members.field.name")}
            value={v.name}
            errors={opts.errors}
            autocomplete="name"
            maxLength={100}
          />
          <div class="grid-2">
            <Select
              c={c}
              name="locale"
              label={t("members.field.locale")}
              value={v.locale}
              errors={opts.errors}
              options={[
                { value: "fr", label: "Français" },
                { value: "en", label: "English" },
              ]}
            />
            <Select
              c={c}
              name="timeZone"
              label={t("members.field.time_zone")}
              value={v.timeZone}
              errors={opts.errors}
              options={zoneOptions()}
            />
          </div>
          <fieldset class="prefs">
            <legend>{t("members.account.emails")}</legend>
            <Checkbox
              c={c}
              name="newsletter"
              checked={v.newsletter}
              label={t("members.consent.newsletter", { site: site.name })}
              errors={opts.errors}
            />
          </fieldset>
          <div>
            <button type="submit">{t("form.save")}</button>
          </div>
        </form>
      </section>

      {extra}

      <section class="card" aria-labelledby="data-title">
        <h2 id="data-title">{t("members.account.data")}</h2>
        <p>{t("members.account.data_lead", { site: site.name })}</p>
        <p>
          <a class="btn secondary" href="/account/export.json" download>
            {t("members.account.export")}
          </a>
        </p>
      </section>

      <section class="card danger-zone" aria-labelledby="delete-title">
        <h2 id="delete-title">{t("members.account.delete")}</h2>
        <p>{t("members.account.delete_lead")}</p>
        <p>
          <a class="btn secondary danger-link" href="/account/delete">
            {t("members.account.delete_link")}
          </a>
        </p>
      </section>

      <form method="post" action="/logout" class="account-logout">
        <CsrfField c={c} />
        <button type="submit" class="secondary">
          {t("nav.logout")}
        </button>
      </form>
    </div>,
    opts.errors ? 422 : 200,
  );
}

/** Everything we hold about the member, as one JSON document (GDPR access and portability). */
async function exportData(c: AppContext, member: Member): Promise<Record<string, unknown>> {
  const db = c.var.services.db;
  const [consents, events, sessions, tags, links] = await Promise.all([
    db
      .selectFrom("member_consents")
      .selectAll()
      .where("member_id", "=", member.id)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    db.selectFrom("events").selectAll().where("member_id", "=", member.id).orderBy("id").execute(),
    db
      .selectFrom("sessions")
      .select(["created_at", "last_seen_at", "expires_at", "ip", "user_agent"])
      .where("subject_kind", "=", "member")
      .where("subject_id", "=", member.id)
      .orderBy("created_at")
      .execute(),
    memberTags(db, member.id),
    db
      .selectFrom("magic_links")
      .select(["purpose", "email", "redirect_to", "created_at", "expires_at", "used_at"])
      .where((eb) => eb.or([eb("member_id", "=", member.id), eb("email", "=", member.email)]))
      .orderBy("created_at")
      .execute(),
  ]);
  const fmt = timelineFormat(member.locale, member.timeZone);
  const out: Record<string, unknown> = {
    format: "atelier.member-export/1",
    exportedAt: nowIso(),
    site: { name: c.var.site.name, url: c.var.services.config.publicUrl },
    profile: {
      id: member.id,
      email: member.email,
      name: member.name,
      locale: member.locale,
      timeZone: member.timeZone,
      status: member.status,
      emailOptIn: member.emailOptIn,
      source: member.source,
      note: member.note,
      confirmedAt: member.confirmedAt,
      lastSeenAt: member.lastSeenAt,
      createdAt: member.createdAt,
      updatedAt: member.updatedAt,
    },
    consents: consents.map((r) => ({
      kind: r.kind,
      granted: r.granted === 1,
      wording: r.wording,
      locale: r.locale,
      ip: r.ip,
      at: r.created_at,
    })),
    events: events.map((r) => {
      const data = JSON.parse(r.data) as unknown;
      return {
        type: r.type,
        label: describeEvent({ type: r.type, version: r.version, data }, fmt).text,
        actor: r.actor,
        data,
        at: r.created_at,
      };
    }),
    tags,
    links: links.map((l) => ({
      purpose: l.purpose,
      email: l.email,
      redirectTo: l.redirect_to,
      createdAt: l.created_at,
      expiresAt: l.expires_at,
      usedAt: l.used_at,
    })),
    sessions: sessions.map((s) => ({
      createdAt: s.created_at,
      lastSeenAt: s.last_seen_at,
      expiresAt: s.expires_at,
      ip: s.ip,
      userAgent: s.user_agent,
    })),
  };
  for (const [key, exporter] of accountExporters()) out[key] = await exporter(db, member);
  return out;
}

export function accountRoutes(app: Hono<AppEnv>): void {
  app.get("/account", async (c) => {
    const member = await requireMember(c);
    if (member instanceof Response) return member;
    return accountPage(c, member);
  });

  app.post("/account", async (c) => {
    const member = await requireMember(c);
    if (member instanceof Response) return member;
    const form = await readForm(c);
    let input: z.output<typeof accountSchema>;
    try {
      input = parseInput(accountSchema, {
        name: form.name ?? "",
        locale: form.locale,
        timeZone: form.timeZone,
        newsletter: form.newsletter,
      });
    } catch (err) {
      if (err instanceof AppError && err.code === "invalid_input") {
        const values = {
          name: formValue(form, "name").slice(0, 100),
          locale: formValue(form, "locale"),
          timeZone: formValue(form, "timeZone"),
          newsletter: formValue(form, "newsletter") === "on",
        };
        return accountPage(c, member, { values, errors: err.fields });
      }
      throw err;
    }
    // The consent wording is the one this page showed, in this page's language.
    const shownLocale = c.var.locale;
    await updateMember(
      c.var.services.db,
      member.id,
      {
        name: input.name,
        locale: input.locale,
        timeZone: input.timeZone,
        emailOptIn: input.newsletter,
        consentWording: translate(shownLocale, "members.consent.newsletter", { site: c.var.site.name }),
        consentLocale: shownLocale,
        ip: clientIp(c),
      },
      "member",
    );
    setLocaleCookie(c, toLocale(input.locale));
    return c.redirect("/account?saved=1", 303);
  });

  app.get("/account/export.json", async (c) => {
    const member = await requireMember(c);
    if (member instanceof Response) return member;
    await record(c.var.services.db, memberExportedData, {}, { memberId: member.id, actor: "member" });
    const data = await exportData(c, member);
    const day = nowIso().slice(0, 10);
    return c.body(JSON.stringify(data, null, 2), 200, {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="my-data-${day}.json"`,
      "Cache-Control": "private, no-store",
    });
  });

  app.get("/account/delete", async (c) => {
    const member = await requireMember(c);
    if (member instanceof Response) return member;
    const t = tr(c);
    return page(
      c,
      { title: t("members.delete.title"), noindex: true },
      <div class="narrow">
        <div class="card member-card danger-zone">
          <h1>{t("members.delete.title")}</h1>
          <p class="lead">{t("members.delete.lead", { site: c.var.site.name })}</p>
          <ul class="delete-list">
            <li>{t("members.delete.what_profile", { email: member.email })}</li>
            <li>{t("members.delete.what_history")}</li>
            <li>{t("members.delete.what_emails")}</li>
          </ul>
          <p>{t("members.delete.export_first")}</p>
          <form method="post" action="/account/delete" class="inline-form">
            <CsrfField c={c} />
            <button type="submit" class="danger">
              {t("members.delete.submit")}
            </button>
            <a class="btn secondary" href="/account">
              {t("form.cancel")}
            </a>
          </form>
        </div>
      </div>,
    );
  });

  app.post("/account/delete", async (c) => {
    const member = await requireMember(c);
    if (member instanceof Response) return member;
    await readForm(c); // only a real form submission deletes an account
    await eraseMember(c.var.services.db, member.id, "member");
    endMemberSession(c);
    const t = tr(c);
    return page(
      c,
      { title: t("members.goodbye.title"), noindex: true },
      <div class="narrow">
        <div class="card member-card">
          <h1>{t("members.goodbye.title")}</h1>
          <p class="lead">{t("members.goodbye.lead", { site: c.var.site.name })}</p>
          <p>
            <a href="/">{t("members.goodbye.home")}</a>
          </p>
        </div>
      </div>,
    );
  });
}
