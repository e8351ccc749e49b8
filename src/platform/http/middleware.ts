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
    // Personal pages must never be stored by a shared cache. Set before the route (which may set its
    // own): a header set after the response exists makes Hono rebuild the whole Response.
    const personal = memberSession !== null || staffSession !== null;
    if (personal) c.header("Cache-Control", "private, no-store");
    await next();
    // A route that built its own Response skipped the prepared headers.
    if (personal && !c.res.headers.has("cache-control")) c.header("Cache-Control", "private, no-store");
  };
}

/** The anonymous token, the same for every visitor of this secret: signed once, not on every page. */
let anonymousToken: { secret: string; token: string } | null = null;
export function csrfTokenFor(secret: string, memberHash?: string, staffHash?: string): string {
  if (memberHash === undefined && staffHash === undefined) {
    if (anonymousToken?.secret !== secret) anonymousToken = { secret, token: sign(secret, "csrf:-:-") };
    return anonymousToken.token;
  }
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

export const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

/**
 * Security headers on every response; the CSP forbids inline scripts and
 * styles. They are prepared before the route runs, so the response is built
 * with them once (setting headers on a finished response makes Hono copy
 * it, which cost more than the rest of a cached page). A route may set a
 * stricter, purpose-built policy or frame rule (e.g. the dev mailbox's
 * sandboxed HTML preview) with c.header: it replaces the prepared one.
 * HSTS only when the site is served over https (PUBLIC_URL), read at request
 * time: over plain http it would be ignored or, behind a TLS proxy
 * misconfigured later, lock browsers out.
 */
export function securityHeaders(config: { publicUrl: string }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const hsts = config.publicUrl.startsWith("https://");
    if (hsts) c.header("Strict-Transport-Security", "max-age=31536000");
    c.header("Content-Security-Policy", contentSecurityPolicy);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "strict-origin-when-cross-origin");
    await next();
    // A route that returned a Response it built itself skipped the prepared headers: add them, keeping its own.
    const headers = c.res.headers;
    if (headers.get("x-content-type-options") === "nosniff" && headers.has("referrer-policy")) return;
    if (!headers.has("content-security-policy")) c.header("Content-Security-Policy", contentSecurityPolicy);
    c.header("X-Content-Type-Options", "nosniff");
    if (!headers.has("x-frame-options")) c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "strict-origin-when-cross-origin");
    if (config.publicUrl.startsWith("https://")) c.header("Strict-Transport-Security", "max-age=31536000");
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
