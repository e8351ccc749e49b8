import type { Child } from "hono/jsx";
import type { AppContext } from "../http/context.ts";
import { tr } from "../http/context.ts";
import { assetUrl, themeUrl } from "./assets.ts";
import { CsrfField } from "./components.tsx";

/**
 * The admin's frame. Modules add their entries with registerAdminNav, so the
 * menu grows with the product without this file changing. It lives in the
 * platform, with no domain import, so any module can draw an admin page
 * without depending on the admin module (whose guard depends on staff).
 */
export interface AdminNavItem {
  href: string;
  /** i18n key of the label. */
  labelKey: string;
  order: number;
  /** "system": technical pages (background tasks, test mailbox, site health), grouped at the end under "System". */
  section?: "system";
}

const navItems: AdminNavItem[] = [];

export function registerAdminNav(item: AdminNavItem): void {
  if (!navItems.some((i) => i.href === item.href)) navItems.push(item);
  navItems.sort((a, b) => a.order - b.order);
}

export function AdminLayout({ c, title, children }: { c: AppContext; title: string; children: Child }) {
  const t = tr(c);
  const site = c.var.site;
  const path = c.req.path;
  const matches = (href: string) =>
    href === "/admin" ? path === "/admin" : path === href || path.startsWith(href + "/");
  // Only the most specific entry is current (/admin/settings/home is "Home page", not also "Settings").
  const currentHref = navItems
    .filter((i) => matches(i.href))
    .reduce<string | null>((best, i) => (!best || i.href.length > best.length ? i.href : best), null);
  const navLink = (item: AdminNavItem) => {
    const current = item.href === currentHref;
    return (
      <a href={item.href} aria-current={current ? "page" : undefined}>
        {t(item.labelKey)}
      </a>
    );
  };
  return (
    <html lang={c.var.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · ${t("admin.title")} · ${site.name}`}</title>
        <link rel="stylesheet" href={assetUrl("app.css")} />
        <link rel="stylesheet" href={themeUrl(site.accentColor)} />
        <script src={assetUrl("app.js")} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          {t("app.skip")}
        </a>
        <div class="admin">
          <aside class="admin-side">
            <a class="brand" href="/admin">
              {site.name}
            </a>
            <nav aria-label={t("admin.title")}>
              {navItems.filter((i) => !i.section).map((item) => navLink(item))}
              <a href="/">{t("admin.nav.viewSite")}</a>
              <a href={`/lang/${c.var.locale === "fr" ? "en" : "fr"}?next=${encodeURIComponent(path)}`}>
                {t("app.switchTo")}
              </a>
              {navItems.some((i) => i.section === "system") && (
                <div class="nav-section" role="group" aria-labelledby="nav-system">
                  <span class="nav-section-title" id="nav-system">
                    {t("admin.nav.system")}
                  </span>
                  {navItems.filter((i) => i.section === "system").map((item) => navLink(item))}
                </div>
              )}
              <form method="post" action="/admin/logout">
                <CsrfField c={c} />
                <button type="submit" class="link small">
                  {t("nav.logout")}
                </button>
              </form>
            </nav>
          </aside>
          <main id="main" class="admin-main">
            {children}
          </main>
        </div>
      </body>
    </html>
  );
}

export function adminPage(c: AppContext, title: string, body: Child, status: 200 | 404 | 409 | 413 | 415 | 422 = 200) {
  return c.html(
    <AdminLayout c={c} title={title}>
      {body}
    </AdminLayout>,
    status,
  );
}
