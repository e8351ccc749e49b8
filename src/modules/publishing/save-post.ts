import { z } from "zod";
import type { Db } from "../../platform/db/index.ts";
import { anyStaff, defineOperation } from "../../platform/operations.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import { deleteFile } from "../../platform/storage/index.ts";
import type { Storage } from "../../platform/storage/driver.ts";
import { tierOffers } from "../offers/index.ts";
import { postSaved } from "./events.ts";
import { postFieldsSchema, savePost, type SaveContext } from "./posts.ts";
import { contentChanged, findPost } from "./service.ts";

/**
 * The post editor's save, as an operation. Its cover is streamed to storage by the route before
 * the transaction (a file is too large to hold a transaction open for); the operation only links
 * the stored file. Who cleans up what:
 * - the previous cover is deleted after the commit, and only when no post refers to it any more,
 *   so a save that rolls back never loses the file the post still shows;
 * - a new cover whose save failed is deleted by the route with `discardUnusedCover`, which again
 *   checks that no committed post refers to it (an error after the commit leaves it linked).
 */

const uuid = z.string().regex(/^[0-9a-f-]{36}$/, "validation.invalid");

export const savePostInput = postFieldsSchema.extend({
  id: uuid.nullable(),
  action: z.enum(["save", "publish", "unpublish"], "validation.invalid"),
  offers: z.array(z.string().max(64, "validation.too_long|max=64")).max(100, "validation.too_long|max=100"),
  commentsEnabled: z.boolean(),
  /** A file the route has stored (new cover), null to remove the cover, absent to keep it. */
  coverFileId: uuid.nullable().optional(),
});

/** What a save checks against: the site's time zone (publish times) and the tiers one may choose. */
export async function saveContextOf(db: Db, staffId: string | null): Promise<SaveContext> {
  const [site, tiers] = await Promise.all([getSiteSettings(db), tierOffers(db)]);
  return {
    timeZone: site.timeZone,
    staffId,
    tierIds: tiers.filter((o) => o.status !== "archived").map((o) => o.id),
  };
}

export const savePostOp = defineOperation({
  name: "publishing.save_post",
  input: savePostInput,
  roles: anyStaff,
  async run({ trx, input, actor, clock, record, services, afterCommit }) {
    const { id, action, ...fields } = input;
    const existing = id ? await findPost(trx, id) : undefined;
    const ctx = await saveContextOf(trx, actor.kind === "staff" ? actor.staffId : null);
    const post = await savePost(trx, id, fields, action, ctx, clock.now());
    await record(
      postSaved,
      { postId: post.id, title: post.title, created: !existing, action, status: post.status },
      { memberId: null },
    );
    const oldCover = existing?.cover_file_id;
    if (oldCover && input.coverFileId !== undefined && input.coverFileId !== oldCover)
      afterCommit(() => discardUnusedCover(services.db, services.storage, oldCover));
    afterCommit(contentChanged);
    return { id: post.id, status: post.status };
  },
});

/** Deletes a stored cover unless a post refers to it (then it is kept: never a dangling reference). */
export async function discardUnusedCover(db: Db, storage: Storage, fileId: string): Promise<void> {
  const user = await db.selectFrom("posts").select("id").where("cover_file_id", "=", fileId).executeTakeFirst();
  if (!user) await deleteFile(db, storage, fileId);
}
