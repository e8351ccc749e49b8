/** @jsxImportSource #html-jsx */
import type { Hono } from "hono";
import type { AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { page } from "../../platform/views/layout.tsx";
import { currentMember } from "../members/index.ts";
import { canAccess, viewerOf, type Resource } from "../access/index.ts";

/** A page only paying members can read: the demo of the access policy on a real surface. */
export const membersAreaResource: Resource = { kind: "page", id: "members-area", audience: "paid" };

/**
 * The members' area shows the creator's own welcome (site settings, sanitised
 * when saved); without one, a neutral line that promises nothing the creator
 * did not write.
 */
export function membersAreaRoutes(app: Hono<AppEnv>): void {
  app.get("/members-area", async (c) => {
    const t = tr(c);
    const db = c.var.services.db;
    const viewer = viewerOf(c);
    const allowed = await canAccess(db, viewer, membersAreaResource);
    c.header("Cache-Control", "private, no-store");
    if (!allowed) {
      return page(
        c,
        { title: t("offers.area.title"), noindex: true },
        <div class="narrow paywall">
          <h1>{t("offers.area.title")}</h1>
          <p class="lead">{t("offers.area.locked")}</p>
          <p>
            <a class="btn" href="/pricing">
              {t("offers.area.see_offers")}
            </a>{" "}
            {viewer.kind === "anonymous" && (
              <a class="btn secondary" href="/login?next=/members-area">
                {t("offers.done.login_link")}
              </a>
            )}
          </p>
        </div>,
        403,
      );
    }
    const member = await currentMember(c);
    const site = c.var.site;
    return page(
      c,
      { title: t("offers.area.title"), noindex: true },
      <div class="narrow members-area">
        <p class="eyebrow">{t("offers.area.eyebrow")}</p>
        <h1>{t("offers.area.title")}</h1>
        <p class="lead">{t("offers.area.hello", { name: member?.name || member?.email || "" })}</p>
        {site.membersWelcomeHtml ? (
          <div class="prose members-welcome" dangerouslySetInnerHTML={{ __html: site.membersWelcomeHtml }} />
        ) : (
          <div class="prose members-welcome">
            <p>{t("offers.area.body1", { site: site.name })}</p>
          </div>
        )}
        <p class="muted">
          {t("offers.area.body2")} <a href="/account">{t("offers.area.account")}</a>
        </p>
      </div>,
    );
  });
}
