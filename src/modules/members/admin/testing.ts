import { sql } from "kysely";
import type { Db } from "../../../platform/db/index.ts";
import type { MembersTable } from "../tables.ts";
import { transaction } from "../../../platform/db/index.ts";
import { createSession } from "../../../platform/security/sessions.ts";
import { ownerEmail, type TestApp } from "../../../../test/support/app.ts";
import type { TestClient } from "../../../../test/support/client.ts";

/** A client logged in as the owner (no staff login page needed), holding a CSRF token. */
export async function ownerClient(app: TestApp, locale: "fr" | "en" = "en"): Promise<TestClient> {
  const owner = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  const { token } = await createSession(app.db, "staff", owner.id);
  const client = app.client();
  client.cookies.set("atl_s", token);
  client.cookies.set("atl_lang", locale);
  const res = await client.get("/admin/members");
  if (res.status !== 200) throw new Error(`owner login failed: ${res.status}`);
  return client;
}

/**
 * Inserts rows fast: one transaction, multi-row inserts of 500. Then refreshes
 * the planner's statistics, as the server's auto-analyze would soon after a
 * real import (without them PostgreSQL guesses and may skip the trigram index).
 */
export async function bulkInsertMembers(db: Db, rows: MembersTable[]): Promise<void> {
  await transaction(db, async (trx) => {
    for (let i = 0; i < rows.length; i += 500)
      await trx
        .insertInto("members")
        .values(rows.slice(i, i + 500))
        .execute();
  });
  await sql`ANALYZE members`.execute(db);
}

export function memberRow(over: Partial<MembersTable> & { id: string; email: string }): MembersTable {
  const at = over.created_at ?? new Date().toISOString();
  return {
    name: "",
    locale: "fr",
    time_zone: "Europe/Paris",
    status: "active",
    email_opt_in: 0,
    note: "",
    source: "signup",
    confirmed_at: null,
    last_seen_at: null,
    created_at: at,
    updated_at: at,
    ...over,
  };
}
