import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formatDateTime, formatMoney, formatNumber, type Locale } from "../../platform/i18n/index.ts";
import { jobCounts } from "../../platform/jobs/index.ts";
import { describeEvent, timelineFormat } from "../../platform/events/index.ts";
import { currentStaff } from "../staff/index.ts";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { memberStats, newMembersPerWeek } from "../members/index.ts";
import { listOffers, salesFigures } from "../offers/index.ts";
import { BarChart } from "./charts.tsx";
import { recentEvents, type RecentEvent } from "./queries.ts";

function shortDay(locale: Locale, isoDay: string): string {
  return new Intl.DateTimeFormat(locale === "fr" ? "fr-FR" : "en-GB", {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  }).format(new Date(`${isoDay}T00:00:00Z`));
}

function monthLabel(locale: Locale, isoDay: string): string {
  return new Intl.DateTimeFormat(locale === "fr" ? "fr-FR" : "en-GB", { month: "short", timeZone: "UTC" }).format(
    new Date(`${isoDay}T00:00:00Z`),
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
  const now = c.var.services.clock.now();
  const [user, stats, weeks, events, jobs, sales, offers] = await Promise.all([
    currentStaff(c),
    memberStats(db, now),
    newMembersPerWeek(db, 12, now, site.timeZone),
    recentEvents(db, 10),
    jobCounts(db),
    salesFigures(db, { now, timeZone: site.timeZone, currency: site.currency }),
    listOffers(db),
  ]);
  const m = (minor: number, currency = sales.currency) => formatMoney(locale, minor, currency);
  const withOthers = (main: number, others: Map<string, number>) =>
    [m(main), ...[...others].map(([cur, v]) => m(v, cur))].join(" + ");
  const jobCount = (state: string) => jobs.find((j) => j.state === state)?.count ?? 0;
  const dead = jobCount("dead");
  const n = (v: number) => formatNumber(locale, v);

  // The path to a first sale; it ends on sharing the page, which only the creator can do.
  const steps = [
    {
      key: "story",
      done: site.storyMarkdown.trim().length > 0,
      href: "/admin/settings",
      label: t("admin.dash.steps.story"),
      hint: t("admin.dash.steps.storyHint"),
    },
    {
      key: "offer",
      done: offers.some((o) => o.status === "published"),
      href: "/admin/offers",
      label: t("admin.dash.steps.offer"),
      hint: t("admin.dash.steps.offerHint"),
    },
    {
      key: "email",
      done: mailer.kind === "smtp",
      href: "/admin/system",
      label: t("admin.dash.steps.email"),
      hint: t("admin.dash.steps.emailHint"),
    },
    {
      key: "security",
      done: user.totpEnabled,
      href: "/admin/security",
      label: t("admin.dash.steps.security"),
      hint: t("admin.dash.steps.securityHint"),
    },
    {
      key: "share",
      done: stats.total > 0,
      href: "/",
      label: t("admin.dash.steps.share"),
      hint: t("admin.dash.steps.shareHint", { url: c.var.services.config.publicUrl }),
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
              <li class={s.done ? "done" : undefined} data-step={s.key}>
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

      <h2 class="section-title">{t("admin.dash.money")}</h2>
      <div class="stats dash-stats">
        <div class="stat" data-stat="revenue">
          <div class="value">{withOthers(sales.revenueThisMonth, sales.otherRevenueThisMonth)}</div>
          <div class="label">{t("admin.dash.money.month")}</div>
        </div>
        <div class="stat" data-stat="mrr">
          <div class="value">{withOthers(sales.mrr, sales.otherMrr)}</div>
          <div class="label">{t("admin.dash.money.mrr")}</div>
        </div>
        <div class="stat" data-stat="newPaying">
          <div class="value">{n(sales.newPayingThisMonth)}</div>
          <div class="label">{t("admin.dash.money.newPaying")}</div>
        </div>
        <div class="stat" data-stat="cancellations">
          <div class="value">{n(sales.cancellationsThisMonth)}</div>
          <div class="label">{t("admin.dash.money.cancellations")}</div>
        </div>
      </div>
      <section class="card chart" aria-labelledby="money-chart-h">
        <h2 id="money-chart-h">{t("admin.dash.money.chart")}</h2>
        <p class="muted small">{t("admin.dash.money.chartSub", { currency: sales.currency })}</p>
        <BarChart
          id="revenue-chart"
          title={t("admin.dash.money.chart")}
          bars={sales.months.map((b) => ({ label: monthLabel(locale, b.start), value: b.amount, text: m(b.amount) }))}
        />
      </section>

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
        <BarChart
          id="members-chart"
          title={`${t("admin.dash.chart.title")} (${n(weeks.reduce((sum, w) => sum + w.count, 0))})`}
          bars={weeks.map((w) => ({ label: shortDay(locale, w.start), value: w.count, text: n(w.count) }))}
        />
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
