import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "../../platform/db/index.ts";
import type { Services } from "../../platform/http/context.ts";
import { notModified } from "../../platform/http/conditional.ts";
import { rawClientIp, securityHeaderValues } from "../../platform/http/raw-routes.ts";
import { errorFields, log } from "../../platform/log.ts";
import { accessChangedSince, accessEpoch, accessStamp, invalidateAccessCache } from "../access/index.ts";
import { appOf, networkOf } from "./listening.ts";
import { fetchNotedRecently } from "./sharing.ts";
import type { ShowRow } from "./service.ts";
import type { FeedRow } from "./tokens.ts";

/*
 * The private feeds' validator index: a 304 for a poll whose ETag this
 * process computed itself on the normal route (feedPollRoutes), answered at
 * the node:http level (a raw route) with no query at all. It can never
 * outlive a change by more than a few seconds on any node:
 * - every process asks the database, at most once a second and only while
 *   polls arrive, for one stamp of what the validators depend on (the shows'
 *   versions, the feeds' tokens, the access policy's stamp: entitlements and
 *   offer terms); when it moves, the whole index is dropped. An entry is
 *   served only while the last stamp is under STAMP_FRESH_MS old.
 * - grants, revocations and rotations in this process drop entries at once
 *   (the access epoch, invalidateFeedIndex).
 * - what changes with no write (a scheduled episode going out, an entitlement
 *   starting or ending) is each entry's validUntil; MAX_AGE_MS bounds the rest.
 * Anything else (a first poll, a changed feed, a poll without If-None-Match,
 * the fetch not yet noted as shared-feed evidence) takes the normal route.
 */

const STAMP_EVERY_MS = 1_000;
const STAMP_FRESH_MS = 3_000;
const MAX_AGE_MS = 15 * 60_000;
const MAX_ENTRIES = 100_000;

interface Entry {
  etag: string;
  headers: Record<string, string>;
  feed: FeedRow;
  show: ShowRow;
  /** Index generation and access epoch read before the plan was computed. */
  generation: number;
  epoch: number;
  validUntilMs: number;
  /** The last poll's address and user agent, and what shared-feed detection reads of them. */
  seen?: { ip: string; ua: string | undefined; network: string; app: string };
}

/*
 * Keyed by the token itself, not its SHA-256 (a hash per poll was a tenth of
 * the raw answer's cost): this process holds the app secret the tokens are
 * derived from, so keeping them adds nothing to what its memory reveals.
 */
const entries = new Map<string, Entry>();
let generation = 0;
let stamp: string | null = null;
let stampAt = -Infinity;
let stampStartedAt = -Infinity;
let stamping = false;

/** Raw 304s answered, polls the normal route answered instead (bench and /healthz). */
export const feedIndexStats = { hits: 0, misses: 0, drops: 0 };

/** Drops every entry (a rotation, an erasure in this process). */
export function invalidateFeedIndex(): void {
  generation++;
  entries.clear();
  feedIndexStats.drops++;
}

/** What the normal route reads before computing a plan: entries from an older state are never kept. */
export const indexMark = () => ({ generation, epoch: accessEpoch() });

/** Keeps the validators the normal route just sent, for the next poll of that token. */
export function rememberValidators(
  token: string,
  mark: { generation: number; epoch: number },
  plan: { etag: string; validUntil: string | null },
  headers: Record<string, string>,
  feed: FeedRow,
  show: ShowRow,
  nowMs: number,
): void {
  if (mark.generation !== generation || stamp === null) return;
  const until = plan.validUntil === null ? Infinity : Date.parse(plan.validUntil);
  const validUntilMs = Math.min(until, nowMs + MAX_AGE_MS);
  if (!(validUntilMs > nowMs)) return;
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(token, { etag: plan.etag, headers, feed, show, ...mark, validUntilMs });
}

/**
 * A show or episode saved, a token rotated, a member's feeds erased: bumps the
 * podcasts' change counter in the writer's transaction (other processes see it
 * once committed, whatever the writer's clock) and drops this process's index
 * at once. Every write a feed's validators or tokens depend on calls this.
 */
export async function feedsChanged(trx: Db): Promise<void> {
  await trx
    .updateTable("podcast_changes")
    .set((eb) => ({ n: eb("n", "+", 1) }))
    .where("id", "=", 1)
    .execute();
  invalidateFeedIndex();
}

/** The podcasts side of the stamp: the change counter (one single-row read, no clock, no scan). */
async function podcastsStamp(db: Db): Promise<string> {
  const r = await db.selectFrom("podcast_changes").select("n").where("id", "=", 1).executeTakeFirst();
  return String(r?.n ?? "");
}

let accessPart: string | null = null;

async function refreshStamp(services: Services): Promise<void> {
  const started = performance.now();
  const before = generation;
  const access = await accessStamp(services.db);
  const next = `${await podcastsStamp(services.db)}|${access}`;
  if (next !== stamp) {
    // Someone's access changed on some node: this process's entitlement cache (ACCESS_CACHE_MS) may hold
    // the old rows, and a plan computed from them now must not be remembered as current. Dropping it
    // also moves the access epoch, so nothing remembered before counts either.
    if (accessPart !== null && access !== accessPart) invalidateAccessCache();
    if (stamp !== null || entries.size > 0) invalidateFeedIndex();
    stamp = next;
    accessPart = access;
  } else if (before !== generation) return; // dropped meanwhile: the next check confirms
  stampAt = started;
}

function maybeRefresh(services: Services, now: number): void {
  if (stamping || now - stampStartedAt < STAMP_EVERY_MS) return;
  stamping = true;
  stampStartedAt = now;
  refreshStamp(services)
    .catch((err: unknown) => log.warn("podcast feed index: stamp failed", errorFields(err)))
    .finally(() => (stamping = false));
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(", ") : v);

/** The raw route of /podcasts/feed/<token>.xml: a 304 from the index, or false for the normal route. */
export function answerFeedPoll(req: IncomingMessage, res: ServerResponse, services: Services): boolean {
  const now = performance.now();
  maybeRefresh(services, now);
  const ifNoneMatch = header(req.headers["if-none-match"]);
  if (!ifNoneMatch) return false;
  const m = /^\/podcasts\/feed\/([A-Za-z0-9_-]{43})\.xml$/.exec(req.url ?? "");
  if (!m) return false;
  const entry = entries.get(m[1]!);
  const nowMs = services.clock.nowMs();
  if (
    !entry ||
    entry.generation !== generation ||
    now - stampAt > STAMP_FRESH_MS ||
    nowMs >= entry.validUntilMs ||
    accessChangedSince(entry.feed.member_id, entry.epoch) ||
    (ifNoneMatch !== entry.etag &&
      !notModified(ifNoneMatch, header(req.headers["if-modified-since"]), entry.etag, entry.headers["Last-Modified"]))
  ) {
    feedIndexStats.misses++;
    return false;
  }
  // Shared-feed evidence: a (network, app) pair not noted within the hour takes the normal route, which writes it.
  // An app polls from the same address with the same user agent: what they mean is read once per entry.
  const ip = rawClientIp(req, services.config.trustProxy);
  const ua = header(req.headers["user-agent"]);
  let seen = entry.seen;
  if (!seen || seen.ip !== ip || seen.ua !== ua) entry.seen = seen = { ip, ua, network: networkOf(ip), app: appOf(ua) };
  if (!fetchNotedRecently(entry.feed, seen.network, seen.app, nowMs)) {
    feedIndexStats.misses++;
    return false;
  }
  feedIndexStats.hits++;
  res.writeHead(304, entry.headers);
  res.end();
  return true;
}

/** The headers of a 304 as the normal route sends them (its own and the security headers). */
export function pollHeaders(publicUrl: string, own: Record<string, string>): Record<string, string> {
  return { ...securityHeaderValues(publicUrl), ...own };
}
