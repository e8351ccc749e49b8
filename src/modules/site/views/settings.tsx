import type { Child } from "hono/jsx";
import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import {
  Checkbox,
  CsrfField,
  Field,
  FormErrors,
  Notice,
  TextArea,
  type Errors,
} from "../../../platform/views/components.tsx";
import { logoUrl } from "../../../platform/views/layout.tsx";
import { adminPage } from "../../../platform/views/admin-layout.tsx";
import { limits } from "../schemas.ts";
import { ColorInput, CurrencySelect, LocaleSelect, LogoInput, TimeZoneSelect } from "./inputs.tsx";

export interface SettingsView {
  values: Record<string, string>;
  errors?: Errors;
  saved?: boolean;
  /** Sanitised HTML of the story and about text, shown by the preview button. */
  preview?: { story: string; about: string };
}

function Section({ id, title, children }: { id: string; title: string; children: Child }) {
  return (
    <section class="card settings-section" id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <div class="stack">{children}</div>
    </section>
  );
}

const sections = ["site", "story", "theme", "region", "mail"] as const;

export function settingsPage(c: AppContext, view: SettingsView, status: 200 | 422 = 200) {
  const t = tr(c);
  const v = view.values;
  const errors = view.errors;
  const logo = logoUrl(c.var.site.logoFileId);
  const smtp = c.var.services.mailer.kind === "smtp";
  return adminPage(
    c,
    t("site.settings.title"),
    <div class="settings">
      <div class="admin-top">
        <div>
          <h1>{t("site.settings.title")}</h1>
          <p class="muted">{t("site.settings.intro")}</p>
        </div>
        <a class="btn secondary small" href="/">
          {t("site.settings.viewSite")}
        </a>
      </div>
      <nav class="settings-toc" aria-label={t("site.settings.title")}>
        {sections.map((s) => (
          <a href={`#${s}`}>{t(`site.settings.section.${s}`)}</a>
        ))}
      </nav>
      {view.saved && <Notice>{t("site.settings.saved")}</Notice>}
      <FormErrors c={c} errors={errors} />
      <form method="post" action="/admin/settings" enctype="multipart/form-data" class="stack">
        <CsrfField c={c} />
        {/* Pressing Enter in a field uses the form's first submit button: make that one "save", not "preview". */}
        <button type="submit" name="action" value="save" class="visually-hidden" tabindex={-1} aria-hidden="true">
          {t("form.save")}
        </button>
        <Section id="site" title={t("site.settings.section.site")}>
          <Field
            c={c}
            name="siteName"
            label={t("site.field.siteName")}
            value={v.siteName}
            errors={errors}
            required
            maxLength={limits.siteName}
          />
          <Field
            c={c}
            name="tagline"
            label={t("site.field.tagline")}
            hint={t("site.field.tagline.hint")}
            value={v.tagline}
            errors={errors}
            maxLength={limits.tagline}
          />
          <p>
            <a href="/admin/settings/home">{t("site.home.settings.link")}</a>
          </p>
        </Section>
        <Section id="story" title={t("site.settings.section.story")}>
          {view.preview && (
            <div class="settings-preview" role="region" aria-label={t("site.settings.previewTitle")}>
              <p class="eyebrow">{t("site.settings.previewTitle")}</p>
              <div class="prose story" dangerouslySetInnerHTML={{ __html: view.preview.story }} />
            </div>
          )}
          <TextArea
            c={c}
            name="story"
            label={t("site.field.story")}
            hint={t("site.field.story.hint")}
            value={v.story}
            errors={errors}
            rows={14}
          />
          {view.preview?.about && (
            <div class="settings-preview" role="region" aria-label={t("site.settings.previewAboutTitle")}>
              <p class="eyebrow">{t("site.settings.previewAboutTitle")}</p>
              <div class="prose story" dangerouslySetInnerHTML={{ __html: view.preview.about }} />
            </div>
          )}
          <TextArea
            c={c}
            name="about"
            label={t("site.field.about")}
            hint={t("site.field.about.hint")}
            value={v.about}
            errors={errors}
            rows={8}
          />
          <div>
            <button type="submit" name="action" value="preview" class="secondary" formaction="/admin/settings#story">
              {t("site.settings.preview")}
            </button>
          </div>
        </Section>
        <Section id="theme" title={t("site.settings.section.theme")}>
          <ColorInput c={c} value={v.accentColor ?? ""} errors={errors} />
          <div class="logo-current">
            <p class="label">{t("site.settings.currentLogo")}</p>
            {logo ? (
              <>
                <img src={logo} alt={t("site.settings.currentLogo")} width="72" height="72" />
                <Checkbox c={c} name="removeLogo" label={t("site.field.removeLogo")} checked={v.removeLogo === "on"} />
              </>
            ) : (
              <p class="muted small">{t("site.settings.noLogo")}</p>
            )}
          </div>
          <LogoInput c={c} errors={errors} />
        </Section>
        <Section id="region" title={t("site.settings.section.region")}>
          <div class="grid-2">
            <LocaleSelect c={c} value={v.locale ?? "fr"} errors={errors} />
            <CurrencySelect c={c} value={v.currency ?? "EUR"} errors={errors} />
          </div>
          <TimeZoneSelect c={c} value={v.timeZone ?? "Europe/Paris"} errors={errors} />
        </Section>
        <Section id="mail" title={t("site.settings.section.mail")}>
          <div class="grid-2">
            <Field
              c={c}
              name="contactEmail"
              type="email"
              label={t("site.field.contactEmail")}
              hint={t("site.field.contactEmail.hint")}
              value={v.contactEmail}
              errors={errors}
              required
              autocomplete="email"
            />
            <Field
              c={c}
              name="mailFromName"
              label={t("site.field.mailFromName")}
              hint={t("site.field.mailFromName.hint")}
              value={v.mailFromName}
              errors={errors}
              maxLength={limits.mailFromName}
            />
          </div>
          <p class={smtp ? "mail-status ok" : "mail-status warn"} data-mail={smtp ? "smtp" : "dev-mailbox"}>
            <span class={smtp ? "badge ok" : "badge warn"}>
              {t(smtp ? "site.settings.mail.badgeOn" : "site.settings.mail.badgeTest")}
            </span>{" "}
            {smtp ? t("site.settings.mail.smtp") : t("site.settings.mail.dev")}{" "}
            {!smtp && <a href="/admin/mailbox">{t("site.settings.mail.devLink")}</a>}
          </p>
          <p>
            <a href="/admin/settings/notifications">{t("site.settings.notifications")}</a>
          </p>
        </Section>
        <div class="settings-save">
          <button type="submit" name="action" value="save">
            {t("form.save")}
          </button>
        </div>
      </form>
    </div>,
    status,
  );
}
