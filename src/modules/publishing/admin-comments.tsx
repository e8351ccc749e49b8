import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formValue, safeRedirectPath, type FormData as PlainForm } from "../../platform/http/forms.ts";
import { formatDateTime } from "../../platform/i18n/index.ts";
import { CsrfField, Notice, Select } from "../../platform/views/components.tsx";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { listCommentsForAdmin } from "./comments.ts";
import { postUrl } from "./service.ts";

/* ---------- comments moderation ---------- */

export async function commentsPage(c: AppContext) {
  const t = tr(c);
  const status = c.req.query("status") ?? "";
  const pageNo = Math.max(1, Math.min(10_000, Number.parseInt(c.req.query("page") ?? "1", 10) || 1));
  const perPage = 40;
  const { rows, total } = await listCommentsForAdmin(c.var.services.db, { status, page: pageNo, perPage });
  const pages = Math.max(1, Math.ceil(total / perPage));
  const back = c.req.url.slice(c.req.url.indexOf("/admin/"));
  const done = c.req.query("done");
  return adminPage(
    c,
    t("publishing.comments.admin.title"),
    <>
      <div class="admin-top">
        <h1>{t("publishing.comments.admin.title")}</h1>
      </div>
      {done && (
        <Notice>
          {t(
            `publishing.comments.admin.done.${["hidden", "shown", "deleted", "blocked", "unblocked"].includes(done) ? done : "hidden"}`,
          )}
        </Notice>
      )}
      <form method="get" action="/admin/comments" class="filters">
        <Select
          c={c}
          name="status"
          label={t("publishing.admin.filter.status")}
          value={status}
          options={[
            { value: "", label: t("publishing.admin.filter.all") },
            { value: "visible", label: t("publishing.comments.status.visible") },
            { value: "hidden", label: t("publishing.comments.status.hidden") },
          ]}
        />
        <div>
          <button type="submit" class="secondary">
            {t("publishing.admin.filter.apply")}
          </button>
        </div>
      </form>
      <p class="muted small">{t("publishing.comments.admin.count", { n: total })}</p>
      {rows.length === 0 ? (
        <p class="card muted">{t("publishing.comments.admin.empty")}</p>
      ) : (
        <ol class="moderation-list">
          {rows.map((r) => (
            <li class={r.status === "hidden" ? "card moderation hidden-comment" : "card moderation"}>
              <p class="comment-meta small">
                <a href={`/admin/members/${r.member_id}`}>
                  <strong>{r.name || r.email}</strong>
                </a>{" "}
                <span class="muted">{r.email}</span> · {formatDateTime(c.var.locale, r.created_at, c.var.site.timeZone)}{" "}
                · <a href={postUrl(r.slug)}>{r.title}</a>{" "}
                {r.status === "hidden" && <span class="badge warn">{t("publishing.comments.status.hidden")}</span>}
                {r.blocked && <span class="badge danger">{t("publishing.comments.admin.blockedBadge")}</span>}
              </p>
              <p class="comment-body">{r.body}</p>
              <div class="moderation-actions">
                <form method="post" action={`/admin/comments/${r.id}/${r.status === "hidden" ? "show" : "hide"}`}>
                  <CsrfField c={c} />
                  <input type="hidden" name="back" value={back} />
                  <button type="submit" class="secondary small">
                    {r.status === "hidden" ? t("publishing.comments.admin.show") : t("publishing.comments.admin.hide")}
                  </button>
                </form>
                <form method="post" action={`/admin/comments/${r.id}/delete`}>
                  <CsrfField c={c} />
                  <input type="hidden" name="back" value={back} />
                  <button type="submit" class="danger small">
                    {t("publishing.comments.admin.delete")}
                  </button>
                </form>
                <form
                  method="post"
                  action={`/admin/comments/members/${r.member_id}/${r.blocked ? "unblock" : "block"}`}
                >
                  <CsrfField c={c} />
                  <input type="hidden" name="back" value={back} />
                  <button type="submit" class="secondary small">
                    {r.blocked ? t("publishing.comments.admin.unblock") : t("publishing.comments.admin.block")}
                  </button>
                </form>
              </div>
            </li>
          ))}
        </ol>
      )}
      {pages > 1 && (
        <nav class="pagination" aria-label={t("publishing.archive.pages")}>
          {pageNo > 1 ? (
            <a href={`/admin/comments?status=${status}&page=${pageNo - 1}`}>← {t("publishing.archive.newer")}</a>
          ) : (
            <span />
          )}
          <span class="muted small">{t("publishing.archive.pageOf", { page: pageNo, pages })}</span>
          {pageNo < pages ? (
            <a href={`/admin/comments?status=${status}&page=${pageNo + 1}`}>{t("publishing.archive.older")} →</a>
          ) : (
            <span />
          )}
        </nav>
      )}
    </>,
  );
}

/** Where a moderation form returns: a comments page (same-site by safeRedirectPath's verdict), else the list. */
export function backTo(form: PlainForm, done: string): string {
  const raw = safeRedirectPath(formValue(form, "back"), "/admin/comments");
  const base =
    /^\/admin\/comments(?=$|[/?#])/.test(raw) && raw.length < 300
      ? raw.replace(/([?&])done=[a-z]+&?/, "$1").replace(/[?&]$/, "")
      : "/admin/comments";
  return `${base}${base.includes("?") ? "&" : "?"}done=${done}`;
}
