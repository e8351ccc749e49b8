import { stateBadge } from "./admin-labels.ts";
import { adminPage } from "../../../platform/views/admin-layout.tsx";
import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { formatDateTime, formatNumber } from "../../../platform/i18n/index.ts";
import { CsrfField } from "../../../platform/views/components.tsx";
import { trackingEnabled } from "./engine.ts";
import { figures } from "./figures.ts";

/* ---------------- admin: list ---------------- */

export async function listPage(c: AppContext) {
  const tt = tr(c);
  const db = c.var.services.db;
  const locale = c.var.locale;
  const sends = await db
    .selectFrom("newsletter_sends")
    .leftJoin("posts", "posts.id", "newsletter_sends.post_id")
    .select([
      "newsletter_sends.id",
      "newsletter_sends.state",
      "newsletter_sends.subject",
      "newsletter_sends.scheduled_at",
      "newsletter_sends.started_at",
      "newsletter_sends.recipients",
      "posts.title",
    ])
    .orderBy("newsletter_sends.created_at", "desc")
    .limit(100)
    .execute();
  const figs = await Promise.all(sends.map((s) => figures(db, s.id)));
  const tracking = await trackingEnabled(db);
  const n = (v: number) => formatNumber(locale, v);
  return adminPage(
    c,
    tt("newsletter.list.title"),
    <>
      <h1>{tt("newsletter.list.title")}</h1>
      <p class="muted">{tt("newsletter.list.intro")}</p>
      <p>
        <a class="btn" href="/admin/newsletters/new">
          {tt("newsletter.list.new")}
        </a>
      </p>
      {sends.length === 0 ? (
        <p class="muted">{tt("newsletter.list.empty")}</p>
      ) : (
        <div class="table-wrap nl-table">
          <table>
            <thead>
              <tr>
                <th scope="col">{tt("newsletter.list.post")}</th>
                <th scope="col">{tt("newsletter.list.state")}</th>
                <th scope="col">{tt("newsletter.list.when")}</th>
                <th scope="col" class="num">
                  {tt("newsletter.fig.recipients")}
                </th>
                <th scope="col" class="num">
                  {tt("newsletter.fig.accepted")}
                </th>
                <th scope="col" class="num">
                  {tt("newsletter.fig.failed")}
                </th>
                <th scope="col" class="num">
                  {tt("newsletter.fig.bounced")}
                </th>
                <th scope="col" class="num">
                  {tt("newsletter.fig.unsubscribed")}
                </th>
              </tr>
            </thead>
            <tbody>
              {sends.map((s, i) => {
                const f = figs[i]!;
                return (
                  <tr>
                    <td>
                      <a href={`/admin/newsletters/${s.id}`}>{s.subject}</a>
                      {s.title && s.title !== s.subject && <div class="muted small">{s.title}</div>}
                    </td>
                    <td>
                      <span class={stateBadge[s.state]}>{tt(`newsletter.state.${s.state}`)}</span>
                    </td>
                    <td>{formatDateTime(locale, s.started_at ?? s.scheduled_at, c.var.site.timeZone)}</td>
                    <td class="num">{n(s.state === "scheduled" ? 0 : f.recipients)}</td>
                    <td class="num">{n(f.accepted)}</td>
                    <td class="num">{n(f.failed)}</td>
                    <td class="num">{n(f.bounced)}</td>
                    <td class="num">{n(f.unsubscribed)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <section class="card nl-tracking">
        <h2>{tt("newsletter.tracking.title")}</h2>
        <p>{tt(tracking ? "newsletter.tracking.on" : "newsletter.tracking.off")}</p>
        <form method="post" action="/admin/newsletters/tracking">
          <CsrfField c={c} />
          <input type="hidden" name="tracking" value={tracking ? "off" : "on"} />
          <button type="submit" class="btn secondary">
            {tt(tracking ? "newsletter.tracking.disable" : "newsletter.tracking.enable")}
          </button>
        </form>
      </section>
    </>,
  );
}
