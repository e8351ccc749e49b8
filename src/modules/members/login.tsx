import type { Hono } from "hono";
import { z } from "zod";
import { transaction } from "../../platform/db/index.ts";
import { record } from "../../platform/events/index.ts";
import { memberLoggedIn, memberLoggedOut } from "./events.ts";
import { tr, type AppContext, type AppEnv } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { formValue, readForm, safeRedirectPath, storedRedirectPath } from "../../platform/http/forms.ts";
import { field, parseInput } from "../../platform/http/validation.ts";
import { nowIso } from "../../platform/ids.ts";
import { destroySession } from "../../platform/security/sessions.ts";
import { CsrfField, Field, FormErrors, type Errors } from "../../platform/views/components.tsx";
import { page } from "../../platform/views/layout.tsx";
import { activate } from "./join.tsx";
import { consumeLink, linkError, peekLink } from "./links.ts";
import { requestLink } from "./requests.ts";
import {
  checkInboxPage,
  endMemberSession,
  finishLogin,
  isLinkError,
  limitAddress,
  limitIp,
  linkProblemPage,
  openMemberSession,
} from "./shared.tsx";
import { currentMember, getMember, type Member } from "./service.ts";

const loginSchema = z.object({ email: field.email() });

function loginPage(c: AppContext, values: { email: string; next: string }, errors?: Errors) {
  const t = tr(c);
  return page(
    c,
    { title: t("members.login.title"), noindex: true },
    <div class="narrow">
      <div class="card member-card">
        <h1>{t("members.login.title")}</h1>
        <p class="lead">{t("members.login.lead")}</p>
        <form method="post" action="/login" class="stack" novalidate>
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
          <div>
            <button type="submit">{t("members.login.submit")}</button>
          </div>
        </form>
      </div>
      <p class="member-switch">
        {t("members.login.no_account")}{" "}
        <a href={values.next ? `/join?next=${encodeURIComponent(values.next)}` : "/join"}>{t("members.login.join")}</a>
      </p>
    </div>,
    errors ? 422 : 200,
  );
}

export function loginRoutes(app: Hono<AppEnv>): void {
  app.get("/login", async (c) => {
    const next = safeRedirectPath(c.req.query("next"), "");
    if (await currentMember(c)) return c.redirect(next || "/account", 303);
    return loginPage(c, { email: "", next });
  });

  app.post("/login", async (c) => {
    const form = await readForm(c);
    const next = safeRedirectPath(formValue(form, "next"), "");
    await limitIp(c, "login");
    let email: string;
    try {
      email = parseInput(loginSchema, { email: form.email }).email;
    } catch (err) {
      if (err instanceof AppError && err.code === "invalid_input")
        return loginPage(c, { email: formValue(form, "email").slice(0, 254), next }, err.fields);
      throw err;
    }
    await limitAddress(c, email);
    await requestLink(c.var.services.db, {
      kind: "login",
      email,
      next: next || null,
      publicUrl: c.var.services.config.publicUrl,
    });
    // The same page either way: this form must not tell who is a member.
    return checkInboxPage(c, email, "login");
  });

  app.get("/login/verify", async (c) => {
    const t = tr(c);
    const token = c.req.query("token");
    const { state } = await peekLink(c.var.services.db, token, "login");
    if (state !== "ok") return linkProblemPage(c, linkError(state, "login"), "login");
    return page(
      c,
      { title: t("members.verify.title", { site: c.var.site.name }), noindex: true },
      <div class="narrow">
        <div class="card member-card">
          <h1>{t("members.verify.title", { site: c.var.site.name })}</h1>
          <p class="lead">{t("members.verify.lead")}</p>
          <form method="post" action="/login/verify">
            <CsrfField c={c} />
            <input type="hidden" name="token" value={token} />
            <button type="submit">{t("members.verify.submit")}</button>
          </form>
        </div>
      </div>,
    );
  });

  app.post("/login/verify", async (c) => {
    const form = await readForm(c);
    const db = c.var.services.db;
    let done: { token: string; member: Member; redirectTo: string };
    try {
      done = await transaction(db, async (trx) => {
        const link = await consumeLink(trx, formValue(form, "token"), "login");
        const member = link.member_id ? await getMember(trx, link.member_id) : undefined;
        if (!member) throw linkError("unknown", "login");
        // A pending member who logs in by link has proven the address.
        const activated = await activate(trx, member, "login");
        await trx.updateTable("members").set({ last_seen_at: nowIso() }).where("id", "=", member.id).execute();
        await record(
          trx,
          memberLoggedIn,
          { method: "magic_link", ...(activated ? { activated: true } : {}) },
          { memberId: member.id, actor: "member" },
        );
        const token = await openMemberSession(c, trx, member.id);
        return { token, member, redirectTo: storedRedirectPath(link.redirect_to, "/account") };
      });
    } catch (err) {
      if (isLinkError(err)) return linkProblemPage(c, err, "login");
      throw err;
    }
    await finishLogin(c, done.token, done.member);
    return c.redirect(done.redirectTo, 303);
  });

  app.post("/logout", async (c) => {
    await readForm(c);
    const session = c.var.memberSession;
    if (session) {
      const db = c.var.services.db;
      const member = await getMember(db, session.subjectId);
      await transaction(db, async (trx) => {
        if (member) await record(trx, memberLoggedOut, {}, { memberId: member.id, actor: "member" });
        await destroySession(trx, session.sessionId);
      });
    }
    endMemberSession(c);
    return c.redirect("/", 303);
  });
}
