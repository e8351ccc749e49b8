import type { Db } from "../../platform/db/index.ts";
import { newId, nowIso } from "../../platform/ids.ts";

/** Inserts a member row directly (tests of read models need exact dates and states). */
export async function insertMember(
  db: Db,
  opts: { createdAt: string; status?: "active" | "pending"; optIn?: boolean; name?: string; email?: string },
): Promise<string> {
  const id = newId();
  await db
    .insertInto("members")
    .values({
      id,
      email: opts.email ?? `m-${id}@example.test`,
      name: opts.name ?? "",
      locale: "fr",
      time_zone: "Europe/Paris",
      status: opts.status ?? "active",
      email_opt_in: opts.optIn ? 1 : 0,
      note: "",
      source: "test",
      confirmed_at: opts.status === "pending" ? null : opts.createdAt,
      last_seen_at: null,
      created_at: opts.createdAt,
      updated_at: nowIso(),
    })
    .execute();
  return id;
}

export const daysAgo = (n: number, now = Date.now()) => new Date(now - n * 86400_000).toISOString();
