import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formatDateTime } from "../../platform/i18n/index.ts";
import { assetUrl } from "../../platform/views/assets.ts";
import { CsrfField, FormErrors, Notice, type Errors } from "../../platform/views/components.tsx";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { PAYWALL_MARKER } from "./content.ts";
import { utcToLocal, type PostInput } from "./posts.ts";
import { postUrl, type PostRow } from "./service.ts";

import { statusBadge, tierOptions } from "./admin-shared.tsx";
import { EditorMain, EditorSide } from "./admin-editor-fields.tsx";

/* ---------- editor ---------- */

export interface EditorValues extends PostInput {
  id: string | null;
}

export function valuesOf(post: PostRow | undefined, tags: string[], tz: string): EditorValues {
  if (!post)
    return {
      id: null,
      title: "",
      slug: "",
      excerpt: "",
      body: "",
      tags: "",
      audience: "public",
      offers: [],
      publishAt: "",
      commentsEnabled: true,
    };
  let offers: string[] = [];
  try {
    offers = JSON.parse(post.audience_offers) as string[];
  } catch {
    offers = [];
  }
  return {
    id: post.id,
    title: post.title,
    slug: post.slug,
    excerpt: post.excerpt,
    body: post.body_md,
    tags: tags.join(", "),
    audience: post.audience,
    offers,
    publishAt: utcToLocal(
      post.status === "scheduled" ? post.publish_at : post.status === "published" ? post.published_at : post.publish_at,
      tz,
    ),
    commentsEnabled: post.comments_enabled === 1,
  };
}

export async function editorPage(
  c: AppContext,
  v: EditorValues,
  post: PostRow | undefined,
  errors?: Errors,
  status: 200 | 409 | 413 | 415 | 422 = 200,
) {
  const t = tr(c);
  const tiers = await tierOptions(c);
  const title = post ? t("publishing.admin.edit") : t("publishing.admin.new");
  const saved = c.req.query("saved");
  return adminPage(
    c,
    title,
    <div class="editor-page">
      <div class="admin-top">
        <div>
          <p class="muted small editor-crumb">
            <a href="/admin/posts">← {t("publishing.admin.posts")}</a>
          </p>
          <h1>{title}</h1>
        </div>
        {post && (
          <div class="editor-top-actions">
            {statusBadge(c, post.status)}
            {post.status === "published" && (
              <a class="btn secondary small" href={postUrl(post.slug)}>
                {t("publishing.admin.view")}
              </a>
            )}
            <a class="btn secondary small" href={`/admin/newsletters/new?post=${post.id}`}>
              {t("publishing.admin.sendNewsletter")}
            </a>
          </div>
        )}
      </div>
      {saved && (
        <Notice>
          {t(
            `publishing.admin.saved.${saved === "published" || saved === "scheduled" || saved === "unpublished" ? saved : "draft"}`,
          )}
        </Notice>
      )}
      {post?.status === "scheduled" && post.publish_at && (
        <Notice kind="warn">
          {t("publishing.admin.scheduledFor", {
            at: formatDateTime(c.var.locale, post.publish_at, c.var.site.timeZone),
          })}
        </Notice>
      )}
      <FormErrors c={c} errors={errors} />
      <form
        method="post"
        action="/admin/posts/save"
        enctype="multipart/form-data"
        class="editor"
        id="post-editor"
        data-render="/admin/posts/render"
        data-upload="/admin/posts/images"
      >
        <CsrfField c={c} />
        {v.id && <input type="hidden" name="id" value={v.id} />}
        <EditorMain c={c} v={v} errors={errors} />
        <EditorSide c={c} v={v} errors={errors} tiers={tiers} post={post} />
      </form>
      <section class="card editor-upload" aria-labelledby="upload-title">
        <h2 id="upload-title">{t("publishing.editor.uploadTitle")}</h2>
        <p class="muted small">{t("publishing.editor.uploadLead")}</p>
        <form method="post" action="/admin/posts/images" enctype="multipart/form-data" class="inline-form">
          <CsrfField c={c} />
          {v.id && <input type="hidden" name="post" value={v.id} />}
          <label class="visually-hidden" for="f-image">
            {t("publishing.editor.image")}
          </label>
          <input id="f-image" name="image" type="file" accept="image/png,image/jpeg,image/webp,image/gif" required />
          <button type="submit" class="secondary small">
            {t("publishing.editor.upload")}
          </button>
        </form>
      </section>
      <details class="card markdown-help" id="markdown-help">
        <summary>{t("publishing.editor.help")}</summary>
        <table>
          <tbody>
            <tr>
              <td>
                <code>## {t("publishing.help.heading")}</code>
              </td>
              <td>{t("publishing.editor.heading")}</td>
            </tr>
            <tr>
              <td>
                <code>**{t("publishing.help.bold")}**</code> · <code>*{t("publishing.help.italic")}*</code>
              </td>
              <td>
                {t("publishing.editor.bold")} · {t("publishing.editor.italic")}
              </td>
            </tr>
            <tr>
              <td>
                <code>[{t("publishing.help.text")}](https://…)</code>
              </td>
              <td>{t("publishing.editor.link")}</td>
            </tr>
            <tr>
              <td>
                <code>&gt; {t("publishing.help.text")}</code>
              </td>
              <td>{t("publishing.editor.quote")}</td>
            </tr>
            <tr>
              <td>
                <code>- {t("publishing.help.text")}</code>
              </td>
              <td>{t("publishing.editor.list")}</td>
            </tr>
            <tr>
              <td>
                <code>{PAYWALL_MARKER}</code>
              </td>
              <td>{t("publishing.help.paywall")}</td>
            </tr>
          </tbody>
        </table>
      </details>
      {post && (
        <form method="post" action={`/admin/posts/${post.id}/delete`} class="editor-delete">
          <CsrfField c={c} />
          <label class="check small">
            <input type="checkbox" name="confirm" required />
            <span>{t("publishing.admin.deleteConfirm")}</span>
          </label>
          <button type="submit" class="danger small">
            {t("publishing.admin.delete")}
          </button>
        </form>
      )}
      <script src={assetUrl("publishing-editor.js" as "app.js")} defer></script>
    </div>,
    status,
  );
}
