import type { Child } from "hono/jsx";
import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { assetUrl, themeUrl } from "../../platform/views/assets.ts";
import { logoUrl } from "../../platform/views/layout.tsx";

/**
 * The frame of the owner's login screens: no site navigation, one centred
 * card, the language switch in a corner. It speaks the browser's language
 * (or the one picked with the switch), since nobody is known yet.
 */
export function AuthFrame({ c, title, children }: { c: AppContext; title: string; children: Child }) {
  const t = tr(c);
  const site = c.var.site;
  const locale = c.var.locale;
  const other = locale === "fr" ? "en" : "fr";
  const logo = logoUrl(site.logoFileId);
  const here = c.req.url ? new URL(c.req.url).pathname + new URL(c.req.url).search : "/admin/login";
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · ${site.name}`}</title>
        <link rel="stylesheet" href={assetUrl("app.css")} />
        <link rel="stylesheet" href={themeUrl(site.accentColor)} />
        <script src={assetUrl("app.js")} defer></script>
      </head>
      <body class="auth-body">
        <a class="skip" href="#main">
          {t("app.skip")}
        </a>
        <div class="auth-top">
          <a class="lang-switch" href={`/lang/${other}?next=${encodeURIComponent(here)}`} hreflang={other} lang={other}>
            {t("app.switchTo")}
          </a>
        </div>
        <main id="main" class="auth-main">
          <div class="auth-card">
            <p class="auth-brand">
              {logo && <img src={logo} alt="" width="40" height="40" />}
              <span>{site.name}</span>
            </p>
            {children}
          </div>
          <p class="auth-foot muted small">
            <a href="/">{t("staff.login.backToSite")}</a>
          </p>
        </main>
      </body>
    </html>
  );
}
