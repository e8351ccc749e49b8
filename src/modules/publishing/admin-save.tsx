import { fileIn, readBody, type ParsedBody, type UploadedFile } from "../../platform/http/body.ts";
import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { readForm, formValue, type FormData as PlainForm } from "../../platform/http/forms.ts";
import { type Errors } from "../../platform/views/components.tsx";
import { runOperation } from "../../platform/operations.ts";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { staffActorOf } from "../staff/index.ts";
import { renderBody } from "./content.ts";
import { imageMarkdown, savePostImage } from "./images.ts";
import { limits, validatePost, type PostAction, type PostInput } from "./posts.ts";
import { discardUnusedCover, saveContextOf, savePostOp } from "./save-post.ts";
import { findPost, type PostRow } from "./service.ts";
import { mediaUrl } from "./views.tsx";

import { idPattern } from "./admin-shared.tsx";
import { editorPage, type EditorValues } from "./admin-editor.tsx";

/** The non-empty file sent in a field, or null. */
export function fileOf(body: ParsedBody, name: string): UploadedFile | null {
  const f = fileIn(body, name);
  return f && f.size > 0 ? f : null;
}

export function inputOf(form: PlainForm): PostInput {
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

/**
 * The editor's save: the form is read here, the cover streamed to storage (only once the rest of
 * the post is known to be valid), then `savePostOp` links it in its transaction. A save that fails
 * leaves no file behind that no post refers to (save-post.ts says who cleans up what).
 */
export async function handleSave(c: AppContext) {
  const { db, storage } = c.var.services;
  const body = await readBody(c);
  const form = body.fields;
  const id = formValue(form, "id") || null;
  if (id !== null && !idPattern.test(id)) throw new AppError("not_found", 404);
  const existing = id ? await findPost(db, id) : undefined;
  if (id && !existing) throw new AppError("not_found", 404);
  const input = inputOf(form);
  const raw = formValue(form, "action");
  const action: PostAction = raw === "publish" || raw === "unpublish" ? raw : "save";
  const actor = await staffActorOf(c);
  const values: EditorValues = { ...input, id };
  try {
    const cover = fileOf(body, "cover");
    // A bad form must store no file: validate before the cover is saved.
    if (cover) validatePost(input, await saveContextOf(db, actor.kind === "staff" ? actor.staffId : null));
    let coverFileId: string | null | undefined = undefined;
    if (cover) coverFileId = (await savePostImage(db, storage, await cover.bytes(), "post-cover")).id;
    else if (formValue(form, "removeCover") === "on") coverFileId = null;
    let post: { id: string; status: PostRow["status"] };
    try {
      post = await runOperation(c.var.services, savePostOp, actor, { ...input, id, action, coverFileId });
    } catch (err) {
      if (coverFileId) await discardUnusedCover(db, storage, coverFileId);
      throw err;
    }
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

/* ---------- images ---------- */

export async function uploadImage(c: AppContext) {
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
export async function renderPreview(c: AppContext) {
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
