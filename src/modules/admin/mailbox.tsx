import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { formatDateTime } from "../../platform/i18n/index.ts";
import { Notice } from "../../platform/views/components.tsx";
import { adminPage, registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { getMailboxMessage, linksIn, listMailbox } from "./queries.ts";

/**
 * The dev mailbox: without SMTP_URL every email lands in a table, and the
 * owner reads it here (trying the product before configuring a mail
 * provider). A message's HTML is shown in a sandboxed iframe served with its
 * own strict CSP: no script, no form, no same-origin access.
 */
export const mailHtmlPolicy =
  "default-src 'none'; img-src data: https:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox";

const PAGE = 50;

async function mailboxPage(c: AppContext) {
  const t = tr(c);
  const { db, mailer } = c.var.services;
  const q = (c.req.query("q") ?? "").slice(0, 254);
  const before = c.req.query("before");
  const rows = await listMailbox(db, { q, before, limit: PAGE + 1 });
  const more = rows.length > PAGE;
  const shown = rows.slice(0, PAGE);
  const nextHref = more
    ? `/admin/mailbox?${new URLSearchParams({ ...(q ? { q } : {}), before: shown[shown.length - 1]!.id }).toString()}`
    : null;
  return adminPage(
    c,
    t("admin.mailbox.title"),
    <>
      <h1>{t("admin.mailbox.title")}</h1>
      {mailer.kind === "smtp" ? (
        <Notice kind="warn">{t("admin.mailbox.smtpNote")}</Notice>
      ) : (
        <p class="muted">{t("admin.mailbox.intro")}</p>
      )}
      <form method="get" action="/admin/mailbox" class="filters" role="search">
        <div class="field">
          <label for="f-q">{t("admin.mailbox.search")}</label>
          <input id="f-q" type="search" name="q" value={q} maxlength={254} placeholder="prenom@exemple.fr" />
        </div>
        <button type="submit" class="secondary">
          {t("admin.mailbox.searchButton")}
        </button>
        {q && <a href="/admin/mailbox">{t("admin.mailbox.clear")}</a>}
      </form>
      {shown.length === 0 ? (
        <p class="empty card muted">{q ? t("admin.mailbox.noMatch") : t("admin.mailbox.empty")}</p>
      ) : (
        <div class="table-wrap">
          <table class="mail-table">
            <thead>
              <tr>
                <th scope="col">{t("admin.mailbox.col.subject")}</th>
                <th scope="col">{t("admin.mailbox.col.to")}</th>
                <th scope="col">{t("admin.mailbox.col.date")}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((m) => (
                <tr>
                  <td>
                    <a href={`/admin/mailbox/${m.id}`}>{m.subject || t("admin.mailbox.noSubject")}</a>
                  </td>
                  <td class="break">{m.to}</td>
                  <td class="nowrap muted">{formatDateTime(c.var.locale, m.createdAt, c.var.site.timeZone)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextHref && (
        <p class="pagination">
          <span />
          <a href={nextHref}>{t("admin.mailbox.older")} →</a>
        </p>
      )}
    </>,
  );
}

async function messagePage(c: AppContext) {
  const t = tr(c);
  const msg = await getMailboxMessage(c.var.services.db, c.req.param("id") ?? "");
  if (!msg) throw new AppError("not_found", 404);
  let extra: [string, string][] = [];
  try {
    extra = Object.entries(JSON.parse(msg.headers) as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
  } catch {
    extra = [];
  }
  const links = linksIn(msg.text);
  return adminPage(
    c,
    msg.subject || t("admin.mailbox.noSubject"),
    <>
      <p class="small">
        <a href="/admin/mailbox">← {t("admin.mailbox.title")}</a>
      </p>
      <h1 class="mail-subject">{msg.subject || t("admin.mailbox.noSubject")}</h1>
      <div class="card">
        <dl class="mail-headers">
          <dt>{t("admin.mailbox.from")}</dt>
          <dd class="break">{msg.from_address}</dd>
          <dt>{t("admin.mailbox.col.to")}</dt>
          <dd class="break">{msg.to_address}</dd>
          <dt>{t("admin.mailbox.col.date")}</dt>
          <dd>{formatDateTime(c.var.locale, msg.created_at, c.var.site.timeZone)}</dd>
          {extra.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd class="break">{v}</dd>
            </>
          ))}
        </dl>
      </div>
      {links.length > 0 && (
        <section class="card mail-links" aria-labelledby="links-h">
          <h2 id="links-h">{t("admin.mailbox.links")}</h2>
          <p class="muted small">{t("admin.mailbox.linksHint")}</p>
          <ul>
            {links.map((href) => (
              <li>
                <a href={href} rel="noopener noreferrer" class="break">
                  {href}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {msg.html && (
        <section class="mail-section" aria-labelledby="html-h">
          <h2 id="html-h">{t("admin.mailbox.html")}</h2>
          <iframe
            class="mail-frame"
            src={`/admin/mailbox/${msg.id}/html`}
            sandbox=""
            title={t("admin.mailbox.htmlFrame")}
            loading="lazy"
            referrerpolicy="no-referrer"
          ></iframe>
        </section>
      )}
      <section class="mail-section" aria-labelledby="text-h">
        <h2 id="text-h">{t("admin.mailbox.text")}</h2>
        <pre class="mail-text">{msg.text}</pre>
      </section>
    </>,
  );
}

export function mailboxRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/mailbox", labelKey: "admin.nav.mailbox", order: 85, section: "system" });
  app.get("/admin/mailbox", (c) => mailboxPage(c));
  app.get("/admin/mailbox/:id", (c) => messagePage(c));
  app.get("/admin/mailbox/:id/html", async (c) => {
    const msg = await getMailboxMessage(c.var.services.db, c.req.param("id"));
    if (!msg) throw new AppError("not_found", 404);
    // This response's own policy replaces the global one (securityHeaders keeps a CSP set by the handler).
    c.header("Content-Security-Policy", mailHtmlPolicy);
    c.header("X-Frame-Options", "SAMEORIGIN");
    c.header("Referrer-Policy", "no-referrer");
    c.header("Cache-Control", "private, no-store");
    return c.html(msg.html);
  });
}
