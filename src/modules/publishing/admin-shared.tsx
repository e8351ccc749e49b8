import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { tierOffers } from "../offers/index.ts";
import { findPost, type PostRow } from "./service.ts";

/* What the admin post pages share: the post from the URL, its status badge, the tier choices. */

export const idPattern = /^[0-9a-f-]{36}$/;

export async function tierOptions(c: AppContext) {
  return (await tierOffers(c.var.services.db)).filter((o) => o.status !== "archived");
}

export function statusBadge(c: AppContext, status: PostRow["status"]) {
  const t = tr(c);
  const cls = status === "published" ? "badge ok" : status === "scheduled" ? "badge warn" : "badge";
  return <span class={cls}>{t(`publishing.status.${status}`)}</span>;
}

export async function postIdParam(c: AppContext): Promise<PostRow> {
  const id = c.req.param("id") ?? "";
  const post = idPattern.test(id) ? await findPost(c.var.services.db, id) : undefined;
  if (!post) throw new AppError("not_found", 404);
  return post;
}
