import type { Child } from "hono/jsx";
import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { assetUrl, themeUrl } from "../../../platform/views/assets.ts";
import { Field, FormErrors, TextArea, type Errors } from "../../../platform/views/components.tsx";
import { limits } from "../schemas.ts";
import { ColorInput, CurrencySelect, ImageInput, LocaleSelect, LogoInput, TimeZoneSelect } from "./inputs.tsx";

/**
 * The setup page's own frame: before setup there is no site to show (no
 * name, no navigation), only Atelier welcoming its new owner.
 */
function SetupFrame({ c, title, children }: { c: AppContext; title: string; children: Child }) {
  const t = tr(c);
  const other = c.var.locale === "fr" ? "en" : "fr";
  return (
    <html lang={c.var.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{title}</title>
        <link rel="stylesheet" href={assetUrl("app.css")} />
        <link rel="stylesheet" href={themeUrl(c.var.site.accentColor)} />
      </head>
      <body class="setup-body">
        <a class="skip" href="#main">
          {t("app.skip")}
        </a>
        <header class="site-header">
          <div class="wrap">
            <span class="brand">Atelier</span>
            <nav class="nav" aria-label={t("app.language")}>
              <a class="lang-switch" href={`/lang/${other}?next=/setup`} hreflang={other} lang={other}>
                {t("app.switchTo")}
              </a>
            </nav>
          </div>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

function Step({ n, title, hint, children }: { n: number; title: string; hint: string; children: Child }) {
  return (
    <fieldset class="setup-step">
      <legend>
        <span class="step-n" aria-hidden="true">
          {n}
        </span>
        {title}
      </legend>
      <p class="hint">{hint}</p>
      <div class="stack">{children}</div>
    </fieldset>
  );
}

/** The first-run form; `values` never carries the passwords back. */
export function setupPage(c: AppContext, values: Record<string, string>, errors: Errors, status: 200 | 422 = 200) {
  const t = tr(c);
  return c.html(
    <SetupFrame c={c} title={`${t("site.setup.title")} · Atelier`}>
      <div class="setup">
        <h1>{t("site.setup.title")}</h1>
        <p class="lead">{t("site.setup.intro")}</p>
        <FormErrors c={c} errors={errors} />
        <form method="post" action="/setup" enctype="multipart/form-data" class="stack">
          <Step n={1} title={t("site.setup.step.you")} hint={t("site.setup.step.you.hint")}>
            <Field
              c={c}
              name="ownerName"
              label={t("site.field.ownerName")}
              value={values.ownerName}
              errors={errors}
              required
              autocomplete="name"
              maxLength={limits.ownerName}
            />
            <Field
              c={c}
              name="email"
              type="email"
              label={t("site.field.email")}
              hint={t("site.field.email.hint")}
              value={values.email}
              errors={errors}
              required
              autocomplete="email"
            />
            <div class="grid-2">
              <Field
                c={c}
                name="password"
                type="password"
                label={t("site.field.password")}
                hint={t("site.field.password.hint")}
                errors={errors}
                required
                autocomplete="new-password"
              />
              <Field
                c={c}
                name="passwordConfirm"
                type="password"
                label={t("site.field.passwordConfirm")}
                hint={t("site.field.passwordConfirm.hint")}
                errors={errors}
                required
                autocomplete="new-password"
              />
            </div>
          </Step>
          <Step n={2} title={t("site.setup.step.site")} hint={t("site.setup.step.site.hint")}>
            <Field
              c={c}
              name="siteName"
              label={t("site.field.siteName")}
              placeholder={t("site.field.siteName.placeholder")}
              value={values.siteName}
              errors={errors}
              required
              maxLength={limits.siteName}
            />
            <Field
              c={c}
              name="tagline"
              label={t("site.field.tagline")}
              hint={t("site.field.tagline.hint")}
              value={values.tagline}
              errors={errors}
              maxLength={limits.tagline}
            />
          </Step>
          <Step n={3} title={t("site.setup.step.story")} hint={t("site.setup.step.story.hint")}>
            <TextArea
              c={c}
              name="story"
              label={t("site.field.story")}
              hint={t("site.field.story.hint")}
              value={values.story}
              errors={errors}
              rows={10}
            />
            <div class="grid-2">
              <ImageInput
                c={c}
                name="portrait"
                label={t("site.field.portrait")}
                hint={t("site.field.portrait.hint")}
                errors={errors}
              />
              <ImageInput
                c={c}
                name="cover"
                label={t("site.field.cover")}
                hint={t("site.field.cover.hint")}
                errors={errors}
              />
            </div>
          </Step>
          <Step n={4} title={t("site.setup.step.look")} hint={t("site.setup.step.look.hint")}>
            <div class="grid-2">
              <LocaleSelect c={c} value={values.locale ?? c.var.locale} errors={errors} />
              <CurrencySelect c={c} value={values.currency ?? "EUR"} errors={errors} />
            </div>
            <TimeZoneSelect c={c} value={values.timeZone ?? "Europe/Paris"} errors={errors} />
            <div class="grid-2">
              <ColorInput c={c} value={values.accentColor ?? "#b4532a"} errors={errors} />
              <LogoInput c={c} errors={errors} />
            </div>
          </Step>
          <div class="setup-submit">
            <button type="submit">{t("site.setup.submit")}</button>
            <p class="muted small">{t("site.setup.footnote")}</p>
          </div>
        </form>
      </div>
    </SetupFrame>,
    status,
  );
}
