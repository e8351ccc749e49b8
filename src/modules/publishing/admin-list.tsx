import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formatDateTime } from "../../platform/i18n/index.ts";
import { Field, Notice, Select } from "../../platform/views/components.tsx";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { listPostsForAdmin } from "./posts.ts";

import { statusBadge } from "./admin-shared.tsx";

/* ---------- list ---------- */

export async function listPage(c: AppContext) {
  const t = tr(c);
  const status = c.req.query("status") ?? "";
  const q = (c.req.query("q") ?? "").trim().slice(0, 100);
  const pageNo = Math.max(1, Math.min(10_000, Number.parseInt(c.req.query("page") ?? "1", 10) || 1));
  const perPage = 30;
  const { rows, total } = await listPostsForAdmin(c.var.services.db, { status, q, page: pageNo, perPage });
  const pages = Math.max(1, Math.ceil(total / perPage));
  const qs = (n: number) =>
    `/admin/posts?${new URLSearchParams({ ...(status ? { status } : {}), ...(q ? { q } : {}), page: String(n) }).toString()}`;
  const tz = c.var.site.timeZone;
  return adminPage(
    c,
    t("publishing.admin.posts"),
    <>
      <div class="admin-top">
        <h1>{t("publishing.admin.posts")}</h1>
        <a class="btn" href="/admin/posts/new">
          {t("publishing.admin.new")}
        </a>
      </div>
      {c.req.query("deleted") === "1" && <Notice>{t("publishing.admin.deleted")}</Notice>}
      <form method="get" action="/admin/posts" class="filters" role="search">
        <Select
          c={c}
          name="status"
          label={t("publishing.admin.filter.status")}
          value={status}
          options={[
            { value: "", label: t("publishing.admin.filter.all") },
            { value: "draft", label: t("publishing.status.draft") },
            { value: "scheduled", label: t("publishing.status.scheduled") },
            { value: "published", label: t("publishing.status.published") },
          ]}
        />
        <Field c={c} name="q" type="search" label={t("publishing.admin.filter.search")} value={q} maxLength={100} />
        <div>
          <button type="submit" class="secondary">
            {t("publishing.admin.filter.apply")}
          </button>
        </div>
      </form>
      <p class="muted small">{t("publishing.admin.count", { n: total })}</p>
      {rows.length === 0 ? (
        <p class="card muted">{q || status ? t("publishing.admin.noMatch") : t("publishing.admin.empty")}</p>
      ) : (
        <div class="table-wrap">
          <table class="posts-table">
            <thead>
              <tr>
                <th scope="col">{t("publishing.field.title")}</th>
                <th scope="col">{t("publishing.admin.col.status")}</th>
                <th scope="col">{t("publishing.field.audience")}</th>
                <th scope="col">{t("publishing.admin.col.date")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr>
                  <td>
                    <a href={`/admin/posts/${p.id}`}>
                      <strong>{p.title}</strong>
                    </a>
                    <div class="muted small">/p/{p.slug}</div>
                  </td>
                  <td>{statusBadge(c, p.status)}</td>
                  <td>{t(`publishing.audience.${p.audience}`)}</td>
                  <td class="small">
                    {formatDateTime(c.var.locale, p.published_at ?? p.publish_at ?? p.updated_at, tz)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 && (
        <nav class="pagination" aria-label={t("publishing.archive.pages")}>
          {pageNo > 1 ? <a href={qs(pageNo - 1)}>← {t("publishing.archive.newer")}</a> : <span />}
          <span class="muted small">{t("publishing.archive.pageOf", { page: pageNo, pages })}</span>
          {pageNo < pages ? <a href={qs(pageNo + 1)}>{t("publishing.archive.older")} →</a> : <span />}
        </nav>
      )}
    </>,
  );
}
