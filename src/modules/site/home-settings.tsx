import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import { allowLargeBody } from "../../platform/http/app.tsx";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { assetUrl, registerAsset } from "../../platform/views/assets.ts";
import { CsrfField, FormErrors, Notice, TextArea, Field, type Errors } from "../../platform/views/components.tsx";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { currentStaff, requireStaff } from "../staff/index.ts";
import { homeFormValues, parseHomeSettings, typedHomeValues } from "./home-schemas.ts";
import { saveHomeSettings } from "./home-service.ts";
import { limits, pickLimits, readSubmission } from "./schemas.ts";
import { HomeImageField, SectionChoices } from "./views/home-settings-parts.tsx";

interface HomeSettingsView {
  values: Record<string, string>;
  errors?: Errors;
  saved?: boolean;
}

function homeSettingsPage(c: AppContext, view: HomeSettingsView, status: 200 | 422 = 200) {
  const t = tr(c);
  const { values: v, errors } = view;
  return adminPage(
    c,
    t("site.home.settings.title"),
    <div class="settings home-settings">
      <link rel="stylesheet" href={assetUrl("home.css")} />
      <div class="admin-top">
        <div>
          <p class="eyebrow">
            <a href="/admin/settings">{t("site.settings.title")}</a>
          </p>
          <h1>{t("site.home.settings.title")}</h1>
          <p class="muted">{t("site.home.settings.intro")}</p>
        </div>
        <a class="btn secondary small" href="/">
          {t("site.settings.viewSite")}
        </a>
      </div>
      {view.saved && <Notice>{t("site.home.settings.saved")}</Notice>}
      <FormErrors c={c} errors={errors} />
      <form method="post" action="/admin/settings/home" enctype="multipart/form-data" class="stack">
        <CsrfField c={c} />
        <section class="card settings-section" id="images" aria-labelledby="images-title">
          <h2 id="images-title">{t("site.home.settings.images")}</h2>
          <div class="grid-2">
            <HomeImageField c={c} name="portrait" fileId={c.var.site.portraitFileId} values={v} errors={errors} />
            <HomeImageField c={c} name="cover" fileId={c.var.site.coverFileId} values={v} errors={errors} />
          </div>
        </section>
        <SectionChoices c={c} values={v} errors={errors} />
        <section class="card settings-section" id="words" aria-labelledby="words-title">
          <h2 id="words-title">{t("site.home.settings.words")}</h2>
          <div class="stack">
            <Field
              c={c}
              name="pricingIntro"
              label={t("site.field.pricingIntro")}
              hint={t("site.field.pricingIntro.hint")}
              value={v.pricingIntro}
              errors={errors}
              maxLength={limits.pricingIntro}
            />
            <TextArea
              c={c}
              name="membersWelcome"
              label={t("site.field.membersWelcome")}
              hint={t("site.field.membersWelcome.hint")}
              value={v.membersWelcome}
              errors={errors}
              rows={8}
            />
          </div>
        </section>
        <div class="settings-save">
          <button type="submit">{t("form.save")}</button>
        </div>
      </form>
    </div>,
    status,
  );
}

async function requireOwner(c: AppContext): Promise<void> {
  const staff = await currentStaff(c);
  if (staff.role !== "owner") throw new AppError("forbidden", 403, "site.error.owner_only");
}

/** The home page settings: portrait, cover, which sections show in which order, and the creator's texts. */
export function homeSettingsRoutes(app: Hono<AppEnv>): void {
  registerAsset(
    "home.css",
    path.join(path.dirname(fileURLToPath(import.meta.url)), "assets", "home.css"),
    "text/css; charset=utf-8",
  );
  allowLargeBody("/admin/settings/home", limits.uploadBodyBytes, pickLimits(["portrait", "cover"]));

  app.get("/admin/settings/home", requireStaff(), async (c) => {
    await requireOwner(c);
    return homeSettingsPage(c, { values: homeFormValues(c.var.site), saved: c.req.query("saved") === "1" });
  });

  app.post("/admin/settings/home", requireStaff(), async (c) => {
    await requireOwner(c);
    const sub = await readSubmission(c);
    let input;
    try {
      input = await parseHomeSettings(sub, c.var.site);
    } catch (err) {
      if (!(err instanceof AppError && err.status === 422)) throw err;
      return homeSettingsPage(c, { values: typedHomeValues(sub), errors: err.fields }, 422);
    }
    await saveHomeSettings(c.var.services.db, c.var.services.storage, input);
    return c.redirect("/admin/settings/home?saved=1", 303);
  });
}
