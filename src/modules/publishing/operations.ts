import { z } from "zod";
import { notFound } from "../../platform/http/errors.ts";
import { field } from "../../platform/http/validation.ts";
import { anyStaff, defineOperation } from "../../platform/operations.ts";
import { blockMember, deleteComment, setCommentStatus, unblockMember } from "./comments.ts";
import { commentModerated, postDeleted } from "./events.ts";
import { deletePost } from "./posts.ts";
import { contentChanged } from "./service.ts";

/**
 * The publishing admin's state changes (ARCHITECTURE.md, "Operations"), shared with the CLI and
 * the API; the post editor's save is `savePostOp` (save-post.ts, with its cover's clean-up).
 * Each one empties the page cache after its commit.
 */

const uuid = z.string().regex(/^[0-9a-f-]{36}$/, "validation.invalid");

export const deletePostOp = defineOperation({
  name: "publishing.delete_post",
  input: z.object({
    id: uuid,
    confirm: field.checkbox().refine((v) => v, "publishing.admin.deleteConfirmMissing"),
  }),
  roles: anyStaff,
  async run({ trx, input, record, afterCommit }) {
    const post = await trx.selectFrom("posts").select(["id", "title"]).where("id", "=", input.id).executeTakeFirst();
    if (!post) throw notFound();
    await deletePost(trx, post.id);
    await record(postDeleted, { postId: post.id, title: post.title }, { memberId: null });
    afterCommit(contentChanged);
    return { id: post.id };
  },
});

export const moderateComment = defineOperation({
  name: "publishing.moderate_comment",
  input: z.object({ id: uuid, op: z.enum(["hide", "show", "delete"], "validation.invalid") }),
  roles: anyStaff,
  async run({ trx, input, record, afterCommit }) {
    const comment = await trx
      .selectFrom("comments")
      .leftJoin("posts", "posts.id", "comments.post_id")
      .select(["comments.id", "comments.member_id", "comments.post_id", "posts.title"])
      .where("comments.id", "=", input.id)
      .executeTakeFirst();
    if (!comment) throw notFound();
    if (input.op === "delete") await deleteComment(trx, comment.id);
    else await setCommentStatus(trx, comment.id, input.op === "hide" ? "hidden" : "visible");
    const action = input.op === "delete" ? "deleted" : input.op === "hide" ? "hidden" : "shown";
    await record(
      commentModerated,
      {
        commentId: comment.id,
        postId: comment.post_id,
        ...(comment.title ? { postTitle: comment.title } : {}),
        action,
      },
      { memberId: comment.member_id },
    );
    afterCommit(contentChanged);
    return { id: comment.id };
  },
});

/** Blocking records comments.blocked on the member's timeline (in blockMember, same transaction). */
export const setCommentBlock = defineOperation({
  name: "publishing.set_comment_block",
  input: z.object({ memberId: uuid, block: z.boolean() }),
  roles: anyStaff,
  async run({ trx, input, actor, afterCommit }) {
    if (input.block) await blockMember(trx, input.memberId, actor.kind === "staff" ? actor.staffId : null);
    else await unblockMember(trx, input.memberId);
    afterCommit(contentChanged);
    return { memberId: input.memberId };
  },
});
