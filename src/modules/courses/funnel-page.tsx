import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formatNumber, tCount } from "../../platform/i18n/index.ts";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { courseParam } from "./admin-helpers.ts";
import { courseFunnel, type Funnel } from "./funnel.ts";
import { coursesHead } from "./public.tsx";
import { outline } from "./queries.ts";
import { courseRatings } from "./ratings.ts";
import { RatingsView, StallRollupView } from "./rollup-view.tsx";
import { stallRollup } from "./stalls.ts";

/** The creator's view of where students stop: a bar chart (SVG, no inline style under the CSP) and the same figures as a table. */

function pct(locale: string, share: number): string {
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 }).format(share);
}

function duration(c: AppContext, seconds: number | null): string {
  const t = tr(c);
  if (seconds === null) return "—";
  if (seconds < 60) return t("courses.funnel.seconds", { n: seconds });
  if (seconds < 3600) return t("courses.funnel.minutes", { n: Math.round(seconds / 60) });
  if (seconds < 86400 * 2) return t("courses.funnel.hours", { n: Math.round(seconds / 3600) });
  return t("courses.funnel.days", { n: Math.round(seconds / 86400) });
}

function Chart(p: { c: AppContext; f: Funnel }) {
  const t = tr(p.c);
  const rows = [
    { label: t("courses.funnel.enrolled"), value: p.f.enrolled, stop: 0 },
    { label: t("courses.funnel.started"), value: p.f.started, stop: 0 },
    ...p.f.lessons.map((l) => ({ label: l.title, value: l.completed, stop: l.stopped })),
    { label: t("courses.funnel.completed"), value: p.f.completed, stop: 0 },
  ];
  const max = Math.max(1, p.f.enrolled);
  const rowH = 28;
  const labelW = 220;
  const barW = 480;
  const height = rows.length * rowH + 8;
  return (
    <svg
      class="funnel-chart"
      viewBox={`0 0 ${labelW + barW + 80} ${height}`}
      role="img"
      aria-label={t("courses.funnel.chart_label")}
    >
      {rows.map((r, i) => {
        const y = i * rowH + 4;
        const w = Math.round((r.value / max) * barW);
        const stopW = Math.round((r.stop / max) * barW);
        return (
          <g>
            <text x={labelW - 8} y={y + 17} text-anchor="end" class="funnel-label">
              {r.label.length > 30 ? `${r.label.slice(0, 29)}…` : r.label}
            </text>
            <rect x={labelW} y={y} width={Math.max(w, 1)} height={rowH - 8} class="funnel-bar" />
            {stopW > 0 && <rect x={labelW + w} y={y} width={stopW} height={rowH - 8} class="funnel-stop" />}
            <text x={labelW + Math.max(w + stopW, 1) + 6} y={y + 15} class="funnel-value">
              {formatNumber(p.c.var.locale, r.value)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function funnelRoutes(app: Hono<AppEnv>): void {
  app.get("/admin/courses/:id/funnel", async (c) => {
    const t = tr(c);
    const course = await courseParam(c);
    const o = await outline(c.var.services.db, course);
    const [f, rollup, ratings] = await Promise.all([
      courseFunnel(c.var.services.db, o),
      stallRollup(c.var.services.db, course.id),
      courseRatings(c.var.services.db, course.id),
    ]);
    const worst = [...f.lessons].sort((a, b) => b.stopped - a.stopped)[0];
    return adminPage(
      c,
      t("courses.funnel.title"),
      <div class="course-funnel">
        {coursesHead()}
        <p class="small">
          <a href={`/admin/courses/${course.id}`}>← {course.title}</a>
        </p>
        <h1>{t("courses.funnel.title")}</h1>
        <p class="lead">
          {t("courses.funnel.summary", {
            enrolled: tCount(c.var.locale, "courses.funnel.enrolled", f.enrolled),
            completed: tCount(c.var.locale, "courses.funnel.completed", f.completed),
            share: pct(c.var.locale, f.enrolled ? f.completed / f.enrolled : 0),
          })}
        </p>
        {worst && worst.stopped > 0 && (
          <p class="notice warn">
            {t("courses.funnel.worst", { lesson: worst.title, share: pct(c.var.locale, worst.stoppedShare) })}
          </p>
        )}
        {f.enrolled === 0 ? <p class="muted">{t("courses.funnel.empty")}</p> : <Chart c={c} f={f} />}
        <div class="table-wrap">
          <table class="funnel-table">
            <thead>
              <tr>
                <th scope="col">{t("courses.funnel.lesson")}</th>
                <th scope="col">{t("courses.funnel.completed_col")}</th>
                <th scope="col">{t("courses.funnel.stopped_col")}</th>
                <th scope="col">{t("courses.funnel.median_col")}</th>
              </tr>
            </thead>
            <tbody>
              {f.lessons.map((l) => (
                <tr>
                  <td>
                    <span class="muted small">{l.sectionTitle}</span> · {l.title}
                  </td>
                  <td>{formatNumber(c.var.locale, l.completed)}</td>
                  <td>
                    {formatNumber(c.var.locale, l.stopped)} ({pct(c.var.locale, l.stoppedShare)})
                  </td>
                  <td>{duration(c, l.medianSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <StallRollupView c={c} course={course} f={f} rollup={rollup} />
        <p>
          <a href={`/admin/courses/${course.id}/stalls`}>{t("courses.stall.link")}</a>
        </p>
        <RatingsView c={c} ratings={ratings} />
        {f.quizzes.length > 0 && (
          <>
            <h2>{t("courses.funnel.quizzes")}</h2>
            <ul class="plain-list">
              {f.quizzes.map((q) => (
                <li>
                  <strong>{q.title}</strong> —{" "}
                  {t("courses.funnel.quiz_line", {
                    students: tCount(c.var.locale, "courses.funnel.quiz_students", q.students),
                    passed: tCount(c.var.locale, "courses.funnel.quiz_passed", q.passed),
                    score: q.meanBestScore ?? 0,
                  })}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>,
    );
  });
}
