import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
import { readForm, formValue } from "../../platform/http/forms.ts";
import { formatDate } from "../../platform/i18n/index.ts";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { CsrfField, FormErrors, TextArea, Field, type Errors } from "../../platform/views/components.tsx";
import { runOperation } from "../../platform/operations.ts";
import { memberActor, staffActor } from "../../platform/actor.ts";
import { describeEvent, memberEvents, timelineFormat } from "../../platform/events/index.ts";
import { currentStaff } from "../staff/index.ts";
import { currentMember, getMember, type Member } from "../members/index.ts";
import {
  applyForCoaching,
  decideApplication,
  fitPercent,
  memberApplication,
  questionsOf,
  questionsText,
  saveQuestions,
} from "./applications.ts";
import { getCoachingOffer, type CoachingOffer } from "./offers.ts";

/** The application form (client) and the creator's queue. */

export async function ApplicationBlock({
  c,
  offer,
  member,
  errors,
  values,
}: {
  c: AppContext;
  offer: CoachingOffer;
  member: Member | null;
  errors?: Errors;
  values?: Record<string, string | string[]>;
}) {
  const t = tr(c);
  const qs = questionsOf(offer);
  const existing = member ? await memberApplication(c.var.services.db, member.id, offer.id) : undefined;
  if (existing?.status === "pending") return <p class="notice">{t("coaching.apply.pending")}</p>;
  if (existing?.status === "declined" && !errors) return <p class="notice">{t("coaching.apply.declined")}</p>;
  const val = (name: string) => values?.[name];
  return (
    <form method="post" action={`/coaching/${offer.slug}/apply`} class="admin-form coaching-apply">
      <CsrfField c={c} />
      <h2>{t("coaching.apply.title")}</h2>
      <p class="muted">{t("coaching.apply.lead")}</p>
      <FormErrors c={c} errors={errors} />
      {qs.map((q, i) => {
        const name = `q${i}`;
        const err = errors?.[name];
        const label = `${q.label}${q.required ? " *" : ""}`;
        const v = val(name);
        const chosen = (n: number) => (Array.isArray(v) ? v.includes(String(n)) : v === String(n));
        if (q.type === "short")
          return (
            <Field
              c={c}
              name={name}
              label={label}
              required={q.required}
              errors={errors}
              value={typeof v === "string" ? v : ""}
              maxLength={300}
            />
          );
        if (q.type === "long")
          return (
            <TextArea
              c={c}
              name={name}
              label={label}
              required={q.required}
              errors={errors}
              value={typeof v === "string" ? v : ""}
              rows={4}
            />
          );
        const options =
          q.type === "scale"
            ? [1, 2, 3, 4, 5].map((n) => ({ label: String(n), value: n }))
            : q.choices.map((ch, n) => ({ label: ch.label, value: n }));
        return (
          <fieldset class="field">
            <legend>{label}</legend>
            {options.map((o) => (
              <label class="check">
                <input
                  type={q.type === "multiple" ? "checkbox" : "radio"}
                  name={name}
                  value={String(o.value)}
                  checked={chosen(o.value)}
                />{" "}
                {o.label}
              </label>
            ))}
            {err && <p class="error">{t(err.key, err.params)}</p>}
          </fieldset>
        );
      })}
      {member ? (
        <button class="btn" type="submit">
          {t("coaching.apply.send")}
        </button>
      ) : (
        <p class="notice">
          <a href={`/login?next=${encodeURIComponent(`/coaching/${offer.slug}`)}`}>{t("coaching.picker.login_link")}</a>
        </p>
      )}
    </form>
  );
}

async function queuePage(c: AppContext) {
  const t = tr(c);
  const db = c.var.services.db;
  const rows = await db
    .selectFrom("coaching_applications")
    .innerJoin("coaching_offers", "coaching_offers.id", "coaching_applications.coaching_offer_id")
    .select([
      "coaching_applications.id",
      "coaching_applications.member_id",
      "score",
      "max_score",
      "status",
      "title",
      "fit_threshold",
      "coaching_applications.created_at",
    ])
    .orderBy("coaching_applications.created_at", "desc")
    .limit(300)
    .execute();
  const names = new Map<string, string>();
  for (const r of rows)
    if (!names.has(r.member_id)) {
      const m = await getMember(db, r.member_id);
      names.set(r.member_id, m?.name || m?.email || "—");
    }
  const line = (r: (typeof rows)[number]) => {
    const fit = fitPercent(r);
    return (
      <li class="coaching-session">
        <a href={`/admin/coaching/applications/${r.id}`}>
          <strong>{names.get(r.member_id)}</strong> · {r.title}
        </a>{" "}
        · {t("coaching.apply.score", { fit })}{" "}
        {fit < r.fit_threshold && <span class="badge">{t("coaching.apply.not_fit")}</span>}{" "}
        <span class="muted small">{formatDate(c.var.locale, r.created_at, c.var.site.timeZone)}</span>
      </li>
    );
  };
  return adminPage(
    c,
    t("coaching.apply.queue"),
    <div class="admin-section">
      <h2>{t("coaching.apply.pending_title")}</h2>
      <ul class="coaching-sessions">{rows.filter((r) => r.status === "pending").map(line)}</ul>
      {rows.every((r) => r.status !== "pending") && <p class="muted">{t("coaching.account.none")}</p>}
      <h2>{t("coaching.apply.decided_title")}</h2>
      <ul class="coaching-sessions">{rows.filter((r) => r.status !== "pending").map(line)}</ul>
    </div>,
  );
}

async function applicationPage(c: AppContext, id: string, errors?: Errors) {
  const t = tr(c);
  const db = c.var.services.db;
  const a = await db.selectFrom("coaching_applications").selectAll().where("id", "=", id).executeTakeFirst();
  if (!a) throw notFound();
  const offer = await getCoachingOffer(db, a.coaching_offer_id);
  const member = await getMember(db, a.member_id);
  const qs = questionsOf(offer);
  const answers = JSON.parse(a.answers) as Record<string, string | number | number[]>;
  const fit = fitPercent(a);
  const fmt = timelineFormat(c.var.locale, c.var.site.timeZone);
  const history = member ? await memberEvents(db, member.id, { limit: 12 }) : [];
  const show = (i: number) => {
    const v = answers[`q${i}`];
    const q = qs[i]!;
    if (v === undefined) return "—";
    if (q.type === "single") return q.choices[v as number]?.label ?? "—";
    if (q.type === "multiple") return (v as number[]).map((n) => q.choices[n]?.label).join(", ");
    return String(v);
  };
  return adminPage(
    c,
    `${member?.name || member?.email || ""} · ${offer.title}`,
    <div class="admin-section">
      <p>
        <strong>{t("coaching.apply.score", { fit })}</strong>{" "}
        {fit < offer.fit_threshold && <span class="badge">{t("coaching.apply.not_fit")}</span>}
      </p>
      <p class="muted small">{t("coaching.apply.human")}</p>
      <dl>
        {qs.map((q, i) => (
          <>
            <dt>{q.label}</dt>
            <dd class="coaching-summary">{show(i)}</dd>
          </>
        ))}
      </dl>
      <h2>{t("coaching.apply.history")}</h2>
      <p class="muted small">
        {member &&
          t("coaching.apply.member_since", { date: formatDate(c.var.locale, member.createdAt, c.var.site.timeZone) })}
      </p>
      <ul class="timeline">
        {history.map((e) => (
          <li>
            {describeEvent(e, fmt).text}{" "}
            <span class="muted small">{formatDate(c.var.locale, e.createdAt, c.var.site.timeZone)}</span>
          </li>
        ))}
      </ul>
      {a.status === "pending" ? (
        <div class="grid-2">
          <form method="post" action={`/admin/coaching/applications/${a.id}`} class="admin-form">
            <CsrfField c={c} />
            <input type="hidden" name="decision" value="accept" />
            <FormErrors c={c} errors={errors} />
            <TextArea
              c={c}
              name="message"
              required
              label={t("coaching.apply.accept_message")}
              rows={4}
              errors={errors}
            />
            <button class="btn" type="submit">
              {t("coaching.apply.accept")}
            </button>
          </form>
          <form method="post" action={`/admin/coaching/applications/${a.id}`} class="admin-form">
            <CsrfField c={c} />
            <input type="hidden" name="decision" value="decline" />
            <TextArea
              c={c}
              name="message"
              required
              label={t("coaching.apply.decline_message")}
              rows={4}
              errors={errors}
            />
            <TextArea c={c} name="resources" label={t("coaching.apply.resources")} rows={3} errors={errors} />
            <button class="btn secondary" type="submit">
              {t("coaching.apply.decline")}
            </button>
          </form>
        </div>
      ) : (
        <p class="notice">
          {t(a.status === "accepted" ? "coaching.apply.was_accepted" : "coaching.apply.was_declined")}
        </p>
      )}
    </div>,
    errors ? 422 : 200,
  );
}

async function questionsPage(c: AppContext, offer: CoachingOffer, errors?: Errors, text?: string) {
  const t = tr(c);
  return adminPage(
    c,
    `${t("coaching.apply.questions")} · ${offer.title}`,
    <form method="post" action={`/admin/coaching/offers/${offer.id}/questions`} class="admin-form">
      <CsrfField c={c} />
      <FormErrors c={c} errors={errors} />
      <TextArea
        c={c}
        name="questions"
        label={t("coaching.apply.questions")}
        hint={t("coaching.error.questions")}
        rows={8}
        errors={errors}
        value={text ?? questionsText(questionsOf(offer))}
      />
      <Field
        c={c}
        name="fitThreshold"
        type="number"
        required
        label={t("coaching.apply.threshold")}
        errors={errors}
        value={String(offer.fit_threshold)}
      />
      <Field
        c={c}
        name="acceptDays"
        type="number"
        required
        label={t("coaching.apply.accept_days")}
        errors={errors}
        value={String(offer.accept_days)}
      />
      <button class="btn" type="submit">
        {t("coaching.admin.save")}
      </button>
    </form>,
    errors ? 422 : 200,
  );
}

const fieldsOr = (err: unknown): Errors => {
  if (err instanceof AppError && err.status === 422)
    return Object.keys(err.fields).length ? err.fields : { _form: { key: err.messageKey } };
  throw err;
};

export function applicationRoutes(
  app: Hono<AppEnv>,
  renderOfferPage: (c: AppContext, errors?: Errors, values?: Record<string, string | string[]>) => Promise<Response>,
): void {
  app.post("/coaching/:slug/apply", async (c) => {
    const member = await currentMember(c);
    if (!member) throw new AppError("unauthenticated", 401);
    const db = c.var.services.db;
    const offer = await db
      .selectFrom("coaching_offers")
      .selectAll()
      .where("slug", "=", c.req.param("slug"))
      .where("active", "=", 1)
      .executeTakeFirst();
    if (!offer) throw notFound();
    const form = await readForm(c);
    const answers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(form)) if (/^q\d{1,2}$/.test(k)) answers[k] = v as string | string[];
    try {
      await runOperation(c.var.services, applyForCoaching, memberActor(member.id), {
        coachingOfferId: offer.id,
        answers,
      });
    } catch (err) {
      return renderOfferPage(c, fieldsOr(err), answers);
    }
    return c.redirect(`/coaching/${offer.slug}?applied=1`, 303);
  });
  app.get("/admin/coaching/applications", (c) => queuePage(c));
  app.get("/admin/coaching/applications/:id", (c) => applicationPage(c, c.req.param("id")));
  app.post("/admin/coaching/applications/:id", async (c) => {
    const form = await readForm(c);
    const s = await currentStaff(c);
    try {
      await runOperation(c.var.services, decideApplication, staffActor(s.id, s.role), {
        applicationId: c.req.param("id"),
        decision: formValue(form, "decision"),
        message: formValue(form, "message"),
        resources: formValue(form, "resources"),
      });
    } catch (err) {
      return applicationPage(c, c.req.param("id"), fieldsOr(err));
    }
    return c.redirect("/admin/coaching/applications", 303);
  });
  app.get("/admin/coaching/offers/:id/questions", async (c) =>
    questionsPage(c, await getCoachingOffer(c.var.services.db, c.req.param("id"))),
  );
  app.post("/admin/coaching/offers/:id/questions", async (c) => {
    const offer = await getCoachingOffer(c.var.services.db, c.req.param("id"));
    const form = await readForm(c);
    const s = await currentStaff(c);
    try {
      await runOperation(c.var.services, saveQuestions, staffActor(s.id, s.role), {
        ...form,
        coachingOfferId: offer.id,
      });
    } catch (err) {
      return questionsPage(c, offer, fieldsOr(err), formValue(form, "questions"));
    }
    return c.redirect("/admin/coaching/offers", 303);
  });
}
