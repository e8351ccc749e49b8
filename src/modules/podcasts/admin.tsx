import type { Hono } from "hono";
import type { AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { allowLargeBody, expectFiles, readBody } from "../../platform/http/body.ts";
import { notFound } from "../../platform/http/errors.ts";
import { formatDateTime } from "../../platform/i18n/index.ts";
import { runOperation } from "../../platform/operations.ts";
import { adminPage, registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { CsrfField } from "../../platform/views/components.tsx";
import { EPISODE_SAVE_PATH, SHOW_SAVE_PATH, staffActorOf } from "./admin-common.ts";
import { episodeAdminRoutes } from "./admin-episodes.tsx";
import { showAdminRoutes } from "./admin-shows.tsx";
import { MAX_AUDIO_BYTES } from "./audio.ts";
import { MAX_CHAPTERS_BYTES, MAX_TRANSCRIPT_BYTES } from "./content.ts";
import { audioRule, COVER_MAX_BYTES, coverRule } from "./files.ts";
import { listShows } from "./service.ts";
import { openAlerts, rotateFeed } from "./sharing.ts";

/*
 * The creator's screens: the podcasts home (shows, shared-feed alerts with their one-click
 * rotation), the upload limits of the two forms, then shows (admin-shows.tsx) and episodes
 * (admin-episodes.tsx), registered in the order they always were.
 */

const OVERHEAD = 4 * 1024 * 1024;

export function adminRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/podcasts", labelKey: "podcasts.admin.nav", order: 45 });
  allowLargeBody(SHOW_SAVE_PATH, COVER_MAX_BYTES + OVERHEAD);
  allowLargeBody(EPISODE_SAVE_PATH, MAX_AUDIO_BYTES * 1 + OVERHEAD + MAX_TRANSCRIPT_BYTES + MAX_CHAPTERS_BYTES);
  // Checked as the files stream in: a wrong type stops at its first bytes, each file at its own limit.
  expectFiles(SHOW_SAVE_PATH, { cover: coverRule });
  expectFiles(EPISODE_SAVE_PATH, {
    audio: audioRule,
    teaser: audioRule,
    transcript: { maxBytes: MAX_TRANSCRIPT_BYTES },
    chapters: { maxBytes: MAX_CHAPTERS_BYTES },
  });

  app.get("/admin/podcasts", async (c) => {
    const t = tr(c);
    const db = c.var.services.db;
    const shows = await listShows(db);
    const alerts = await openAlerts(db);
    const byId = new Map(shows.map((s) => [s.id, s]));
    return adminPage(
      c,
      t("podcasts.admin.title"),
      <section class="stack">
        <p>
          <a class="button" href="/admin/podcasts/new">
            {t("podcasts.admin.new_show")}
          </a>
        </p>
        {shows.length === 0 && <p class="muted">{t("podcasts.admin.no_show")}</p>}
        <ul>
          {shows.map((s) => (
            <li>
              <a href={`/admin/podcasts/${s.id}`}>{s.title}</a>
            </li>
          ))}
        </ul>
        <h2>{t("podcasts.admin.alerts")}</h2>
        {alerts.length === 0 && <p class="muted">{t("podcasts.admin.no_alert")}</p>}
        <ul class="alerts">
          {alerts.map((a) => {
            const ev = JSON.parse(a.evidence) as { networks: string[]; apps: string[] };
            return (
              <li>
                <p>
                  {t("podcasts.admin.alert_text", {
                    show: byId.get(a.show_id)?.title ?? "",
                    networks: a.networks,
                    apps: a.apps,
                    at: formatDateTime(c.var.locale, a.created_at, c.var.site.timeZone),
                  })}{" "}
                  <a href={`/admin/members/${a.member_id}`}>{t("podcasts.admin.alert_member")}</a>
                </p>
                <p class="muted small">
                  {t("podcasts.admin.alert_evidence", { networks: ev.networks.join(", "), apps: ev.apps.join(", ") })}
                </p>
                <form method="post" action={`/admin/podcasts/alerts/${a.id}/rotate`}>
                  <CsrfField c={c} />
                  <button type="submit">{t("podcasts.admin.rotate")}</button>
                </form>
              </li>
            );
          })}
        </ul>
      </section>,
    );
  });

  showAdminRoutes(app);
  episodeAdminRoutes(app);

  app.post("/admin/podcasts/alerts/:id/rotate", async (c) => {
    await readBody(c);
    const alert = await c.var.services.db
      .selectFrom("podcast_alerts")
      .select(["feed_id"])
      .where("id", "=", c.req.param("id"))
      .executeTakeFirst();
    if (!alert) throw notFound();
    await runOperation(c.var.services, rotateFeed, await staffActorOf(c), { feedId: alert.feed_id, reason: "staff" });
    return c.redirect("/admin/podcasts", 303);
  });
}
