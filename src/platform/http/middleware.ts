import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import { AppError } from "./errors.ts";
import { isFormType, readBody, type FormFields } from "./body.ts";
import type { AppContext, AppEnv, Services } from "./context.ts";
import { negotiateLocale, toLocale, isLocale, type Locale } from "../i18n/index.ts";
import { freshSiteSettings, getSiteSettings } from "../settings.ts";
import { loadSession, sessionCookie, sessionLifetimeMs, type SubjectKind } from "../security/sessions.ts";
import { safeEqual, sign } from "../security/tokens.ts";

export const localeCookie = "atl_lang";

/** Accept-Language headers are few (browsers send a handful): their language is remembered (bounded). */
const negotiated = new Map<string, Locale>();
function localeOf(header: string | undefined, fallback: Locale): Locale {
  if (!header) return fallback;
  const key = fallback + header;
  let locale = negotiated.get(key);
  if (locale === undefined) {
    locale = negotiateLocale(header, fallback);
    if (negotiated.size >= 1000) negotiated.clear();
    if (header.length <= 200) negotiated.set(key, locale);
  }
  return locale;
}

/**
 * Puts the services, site settings, language, sessions and CSRF token in the request context;
 * returns whether the request carries a session (a personal page). A request without any cookie
 * (most anonymous visits) has no session to look up.
 */
export async function loadRequestContext(c: AppContext, services: Services): Promise<boolean> {
  c.set("services", services);
  const site = freshSiteSettings(services.db) ?? (await getSiteSettings(services.db));
  c.set("site", site);
  const acceptLanguage = c.req.header("accept-language");
  if (!c.req.header("cookie")) {
    c.set("locale", localeOf(acceptLanguage, site.locale));
    c.set("memberSession", null);
    c.set("staffSession", null);
    c.set("csrfToken", csrfTokenFor(services.secret));
    return false;
  }
  const cookieLocale = getCookie(c, localeCookie);
  c.set("locale", isLocale(cookieLocale) ? cookieLocale : localeOf(acceptLanguage, site.locale));
  const memberToken = getCookie(c, sessionCookie.member);
  const staffToken = getCookie(c, sessionCookie.staff);
  const [memberSession, staffSession] =
    memberToken || staffToken
      ? await Promise.all([
          loadSession(services.db, "member", memberToken),
          loadSession(services.db, "staff", staffToken),
        ])
      : [null, null];
  c.set("memberSession", memberSession);
  c.set("staffSession", staffSession);
  c.set("csrfToken", csrfTokenFor(services.secret, memberSession?.tokenHash, staffSession?.tokenHash));
  // Personal pages must never be stored by a shared cache. Set before the route (which may set its
  // own): a header set after the response exists makes Hono rebuild the whole Response.
  const personal = memberSession !== null || staffSession !== null;
  if (personal) c.header("Cache-Control", "private, no-store");
  return personal;
}

/** After the route of a personal request: a route that built its own Response skipped the prepared headers. */
export function completePersonal(c: AppContext): void {
  if (!c.res.headers.has("cache-control")) c.header("Cache-Control", "private, no-store");
}

/** Loads services, site settings, language and sessions into the request context. */
export function contextMiddleware(services: Services): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const personal = await loadRequestContext(c, services);
    await next();
    if (personal) completePersonal(c);
  };
}

/** The anonymous token, the same for every visitor of this secret: signed once, not on every page. */
let anonymousToken: { secret: string; token: string } | null = null;
/**
 * A session's token is the same on every page of that session: signed at its first page, then kept
 * (bounded) by session hash, so a personal page costs no HMAC. It holds no session token, only hashes.
 */
let sessionTokens: { secret: string; tokens: Map<string, string> } = { secret: "", tokens: new Map() };
export function csrfTokenFor(secret: string, memberHash?: string, staffHash?: string): string {
  if (memberHash === undefined && staffHash === undefined) {
    if (anonymousToken?.secret !== secret) anonymousToken = { secret, token: sign(secret, "csrf:-:-") };
    return anonymousToken.token;
  }
  const key = `${memberHash ?? "-"}:${staffHash ?? "-"}`;
  if (sessionTokens.secret !== secret) sessionTokens = { secret, tokens: new Map() };
  let token = sessionTokens.tokens.get(key);
  if (token === undefined) {
    token = sign(secret, `csrf:${key}`);
    if (sessionTokens.tokens.size >= 10_000) sessionTokens.tokens.clear();
    sessionTokens.tokens.set(key, token);
  }
  return token;
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
    await checkCsrf(c);
    return next();
  };
}

/** The CSRF check of csrfMiddleware (nothing to check on GET, HEAD and OPTIONS); throws a 403. */
export async function checkCsrf(c: AppContext): Promise<void> {
  const method = c.req.method;
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return;
  const path = c.req.path;
  if (csrfExempt.some((p) => path.startsWith(p))) return;
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
    prepareSecurityHeaders(c, hsts);
    await next();
    completeSecurityHeaders(c, hsts);
  };
}

/** The security headers, prepared before the route (see securityHeaders). */
export function prepareSecurityHeaders(c: AppContext, hsts: boolean): void {
  if (hsts) c.header("Strict-Transport-Security", "max-age=31536000");
  c.header("Content-Security-Policy", contentSecurityPolicy);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("X-Frame-Options", "DENY");
  c.header("Referrer-Policy", "strict-origin-when-cross-origin");
}

/** After the route: a route that returned a Response it built itself skipped the prepared headers. */
export function completeSecurityHeaders(c: AppContext, hsts: boolean): void {
  const headers = c.res.headers;
  if (headers.get("x-content-type-options") === "nosniff" && headers.has("referrer-policy")) return;
  if (!headers.has("content-security-policy")) c.header("Content-Security-Policy", contentSecurityPolicy);
  c.header("X-Content-Type-Options", "nosniff");
  if (!headers.has("x-frame-options")) c.header("X-Frame-Options", "DENY");
  c.header("Referrer-Policy", "strict-origin-when-cross-origin");
  if (hsts) c.header("Strict-Transport-Security", "max-age=31536000");
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
