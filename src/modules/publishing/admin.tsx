import path from "node:path";
import { runOperation } from "../../platform/operations.ts";
import { staffActorOf } from "../staff/index.ts";
import { deletePostOp, moderateComment, setCommentBlock } from "./operations.ts";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import { allowLargeBody } from "../../platform/http/body.ts";
import type { AppEnv } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { readForm, formValue } from "../../platform/http/forms.ts";
import { registerAsset } from "../../platform/views/assets.ts";
import { registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { maxUploadBytes } from "./images.ts";
import { tagsOfPost } from "./service.ts";

import { idPattern, postIdParam } from "./admin-shared.tsx";
import { listPage } from "./admin-list.tsx";
import { editorPage, valuesOf } from "./admin-editor.tsx";
import { handleSave, renderPreview, uploadImage } from "./admin-save.tsx";
import { previewPage } from "./admin-preview.tsx";
import { backTo, commentsPage } from "./admin-comments.tsx";

const here = path.dirname(fileURLToPath(import.meta.url));
registerAsset("publishing-editor.js", path.join(here, "assets", "editor.js"), "text/javascript; charset=utf-8");

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
    await runOperation(c.var.services, deletePostOp, await staffActorOf(c), { id: post.id, confirm: "on" });
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
    await runOperation(c.var.services, moderateComment, await staffActorOf(c), { id, op });
    return c.redirect(back, 303);
  });
  app.post("/admin/comments/members/:id/:op{block|unblock}", async (c) => {
    const id = c.req.param("id");
    if (!idPattern.test(id)) throw new AppError("not_found", 404);
    const form = await readForm(c);
    const back = backTo(form, c.req.param("op") === "block" ? "blocked" : "unblocked");
    const block = c.req.param("op") === "block";
    await runOperation(c.var.services, setCommentBlock, await staffActorOf(c), { memberId: id, block });
    return c.redirect(back, 303);
  });
}
