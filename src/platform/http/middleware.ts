import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import { AppError } from "./errors.ts";
import { isFormType, readBody, type FormFields } from "./body.ts";
import type { AppContext, AppEnv, Services } from "./context.ts";
import { negotiateLocale, toLocale, isLocale, type Locale } from "../i18n/index.ts";
import { getSiteSettings } from "../settings.ts";
import { loadSession, sessionCookie, sessionLifetimeMs, type SubjectKind } from "../security/sessions.ts";
import { safeEqual, sign } from "../security/tokens.ts";

export const localeCookie = "atl_lang";

/** Loads services, site settings, language and sessions into the request context. */
export function contextMiddleware(services: Services): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("services", services);
    const site = await getSiteSettings(services.db);
    c.set("site", site);
    const cookieLocale = getCookie(c, localeCookie);
    c.set(
      "locale",
      isLocale(cookieLocale) ? cookieLocale : negotiateLocale(c.req.header("accept-language"), site.locale),
    );
    const [memberSession, staffSession] = await Promise.all([
      loadSession(services.db, "member", getCookie(c, sessionCookie.member)),
      loadSession(services.db, "staff", getCookie(c, sessionCookie.staff)),
    ]);
    c.set("memberSession", memberSession);
    c.set("staffSession", staffSession);
    c.set("csrfToken", csrfTokenFor(services.secret, memberSession?.tokenHash, staffSession?.tokenHash));
    await next();
    // Personal pages must never be stored by a shared cache.
    if ((memberSession || staffSession) && !c.res.headers.has("cache-control"))
      c.header("Cache-Control", "private, no-store");
  };
}

export function csrfTokenFor(secret: string, memberHash?: string, staffHash?: string): string {
  return sign(secret, `csrf:${memberHash ?? "-"}:${staffHash ?? "-"}`);
}

/** Paths that take POSTs from other origins by design (signed webhooks, RFC 8058 one-click unsubscribe). */
const csrfExempt: string[] = ["/webhooks/"];
export function exemptFromCsrf(prefix: string): void {
  if (!csrfExempt.includes(prefix)) csrfExempt.push(prefix);
}

/**
 * CSRF defence on every state change: a cross-site Origin or Sec-Fetch-Site
 * is refused outright; a request that carries a session must also send the
 * session-bound token (_csrf field or X-CSRF-Token header). Anonymous forms
 * (join, login) carry no session to abuse, which also lets their pages be
 * cached.
 */
export function csrfMiddleware(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") return next();
    const path = c.req.path;
    if (csrfExempt.some((p) => path.startsWith(p))) return next();
    const fetchSite = c.req.header("sec-fetch-site");
    if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") throw new AppError("csrf", 403);
    const origin = c.req.header("origin");
    if (origin && origin !== "null") {
      const host = c.req.header("host");
      let originHost = "";
      try {
        originHost = new URL(origin).host;
      } catch {
        throw new AppError("csrf", 403);
      }
      const publicHost = new URL(c.var.services.config.publicUrl).host;
      if (originHost !== host && originHost !== publicHost) throw new AppError("csrf", 403);
    } else if (origin === "null") {
      throw new AppError("csrf", 403);
    }
    if (c.var.memberSession || c.var.staffSession) {
      let sent = c.req.header("x-csrf-token");
      if (!sent && isFormType(c.req.header("content-type") ?? "")) {
        // Our forms put _csrf before any file: an upload without the right token is refused
        // before a byte of the file is kept (the body is read once; the route reuses it).
        const tokenOf = (fields: FormFields) => (typeof fields._csrf === "string" ? fields._csrf : undefined);
        const { fields } = await readBody(c, {
          beforeFile: (early) => {
            const token = tokenOf(early);
            if (!token || !safeEqual(token, c.var.csrfToken)) throw new AppError("csrf", 403);
          },
        });
        sent = tokenOf(fields);
      }
      if (!sent || !safeEqual(sent, c.var.csrfToken)) throw new AppError("csrf", 403);
    }
    return next();
  };
}

/** Security headers on every response; the CSP forbids inline scripts and styles. */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    // A handler may set a stricter, purpose-built policy (e.g. the dev mailbox's sandboxed HTML preview): keep it.
    const ownPolicy = c.res.headers.has("content-security-policy");
    if (!ownPolicy) {
      c.header(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
      );
    }
    c.header("X-Content-Type-Options", "nosniff");
    if (!c.res.headers.has("x-frame-options")) c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "strict-origin-when-cross-origin");
  };
}

/** Sets a session cookie with the project's flags (HttpOnly, SameSite=Lax, Secure under https). */
export function setSessionCookie(c: AppContext, kind: SubjectKind, token: string): void {
  setCookie(c, sessionCookie[kind], token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: c.var.services.config.secureCookies,
    path: "/",
    maxAge: Math.floor(sessionLifetimeMs[kind] / 1000),
  });
}

export function clearSessionCookie(c: AppContext, kind: SubjectKind): void {
  deleteCookie(c, sessionCookie[kind], { path: "/", secure: c.var.services.config.secureCookies });
}

/** Remembers the reader's language choice (a preference, not a session). */
export function setLocaleCookie(c: AppContext, locale: Locale): void {
  setCookie(c, localeCookie, locale, {
    path: "/",
    sameSite: "Lax",
    secure: c.var.services.config.secureCookies,
    maxAge: 365 * 86400,
  });
  c.set("locale", toLocale(locale));
}
