import type { Db } from "../../platform/db/index.ts";
import { prepared } from "../../platform/db/prepared.ts";

/*
 * What each offer includes, kept per process: the same for every member, and
 * asked on every request of a page whose resource an offer opens (a lesson
 * page asked it of the database each time). It holds no one's access: who
 * holds which offer is still the live entitlements (policy.ts), so a refund
 * or a lapse closes access exactly as without this cache.
 *
 * Every write of an offer's includes bumps the one-row counter
 * `access_changes` in its own transaction (offerTermsChanged, called by the
 * offers module) and drops this process's copy at once. Another process
 * sees the counter move at its next check: at most once every CHECK_MS, and
 * only while includes are asked. Inside a transaction the cache is neither
 * read nor filled (the caller may be writing the includes).
 */
export const INCLUDES_CHECK_MS = 1_000;

type Include = { resource_kind: string; resource_id: string };
type Load = (db: Db, offerIds: readonly string[]) => Promise<Map<string, Include[]>>;

const kept = new Map<string, Include[]>();
let counter: string | null = null;
let checkedAt = -Infinity;
let generation = 0;
const MAX_OFFERS = 10_000;

const counterRow = prepared((db) => db.selectFrom("access_changes").select("n").where("id", "=", 1));

/** Drops this process's copy (an offer's includes changed here). */
export function forgetOfferIncludes(): void {
  kept.clear();
  generation++;
  checkedAt = -Infinity;
}

async function check(db: Db): Promise<void> {
  const now = performance.now();
  if (now - checkedAt < INCLUDES_CHECK_MS) return;
  checkedAt = now;
  const n = String((await counterRow(db, ""))[0]?.n ?? "");
  if (n !== counter) {
    kept.clear();
    generation++;
    counter = n;
  }
}

/** The includes of these offers, from this process's copy (the missing ones read in one query). */
export async function cachedIncludes(db: Db, offerIds: readonly string[], load: Load): Promise<Map<string, Include[]>> {
  if (db.isTransaction) return load(db, offerIds);
  await check(db);
  const out = new Map<string, Include[]>();
  const missing: string[] = [];
  for (const id of offerIds) {
    const k = kept.get(id);
    if (k) out.set(id, k);
    else missing.push(id);
  }
  if (missing.length === 0) return out;
  const gen = generation;
  const loaded = await load(db, missing);
  // A change noted while reading: this answer may be older than it, so it is not kept.
  const keep = gen === generation;
  if (keep && kept.size + missing.length > MAX_OFFERS) kept.clear();
  for (const id of missing) {
    const list = loaded.get(id) ?? [];
    out.set(id, list);
    if (keep) kept.set(id, list);
  }
  return out;
}

/** Whether one of these offers includes the resource (kind + id, or kind + "*"). */
export function includesOpen(
  includes: Map<string, Include[]>,
  offerIds: Iterable<string>,
  resource: { kind: string; id: string },
): boolean {
  for (const id of offerIds)
    for (const i of includes.get(id) ?? [])
      if (i.resource_kind === resource.kind && (i.resource_id === resource.id || i.resource_id === "*")) return true;
  return false;
}
