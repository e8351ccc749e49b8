import { sql } from "kysely";
import type { Db } from "../db/index.ts";
import { rateLimited } from "../http/errors.ts";
import { hashToken } from "./tokens.ts";

/**
 * The stored key: the namespace before the first ":" in clear (so an operator
 * can tell counters apart), the whole key hashed. Keys often name an email
 * address or an IP, which must not sit in the table (nor in its backups).
 */
export function rateLimitKey(key: string): string {
  const i = key.indexOf(":");
  return `${i > 0 ? key.slice(0, i) : "rl"}:${hashToken(key)}`;
}

/**
 * Fixed-window counters kept in the database, so limits hold across several
 * app nodes. `hit` counts one attempt and throws a 429 AppError once `max`
 * attempts were made in the window.
 */
export async function hitRateLimit(
  db: Db,
  key: string,
  max: number,
  windowMs: number,
  now = new Date(),
): Promise<void> {
  if ((await countAttempt(db, key, windowMs, now)) > max) throw rateLimited();
}

function windowOf(windowMs: number, now: Date): string {
  return new Date(Math.floor(now.getTime() / windowMs) * windowMs).toISOString();
}

/** Counts one attempt under `key` in the current window and returns the window's count. */
export async function countAttempt(db: Db, key: string, windowMs: number, now = new Date()): Promise<number> {
  const windowStart = windowOf(windowMs, now);
  const row = await db
    .insertInto("rate_limits")
    .values({ key: rateLimitKey(key), window_start: windowStart, count: 1 })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        count: sql`CASE WHEN rate_limits.window_start = ${windowStart} THEN rate_limits.count + 1 ELSE 1 END`,
        window_start: windowStart,
      }),
    )
    .returning("count")
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The attempts counted under `key` in the current window, without counting one. */
export async function attemptsSoFar(db: Db, key: string, windowMs: number, now = new Date()): Promise<number> {
  const row = await db
    .selectFrom("rate_limits")
    .select("count")
    .where("key", "=", key)
    .where("window_start", "=", windowOf(windowMs, now))
    .executeTakeFirst();
  return row ? Number(row.count) : 0;
}

/** Drops counters from past windows (run by a periodic job). */
export async function pruneRateLimits(db: Db, olderThan: Date): Promise<void> {
  await db.deleteFrom("rate_limits").where("window_start", "<", olderThan.toISOString()).execute();
}
