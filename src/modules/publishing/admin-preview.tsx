import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { Layout } from "../../platform/views/layout.tsx";
import { previewDecision } from "./public.tsx";
import { tagsOfPost } from "./service.ts";
import { PostArticle } from "./views.tsx";

import { postIdParam } from "./admin-shared.tsx";

/* ---------- previews ---------- */

export async function previewPage(c: AppContext) {
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
