import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import { allowLargeBody, fileIn, readBody, type ParsedBody, type UploadedFile } from "../../platform/http/body.ts";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { readForm, formValue, safeRedirectPath, type FormData as PlainForm } from "../../platform/http/forms.ts";
import { formatDateTime } from "../../platform/i18n/index.ts";
import { registerAsset, assetUrl } from "../../platform/views/assets.ts";
import {
  Checkbox,
  CsrfField,
  Field,
  FormErrors,
  Notice,
  Select,
  type Errors,
} from "../../platform/views/components.tsx";
import { Layout } from "../../platform/views/layout.tsx";
import { deleteFile } from "../../platform/storage/index.ts";
import { adminPage, registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { currentStaff } from "../staff/index.ts";
import { tierOffers } from "../offers/index.ts";
import { blockMember, deleteComment, listCommentsForAdmin, setCommentStatus, unblockMember } from "./comments.ts";
import { PAYWALL_MARKER, renderBody } from "./content.ts";
import { imageMarkdown, maxUploadBytes, savePostImage } from "./images.ts";
import {
  deletePost,
  limits,
  listPostsForAdmin,
  savePost,
  utcToLocal,
  validatePost,
  type PostAction,
  type PostInput,
} from "./posts.ts";
import { previewDecision } from "./public.tsx";
import { contentChanged, findPost, postUrl, tagsOfPost, type PostRow } from "./service.ts";
import { PostArticle, mediaUrl } from "./views.tsx";

const here = path.dirname(fileURLToPath(import.meta.url));
registerAsset("publishing-editor.js", path.join(here, "assets", "editor.js"), "text/javascript; charset=utf-8");

const idPattern = /^[0-9a-f-]{36}$/;

async function tierOptions(c: AppContext) {
  return (await tierOffers(c.var.services.db)).filter((o) => o.status !== "archived");
}

function statusBadge(c: AppContext, status: PostRow["status"]) {
  const t = tr(c);
  const cls = status === "published" ? "badge ok" : status === "scheduled" ? "badge warn" : "badge";
  return <span class={cls}>{t(`publishing.status.${status}`)}</span>;
}

async function postIdParam(c: AppContext): Promise<PostRow> {
  const id = c.req.param("id") ?? "";
  const post = idPattern.test(id) ? await findPost(c.var.services.db, id) : undefined;
  if (!post) throw new AppError("not_found", 404);
  return post;
}

/* ---------- list ---------- */

async function listPage(c: AppContext) {
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

/* ---------- editor ---------- */

interface EditorValues extends PostInput {
  id: string | null;
}

function valuesOf(post: PostRow | undefined, tags: string[], tz: string): EditorValues {
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

async function editorPage(
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
        <div class="editor-main stack">
          <div class="field editor-title">
            <label for="f-title">{t("publishing.field.title")}</label>
            <input
              id="f-title"
              name="title"
              type="text"
              value={v.title}
              required
              maxlength={limits.title}
              aria-invalid={errors?.title ? "true" : undefined}
              aria-describedby={errors?.title ? "f-title-error" : undefined}
            />
            {errors?.title && (
              <p class="error" id="f-title-error">
                {t(errors.title.key, errors.title.params)}
              </p>
            )}
          </div>
          <Field
            c={c}
            name="slug"
            label={t("publishing.field.slug")}
            value={v.slug}
            errors={errors}
            hint={t("publishing.field.slugHint")}
            maxLength={limits.slug}
          />
          <div class="field">
            <label for="f-excerpt">
              {t("publishing.field.excerpt")} <span class="muted small">({t("form.optional")})</span>
            </label>
            <p class="hint" id="f-excerpt-hint">
              {t("publishing.field.excerptHint")}
            </p>
            <textarea
              id="f-excerpt"
              name="excerpt"
              rows={2}
              maxlength={limits.excerpt}
              class="excerpt"
              aria-describedby="f-excerpt-hint"
            >
              {v.excerpt}
            </textarea>
            {errors?.excerpt && <p class="error">{t(errors.excerpt.key, errors.excerpt.params)}</p>}
          </div>
          <div class="field body-field">
            <div class="body-label">
              <label for="f-body">{t("publishing.field.body")}</label>
              <a class="small" href="#markdown-help">
                {t("publishing.editor.help")}
              </a>
            </div>
            <div
              class="md-toolbar"
              role="toolbar"
              aria-label={t("publishing.editor.toolbar")}
              aria-controls="f-body"
              hidden
            >
              <button
                type="button"
                class="tool"
                data-md="bold"
                title={t("publishing.editor.bold")}
                aria-label={t("publishing.editor.bold")}
              >
                <b>B</b>
              </button>
              <button
                type="button"
                class="tool"
                data-md="italic"
                title={t("publishing.editor.italic")}
                aria-label={t("publishing.editor.italic")}
              >
                <i>I</i>
              </button>
              <button
                type="button"
                class="tool"
                data-md="heading"
                title={t("publishing.editor.heading")}
                aria-label={t("publishing.editor.heading")}
              >
                H2
              </button>
              <button
                type="button"
                class="tool"
                data-md="link"
                title={t("publishing.editor.link")}
                aria-label={t("publishing.editor.link")}
              >
                {t("publishing.editor.link")}
              </button>
              <button
                type="button"
                class="tool"
                data-md="quote"
                title={t("publishing.editor.quote")}
                aria-label={t("publishing.editor.quote")}
              >
                ❝
              </button>
              <button
                type="button"
                class="tool"
                data-md="list"
                title={t("publishing.editor.list")}
                aria-label={t("publishing.editor.list")}
              >
                ••
              </button>
              <button
                type="button"
                class="tool"
                data-md="image"
                title={t("publishing.editor.image")}
                aria-label={t("publishing.editor.image")}
              >
                {t("publishing.editor.image")}
              </button>
              <button
                type="button"
                class="tool tool-paywall"
                data-md="paywall"
                data-marker={PAYWALL_MARKER}
                title={t("publishing.editor.paywallHint")}
              >
                ✦ {t("publishing.editor.paywall")}
              </button>
              <span class="tool-sep" aria-hidden="true"></span>
              <button type="button" class="tool tool-preview" data-md="preview" aria-pressed="false">
                {t("publishing.editor.preview")}
              </button>
              <input
                type="file"
                accept="image/png,image/jpeg,image/webp,image/gif"
                class="visually-hidden"
                data-image-input
                tabindex={-1}
                aria-hidden="true"
              />
            </div>
            <div class="md-panes">
              <textarea
                id="f-body"
                name="body"
                rows={22}
                maxlength={limits.body}
                class="md-input"
                aria-invalid={errors?.body ? "true" : undefined}
                aria-describedby="f-body-hint"
                spellcheck={true}
              >
                {v.body}
              </textarea>
              <div
                class="md-preview prose story"
                aria-live="polite"
                hidden
                data-empty={t("publishing.editor.previewEmpty")}
                data-paywall-label={t("publishing.editor.paywallLine")}
              ></div>
            </div>
            <p class="hint" id="f-body-hint">
              {t("publishing.field.bodyHint", { marker: PAYWALL_MARKER })}
            </p>
            <p
              class="upload-status small"
              role="status"
              aria-live="polite"
              data-uploading={t("publishing.editor.uploading")}
              data-upload-failed={t("publishing.editor.uploadFailed")}
            ></p>
            {errors?.body && <p class="error">{t(errors.body.key, errors.body.params)}</p>}
          </div>
        </div>
        <aside class="editor-side stack">
          <section class="card editor-card">
            <h2>{t("publishing.editor.publishing")}</h2>
            <div class="field">
              <label for="f-publishAt">{t("publishing.field.publishAt")}</label>
              <p class="hint" id="f-publishAt-hint">
                {t("publishing.field.publishAtHint", { tz: c.var.site.timeZone })}
              </p>
              <input
                id="f-publishAt"
                name="publishAt"
                type="datetime-local"
                value={v.publishAt}
                aria-describedby="f-publishAt-hint"
                aria-invalid={errors?.publishAt ? "true" : undefined}
              />
              {errors?.publishAt && <p class="error">{t(errors.publishAt.key)}</p>}
            </div>
            <div class="editor-buttons">
              <button type="submit" name="action" value="publish">
                {post?.status === "published" ? t("publishing.admin.update") : t("publishing.admin.publish")}
              </button>
              <button type="submit" name="action" value="save" class="secondary">
                {post?.status === "published" ? t("publishing.admin.saveOnly") : t("publishing.admin.saveDraft")}
              </button>
              {post && post.status !== "draft" && (
                <button type="submit" name="action" value="unpublish" class="secondary small">
                  {t("publishing.admin.unpublish")}
                </button>
              )}
            </div>
            {post && (
              <p class="editor-previews small">
                {t("publishing.admin.previewAs")}{" "}
                <a href={`/admin/posts/${post.id}/preview?as=free`}>{t("publishing.admin.previewFree")}</a> ·{" "}
                <a href={`/admin/posts/${post.id}/preview?as=paid`}>{t("publishing.admin.previewPaid")}</a>
              </p>
            )}
          </section>
          <section class="card editor-card">
            <h2 id="audience-title">{t("publishing.field.audience")}</h2>
            <fieldset class="audience-choices" aria-labelledby="audience-title">
              {(["public", "members", "paid", "offers"] as const).map((a) => (
                <label class="check">
                  <input
                    type="radio"
                    name="audience"
                    value={a}
                    checked={v.audience === a}
                    disabled={a === "offers" && tiers.length === 0}
                  />
                  <span>
                    <strong>{t(`publishing.audience.${a}`)}</strong>
                    <span class="muted small audience-hint">{t(`publishing.audience.${a}.hint`)}</span>
                  </span>
                </label>
              ))}
            </fieldset>
            {tiers.length > 0 && (
              <fieldset class="tier-choices" id="f-offers">
                <legend class="small">{t("publishing.field.offers")}</legend>
                {tiers.map((o) => (
                  <label class="check small">
                    <input type="checkbox" name="offers" value={o.id} checked={v.offers.includes(o.id)} />
                    <span>{o.name}</span>
                  </label>
                ))}
              </fieldset>
            )}
            {errors?.offers && <p class="error">{t(errors.offers.key)}</p>}
          </section>
          <section class="card editor-card">
            <h2>{t("publishing.editor.details")}</h2>
            <Field
              c={c}
              name="tags"
              label={t("publishing.field.tags")}
              value={v.tags}
              errors={errors}
              hint={t("publishing.field.tagsHint")}
              maxLength={1000}
            />
            <div class="field">
              <label for="f-cover">
                {t("publishing.field.cover")} <span class="muted small">({t("form.optional")})</span>
              </label>
              {post?.cover_file_id && (
                <img class="cover-thumb" src={mediaUrl(post.cover_file_id)} alt={t("publishing.field.coverCurrent")} />
              )}
              <input
                id="f-cover"
                name="cover"
                type="file"
                accept="image/png,image/jpeg,image/webp,image/gif"
                aria-invalid={errors?.cover ? "true" : undefined}
              />
              {errors?.cover && <p class="error">{t(errors.cover.key, errors.cover.params)}</p>}
              {post?.cover_file_id && (
                <label class="check small">
                  <input type="checkbox" name="removeCover" />
                  <span>{t("publishing.field.coverRemove")}</span>
                </label>
              )}
            </div>
            <Checkbox c={c} name="commentsEnabled" checked={v.commentsEnabled} label={t("publishing.field.comments")} />
          </section>
        </aside>
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

/** The non-empty file sent in a field, or null. */
function fileOf(body: ParsedBody, name: string): UploadedFile | null {
  const f = fileIn(body, name);
  return f && f.size > 0 ? f : null;
}

function inputOf(form: PlainForm): PostInput {
  const offers = form.offers;
  return {
    title: formValue(form, "title"),
    slug: formValue(form, "slug"),
    excerpt: formValue(form, "excerpt"),
    body: formValue(form, "body"),
    tags: formValue(form, "tags"),
    audience: formValue(form, "audience") || "public",
    offers: Array.isArray(offers) ? offers : offers ? [offers] : [],
    publishAt: formValue(form, "publishAt"),
    commentsEnabled: formValue(form, "commentsEnabled") === "on",
  };
}

async function handleSave(c: AppContext) {
  const db = c.var.services.db;
  const body = await readBody(c);
  const form = body.fields;
  const id = formValue(form, "id") || null;
  if (id !== null && !idPattern.test(id)) throw new AppError("not_found", 404);
  const existing = id ? await findPost(db, id) : undefined;
  if (id && !existing) throw new AppError("not_found", 404);
  const input = inputOf(form);
  const raw = formValue(form, "action");
  const action: PostAction = raw === "publish" || raw === "unpublish" ? raw : "save";
  const staff = await currentStaff(c);
  const tiers = await tierOptions(c);
  const values: EditorValues = { ...input, id };
  try {
    // The cover is stored only once the rest of the post is known to be valid.
    const cover = fileOf(body, "cover");
    const ctx = { timeZone: c.var.site.timeZone, staffId: staff?.id ?? null, tierIds: tiers.map((o) => o.id) };
    // A bad form must store no file: validate before the cover is saved.
    if (cover) validatePost(input, ctx);
    let coverFileId: string | null | undefined = undefined;
    if (cover) coverFileId = (await savePostImage(db, c.var.services.storage, await cover.bytes(), "post-cover")).id;
    else if (formValue(form, "removeCover") === "on") coverFileId = null;
    let post: PostRow;
    try {
      post = await savePost(db, id, { ...input, coverFileId }, action, ctx);
    } catch (err) {
      if (cover && coverFileId) await deleteFile(db, c.var.services.storage, coverFileId);
      throw err;
    }
    if (existing?.cover_file_id && coverFileId !== undefined && coverFileId !== existing.cover_file_id)
      await deleteFile(db, c.var.services.storage, existing.cover_file_id);
    contentChanged();
    const saved = action === "unpublish" ? "unpublished" : post.status === "draft" ? "draft" : post.status;
    return c.redirect(`/admin/posts/${post.id}?saved=${saved}`, 303);
  } catch (err) {
    if (
      err instanceof AppError &&
      (err.status === 422 || err.status === 409 || err.status === 413 || err.status === 415)
    ) {
      const fields: Errors = Object.keys(err.fields).length
        ? err.fields
        : { cover: { key: err.messageKey, params: err.params } };
      return editorPage(c, values, existing, fields, err.status as 422);
    }
    throw err;
  }
}

/* ---------- previews ---------- */

async function previewPage(c: AppContext) {
  const t = tr(c);
  const post = await postIdParam(c);
  const as = c.req.query("as") === "paid" ? "paid" : "free";
  const canRead = await previewDecision(c, post, as);
  const tags = await tagsOfPost(c.var.services.db, post.id);
  c.header("Cache-Control", "private, no-store");
  return c.html(
    <Layout c={c} meta={{ title: `${t("publishing.preview.title")} · ${post.title}`, noindex: true }}>
      <div class="preview-bar" role="note">
        <div class="wrap preview-bar-inner">
          <span>
            <strong>{t("publishing.preview.title")}</strong> —{" "}
            {as === "paid" ? t("publishing.preview.asPaid") : t("publishing.preview.asFree")}
          </span>
          <span class="preview-links">
            <a href={`/admin/posts/${post.id}/preview?as=${as === "paid" ? "free" : "paid"}`}>
              {as === "paid" ? t("publishing.admin.previewFree") : t("publishing.admin.previewPaid")}
            </a>
            <a href={`/admin/posts/${post.id}`}>{t("publishing.preview.back")}</a>
          </span>
        </div>
      </div>
      <PostArticle
        c={c}
        post={post}
        tags={tags}
        canRead={canRead}
        viewer="member"
        comments={[]}
        commentMode="hidden"
        preview
      />
    </Layout>,
  );
}

/* ---------- images ---------- */

async function uploadImage(c: AppContext) {
  const t = tr(c);
  const db = c.var.services.db;
  const wantsJson = (c.req.header("accept") ?? "").includes("application/json");
  const body = await readBody(c);
  const file = fileOf(body, "image");
  if (!file) throw new AppError("invalid_input", 422, "error.file_empty");
  const stored = await savePostImage(db, c.var.services.storage, await file.bytes(), "post-image");
  const markdown = imageMarkdown(stored.id, file.name || "image");
  if (wantsJson) return c.json({ markdown, url: mediaUrl(stored.id) });
  const postId = formValue(body.fields, "post");
  const back = idPattern.test(postId) ? `/admin/posts/${postId}` : "/admin/posts/new";
  return adminPage(
    c,
    t("publishing.upload.done"),
    <div class="narrow-admin stack">
      <h1>{t("publishing.upload.done")}</h1>
      <img class="upload-preview" src={mediaUrl(stored.id)} alt="" />
      <div class="field">
        <label for="f-md">{t("publishing.upload.copy")}</label>
        <input id="f-md" type="text" readonly value={markdown} />
      </div>
      <p>
        <a class="btn secondary" href={back}>
          {t("publishing.upload.back")}
        </a>
      </p>
    </div>,
  );
}

/** Live preview for the editor script: the same sanitising renderer the site uses. */
async function renderPreview(c: AppContext) {
  const form = await readForm(c);
  const md = formValue(form, "body").slice(0, limits.body);
  const r = renderBody(md, false);
  const isPublic = formValue(form, "audience") === "public";
  return c.json({
    teaserHtml: r.teaserHtml,
    paidHtml: r.paidHtml,
    gated: !isPublic,
    hasMarker: r.teaserHtml !== "" && r.paidHtml !== "",
    readingMinutes: r.readingMinutes,
  });
}

/* ---------- comments moderation ---------- */

async function commentsPage(c: AppContext) {
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
function backTo(form: PlainForm, done: string): string {
  const raw = safeRedirectPath(formValue(form, "back"), "/admin/comments");
  const base =
    /^\/admin\/comments(?=$|[/?#])/.test(raw) && raw.length < 300
      ? raw.replace(/([?&])done=[a-z]+&?/, "$1").replace(/[?&]$/, "")
      : "/admin/comments";
  return `${base}${base.includes("?") ? "&" : "?"}done=${done}`;
}

export function adminRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/posts", labelKey: "publishing.nav.posts", order: 20 });
  registerAdminNav({ href: "/admin/comments", labelKey: "publishing.nav.comments", order: 22 });
  allowLargeBody("/admin/posts/save", maxUploadBytes + 512 * 1024);
  allowLargeBody("/admin/posts/images", maxUploadBytes + 64 * 1024);

  app.get("/admin/posts", (c) => listPage(c));
  app.get("/admin/posts/new", (c) => editorPage(c, valuesOf(undefined, [], c.var.site.timeZone), undefined));
  app.post("/admin/posts/save", (c) => handleSave(c));
  app.post("/admin/posts/images", (c) => uploadImage(c));
  app.post("/admin/posts/render", (c) => renderPreview(c));
  app.get("/admin/posts/:id", async (c) => {
    const post = await postIdParam(c);
    const tags = await tagsOfPost(c.var.services.db, post.id);
    return editorPage(
      c,
      valuesOf(
        post,
        tags.map((tg) => tg.name),
        c.var.site.timeZone,
      ),
      post,
    );
  });
  app.get("/admin/posts/:id/preview", (c) => previewPage(c));
  app.post("/admin/posts/:id/delete", async (c) => {
    const post = await postIdParam(c);
    const form = await readForm(c);
    if (formValue(form, "confirm") !== "on")
      throw new AppError("invalid_input", 422, "publishing.admin.deleteConfirmMissing");
    await deletePost(c.var.services.db, post.id);
    contentChanged();
    return c.redirect("/admin/posts?deleted=1", 303);
  });

  app.get("/admin/comments", (c) => commentsPage(c));
  app.post("/admin/comments/:id/:op{hide|show|delete}", async (c) => {
    const id = c.req.param("id");
    if (!idPattern.test(id)) throw new AppError("not_found", 404);
    const form = await readForm(c);
    const op = c.req.param("op");
    // The return address is checked before anything changes (a refused one is a 400, nothing done).
    const back = backTo(form, op === "delete" ? "deleted" : op === "hide" ? "hidden" : "shown");
    const db = c.var.services.db;
    if (op === "delete") await deleteComment(db, id);
    else await setCommentStatus(db, id, op === "hide" ? "hidden" : "visible");
    contentChanged();
    return c.redirect(back, 303);
  });
  app.post("/admin/comments/members/:id/:op{block|unblock}", async (c) => {
    const id = c.req.param("id");
    if (!idPattern.test(id)) throw new AppError("not_found", 404);
    const form = await readForm(c);
    const back = backTo(form, c.req.param("op") === "block" ? "blocked" : "unblocked");
    const db = c.var.services.db;
    if (c.req.param("op") === "block") await blockMember(db, id, (await currentStaff(c))?.id ?? null);
    else await unblockMember(db, id);
    contentChanged();
    return c.redirect(back, 303);
  });
}
