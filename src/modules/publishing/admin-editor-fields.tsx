import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { Checkbox, Field, type Errors } from "../../platform/views/components.tsx";
import { PAYWALL_MARKER } from "./content.ts";
import { limits } from "./posts.ts";
import { type PostRow } from "./service.ts";
import { mediaUrl } from "./views.tsx";

import { tierOptions } from "./admin-shared.tsx";
import type { EditorValues } from "./admin-editor.tsx";

/** The editor's main column: title, slug, excerpt and the Markdown body with its live preview. */
export function EditorMain({ c, v, errors }: { c: AppContext; v: EditorValues; errors: Errors | undefined }) {
  const t = tr(c);
  return (
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
  );
}

/** The editor's side column: when to publish, who may read it, tags and comments. */
export function EditorSide({
  c,
  v,
  errors,
  tiers,
  post,
}: {
  c: AppContext;
  v: EditorValues;
  errors: Errors | undefined;
  tiers: Awaited<ReturnType<typeof tierOptions>>;
  post: PostRow | undefined;
}) {
  const t = tr(c);
  return (
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
  );
}
