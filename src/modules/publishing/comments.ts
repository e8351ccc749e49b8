import { z } from "zod";
import type { Expression } from "kysely";
import { transaction, type Db } from "../../platform/db/index.ts";
import { prepared } from "../../platform/db/prepared.ts";
import { AppError } from "../../platform/http/errors.ts";
import { field, parseInput } from "../../platform/http/validation.ts";
import { record } from "../../platform/events/index.ts";
import { commentsBlocked, commentsUnblocked, postCommented } from "./events.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { hitRateLimit } from "../../platform/security/rate-limit.ts";
import { memberExists, memberNames } from "../members/index.ts";

export const commentLimits = { body: 3000, perMinute: 5, perDay: 60 };

const schema = z.object({ body: field.longText(commentLimits.body) });

export interface CommentView {
  id: string;
  body: string;
  createdAt: string;
  memberId: string;
  authorName: string;
}

const blockOf = prepared((db, memberId) =>
  db.selectFrom("comment_blocks").select("member_id").where("member_id", "=", memberId),
);

export async function isBlocked(db: Db, memberId: string): Promise<boolean> {
  return (await blockOf(db, memberId)).length > 0;
}

/**
 * A member's comment: plain text (escaped when shown), length-limited and
 * rate-limited per member; blocked members are refused with a 403. The
 * caller has already checked the member may read the post.
 */
export async function addComment(db: Db, postId: string, memberId: string, body: string): Promise<string> {
  const v = parseInput(schema, { body });
  if (await isBlocked(db, memberId)) throw new AppError("forbidden", 403, "publishing.comments.blocked");
  await hitRateLimit(db, `comment:m:${memberId}`, commentLimits.perMinute, 60_000);
  await hitRateLimit(db, `comment:d:${memberId}`, commentLimits.perDay, 86_400_000);
  return transaction(db, async (trx) => {
    const id = newId();
    const at = nowIso();
    await trx
      .insertInto("comments")
      .values({
        id,
        post_id: postId,
        member_id: memberId,
        body: v.body,
        status: "visible",
        created_at: at,
        updated_at: at,
      })
      .execute();
    const post = await trx.selectFrom("posts").select("title").where("id", "=", postId).executeTakeFirst();
    await record(
      trx,
      postCommented,
      { postId, commentId: id, ...(post ? { postTitle: post.title } : {}) },
      { memberId, actor: "member" },
    );
    return id;
  });
}

/**
 * Visible comments of a post, oldest first, with the author's display name.
 * postId may be a column reference, for the post page's one-query form (post-page-query.ts).
 */
export function commentsQuery(db: Db, postId: string | Expression<string>, limit: number) {
  return db
    .selectFrom("comments")
    .innerJoin(memberNames(db).as("mb"), "mb.id", "comments.member_id")
    .select(["comments.id", "comments.body", "comments.created_at", "comments.member_id", "mb.name", "mb.email"])
    .where("comments.post_id", "=", postId)
    .where("comments.status", "=", "visible")
    .orderBy("comments.created_at")
    .orderBy("comments.id")
    .limit(limit);
}
/** The post page's comments (the default limit), their SQL built once. */
export const defaultLimit = 500;
const pageComments = prepared((db, postId) => commentsQuery(db, postId, defaultLimit));

export async function visibleComments(db: Db, postId: string, limit = defaultLimit): Promise<CommentView[]> {
  const rows = await (limit === defaultLimit ? pageComments(db, postId) : commentsQuery(db, postId, limit).execute());
  return rows.map(commentView);
}

type CommentRow = { id: string; body: string; created_at: string; member_id: string; name: string; email: string };

export function commentView(r: CommentRow): CommentView {
  return {
    id: r.id,
    body: r.body,
    createdAt: r.created_at,
    memberId: r.member_id,
    authorName: displayName(r.name, r.email),
  };
}

/** A member's public name: the name they gave, else the part of their address before "@", never the whole address. */
export function displayName(name: string, email: string): string {
  const n = name.trim();
  if (n) return n;
  const local = email.split("@")[0] ?? "";
  return local.length > 2 ? `${local.slice(0, 2)}…` : "…";
}

export async function countVisibleComments(db: Db, postIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!postIds.length) return out;
  const rows = await db
    .selectFrom("comments")
    .select(["post_id", (eb) => eb.fn.countAll<number>().as("n")])
    .where("post_id", "in", postIds)
    .where("status", "=", "visible")
    .groupBy("post_id")
    .execute();
  for (const r of rows) out.set(r.post_id, Number(r.n));
  return out;
}

export interface AdminCommentFilter {
  status?: string;
  page: number;
  perPage: number;
}

export async function listCommentsForAdmin(db: Db, f: AdminCommentFilter) {
  let q = db
    .selectFrom("comments")
    .innerJoin(memberNames(db).as("mb"), "mb.id", "comments.member_id")
    .innerJoin("posts", "posts.id", "comments.post_id");
  if (f.status === "visible" || f.status === "hidden") q = q.where("comments.status", "=", f.status);
  const [rows, total] = await Promise.all([
    q
      .leftJoin("comment_blocks", "comment_blocks.member_id", "comments.member_id")
      .select([
        "comments.id",
        "comments.body",
        "comments.status",
        "comments.created_at",
        "comments.member_id",
        "mb.name",
        "mb.email",
        "posts.title",
        "posts.slug",
        "comment_blocks.member_id as blocked",
      ])
      .orderBy("comments.created_at", "desc")
      .orderBy("comments.id", "desc")
      .limit(f.perPage)
      .offset((f.page - 1) * f.perPage)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst(),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

export async function setCommentStatus(db: Db, id: string, status: "visible" | "hidden"): Promise<void> {
  const r = await db
    .updateTable("comments")
    .set({ status, updated_at: nowIso() })
    .where("id", "=", id)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new AppError("not_found", 404);
}

export async function deleteComment(db: Db, id: string): Promise<void> {
  const r = await db.deleteFrom("comments").where("id", "=", id).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw new AppError("not_found", 404);
}

/** Blocking also hides what the member already wrote; unblocking does not bring it back. */
export async function blockMember(db: Db, memberId: string, staffId: string | null): Promise<void> {
  await transaction(db, async (trx) => {
    if (!(await memberExists(trx, memberId))) throw new AppError("not_found", 404);
    const existing = await trx
      .selectFrom("comment_blocks")
      .select("member_id")
      .where("member_id", "=", memberId)
      .executeTakeFirst();
    if (!existing)
      await trx
        .insertInto("comment_blocks")
        .values({ member_id: memberId, blocked_by: staffId, created_at: nowIso() })
        .execute();
    await trx
      .updateTable("comments")
      .set({ status: "hidden", updated_at: nowIso() })
      .where("member_id", "=", memberId)
      .execute();
    await record(trx, commentsBlocked, {}, { memberId, actor: "staff" });
  });
}

export async function unblockMember(db: Db, memberId: string): Promise<void> {
  await transaction(db, async (trx) => {
    const r = await trx.deleteFrom("comment_blocks").where("member_id", "=", memberId).executeTakeFirst();
    if (Number(r.numDeletedRows) > 0) await record(trx, commentsUnblocked, {}, { memberId, actor: "staff" });
  });
}
