import { stateBadge, segmentLabel } from "./admin-labels.ts";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { adminPage } from "../../../platform/views/admin-layout.tsx";
import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { formatDateTime, formatNumber } from "../../../platform/i18n/index.ts";
import { registerAsset, assetUrl } from "../../../platform/views/assets.ts";
import { CsrfField } from "../../../platform/views/components.tsx";
import { getSend, trackingEnabled } from "./engine.ts";
import { figures, type Figures } from "./figures.ts";
import { parseSegmentJson, tierOffers } from "./segments.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
registerAsset("newsletter-progress.js", path.join(here, "progress.js"), "text/javascript; charset=utf-8");

/* ---------------- admin: one send ---------------- */

export function progressPayload(c: AppContext, state: string, f: Figures) {
  const tt = tr(c);
  return {
    state,
    stateLabel: tt(`newsletter.state.${state}`),
    figures: f,
    progressText: tt("newsletter.show.progressText", {
      done: formatNumber(c.var.locale, f.settled),
      total: formatNumber(c.var.locale, f.recipients),
    }),
  };
}

export async function showPage(c: AppContext) {
  const tt = tr(c);
  const db = c.var.services.db;
  const send = await getSend(db, c.req.param("id") ?? "");
  if (!send) throw new AppError("not_found", 404);
  const f = await figures(db, send.id);
  const locale = c.var.locale;
  const zone = c.var.site.timeZone;
  const tiers = new Map((await tierOffers(db)).map((o) => [o.id, o.name]));
  const tracking = await trackingEnabled(db);
  const n = (v: number) => formatNumber(locale, v);
  const stat = (key: keyof Figures, label: string) => (
    <div class="stat">
      <div class="value" data-fig={key}>
        {n(f[key])}
      </div>
      <div class="label">{label}</div>
    </div>
  );
  const live = send.state === "sending" || send.state === "scheduled";
  return adminPage(
    c,
    send.subject,
    <>
      <p class="small">
        <a href="/admin/newsletters">← {tt("newsletter.show.back")}</a>
      </p>
      <h1>{send.subject}</h1>
      <p class="nl-meta">
        <span class={stateBadge[send.state]} data-nl-state>
          {tt(`newsletter.state.${send.state}`)}
        </span>{" "}
        <span class="muted">{segmentLabel(locale, parseSegmentJson(send.segment), tiers)}</span>
      </p>
      <p class="muted">
        {send.state === "scheduled" &&
          tt("newsletter.show.scheduledFor", { date: formatDateTime(locale, send.scheduled_at, zone) })}
        {send.started_at && tt("newsletter.show.startedAt", { date: formatDateTime(locale, send.started_at, zone) })}{" "}
        {send.finished_at && tt("newsletter.show.finishedAt", { date: formatDateTime(locale, send.finished_at, zone) })}
      </p>
      {send.state !== "scheduled" && send.state !== "cancelled" && (
        <section
          class="card nl-progress"
          data-nl-progress={live ? `/admin/newsletters/${send.id}/progress.json` : undefined}
        >
          <h2 id="nl-progress-label">{tt("newsletter.show.progress")}</h2>
          <progress
            data-nl-bar
            max={Math.max(1, f.recipients)}
            value={f.settled}
            aria-labelledby="nl-progress-label"
          ></progress>
          <p data-nl-text>{progressPayload(c, send.state, f).progressText}</p>
          {live && (
            <p class="small">
              <a href={`/admin/newsletters/${send.id}`}>{tt("newsletter.show.reload")}</a>
            </p>
          )}
        </section>
      )}
      <div class="stats nl-stats">
        {stat("recipients", tt("newsletter.fig.recipients"))}
        {stat("accepted", tt("newsletter.fig.accepted"))}
        {stat("failed", tt("newsletter.fig.failed"))}
        {stat("bounced", tt("newsletter.fig.bounced"))}
        {stat("unsubscribed", tt("newsletter.fig.unsubscribed"))}
        {stat("skipped", tt("newsletter.fig.skipped"))}
        {tracking && stat("opened", tt("newsletter.fig.opened"))}
        {tracking && stat("clicked", tt("newsletter.fig.clicked"))}
      </div>
      {send.state === "scheduled" && (
        <form method="post" action={`/admin/newsletters/${send.id}/cancel`}>
          <CsrfField c={c} />
          <button type="submit" class="btn secondary">
            {tt("newsletter.show.cancel")}
          </button>
        </form>
      )}
      {live && <script src={assetUrl("newsletter-progress.js" as "app.js")} defer></script>}
    </>,
  );
}
