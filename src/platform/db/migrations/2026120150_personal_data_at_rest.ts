import type { Kysely } from "kysely";

/**
 * Personal data at rest (issue 7): rate-limit counters were keyed by raw
 * email addresses (they are hashed from now on; counters restart), finished
 * `mail.send` jobs held whole emails with working links (jobs carry ids from
 * now on), and stored provider events kept the buyer's email address.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.deleteFrom("rate_limits").execute();
  await db.deleteFrom("jobs").where("type", "=", "mail.send").where("state", "=", "done").execute();
  const rows = (await db
    .selectFrom("provider_events")
    .select(["id", "data"])
    .where("type", "=", "checkout.completed")
    .execute()) as { id: string; data: string }[];
  for (const r of rows) {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(r.data) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (data.customerEmail == null) continue;
    data.customerEmail = null;
    await db
      .updateTable("provider_events")
      .set({ data: JSON.stringify(data) })
      .where("id", "=", r.id)
      .execute();
  }
}

/** Nothing to undo: the removed data is not needed by the earlier version either. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(_db: Kysely<any>): Promise<void> {}
