import { sql, type RawBuilder } from "kysely";
import { insertRows, type Db } from "../../platform/db/index.ts";
import { prepared } from "../../platform/db/prepared.ts";
import type { MemberConsentsTable, MembersTable } from "./tables.ts";

/*
 * What other modules may read of members, without naming our tables: small
 * lookups by id, and SQL pieces for their one-statement queries over many
 * members (a newsletter picks 100,000 recipients in one INSERT ... SELECT).
 */

// Asked by the access policy on every members-only page: the SQL is built once.
const memberById = prepared((db, id) => db.selectFrom("members").select("id").where("id", "=", id));

export async function memberExists(db: Db, id: string): Promise<boolean> {
  return (await memberById(db, id)).length > 0;
}

/** Which of these ids are members (at most a few hundred per call). */
export async function existingMembers(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  return (
    await db
      .selectFrom("members")
      .select("id")
      .where("id", "in", [...ids])
      .execute()
  ).map((m) => m.id);
}

export interface MemberContact {
  id: string;
  email: string;
  name: string;
  locale: string;
  status: "pending" | "active";
  /** 1 when the member accepted email (newsletter consent). */
  email_opt_in: number;
}

/** Name, address, language and consent of these members, by id (500 per query). */
export async function memberContacts(db: Db, ids: readonly string[]): Promise<Map<string, MemberContact>> {
  const out = new Map<string, MemberContact>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    for (const m of await db
      .selectFrom("members")
      .select(["id", "email", "name", "locale", "status", "email_opt_in"])
      .where("id", "in", unique.slice(i, i + 500))
      .execute())
      out.set(m.id, m);
  }
  return out;
}

/** The same, for one member found by (normalised) address. */
export async function memberContactByEmail(db: Db, email: string): Promise<MemberContact | undefined> {
  return db
    .selectFrom("members")
    .select(["id", "email", "name", "locale", "status", "email_opt_in"])
    .where("email", "=", email)
    .executeTakeFirst();
}

const alias = (a: string) => {
  if (!/^[a-z]+$/.test(a)) throw new Error(`members: bad SQL alias ${a}`);
  return a;
};

/** SQL pieces over the members table, for queries other modules run in one statement. */
export const memberSql = {
  /** `members <a>`, for a FROM clause. */
  from: (a: string): RawBuilder<unknown> => sql`members ${sql.raw(alias(a))}`,
  /** Member `<a>` accepted email: confirmed (active) and opted in. */
  acceptsEmail: (a: string): RawBuilder<boolean> =>
    sql<boolean>`${sql.ref(`${alias(a)}.status`)} = 'active' AND ${sql.ref(`${a}.email_opt_in`)} = 1`,
  /** The member whose id is the column `memberId` ("m.id") carries at least one of these tags. */
  hasAnyTag: (memberId: string, tags: readonly string[]): RawBuilder<boolean> =>
    sql<boolean>`EXISTS (SELECT 1 FROM member_tags t WHERE t.member_id = ${sql.ref(memberId)} AND t.tag IN (${sql.join([...tags])}))`,
};

/**
 * Id, name and address of every member, as a query to join (`.innerJoin(memberNames(db).as("mb"), "mb.id",
 * "comments.member_id")`): one statement for lists that show who wrote what.
 */
export function memberNames(db: Db) {
  return db.selectFrom("members").select(["members.id", "members.name", "members.email"]);
}

/** The first members who joined and are active (the demo picks its buyers and commenters among them). */
export async function oldestActiveMembers(
  db: Db,
  limit: number,
): Promise<{ id: string; email: string; locale: string }[]> {
  return db
    .selectFrom("members")
    .select(["id", "email", "locale"])
    .where("status", "=", "active")
    .orderBy("created_at")
    .limit(limit)
    .execute();
}

/** Every member's address (a bulk load steps around existing ones). */
export async function allMemberEmails(db: Db): Promise<string[]> {
  return (await db.selectFrom("members").select("email").execute()).map((r) => r.email);
}

export type MemberConsentRow = MemberConsentsTable;

/**
 * Bulk load of members with their consent records, as given (the demo's
 * 100,000 members with a year of history): multi-row INSERTs, no events.
 */
export async function importMembers(db: Db, members: MembersTable[], consents: MemberConsentRow[]): Promise<void> {
  await insertRows(db, "members", members);
  await insertRows(db, "member_consents", consents);
}
