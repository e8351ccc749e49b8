import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formatDateTime, formatNumber, type Locale } from "../../platform/i18n/index.ts";
import { jobCounts } from "../../platform/jobs/index.ts";
import { describeEvent, timelineFormat } from "../../platform/events/index.ts";
import { currentStaff } from "../staff/index.ts";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { memberStats, newMembersPerWeek, type WeekBucket } from "../members/index.ts";
import { recentEvents, type RecentEvent } from "./queries.ts";

function shortDay(locale: Locale, isoDay: string): string {
  return new Intl.DateTimeFormat(locale === "fr" ? "fr-FR" : "en-GB", {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  }).format(new Date(`${isoDay}T00:00:00Z`));
}

/**
 * New members per week as server-drawn SVG bars: no script, no inline style
 * (the CSP forbids both); colours come from classes in app.css.
 */
function WeeklyChart({ locale, weeks, title }: { locale: Locale; weeks: WeekBucket[]; title: string }) {
  const width = 960;
  const height = 260;
  // Room above the tallest bar for its value, and at the sides for the first and last labels.
  const top = 44;
  const bottom = 34;
  const padX = 24;
  const plot = height - top - bottom;
  const max = Math.max(1, ...weeks.map((w) => w.count));
  const slot = (width - 2 * padX) / weeks.length;
  const barWidth = Math.round(slot * 0.62);
  const total = weeks.reduce((s, w) => s + w.count, 0);
  const desc = weeks.map((w) => `${shortDay(locale, w.start)}: ${w.count}`).join(", ");
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-labelledby="chart-t chart-d"
      class="bars"
      preserveAspectRatio="xMidYMid meet"
    >
      <title id="chart-t">{`${title} (${formatNumber(locale, total)})`}</title>
      <desc id="chart-d">{desc}</desc>
      <line class="axis" x1="0" x2={width} y1={top + plot + 0.5} y2={top + plot + 0.5} />
      {weeks.map((w, i) => {
        const h = w.count === 0 ? 0 : Math.max(3, Math.round((w.count / max) * plot));
        const x = Math.round(padX + i * slot + (slot - barWidth) / 2);
        const y = top + plot - h;
        const current = i === weeks.length - 1;
        return (
          <g class={i % 2 === 1 ? "wk odd" : "wk"}>
            <rect class={current ? "bar current" : "bar"} x={x} y={y} width={barWidth} height={h} rx="3">
              <title>{`${shortDay(locale, w.start)}: ${w.count}`}</title>
            </rect>
            <text class="val" x={x + barWidth / 2} y={y - 6} text-anchor="middle">
              {w.count > 0 ? formatNumber(locale, w.count) : ""}
            </text>
            <text class="lbl" x={x + barWidth / 2} y={height - 8} text-anchor="middle">
              {shortDay(locale, w.start)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function EventItem({ c, e }: { c: AppContext; e: RecentEvent }) {
  const t = tr(c);
  const who = e.memberId ? e.memberName || e.memberEmail || t("admin.dash.events.someone") : null;
  return (
    <li>
      <span class="ev-label">{describeEvent(e, timelineFormat(c.var.locale, c.var.site.timeZone)).text}</span>
      {who && e.memberId && (
        <>
          {" · "}
          <a href={`/admin/members/${e.memberId}`}>{who}</a>
        </>
      )}
      <br />
      <time class="muted small" datetime={e.createdAt}>
        {formatDateTime(c.var.locale, e.createdAt, c.var.site.timeZone)}
      </time>
    </li>
  );
}

export async function dashboardPage(c: AppContext) {
  const t = tr(c);
  const locale = c.var.locale;
  const { db, mailer } = c.var.services;
  const site = c.var.site;
  const [user, stats, weeks, events, jobs] = await Promise.all([
    currentStaff(c),
    memberStats(db),
    newMembersPerWeek(db, 12, new Date(), c.var.site.timeZone),
    recentEvents(db, 10),
    jobCounts(db),
  ]);
  const jobCount = (state: string) => jobs.find((j) => j.state === state)?.count ?? 0;
  const dead = jobCount("dead");
  const n = (v: number) => formatNumber(locale, v);

  const steps = [
    {
      done: site.storyMarkdown.trim().length > 0,
      href: "/admin/settings",
      label: t("admin.dash.steps.story"),
      hint: t("admin.dash.steps.storyHint"),
    },
    {
      done: stats.total > 0,
      href: "/admin/members",
      label: t("admin.dash.steps.invite"),
      hint: t("admin.dash.steps.inviteHint"),
    },
    {
      done: mailer.kind === "smtp",
      href: "/admin/mailbox",
      label: t("admin.dash.steps.email"),
      hint: t("admin.dash.steps.emailHint"),
    },
    {
      done: user.totpEnabled,
      href: "/admin/security",
      label: t("admin.dash.steps.security"),
      hint: t("admin.dash.steps.securityHint"),
    },
  ];
  const stepsLeft = steps.filter((s) => !s.done).length;

  const cards = [
    { key: "total", value: stats.total, label: t("admin.dash.stats.total") },
    { key: "active", value: stats.active, label: t("admin.dash.stats.active") },
    { key: "pending", value: stats.pending, label: t("admin.dash.stats.pending") },
    { key: "subscribers", value: stats.subscribers, label: t("admin.dash.stats.subscribers") },
    { key: "new30", value: stats.newLast30Days, label: t("admin.dash.stats.new30") },
  ];

  return adminPage(
    c,
    t("admin.nav.dashboard"),
    <>
      <div class="admin-top">
        <div>
          <h1>{t("admin.dash.hello", { name: user.name || user.email })}</h1>
          <p class="muted dash-sub">{t("admin.dash.subtitle", { site: site.name })}</p>
        </div>
      </div>

      {stepsLeft > 0 && (
        <section class="card first-steps" aria-labelledby="steps-h">
          <h2 id="steps-h">{t("admin.dash.steps.title")}</h2>
          <p class="muted small">
            {t(stepsLeft === 1 ? "admin.dash.steps.leftOne" : "admin.dash.steps.left", {
              n: stepsLeft,
              total: steps.length,
            })}
          </p>
          <ol class="checklist">
            {steps.map((s) => (
              <li class={s.done ? "done" : undefined}>
                <span class="tick" aria-hidden="true">
                  {s.done ? "✓" : ""}
                </span>
                <div>
                  <a href={s.href}>{s.label}</a>
                  {s.done && <span class="visually-hidden"> ({t("admin.dash.steps.doneLabel")})</span>}
                  <p class="muted small">{s.hint}</p>
                </div>
              </li>
            ))}
          </ol>
        </section>
      )}

      <h2 class="section-title">{t("admin.dash.members")}</h2>
      <div class="stats dash-stats">
        {cards.map((card) => (
          <div class="stat" data-stat={card.key}>
            <div class="value">{n(card.value)}</div>
            <div class="label">{card.label}</div>
          </div>
        ))}
      </div>

      <section class="card chart" aria-labelledby="chart-h">
        <h2 id="chart-h">{t("admin.dash.chart.title")}</h2>
        <p class="muted small">{t("admin.dash.chart.sub")}</p>
        <WeeklyChart locale={locale} weeks={weeks} title={t("admin.dash.chart.title")} />
      </section>

      <div class="dash-grid">
        <section class="card" aria-labelledby="events-h">
          <h2 id="events-h">{t("admin.dash.events.title")}</h2>
          {events.length === 0 ? (
            <p class="muted">{t("admin.dash.events.none")}</p>
          ) : (
            <ol class="timeline dash-events">
              {events.map((e) => (
                <EventItem c={c} e={e} />
              ))}
            </ol>
          )}
        </section>

        <section class="card" aria-labelledby="jobs-h">
          <div class="section-head">
            <h2 id="jobs-h">{t("admin.dash.jobs.title")}</h2>
            <a class="small" href="/admin/jobs">
              {t("admin.dash.jobs.all")}
            </a>
          </div>
          <ul class="job-summary">
            <li data-state="queued">
              <span>{t("admin.jobs.state.queued")}</span> <strong>{n(jobCount("queued"))}</strong>
            </li>
            <li data-state="running">
              <span>{t("admin.jobs.state.running")}</span> <strong>{n(jobCount("running"))}</strong>
            </li>
            <li data-state="dead">
              <span>{t("admin.jobs.state.dead")}</span>{" "}
              {dead > 0 ? (
                <a class="badge danger" href="/admin/jobs?state=dead">
                  {n(dead)}
                </a>
              ) : (
                <strong>0</strong>
              )}
            </li>
          </ul>
          <p class="muted small">{dead > 0 ? t("admin.dash.jobs.deadHint") : t("admin.dash.jobs.ok")}</p>
        </section>
      </div>
    </>,
  );
}
