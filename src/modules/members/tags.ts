import type { Db } from "../../platform/db/index.ts";
import { record } from "../../platform/events/index.ts";
import { memberUpdated } from "./events.ts";
import { transaction } from "../../platform/db/index.ts";
import { nowIso } from "../../platform/ids.ts";
import { invalidInput } from "../../platform/http/errors.ts";

/**
 * Member tags: short labels the owner sets by hand ("stage-été", "lyon").
 * Stored lowercase-insensitive as typed (trimmed, inner spaces folded), at
 * most 20 per member and 40 characters each.
 */
export const maxTagsPerMember = 20;
export const maxTagLength = 40;

/** Parses "a, b ,c" into distinct tags; a 422 on the field `tags` when too many or too long. */
export function parseTags(input: string): string[] {
  const tags = [
    ...new Set(
      input
        .normalize("NFC")
        .split(",")
        .map((t) => t.trim().replace(/\s+/g, " ").toLowerCase())
        .filter(Boolean),
    ),
  ];
  if (tags.some((t) => t.length > maxTagLength || /[\u0000-\u001F\u007F<>]/.test(t)))
    throw invalidInput({ tags: { key: "members.tags.invalid", params: { max: maxTagLength } } });
  if (tags.length > maxTagsPerMember)
    throw invalidInput({ tags: { key: "members.tags.tooMany", params: { max: maxTagsPerMember } } });
  return tags.sort();
}

export async function memberTags(db: Db, memberId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("member_tags")
    .select("tag")
    .where("member_id", "=", memberId)
    .orderBy("tag")
    .execute();
  return rows.map((r) => r.tag);
}

/** Every tag in use with how many members carry it (for filters and newsletter segments). */
export async function allMemberTags(db: Db): Promise<{ tag: string; members: number }[]> {
  const rows = await db
    .selectFrom("member_tags")
    .select(["tag", (eb) => eb.fn.countAll().as("n")])
    .groupBy("tag")
    .orderBy("tag")
    .execute();
  return rows.map((r) => ({ tag: r.tag, members: Number(r.n) }));
}

/** Replaces a member's tags; records member.updated with what changed. */
export async function setMemberTags(
  db: Db,
  memberId: string,
  tags: string[],
  actor: "staff" | "system",
): Promise<void> {
  // Joins the caller's transaction when there is one.
  const run = db.isTransaction
    ? (fn: (trx: Db) => Promise<void>) => fn(db)
    : (fn: (trx: Db) => Promise<void>) => transaction(db, fn);
  await run(async (trx) => {
    const before = await memberTags(trx, memberId);
    const added = tags.filter((t) => !before.includes(t));
    const removed = before.filter((t) => !tags.includes(t));
    if (added.length === 0 && removed.length === 0) return;
    if (removed.length)
      await trx.deleteFrom("member_tags").where("member_id", "=", memberId).where("tag", "in", removed).execute();
    const at = nowIso();
    if (added.length)
      await trx
        .insertInto("member_tags")
        .values(added.map((tag) => ({ member_id: memberId, tag, created_at: at })))
        .execute();
    await record(trx, memberUpdated, { fields: ["tags"], added, removed }, { memberId, actor, at });
  });
}
