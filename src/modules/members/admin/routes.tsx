import type { Hono } from "hono";
import { z } from "zod";
import { transaction } from "../../../platform/db/index.ts";
import { record, memberEvents } from "../../../platform/events/index.ts";
import { memberAddedByStaff } from "../events.ts";
import type { AppContext, AppEnv } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { AppError, invalidInput, notFound, type FieldError } from "../../../platform/http/errors.ts";
import { formValue, readForm } from "../../../platform/http/forms.ts";
import { field, parseInput } from "../../../platform/http/validation.ts";
import { t as translate, type Locale } from "../../../platform/i18n/index.ts";
import { adminPage, registerAdminNav } from "../../../platform/views/admin-layout.tsx";
import { currentStaff, staffActorOf } from "../../staff/index.ts";
import { assertRoles, ownerOnly, runOperation } from "../../../platform/operations.ts";
import { eraseMemberByStaff } from "./operations.ts";
import { createMember, getMember, updateMember, type Member } from "../service.ts";
import { memberTags, parseTags, setMemberTags } from "../tags.ts";
import { filterQuery, parseFilter, readRawFilter } from "./filters.ts";
import {
  countMembers,
  decodeCursor,
  emptyFilter,
  encodeCursor,
  listMembers,
  memberConsents,
  memberSources,
  type MemberPage,
} from "./queries.ts";
import { MemberList } from "./list-view.tsx";
import { MemberDetail } from "./member-view.tsx";
import { DeleteMember, NewMember, type EditValues } from "./member-form.tsx";
import { memberFileSections, memberMoney, type MemberMoney } from "./money.ts";

import { exportMembersCsv } from "./export-csv.ts";
import { moneyContext } from "./money.ts";

/*
 * The owner's member management: list (filters, keyset paging), CSV export,
 * add by hand, profile with timeline and consent history, edit, note, erase.
 * The admin module's guard already requires a staff session on /admin/*.
 */

const PAGE_SIZE = 50;
const TIMELINE_SIZE = 20;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function memberOr404(c: AppContext): Promise<Member> {
  const id = c.req.param("id") ?? "";
  if (!uuid.test(id)) throw notFound();
  const member = await getMember(c.var.services.db, id.toLowerCase());
  if (!member) throw notFound();
  return member;
}

const memberSchema = z.object({
  email: field.email(),
  name: field.text(120, { optional: true }),
  locale: field.locale(),
  timeZone: field.timeZone(),
  newsletter: field.checkbox(),
  consent: field.checkbox(),
});

const noteSchema = z.object({ note: field.longText(5000, { optional: true }) });

function formValues(form: Record<string, string | string[]>, fallbackTimeZone: string): EditValues {
  return {
    email: formValue(form, "email"),
    name: formValue(form, "name"),
    locale: formValue(form, "locale"),
    timeZone: formValue(form, "timeZone") || fallbackTimeZone,
    newsletter: formValue(form, "newsletter") === "on",
    consent: formValue(form, "consent") === "on",
    tags: formValue(form, "tags"),
  };
}

/** Turns a rejected form into field errors to show beside the fields, or rethrows anything else. */
function formErrors(err: unknown): { errors: Record<string, FieldError>; status: 409 | 422 } {
  if (err instanceof AppError && err.code === "member_exists")
    return { errors: { email: { key: err.messageKey } }, status: 409 };
  if (err instanceof AppError && err.status === 422) return { errors: err.fields, status: 422 };
  throw err;
}

/** The wording stored in member_consents when the owner declares (or removes) consent. */
function staffWording(c: AppContext, key: string, locale: Locale): string {
  return translate(locale, key, { site: c.var.site.name });
}

export function memberAdminRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/members", labelKey: "members.admin.nav", order: 10 });

  app.get("/admin/members", async (c) => {
    const t = tr(c);
    const db = c.var.services.db;
    const raw = readRawFilter((k) => c.req.query(k));
    const { filter, errors } = parseFilter(raw, c.var.site.timeZone, c.var.site.currency);
    const ctx = moneyContext(c);
    const unfiltered = JSON.stringify(filter) === JSON.stringify({ ...emptyFilter, sort: filter.sort });
    const total = await countMembers(db, filter, ctx);
    const all = unfiltered ? total : await countMembers(db, emptyFilter, ctx);
    const sources = await memberSources(db);
    const provider = memberMoney();
    const tiers = provider ? await provider.tiers(db) : [];
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

    const after = decodeCursor(c.req.query("after"));
    const before = after ? null : decodeCursor(c.req.query("before"));
    const last = !after && !before && c.req.query("last") === "1";
    const askedPage = Number.parseInt(c.req.query("page") ?? "", 10);
    // The page number only labels a cursor position; it is clamped, never trusted for the query.
    let page = 1;
    let result: MemberPage;
    if (last && total > 0) {
      page = pages;
      result = await listMembers(db, filter, { last: true, limit: total - (pages - 1) * PAGE_SIZE }, ctx);
    } else {
      if (after || before) page = Math.min(pages, Math.max(after ? 2 : 1, Number.isFinite(askedPage) ? askedPage : 1));
      result = await listMembers(db, filter, { after, before, limit: PAGE_SIZE }, ctx);
      if (!result.hasPrevious) page = 1;
      if (!result.hasNext && result.hasPrevious) page = pages;
    }
    const links = {
      first: result.hasPrevious ? filterQuery(raw) : null,
      previous:
        result.hasPrevious && result.first
          ? page <= 2
            ? filterQuery(raw)
            : filterQuery(raw, { before: encodeCursor(result.first), page: String(page - 1) })
          : null,
      next:
        result.hasNext && result.lastRow
          ? filterQuery(raw, { after: encodeCursor(result.lastRow), page: String(page + 1) })
          : null,
      last: result.hasNext ? filterQuery(raw, { last: "1" }) : null,
    };
    const notice = c.req.query("deleted") === "1" ? t("members.admin.deleted") : null;
    const money: Map<string, MemberMoney> | null = provider
      ? await provider.summaries(
          db,
          result.rows.map((r) => r.id),
          ctx.currency,
          ctx.at,
        )
      : null;
    return adminPage(
      c,
      t("members.admin.title"),
      <MemberList
        c={c}
        v={{ raw, errors, rows: result.rows, total, all, page, pages, sources, tiers, money, links, notice }}
      />,
    );
  });

  app.get("/admin/members/export.csv", (c) => exportMembersCsv(c));

  const blankNew = (c: AppContext): EditValues => ({
    email: "",
    name: "",
    locale: c.var.site.locale,
    timeZone: c.var.site.timeZone,
    newsletter: false,
    consent: false,
    tags: "",
  });

  app.get("/admin/members/new", (c) =>
    adminPage(c, tr(c)("members.admin.new.title"), <NewMember c={c} values={blankNew(c)} errors={{}} />),
  );

  app.post("/admin/members/new", async (c) => {
    const db = c.var.services.db;
    const form = await readForm(c);
    const values = formValues(form, c.var.site.timeZone);
    try {
      const data = parseInput(memberSchema, {
        ...values,
        timeZone: c.var.site.timeZone,
        newsletter: values.newsletter,
        consent: values.consent,
      });
      if (data.newsletter && !data.consent)
        throw invalidInput({ consent: { key: "members.admin.edit.consentRequired" } });
      const tags = parseTags(values.tags);
      const staff = await currentStaff(c);
      const member = await transaction(db, async (trx) => {
        const created = await createMember(
          trx,
          {
            email: data.email,
            name: data.name,
            locale: data.locale,
            status: "active",
            emailOptIn: data.newsletter,
            source: "admin",
            consentWording: data.newsletter ? staffWording(c, "members.admin.consentWording", data.locale) : undefined,
            ip: null,
          },
          "staff",
        );
        await record(trx, memberAddedByStaff, { staffId: staff.id }, { memberId: created.id, actor: "staff" });
        await setMemberTags(trx, created.id, tags, "staff");
        return created;
      });
      return c.redirect(`/admin/members/${member.id}?added=1`, 303);
    } catch (err) {
      const { errors, status } = formErrors(err);
      return adminPage(
        c,
        tr(c)("members.admin.new.title"),
        <NewMember c={c} values={values} errors={errors} />,
        status,
      );
    }
  });

  async function renderMember(
    c: AppContext,
    member: Member,
    opts: {
      edit?: EditValues;
      editErrors?: Record<string, FieldError>;
      note?: string;
      noteErrors?: Record<string, FieldError>;
      status?: 200 | 409 | 422;
    } = {},
  ) {
    const t = tr(c);
    const db = c.var.services.db;
    const beforeParam = c.req.query("before");
    const beforeId = beforeParam && uuid.test(beforeParam) ? beforeParam.toLowerCase() : undefined;
    const events = await memberEvents(db, member.id, { limit: TIMELINE_SIZE + 1, before: beforeId });
    const shown = events.slice(0, TIMELINE_SIZE);
    const consents = await memberConsents(db, member.id);
    const sections = await Promise.all(memberFileSections().map((s) => s.render(c, member)));
    const notice = c.req.query("added")
      ? t("members.admin.added")
      : c.req.query("saved")
        ? t("members.admin.saved")
        : c.req.query("noted")
          ? t("members.admin.noteSaved")
          : null;
    const edit = opts.edit ?? {
      email: member.email,
      name: member.name,
      locale: member.locale,
      timeZone: member.timeZone,
      newsletter: member.emailOptIn,
      consent: false,
      tags: (await memberTags(db, member.id)).join(", "),
    };
    return adminPage(
      c,
      member.name || member.email,
      <MemberDetail
        c={c}
        v={{
          member,
          consents,
          sections,
          events: shown,
          olderBefore: events.length > TIMELINE_SIZE ? (shown[shown.length - 1]?.id ?? null) : null,
          paged: Boolean(beforeId),
          notice: opts.status && opts.status !== 200 ? null : notice,
          edit,
          editErrors: opts.editErrors ?? {},
          note: opts.note ?? member.note,
          noteErrors: opts.noteErrors ?? {},
        }}
      />,
      opts.status ?? 200,
    );
  }

  app.get("/admin/members/:id", async (c) => renderMember(c, await memberOr404(c)));

  app.post("/admin/members/:id", async (c) => {
    const member = await memberOr404(c);
    const form = await readForm(c);
    const values = formValues(form, member.timeZone);
    try {
      const data = parseInput(memberSchema, values);
      const switchingOn = data.newsletter && !member.emailOptIn;
      if (switchingOn && !data.consent) throw invalidInput({ consent: { key: "members.admin.edit.consentRequired" } });
      // Checked before anything is written, so a bad tag list changes nothing.
      const tags = parseTags(values.tags);
      const consentLocale = data.locale;
      await updateMember(
        c.var.services.db,
        member.id,
        {
          email: data.email,
          name: data.name,
          locale: data.locale,
          timeZone: data.timeZone,
          emailOptIn: data.newsletter,
          consentWording: staffWording(
            c,
            data.newsletter ? "members.admin.consentWording" : "members.admin.withdrawWording",
            consentLocale,
          ),
          ip: null,
          eventType: "member.updated",
        },
        "staff",
      );
      await setMemberTags(c.var.services.db, member.id, tags, "staff");
      return c.redirect(`/admin/members/${member.id}?saved=1`, 303);
    } catch (err) {
      const { errors, status } = formErrors(err);
      return renderMember(c, member, { edit: values, editErrors: errors, status });
    }
  });

  app.post("/admin/members/:id/note", async (c) => {
    const member = await memberOr404(c);
    const form = await readForm(c);
    const note = formValue(form, "note");
    try {
      const data = parseInput(noteSchema, { note });
      await updateMember(c.var.services.db, member.id, { note: data.note, eventType: "member.updated" }, "staff");
      return c.redirect(`/admin/members/${member.id}?noted=1`, 303);
    } catch (err) {
      const { errors, status } = formErrors(err);
      return renderMember(c, member, { note, noteErrors: errors, status });
    }
  });

  app.get("/admin/members/:id/delete", async (c) => {
    assertRoles(await staffActorOf(c), ownerOnly);
    const member = await memberOr404(c);
    return adminPage(
      c,
      tr(c)("members.admin.delete.title", { name: member.name || member.email }),
      <DeleteMember c={c} member={member} />,
    );
  });

  app.post("/admin/members/:id/delete", async (c) => {
    const member = await memberOr404(c);
    await runOperation(c.var.services, eraseMemberByStaff, await staffActorOf(c), { id: member.id });
    return c.redirect("/admin/members?deleted=1", 303);
  });
}
