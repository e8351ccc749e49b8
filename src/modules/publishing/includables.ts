import type { Db } from "../../platform/db/index.ts";
import { registerIncludable } from "../offers/index.ts";

/**
 * What an offer can include from publishing, for the offer editor: all posts
 * (present and future) or chosen ones, by title. The post's audience still
 * decides (an include only opens posts for paying members).
 */
export function registerPostIncludes(): void {
  registerIncludable({
    kind: "post",
    labelKey: "publishing.includable.kind",
    allLabelKey: "publishing.includable.all",
    order: 10,
    list: async (db: Db) =>
      (await db.selectFrom("posts").select(["id", "title"]).orderBy("created_at", "desc").limit(500).execute()).map(
        (p) => ({ id: p.id, title: p.title || "—" }),
      ),
  });
}
