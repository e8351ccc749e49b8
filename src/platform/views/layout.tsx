/** @jsxImportSource #html-jsx */
import type { Child } from "hono/jsx";
import type { AppContext } from "../http/context.ts";
import { tr } from "../http/context.ts";
import { assetUrl, themeUrl } from "./assets.ts";
import { CsrfField } from "./components.tsx";
import { htmlBody } from "./html-jsx/jsx-runtime.ts";

export interface PageMeta {
  title: string;
  description?: string;
  /** Extra <head> children (feeds, canonical links). */
  head?: Child;
  /** Set for pages that must not be indexed (account, login). */
  noindex?: boolean;
}

/** Links modules add to the public header's navigation (after Home and About). */
export interface NavLink {
  href: string;
  /** i18n key of the label. */
  labelKey: string;
  order: number;
}
const navLinks: NavLink[] = [];
export function registerNavLink(link: NavLink): void {
  if (!navLinks.some((l) => l.href === link.href)) navLinks.push(link);
  navLinks.sort((a, b) => a.order - b.order);
}

/** <link> elements modules add to every public page's <head> (feeds); the title is the site's name. */
export interface HeadLink {
  rel: string;
  type?: string;
  href: string;
}
const headLinks: HeadLink[] = [];
export function registerHeadLink(link: HeadLink): void {
  if (!headLinks.some((l) => l.href === link.href && l.rel === link.rel)) headLinks.push(link);
}

export function logoUrl(fileId: string | null): string | null {
  return fileId ? `/media/${fileId}` : null;
}

/** The public site's frame: header with the creator's name and logo, navigation, footer. */
export function Layout({ c, meta, children }: { c: AppContext; meta: PageMeta; children: Child }) {
  const t = tr(c);
  const site = c.var.site;
  const locale = c.var.locale;
  const other = locale === "fr" ? "en" : "fr";
  const logo = logoUrl(site.logoFileId);
  const title = meta.title === site.name ? site.name : `${meta.title} · ${site.name}`;
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        {meta.description && <meta name="description" content={meta.description} />}
        {meta.noindex && <meta name="robots" content="noindex" />}
        <link rel="stylesheet" href={assetUrl("app.css")} />
        <link rel="stylesheet" href={themeUrl(site.accentColor)} />
        <script src={assetUrl("app.js")} defer></script>
        {headLinks.map((l) => (
          <link rel={l.rel} type={l.type} href={l.href} title={site.name} />
        ))}
        {meta.head}
      </head>
      <body>
        <a class="skip" href="#main">
          {t("app.skip")}
        </a>
        <header class="site-header">
          <div class="wrap">
            <a class="brand" href="/">
              {logo && <img src={logo} alt="" width="36" height="36" />}
              <span>{site.name}</span>
            </a>
            <nav class="nav" aria-label={site.name}>
              <a href="/">{t("nav.home")}</a>
              <a href="/about">{t("nav.about")}</a>
              {navLinks.map((l) => (
                <a href={l.href}>{t(l.labelKey)}</a>
              ))}
              {c.var.memberSession ? (
                <>
                  <a href="/account">{t("nav.account")}</a>
                  <form method="post" action="/logout">
                    <CsrfField c={c} />
                    <button type="submit" class="link">
                      {t("nav.logout")}
                    </button>
                  </form>
                </>
              ) : (
                <>
                  <a href="/join">{t("nav.join")}</a>
                  <a href="/login">{t("nav.login")}</a>
                </>
              )}
              {c.var.staffSession && !c.var.staffSession.mfaPending && <a href="/admin">{t("nav.admin")}</a>}
              <a
                class="lang-switch"
                href={`/lang/${other}?next=${encodeURIComponent(c.req.path)}`}
                hreflang={other}
                lang={other}
              >
                {t("app.switchTo")}
              </a>
            </nav>
          </div>
        </header>
        <main id="main">{children}</main>
        <footer class="site-footer">
          <div class="wrap">
            <span>
              © {new Date().getFullYear()} {site.name}
            </span>
            <span>{t("app.poweredBy")}</span>
          </div>
        </footer>
      </body>
    </html>
  );
}

/** Renders a full public page. */
export function page(
  c: AppContext,
  meta: PageMeta,
  body: Child,
  status: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 = 200,
) {
  return c.html(
    htmlBody(
      <Layout c={c} meta={meta}>
        {body}
      </Layout>,
    ),
    status,
  );
}
