import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formatNumber } from "../../platform/i18n/index.ts";
import { jobCounts } from "../../platform/jobs/index.ts";
import { adminPage, registerAdminNav } from "../../platform/views/admin-layout.tsx";

/*
 * System: how the site runs, in plain words (sending emails, payments,
 * background tasks, the database), for the creator and whoever installed the
 * site. Technical names (variables, job types) stay out; the installation
 * guide says which setting each line depends on.
 */

function Line({
  ok,
  title,
  text,
  link,
}: {
  ok: boolean;
  title: string;
  text: string;
  link?: { href: string; label: string };
}) {
  return (
    <li class={ok ? "done" : undefined}>
      <span class="tick" aria-hidden="true">
        {ok ? "✓" : "!"}
      </span>
      <div>
        <strong>{title}</strong>
        <p class="muted small">{text}</p>
        {link && (
          <p class="small">
            <a href={link.href}>{link.label}</a>
          </p>
        )}
      </div>
    </li>
  );
}

async function systemPage(c: AppContext) {
  const t = tr(c);
  const { db, mailer, config, dialect } = c.var.services;
  let dbOk = true;
  try {
    await db.selectFrom("settings").select("key").limit(1).execute();
  } catch {
    dbOk = false;
  }
  const jobs = await jobCounts(db);
  const dead = jobs.find((j) => j.state === "dead")?.count ?? 0;
  const waiting = jobs.find((j) => j.state === "queued")?.count ?? 0;
  const smtp = mailer.kind === "smtp";
  const stripe = Boolean(config.stripeSecretKey);
  return adminPage(
    c,
    t("admin.system.title"),
    <>
      <h1>{t("admin.system.title")}</h1>
      <p class="muted">{t("admin.system.intro")}</p>
      <section class="card">
        <ol class="checklist system-checks">
          <Line
            ok={smtp}
            title={t("admin.system.mail")}
            text={t(smtp ? "admin.system.mail.on" : "admin.system.mail.off")}
            link={{ href: "/admin/mailbox", label: t("admin.system.mail.link") }}
          />
          <Line
            ok={stripe}
            title={t("admin.system.payments")}
            text={t(stripe ? "admin.system.payments.on" : "admin.system.payments.off")}
          />
          <Line
            ok={dead === 0}
            title={t("admin.system.jobs")}
            text={
              dead === 0
                ? t("admin.system.jobs.ok", { n: formatNumber(c.var.locale, waiting) })
                : t("admin.system.jobs.dead", { n: formatNumber(c.var.locale, dead) })
            }
            link={{ href: dead ? "/admin/jobs?state=dead" : "/admin/jobs", label: t("admin.system.jobs.link") }}
          />
          <Line
            ok={dbOk}
            title={t("admin.system.db")}
            text={t(dbOk ? "admin.system.db.ok" : "admin.system.db.down", {
              kind: dialect === "postgres" ? "PostgreSQL" : "SQLite",
            })}
          />
        </ol>
      </section>
    </>,
  );
}

export function systemRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/system", labelKey: "admin.nav.systemHealth", order: 79, section: "system" });
  app.get("/admin/system", (c) => systemPage(c));
}
