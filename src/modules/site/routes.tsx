import { fileURLToPath } from "node:url";
import type { Hono, MiddlewareHandler } from "hono";
import { allowLargeBody } from "../../platform/http/app.tsx";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { clientIp } from "../../platform/http/context.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
import { formValue } from "../../platform/http/forms.ts";
import { setLocaleCookie, setSessionCookie } from "../../platform/http/middleware.ts";
import { renderMarkdown } from "../../platform/markdown.ts";
import type { SiteSettings } from "../../platform/settings.ts";
import { registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { registerAsset } from "../../platform/views/assets.ts";
import { currentStaff, requireStaff } from "../staff/index.ts";
import { limits, pickLimits, parseSettings, parseSetup, pick, readSubmission, settingsNames } from "./schemas.ts";
import { performSetup, saveSettings } from "./service.ts";
import { aboutPage } from "./views/public.tsx";
import { homePage } from "./views/home.tsx";
import { homeSettingsRoutes } from "./home-settings.tsx";
import { settingsPage } from "./views/settings.tsx";
import { setupPage } from "./views/setup.tsx";

/** What still answers before setup: the setup page itself and what it needs to render. */
const openBeforeSetup = ["/setup", "/healthz", "/theme.css"];
const openPrefixesBeforeSetup = ["/assets/", "/media/", "/lang/"];

/**
 * Until the owner has set the site up, every page leads to /setup and every
 * other state change is refused: nothing can be created on a site without an owner.
 */
export function setupGate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.var.site.setupDone) return next();
    const path = c.req.path;
    if (openBeforeSetup.includes(path) || openPrefixesBeforeSetup.some((p) => path.startsWith(p))) return next();
    if (c.req.method === "GET" || c.req.method === "HEAD") return c.redirect("/setup", 303);
    throw new AppError("setup_required", 409, "site.error.setup_required");
  };
}

/** 422s from parsing re-render the form; anything else goes to the app's error page. */
function fieldErrors(err: unknown): AppError["fields"] | null {
  return err instanceof AppError && err.status === 422 ? err.fields : null;
}

async function requireOwner(c: AppContext): Promise<void> {
  const staff = await currentStaff(c);
  if (staff.role !== "owner") throw new AppError("forbidden", 403, "site.error.owner_only");
}

function settingsValues(site: SiteSettings): Record<string, string> {
  return {
    siteName: site.name,
    tagline: site.tagline,
    story: site.storyMarkdown,
    about: site.aboutMarkdown,
    locale: site.locale,
    currency: site.currency,
    timeZone: site.timeZone,
    accentColor: site.accentColor,
    contactEmail: site.contactEmail,
    mailFromName: site.mailFromName,
  };
}

export function siteRoutes(app: Hono<AppEnv>): void {
  app.use("*", setupGate());
  registerAsset(
    "site-timezone-search.js",
    fileURLToPath(new URL("./assets/timezone-search.js", import.meta.url)),
    "text/javascript; charset=utf-8",
  );
  allowLargeBody("/setup", limits.uploadBodyBytes, pickLimits(["logo", "portrait", "cover"]));
  allowLargeBody("/admin/settings", limits.uploadBodyBytes, pickLimits(["logo"]));
  homeSettingsRoutes(app);

  app.get("/setup", (c) => {
    if (c.var.site.setupDone) throw notFound();
    return setupPage(c, { locale: c.var.locale }, {});
  });

  app.post("/setup", async (c) => {
    // A conflict rather than a 404, so a setup that lost a race gets the same answer as a late one.
    if (c.var.site.setupDone) throw new AppError("setup_done", 409, "site.error.setup_done");
    const sub = await readSubmission(c);
    let parsed;
    try {
      parsed = await parseSetup(sub);
    } catch (err) {
      const fields = fieldErrors(err);
      if (!fields) throw err;
      const {
        password: _p,
        passwordConfirm: _pc,
        ...typed
      } = pick(sub.values, [
        "ownerName",
        "email",
        "password",
        "passwordConfirm",
        "siteName",
        "tagline",
        "story",
        "locale",
        "currency",
        "timeZone",
        "accentColor",
      ]);
      return setupPage(c, typed, fields, 422);
    }
    const { sessionToken } = await performSetup(
      c.var.services.db,
      c.var.services.storage,
      parsed.input,
      parsed.images,
      {
        ip: clientIp(c),
        userAgent: c.req.header("user-agent"),
      },
    );
    setSessionCookie(c, "staff", sessionToken);
    setLocaleCookie(c, parsed.input.locale);
    return c.redirect("/admin", 303);
  });

  app.get("/", async (c) => homePage(c));
  app.get("/about", (c) => aboutPage(c));

  // The admin module's guard is added after this module's routes, so these guard themselves.
  registerAdminNav({ href: "/admin/settings", labelKey: "site.nav.settings", order: 90 });
  registerAdminNav({ href: "/admin/settings/home", labelKey: "site.nav.home", order: 89 });

  app.get("/admin/settings", requireStaff(), async (c) => {
    await requireOwner(c);
    return settingsPage(c, { values: settingsValues(c.var.site), saved: c.req.query("saved") === "1" });
  });

  app.post("/admin/settings", requireStaff(), async (c) => {
    await requireOwner(c);
    const sub = await readSubmission(c);
    const typed: Record<string, string> = {
      ...pick(sub.values, settingsNames),
      removeLogo: formValue(sub.values, "removeLogo"),
    };
    if (formValue(sub.values, "action") === "preview") {
      // Shows what visitors would see, sanitised exactly as on save; stores nothing.
      const preview = {
        story: renderMarkdown((typed.story ?? "").slice(0, limits.story)),
        about: renderMarkdown((typed.about ?? "").slice(0, limits.about)),
      };
      return settingsPage(c, { values: typed, preview });
    }
    let parsed;
    try {
      parsed = await parseSettings(sub);
    } catch (err) {
      const fields = fieldErrors(err);
      if (!fields) throw err;
      return settingsPage(c, { values: typed, errors: fields }, 422);
    }
    await saveSettings(c.var.services.db, c.var.services.storage, parsed.input, parsed.logo, parsed.removeLogo);
    return c.redirect("/admin/settings?saved=1", 303);
  });
}
