import { listPage } from "./admin-list.tsx";
import { composePage, composePost, loadPostOr404, postPicker } from "./admin-compose.tsx";
import { progressPayload, showPage } from "./admin-send.tsx";
import { registerNewsletterMemberData } from "./member-data.ts";
import { publicRoutes } from "./public-routes.tsx";
import type { Hono } from "hono";
import { registerAdminNav } from "../../../platform/views/admin-layout.tsx";
import { staffActorOf } from "../../staff/index.ts";
import { runOperation } from "../../../platform/operations.ts";
import { cancelSendOp, setMailTracking } from "./operations.ts";
import type { AppEnv } from "../../../platform/http/context.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { readForm } from "../../../platform/http/forms.ts";
import { getSend } from "./engine.ts";
import { figures } from "./figures.ts";
import { countSegment } from "./segments.ts";

export function routes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/newsletters", labelKey: "newsletter.nav", order: 25 });
  registerNewsletterMemberData();

  app.get("/admin/newsletters", (c) => listPage(c));

  app.post("/admin/newsletters/tracking", async (c) => {
    const form = await readForm(c);
    await runOperation(c.var.services, setMailTracking, await staffActorOf(c), form);
    return c.redirect("/admin/newsletters", 303);
  });

  app.get("/admin/newsletters/new", async (c) => {
    const id = c.req.query("post");
    if (!id) return postPicker(c);
    const db = c.var.services.db;
    const post = await loadPostOr404(db, id);
    return composePage(c, {
      post,
      subject: post.title,
      segmentKind: "all",
      tiers: [],
      tags: [],
      when: "now",
      at: "",
      errors: {},
      count: await countSegment(db, { kind: "all" }, c.var.services.clock.nowIso()),
    });
  });

  app.post("/admin/newsletters", (c) => composePost(c));

  app.get("/admin/newsletters/:id/progress.json", async (c) => {
    const db = c.var.services.db;
    const send = await getSend(db, c.req.param("id"));
    if (!send) throw new AppError("not_found", 404);
    c.header("Cache-Control", "no-store");
    return c.json(progressPayload(c, send.state, await figures(db, send.id)));
  });

  app.post("/admin/newsletters/:id/cancel", async (c) => {
    await readForm(c);
    const id = c.req.param("id");
    if (!(await getSend(c.var.services.db, id))) throw new AppError("not_found", 404);
    await runOperation(c.var.services, cancelSendOp, await staffActorOf(c), { id });
    return c.redirect(`/admin/newsletters/${id}`, 303);
  });

  app.get("/admin/newsletters/:id", (c) => showPage(c));

  publicRoutes(app);
}
