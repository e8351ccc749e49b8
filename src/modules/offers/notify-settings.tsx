import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { formValue, readForm } from "../../platform/http/forms.ts";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { CsrfField, Notice } from "../../platform/views/components.tsx";
import { currentStaff } from "../staff/index.ts";
import { ownerNotice, setOwnerNotice, type OwnerNotice } from "./notifications.ts";

/* Settings → Notifications: the owner chooses a mail per sale and cancellation, a daily digest, or nothing. */

const modes: OwnerNotice[] = ["each", "digest", "none"];

async function ownerOnly(c: AppContext): Promise<void> {
  const staff = await currentStaff(c);
  if (staff.role !== "owner") throw new AppError("forbidden", 403, "site.error.owner_only");
}

async function page(c: AppContext, saved: boolean) {
  const t = tr(c);
  const current = await ownerNotice(c.var.services.db);
  return adminPage(
    c,
    t("offers.notify.title"),
    <div class="narrow-admin">
      <p class="small">
        <a href="/admin/settings">‹ {t("site.nav.settings")}</a>
      </p>
      <h1>{t("offers.notify.title")}</h1>
      {saved && <Notice>{t("offers.notify.saved")}</Notice>}
      <form method="post" action="/admin/settings/notifications" class="card stack">
        <CsrfField c={c} />
        <fieldset>
          <legend>{t("offers.notify.intro")}</legend>
          {modes.map((m) => (
            <label class="check">
              <input type="radio" name="mode" value={m} checked={m === current} /> {t(`offers.notify.${m}`)}
            </label>
          ))}
        </fieldset>
        <div>
          <button type="submit">{t("form.save")}</button>
        </div>
      </form>
    </div>,
  );
}

export function notifySettingsRoutes(app: Hono<AppEnv>): void {
  app.get("/admin/settings/notifications", async (c) => {
    await ownerOnly(c);
    return page(c, c.req.query("saved") === "1");
  });
  app.post("/admin/settings/notifications", async (c) => {
    await ownerOnly(c);
    const mode = formValue(await readForm(c), "mode");
    if (!(modes as string[]).includes(mode)) throw new AppError("invalid_input", 422, "validation.invalid");
    await setOwnerNotice(c.var.services.db, mode as OwnerNotice);
    return c.redirect("/admin/settings/notifications?saved=1", 303);
  });
}
