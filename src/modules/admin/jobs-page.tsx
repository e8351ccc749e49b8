import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { formatDateTime, formatNumber } from "../../platform/i18n/index.ts";
import { jobCounts, retryJob } from "../../platform/jobs/index.ts";
import { CsrfField, Notice } from "../../platform/views/components.tsx";
import { adminPage, registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { isJobState, jobStates, listJobs, type JobState } from "./queries.ts";

const badgeClass: Record<JobState, string> = {
  queued: "badge",
  running: "badge warn",
  done: "badge ok",
  dead: "badge danger",
};

/** A job type in words ("newsletter.tick" → "Envoi des lettres programmées"); unknown ones read "Tâche interne". */
function jobLabel(t: (k: string) => string, type: string): string {
  const key = `admin.jobs.kind.${type}`;
  const label = t(key);
  return label === key ? t("admin.jobs.kind.other") : label;
}

async function jobsPage(c: AppContext) {
  const t = tr(c);
  const locale = c.var.locale;
  const { db } = c.var.services;
  const stateParam = c.req.query("state");
  const state = isJobState(stateParam) ? stateParam : undefined;
  const [counts, jobs] = await Promise.all([jobCounts(db), listJobs(db, { state, limit: 100 })]);
  const countOf = (s: string) => counts.find((x) => x.state === s)?.count ?? 0;
  const total = counts.reduce((sum, x) => sum + x.count, 0);
  const retried = c.req.query("retried") === "1";
  const tabs: { value: JobState | undefined; label: string; count: number }[] = [
    { value: undefined, label: t("admin.jobs.all"), count: total },
    ...jobStates.map((s) => ({ value: s, label: t(`admin.jobs.state.${s}`), count: countOf(s) })),
  ];
  return adminPage(
    c,
    t("admin.jobs.title"),
    <>
      <h1>{t("admin.jobs.title")}</h1>
      <p class="muted">{t("admin.jobs.intro")}</p>
      {retried && <Notice>{t("admin.jobs.retried")}</Notice>}
      <nav class="tabs" aria-label={t("admin.jobs.filter")}>
        {tabs.map((tab) => (
          <a
            href={tab.value ? `/admin/jobs?state=${tab.value}` : "/admin/jobs"}
            aria-current={tab.value === state ? "page" : undefined}
            data-state={tab.value ?? "all"}
          >
            {tab.label} <span class="count">{formatNumber(locale, tab.count)}</span>
          </a>
        ))}
      </nav>
      {jobs.length === 0 ? (
        <p class="empty card muted">{t("admin.jobs.none")}</p>
      ) : (
        <div class="table-wrap">
          <table class="jobs-table">
            <caption class="visually-hidden">{t("admin.jobs.caption", { n: jobs.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("admin.jobs.col.type")}</th>
                <th scope="col">{t("admin.jobs.col.state")}</th>
                <th scope="col">{t("admin.jobs.col.attempts")}</th>
                <th scope="col">{t("admin.jobs.col.runAt")}</th>
                <th scope="col">{t("admin.jobs.col.error")}</th>
                <th scope="col">
                  <span class="visually-hidden">{t("admin.jobs.col.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr data-job={j.id} data-type={j.type}>
                  <td>{jobLabel(t, j.type)}</td>
                  <td>
                    <span class={badgeClass[j.state]}>{t(`admin.jobs.state.${j.state}`)}</span>
                  </td>
                  <td class="attempts">
                    <span class="m-label">{t("admin.jobs.col.attempts")} </span>
                    {`${j.attempts}/${j.maxAttempts}`}
                  </td>
                  <td class="nowrap run-at">{formatDateTime(locale, j.runAt, c.var.site.timeZone)}</td>
                  <td class={j.lastError ? "job-error" : "job-error none"}>
                    {j.lastError ? (
                      <span title={j.lastError}>
                        {j.lastError.length > 160 ? `${j.lastError.slice(0, 160)}…` : j.lastError}
                      </span>
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                  <td>
                    {j.state === "dead" && (
                      <form method="post" action={`/admin/jobs/${j.id}/retry`}>
                        <CsrfField c={c} />
                        <button type="submit" class="small secondary">
                          {t("admin.jobs.retry")}
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {jobs.length >= 100 && <p class="muted small">{t("admin.jobs.limited", { n: 100 })}</p>}
    </>,
  );
}

export function jobsRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/jobs", labelKey: "admin.nav.jobs", order: 80, section: "system" });
  app.get("/admin/jobs", (c) => jobsPage(c));
  app.post("/admin/jobs/:id/retry", async (c) => {
    const { db } = c.var.services;
    const id = c.req.param("id");
    const job = await db.selectFrom("jobs").select(["id", "state"]).where("id", "=", id).executeTakeFirst();
    if (!job) throw new AppError("not_found", 404);
    if (job.state !== "dead") throw new AppError("conflict", 409, "admin.jobs.notDead");
    await retryJob(db, id);
    return c.redirect("/admin/jobs?retried=1", 303);
  });
}
