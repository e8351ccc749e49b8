import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { type FieldError } from "../../platform/http/errors.ts";
import { formValue, readForm } from "../../platform/http/forms.ts";
import { hitRateLimit } from "../../platform/security/rate-limit.ts";
import { CsrfField, Field, FormErrors, Notice, type Errors } from "../../platform/views/components.tsx";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { currentStaff } from "./guard.ts";
import { checkStaffPassword, destroyOtherStaffSessions, setStaffPassword } from "./service.ts";
import {
  checkTotp,
  confirmTotpSetup,
  disableTotp,
  getTotpState,
  groupSecret,
  qrDataUri,
  startTotpSetup,
  totpUri,
} from "./totp.ts";

/* ---------- Security page: second factor and password ---------- */

const MINUTE = 60_000;

const doneKeys: Record<string, string> = {
  "totp-on": "staff.security.done.totpOn",
  "totp-off": "staff.security.done.totpOff",
  password: "staff.security.done.password",
};

async function SecurityPage(
  c: AppContext,
  opts: { errors?: Errors; form?: "disable" | "password"; status?: 200 | 422 } = {},
) {
  const t = tr(c);
  const user = await currentStaff(c);
  const { enabled } = await getTotpState(c.var.services.db, user.id);
  const done = doneKeys[c.req.query("done") ?? ""];
  const disableErrors = opts.form === "disable" ? opts.errors : undefined;
  const passwordErrors = opts.form === "password" ? opts.errors : undefined;
  return adminPage(
    c,
    t("staff.security.title"),
    <>
      <h1>{t("staff.security.title")}</h1>
      <p class="muted">{t("staff.security.intro", { email: user.email })}</p>
      {done && <Notice>{t(done)}</Notice>}
      <div class="admin-sections">
        <section class="card" aria-labelledby="totp-h">
          <div class="section-head">
            <h2 id="totp-h">{t("staff.security.totp.title")}</h2>
            {enabled ? (
              <span class="badge ok">{t("staff.security.totp.on")}</span>
            ) : (
              <span class="badge warn">{t("staff.security.totp.off")}</span>
            )}
          </div>
          <p>{t("staff.security.totp.explain")}</p>
          {enabled ? (
            <form method="post" action="/admin/security/totp/disable" class="stack" aria-labelledby="disable-h">
              <h3 id="disable-h">{t("staff.security.totp.disableTitle")}</h3>
              <p class="muted small">{t("staff.security.totp.disableExplain")}</p>
              <CsrfField c={c} />
              <FormErrors c={c} errors={disableErrors} />
              <Field
                c={c}
                name="password"
                type="password"
                label={t("staff.security.currentPassword")}
                required
                autocomplete="current-password"
                errors={disableErrors}
              />
              <Field
                c={c}
                name="code"
                label={t("staff.totp.code")}
                required
                autocomplete="one-time-code"
                inputmode="numeric"
                maxLength={7}
                errors={disableErrors}
              />
              <div>
                <button type="submit" class="secondary">
                  {t("staff.security.totp.disable")}
                </button>
              </div>
            </form>
          ) : (
            <form method="post" action="/admin/security/totp/start">
              <CsrfField c={c} />
              <button type="submit">{t("staff.security.totp.enable")}</button>
            </form>
          )}
        </section>
        <section class="card" aria-labelledby="pw-h">
          <h2 id="pw-h">{t("staff.security.password.title")}</h2>
          <form method="post" action="/admin/security/password" class="stack">
            <CsrfField c={c} />
            <FormErrors c={c} errors={passwordErrors} />
            <Field
              c={c}
              name="current"
              type="password"
              label={t("staff.security.currentPassword")}
              required
              autocomplete="current-password"
              errors={passwordErrors}
            />
            <Field
              c={c}
              name="password"
              type="password"
              label={t("staff.security.password.new")}
              hint={t("staff.security.password.hint")}
              required
              autocomplete="new-password"
              errors={passwordErrors}
            />
            <Field
              c={c}
              name="password2"
              type="password"
              label={t("staff.security.password.repeat")}
              required
              autocomplete="new-password"
              errors={passwordErrors}
            />
            <div>
              <button type="submit">{t("staff.security.password.submit")}</button>
            </div>
          </form>
        </section>
      </div>
    </>,
    opts.status ?? 200,
  );
}

async function TotpSetupPage(c: AppContext, secret: string, error?: FieldError) {
  const t = tr(c);
  const user = await currentStaff(c);
  const uri = totpUri(secret, user.email, c.var.site.name);
  const qr = await qrDataUri(uri);
  const errors: Errors | undefined = error ? { code: error } : undefined;
  return adminPage(
    c,
    t("staff.setup.title"),
    <>
      <p class="small">
        <a href="/admin/security">← {t("staff.security.title")}</a>
      </p>
      <h1>{t("staff.setup.title")}</h1>
      <div class="card totp-setup">
        <ol class="steps">
          <li>{t("staff.setup.step1")}</li>
          <li>
            {t("staff.setup.step2")}
            <div class="qr">
              <img src={qr} alt={t("staff.setup.qrAlt")} width="220" height="220" />
            </div>
            <p class="small muted">{t("staff.setup.manual")}</p>
            <p>
              <code class="secret" data-secret={secret}>
                {groupSecret(secret)}
              </code>
            </p>
          </li>
          <li>
            {t("staff.setup.step3")}
            <form method="post" action="/admin/security/totp/confirm" class="stack totp-confirm">
              <CsrfField c={c} />
              <FormErrors c={c} errors={errors} />
              <Field
                c={c}
                name="code"
                label={t("staff.totp.code")}
                required
                autocomplete="one-time-code"
                inputmode="numeric"
                maxLength={7}
                errors={errors}
              />
              <div>
                <button type="submit">{t("staff.setup.confirm")}</button>
              </div>
            </form>
          </li>
        </ol>
      </div>
    </>,
    error ? 422 : 200,
  );
}

export function securityRoutes(app: Hono<AppEnv>): void {
  /** Slows guessing through a stolen admin session (password or code checks on this page). */
  async function limitChecks(c: AppContext, userId: string): Promise<void> {
    await hitRateLimit(c.var.services.db, `staff-security:${userId}`, 10, 15 * MINUTE);
  }

  app.get("/admin/security", (c) => SecurityPage(c));

  app.post("/admin/security/totp/start", async (c) => {
    const user = await currentStaff(c);
    const { enabled } = await getTotpState(c.var.services.db, user.id);
    if (!enabled) await startTotpSetup(c.var.services.db, user.id);
    return c.redirect(enabled ? "/admin/security" : "/admin/security/totp", 303);
  });

  app.get("/admin/security/totp", async (c) => {
    const user = await currentStaff(c);
    const { secret, enabled } = await getTotpState(c.var.services.db, user.id);
    if (enabled || !secret) return c.redirect("/admin/security", 303);
    return TotpSetupPage(c, secret);
  });

  app.post("/admin/security/totp/confirm", async (c) => {
    const { db } = c.var.services;
    const user = await currentStaff(c);
    const form = await readForm(c);
    await limitChecks(c, user.id);
    const { secret, enabled } = await getTotpState(db, user.id);
    if (enabled || !secret) return c.redirect("/admin/security", 303);
    if (!(await confirmTotpSetup(db, user.id, formValue(form, "code"))))
      return TotpSetupPage(c, secret, { key: "staff.totp.wrong" });
    // Sessions opened with the password alone end: from now on every session passed the second factor.
    await destroyOtherStaffSessions(db, user.id, c.var.staffSession!.sessionId);
    return c.redirect("/admin/security?done=totp-on", 303);
  });

  app.post("/admin/security/totp/disable", async (c) => {
    const { db } = c.var.services;
    const user = await currentStaff(c);
    const form = await readForm(c);
    await limitChecks(c, user.id);
    const { secret, enabled } = await getTotpState(db, user.id);
    if (!enabled || !secret) return c.redirect("/admin/security", 303);
    const errors: Errors = {};
    if (!(await checkStaffPassword(db, user.id, formValue(form, "password"))))
      errors.password = { key: "staff.security.wrongPassword" };
    if (!checkTotp(secret, formValue(form, "code"))) errors.code = { key: "staff.totp.wrong" };
    if (Object.keys(errors).length) return SecurityPage(c, { errors, form: "disable", status: 422 });
    await disableTotp(db, user.id);
    return c.redirect("/admin/security?done=totp-off", 303);
  });

  app.post("/admin/security/password", async (c) => {
    const { db } = c.var.services;
    const user = await currentStaff(c);
    const form = await readForm(c);
    await limitChecks(c, user.id);
    const current = formValue(form, "current");
    const password = formValue(form, "password");
    const errors: Errors = {};
    if (!(await checkStaffPassword(db, user.id, current))) errors.current = { key: "staff.security.wrongPassword" };
    if (password.length < 10) errors.password = { key: "validation.password" };
    else if (password.length > 200) errors.password = { key: "validation.too_long", params: { max: 200 } };
    else if (password !== formValue(form, "password2")) errors.password2 = { key: "staff.security.password.mismatch" };
    if (Object.keys(errors).length) return SecurityPage(c, { errors, form: "password", status: 422 });
    await setStaffPassword(db, user.id, password);
    // Anyone else holding a session (a forgotten laptop, a thief) is logged out.
    await destroyOtherStaffSessions(db, user.id, c.var.staffSession!.sessionId);
    return c.redirect("/admin/security?done=password", 303);
  });
}
