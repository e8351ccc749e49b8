import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { clientIp, tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { formValue, readForm, safeRedirectPath } from "../../platform/http/forms.ts";
import { clearSessionCookie, setSessionCookie } from "../../platform/http/middleware.ts";
import { attemptsSoFar, countAttempt, hitRateLimit } from "../../platform/security/rate-limit.ts";
import { normalizeEmail } from "../../platform/email.ts";
import { clearMfaPending, createSession, destroySession } from "../../platform/security/sessions.ts";
import { CsrfField, Field } from "../../platform/views/components.tsx";
import { FormField } from "../../platform/views/form-field.tsx";
import { registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { verifyStaffPassword } from "./service.ts";
import { useTotpCode, getTotpState } from "./totp.ts";
import { AuthFrame } from "./views.tsx";
import { securityRoutes } from "./security.tsx";

const MINUTE = 60_000;
/**
 * Password guesses are refused (429) per client IP and per (email, IP); an
 * account's failures from anywhere only slow its next attempts down, never
 * lock it, so strangers guessing cannot keep the owner out.
 */
export const loginLimits = { perIp: 30, perEmailAndIp: 10, windowMs: 15 * MINUTE, freeFailures: 5, maxDelayMs: 2000 };

/** The pause before checking a password, after `failures` failed attempts on the account in the window. */
export function loginDelayMs(failures: number): number {
  if (failures <= loginLimits.freeFailures) return 0;
  return Math.min(loginLimits.maxDelayMs, 100 * 2 ** (failures - loginLimits.freeFailures - 1));
}
/** A 6-digit code has a million values: a handful of tries per pending login, a few more per account. */
const codeLimits = { perSession: 5, perUser: 10, windowMs: 15 * MINUTE };

/** Where to go after logging in: a local path, never back to the login pages. */
function afterLogin(next: unknown): string {
  const path = safeRedirectPath(next, "/admin");
  return path.startsWith("/admin/login") || path.startsWith("/admin/logout") ? "/admin" : path;
}

function withNext(path: string, next: string): string {
  return next === "/admin" ? path : `${path}?next=${encodeURIComponent(next)}`;
}

type AuthStatus = 200 | 401 | 422 | 429;

function LoginPage(c: AppContext, opts: { email?: string; next: string; error?: string; status?: AuthStatus }) {
  const t = tr(c);
  return c.html(
    <AuthFrame c={c} title={t("staff.login.title")}>
      <h1>{t("staff.login.title")}</h1>
      <p class="muted">{t("staff.login.intro")}</p>
      {opts.error && (
        <div class="form-errors" role="alert" tabindex={-1} data-error={opts.status}>
          <p>{opts.error}</p>
        </div>
      )}
      <form method="post" action="/admin/login" class="stack">
        <CsrfField c={c} />
        <input type="hidden" name="next" value={opts.next} />
        <Field
          c={c}
          name="email"
          type="email"
          label={t("staff.login.email")}
          value={opts.email}
          required
          autocomplete="username"
          maxLength={254}
        />
        <Field
          c={c}
          name="password"
          type="password"
          label={t("staff.login.password")}
          required
          autocomplete="current-password"
          maxLength={200}
        />
        <button type="submit">{t("staff.login.submit")}</button>
      </form>
    </AuthFrame>,
    opts.status ?? 200,
  );
}

function TotpPage(c: AppContext, opts: { next: string; error?: string; status?: AuthStatus }) {
  const t = tr(c);
  return c.html(
    <AuthFrame c={c} title={t("staff.totp.title")}>
      <h1>{t("staff.totp.title")}</h1>
      <p class="muted">{t("staff.totp.intro")}</p>
      {opts.error && (
        <div class="form-errors" role="alert" tabindex={-1} data-error={opts.status}>
          <p>{opts.error}</p>
        </div>
      )}
      <form method="post" action="/admin/login/totp" class="stack">
        <CsrfField c={c} />
        <input type="hidden" name="next" value={opts.next} />
        <FormField c={c} name="code" label={t("staff.totp.code")}>
          <input
            id="f-code"
            class="code-input"
            name="code"
            type="text"
            inputmode="numeric"
            autocomplete="one-time-code"
            pattern="[0-9 ]{6,7}"
            maxlength={7}
            required
            autofocus
          />
        </FormField>
        <button type="submit">{t("staff.totp.submit")}</button>
      </form>
      <form method="post" action="/admin/logout" class="auth-cancel">
        <CsrfField c={c} />
        <button type="submit" class="link small">
          {t("staff.totp.cancel")}
        </button>
      </form>
    </AuthFrame>,
    opts.status ?? 200,
  );
}

function isAuthError(err: unknown): err is AppError {
  return err instanceof AppError && (err.status === 401 || err.status === 429);
}

export function staffRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/security", labelKey: "staff.nav.security", order: 95 });

  app.get("/admin/login", (c) => {
    const next = afterLogin(c.req.query("next"));
    const session = c.var.staffSession;
    if (session && !session.mfaPending) return c.redirect(next, 303);
    return LoginPage(c, { next });
  });

  app.post("/admin/login", async (c) => {
    const t = tr(c);
    const { db } = c.var.services;
    const form = await readForm(c);
    const email = normalizeEmail(formValue(form, "email")).slice(0, 254);
    const password = formValue(form, "password").slice(0, 200);
    const next = afterLogin(formValue(form, "next"));
    if (!email || !password) return LoginPage(c, { email, next, error: t("staff.login.missing"), status: 422 });
    let user;
    try {
      const ip = clientIp(c);
      await hitRateLimit(db, `staff-login:ip:${ip}`, loginLimits.perIp, loginLimits.windowMs);
      await hitRateLimit(db, `staff-login:pair:${email}|${ip}`, loginLimits.perEmailAndIp, loginLimits.windowMs);
      const failKey = `staff-login:fail:${email}`;
      const delay = loginDelayMs(await attemptsSoFar(db, failKey, loginLimits.windowMs));
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        user = await verifyStaffPassword(db, email, password);
      } catch (err) {
        if (err instanceof AppError && err.status === 401) await countAttempt(db, failKey, loginLimits.windowMs);
        throw err;
      }
    } catch (err) {
      if (isAuthError(err))
        return LoginPage(c, { email, next, error: t(err.messageKey), status: err.status as 401 | 429 });
      throw err;
    }
    // A fresh session on every login; whatever the browser held before is dropped.
    if (c.var.staffSession) await destroySession(db, c.var.staffSession.sessionId);
    const session = await createSession(db, "staff", user.id, {
      ip: clientIp(c),
      userAgent: c.req.header("user-agent"),
      mfaPending: user.totpEnabled,
    });
    setSessionCookie(c, "staff", session.token);
    return c.redirect(user.totpEnabled ? withNext("/admin/login/totp", next) : next, 303);
  });

  app.get("/admin/login/totp", (c) => {
    const next = afterLogin(c.req.query("next"));
    const session = c.var.staffSession;
    if (!session) return c.redirect(withNext("/admin/login", next), 303);
    if (!session.mfaPending) return c.redirect(next, 303);
    return TotpPage(c, { next });
  });

  app.post("/admin/login/totp", async (c) => {
    const t = tr(c);
    const { db } = c.var.services;
    const form = await readForm(c);
    const next = afterLogin(formValue(form, "next"));
    const session = c.var.staffSession;
    if (!session) return c.redirect(withNext("/admin/login", next), 303);
    if (!session.mfaPending) return c.redirect(next, 303);
    try {
      await hitRateLimit(db, `staff-totp:session:${session.sessionId}`, codeLimits.perSession, codeLimits.windowMs);
      await hitRateLimit(db, `staff-totp:user:${session.subjectId}`, codeLimits.perUser, codeLimits.windowMs);
    } catch (err) {
      if (isAuthError(err)) return TotpPage(c, { next, error: t(err.messageKey), status: 429 });
      throw err;
    }
    const { secret, enabled } = await getTotpState(db, session.subjectId);
    if (!enabled || !secret || !(await useTotpCode(db, session.subjectId, secret, formValue(form, "code")))) {
      return TotpPage(c, { next, error: t("staff.totp.wrong"), status: 401 });
    }
    await clearMfaPending(db, session.sessionId, "staff");
    return c.redirect(next, 303);
  });

  // Reachable with a pending (half-done) login too, so "cancel" on the code page works.
  app.post("/admin/logout", async (c) => {
    const session = c.var.staffSession;
    if (session) await destroySession(c.var.services.db, session.sessionId);
    clearSessionCookie(c, "staff");
    return c.redirect("/admin/login", 303);
  });

  securityRoutes(app);
}
