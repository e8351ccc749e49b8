import type { IncomingMessage } from "node:http";
import { Hono, type Next } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { AppContext, AppEnv, Services } from "./context.ts";
import { tr, useFastVariables } from "./context.ts";
import { AppError } from "./errors.ts";
import {
  checkCsrf,
  completePersonal,
  completeSecurityHeaders,
  loadRequestContext,
  prepareSecurityHeaders,
  setLocaleCookie,
} from "./middleware.ts";
import { safeRedirectPath } from "./forms.ts";
import { bodyLimitFor, checkQueryEncoding, cleanupBody, defaultBodyBytes } from "./body.ts";
import { pageCacheStats } from "./page-cache.ts";
import { readStats } from "./stats.ts";
import { isLocale, registerMessages, t, defaultLocale } from "../i18n/index.ts";
import { platformMessages } from "../i18n/messages.ts";
import { assetRoutes } from "../views/assets.ts";
import { page } from "../views/layout.tsx";
import { findFile, serveStoredFile } from "../storage/index.ts";
import { errorFields, log, logs } from "../log.ts";
import { defaultSiteSettings } from "../settings.ts";
import type { AtelierModule } from "../module.ts";

export { allowLargeBody } from "./body.ts";
export { registerStats } from "./stats.ts";

/** Files any visitor may fetch by id (others are served by their module through the access policy). */
const publicFilePurposes = new Set(["logo", "portrait", "cover"]);

function wantsJson(c: AppContext): boolean {
  return c.req.path.startsWith("/api/") || (c.req.header("accept") ?? "").startsWith("application/json");
}

/** Renders an AppError as a translated page or JSON; never a stack trace. */
export function renderError(c: AppContext, err: AppError) {
  const locale = isLocale(c.var.locale) ? c.var.locale : defaultLocale;
  const message = t(locale, err.messageKey, err.params);
  if (wantsJson(c)) {
    const fields = Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, t(locale, v.key, v.params)]));
    return c.json({ error: { code: err.code, message, fields } }, err.status);
  }
  if (!c.var.site) c.set("site", defaultSiteSettings);
  if (!c.var.locale) c.set("locale", locale);
  if (c.var.memberSession === undefined) c.set("memberSession", null);
  if (c.var.staffSession === undefined) c.set("staffSession", null);
  const tt = tr(c);
  return page(
    c,
    { title: tt("error.title"), noindex: true },
    <div class="narrow">
      <h1>{tt("error.title")}</h1>
      <p class="prose" data-error-code={err.code}>
        {message}
      </p>
      <p>
        <a href="/">{tt("error.back")}</a>
      </p>
    </div>,
    err.status as 400,
  );
}

export function createApp(services: Services, modules: AtelierModule[]): Hono<AppEnv> {
  registerMessages(platformMessages);
  for (const m of modules) if (m.messages) registerMessages(m.messages);

  const app = new Hono<AppEnv>();

  app.onError((err, c) => {
    if (err instanceof AppError) return renderError(c, err);
    if (err instanceof HTTPException && err.status < 500) {
      const code = err.status === 413 ? "payload_too_large" : err.status === 404 ? "not_found" : "invalid_input";
      return renderError(c, new AppError(code, err.status));
    }
    if (err instanceof SyntaxError || err instanceof URIError)
      return renderError(c, new AppError("invalid_input", 400));
    log.error("unhandled error", { method: c.req.method, path: c.req.path, ...errorFields(err) });
    return renderError(c, new AppError("internal", 500));
  });
  app.notFound((c) => renderError(c, new AppError("not_found", 404)));

  // First on every request, in one frame: the request's variables (fast c.var), the security
  // headers, and one structured line per request (method, path, status, duration), not for assets.
  const hsts = services.config.publicUrl.startsWith("https://");
  app.use("*", async (c, next) => {
    useFastVariables(c);
    c.set("services", services);
    const started = performance.now();
    prepareSecurityHeaders(c, hsts);
    await next();
    completeSecurityHeaders(c, hsts);
    // An answer given before the body was read in full (413, a refused or broken upload): the
    // server will not read the rest, so the connection cannot be reused. Say so.
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (incoming && !incoming.complete) c.header("Connection", "close");
    if (logs("info") && !c.req.path.startsWith("/assets/")) {
      log.info("request", {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    }
  });
  // Liveness and readiness in one: answers only when the database answers. The page cache's
  // counts since start let an operator (and the benchmarks) see how much traffic it answers.
  app.get("/healthz", async (c) => {
    await services.db.selectFrom("settings").select("key").limit(1).execute();
    return c.json({
      status: "ok",
      database: services.dialect,
      mail: services.mailer.kind,
      pageCache: pageCacheStats(),
      stats: readStats(),
    });
  });

  // Token-addressed GETs that apps poll every few minutes: nothing of the request context serves them
  // (only the services, set in the first frame).
  for (const m of modules) m.pollRoutes?.(app);

  const tooLarge = () => {
    throw new AppError("payload_too_large", 413);
  };
  const defaultBodyLimit = bodyLimit({ maxSize: defaultBodyBytes, onError: tooLarge });
  // What every routed request goes through, in one frame: the request context (settings, language,
  // sessions), the query string's encoding, the CSRF check, and afterwards the parsed body's files.
  const pipeline = async (c: AppContext, next: Next): Promise<void> => {
    try {
      const personal = await loadRequestContext(c, services);
      // A query string must be valid UTF-8 once percent-decoded: refused here rather than read as U+FFFD.
      checkQueryEncoding(c.req.url);
      const method = c.req.method;
      if (method !== "GET" && method !== "HEAD") await checkCsrf(c);
      await next();
      if (personal) completePersonal(c);
    } finally {
      const cleaning = cleanupBody(c);
      if (cleaning) await cleaning;
    }
  };
  app.use("*", (c, next) => {
    // A GET or HEAD carries no body to limit; asking for one makes the node adapter build a stream.
    if (c.req.method === "GET" || c.req.method === "HEAD") return pipeline(c, next);
    const inner = () => pipeline(c, next);
    const max = bodyLimitFor(c.req.path);
    if (max === defaultBodyBytes) return defaultBodyLimit(c, inner);
    // An upload path without a Content-Length (chunked): Hono's bodyLimit would hold the whole body in
    // memory to count it. Such paths read their body through the body reader, which counts it as it
    // streams against the same limit (BodyGuard) and checks each file against its own rule.
    if (c.req.header("transfer-encoding") || !c.req.header("content-length")) return inner();
    return bodyLimit({ maxSize: max, onError: tooLarge })(c, inner);
  });
  assetRoutes(app);

  app.get("/lang/:locale", (c) => {
    const locale = c.req.param("locale");
    if (!isLocale(locale)) throw new AppError("invalid_input", 400, "validation.locale");
    // The target first: a refused one is a 400 that changes nothing.
    const target = safeRedirectPath(c.req.query("next"));
    setLocaleCookie(c, locale);
    return c.redirect(target, 303);
  });

  app.get("/media/:id", async (c) => {
    const file = await findFile(services.db, c.req.param("id"));
    if (!file || !publicFilePurposes.has(file.purpose)) throw new AppError("not_found", 404);
    return serveStoredFile(c, file, { cacheControl: "public, max-age=31536000, immutable" });
  });

  for (const m of modules) m.routes?.(app);
  return app;
}
