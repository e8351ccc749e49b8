import type { Hono } from "hono";
import { z } from "zod";
import { transaction } from "../../platform/db/index.ts";
import { record } from "../../platform/events/index.ts";
import type { Db } from "../../platform/db/index.ts";
import { consentGranted, memberConfirmed } from "./events.ts";
import { clientIp, tr, type AppContext, type AppEnv } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { formValue, readForm, safeRedirectPath, storedRedirectPath } from "../../platform/http/forms.ts";
import { field, parseInput } from "../../platform/http/validation.ts";
import { t as translate } from "../../platform/i18n/index.ts";
import { nowIso } from "../../platform/ids.ts";
import { Checkbox, CsrfField, Field, FormErrors, type Errors } from "../../platform/views/components.tsx";
import { page } from "../../platform/views/layout.tsx";
import { consumeLink, intentOf, linkError, peekLink } from "./links.ts";
import { requestLink } from "./requests.ts";
import {
  checkInboxPage,
  finishLogin,
  isLinkError,
  limitAddress,
  limitIp,
  linkProblemPage,
  openMemberSession,
} from "./shared.tsx";
import { currentMember, getMember, recordConsent, type Member } from "./service.ts";

const joinSchema = z.object({
  email: field.email(),
  name: field.text(100, { optional: true }),
  newsletter: field.checkbox(),
});

interface JoinValues {
  email: string;
  name: string;
  newsletter: boolean;
  next: string;
}

function JoinForm({ c, values, errors }: { c: AppContext; values: JoinValues; errors?: Errors }) {
  const t = tr(c);
  return (
    <form method="post" action="/join" class="stack" novalidate>
      <CsrfField c={c} />
      {values.next && <input type="hidden" name="next" value={values.next} />}
      <FormErrors c={c} errors={errors} />
      <Field
        c={c}
        name="email"
        type="email"
        label={t("members.field.email")}
        value={values.email}
        errors={errors}
        required
        autocomplete="email"
        inputmode="email"
        maxLength={254}
      />
      <Field
        c={c}
        name="name"
        label={t("members.field.name")}
        hint={t("members.join.name_hint")}
        value={values.name}
        errors={errors}
        autocomplete="name"
        maxLength={100}
      />
      <Checkbox
        c={c}
        name="newsletter"
        checked={values.newsletter}
        label={t("members.consent.newsletter", { site: c.var.site.name })}
        errors={errors}
      />
      <div>
        <button type="submit">{t("members.join.submit")}</button>
      </div>
    </form>
  );
}

function joinPage(c: AppContext, values: JoinValues, errors?: Errors) {
  const t = tr(c);
  return page(
    c,
    {
      title: t("members.join.title", { site: c.var.site.name }),
      description: t("members.join.lead", { site: c.var.site.name }),
    },
    <div class="narrow">
      <div class="card member-card">
        <h1>{t("members.join.title", { site: c.var.site.name })}</h1>
        <p class="lead">{t("members.join.lead", { site: c.var.site.name })}</p>
        <JoinForm c={c} values={values} errors={errors} />
        <p class="muted small">{t("members.join.privacy")}</p>
      </div>
      <p class="member-switch">
        {t("members.join.have_account")}{" "}
        <a href={values.next ? `/login?next=${encodeURIComponent(values.next)}` : "/login"}>
          {t("members.join.login")}
        </a>
      </p>
    </div>,
    errors ? 422 : 200,
  );
}

/** Marks a member active (the link proved the address); returns true when this changed something. */
export async function activate(trx: Db, member: Member, via: "confirm" | "login"): Promise<boolean> {
  if (member.status === "active") return false;
  const at = nowIso();
  await trx
    .updateTable("members")
    .set({ status: "active", confirmed_at: at, updated_at: at })
    .where("id", "=", member.id)
    .execute();
  await record(trx, memberConfirmed, { via }, { memberId: member.id, actor: "member", at });
  return true;
}

export function joinRoutes(app: Hono<AppEnv>): void {
  app.get("/join", async (c) => {
    const next = safeRedirectPath(c.req.query("next"), "");
    if (await currentMember(c)) return c.redirect(next || "/account", 303);
    const email = (c.req.query("email") ?? "").slice(0, 254);
    return joinPage(c, { email, name: "", newsletter: false, next });
  });

  app.post("/join", async (c) => {
    const form = await readForm(c);
    const next = safeRedirectPath(formValue(form, "next"), "");
    await limitIp(c, "join");
    let input: z.output<typeof joinSchema>;
    try {
      input = parseInput(joinSchema, { email: form.email, name: form.name ?? "", newsletter: form.newsletter });
    } catch (err) {
      if (err instanceof AppError && err.code === "invalid_input") {
        const values = {
          email: formValue(form, "email").slice(0, 254),
          name: formValue(form, "name").slice(0, 100),
          newsletter: formValue(form, "newsletter") === "on",
          next,
        };
        return joinPage(c, values, err.fields);
      }
      throw err;
    }
    await limitAddress(c, input.email);

    const locale = c.var.locale;
    await requestLink(c.var.services.db, {
      kind: "join",
      email: input.email,
      name: input.name,
      locale,
      intent: {
        newsletter: input.newsletter,
        wording: translate(locale, "members.consent.newsletter", { site: c.var.site.name }),
        locale,
      },
      ip: clientIp(c),
      next: next || null,
      publicUrl: c.var.services.config.publicUrl,
    });
    return checkInboxPage(c, input.email, "join");
  });

  // Opening the link only shows a button: mail scanners follow links, people press buttons.
  app.get("/join/confirm", async (c) => {
    const t = tr(c);
    const { state, row } = await peekLink(c.var.services.db, c.req.query("token"), "confirm");
    if (state !== "ok" || !row)
      return linkProblemPage(c, linkError(state === "ok" ? "unknown" : state, "confirm"), "confirm");
    return page(
      c,
      { title: t("members.confirm.title"), noindex: true },
      <div class="narrow">
        <div class="card member-card">
          <h1>{t("members.confirm.title")}</h1>
          <p class="lead">{t("members.confirm.lead", { email: row.email, site: c.var.site.name })}</p>
          <form method="post" action="/join/confirm">
            <CsrfField c={c} />
            <input type="hidden" name="token" value={c.req.query("token")} />
            <button type="submit">{t("members.confirm.submit")}</button>
          </form>
        </div>
      </div>,
    );
  });

  app.post("/join/confirm", async (c) => {
    const form = await readForm(c);
    const db = c.var.services.db;
    const ip = clientIp(c);
    let done: { token: string; member: Member; redirectTo: string };
    try {
      done = await transaction(db, async (trx) => {
        const link = await consumeLink(trx, formValue(form, "token"), "confirm");
        const member = link.member_id ? await getMember(trx, link.member_id) : undefined;
        if (!member) throw linkError("unknown", "confirm");
        await activate(trx, member, "confirm");
        const intent = intentOf(link);
        if (intent?.newsletter && !member.emailOptIn) {
          // The consent is what they ticked at join, proven now that the address is theirs.
          const at = nowIso();
          await trx
            .updateTable("members")
            .set({ email_opt_in: 1, updated_at: at })
            .where("id", "=", member.id)
            .execute();
          await recordConsent(trx, member.id, {
            granted: true,
            wording: intent.wording,
            locale: intent.locale === "en" ? "en" : "fr",
            ip,
            at,
          });
          await record(
            trx,
            consentGranted,
            { kind: "newsletter", via: "double_opt_in" },
            { memberId: member.id, actor: "member", at },
          );
        }
        await trx.updateTable("members").set({ last_seen_at: nowIso() }).where("id", "=", member.id).execute();
        // Other confirmation links of this member stop working: one confirmation is enough.
        await trx
          .updateTable("magic_links")
          .set({ used_at: nowIso() })
          .where("member_id", "=", member.id)
          .where("purpose", "=", "confirm")
          .where("used_at", "is", null)
          .execute();
        const token = await openMemberSession(c, trx, member.id);
        return { token, member, redirectTo: storedRedirectPath(link.redirect_to, "/account?welcome=1") };
      });
    } catch (err) {
      if (isLinkError(err)) return linkProblemPage(c, err, "confirm");
      throw err;
    }
    await finishLogin(c, done.token, done.member);
    return c.redirect(done.redirectTo, 303);
  });
}
