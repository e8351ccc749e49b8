import { sql, type Expression } from "kysely";
import type { Db } from "../../platform/db/index.ts";
import { prepared } from "../../platform/db/prepared.ts";
import type { AppContext } from "../../platform/http/context.ts";
import { nowIso } from "../../platform/ids.ts";
import { existingMembers, memberExists } from "../members/index.ts";
import { cachedIncludes, includesOpen } from "./includes-cache.ts";

/**
 * The one access policy. Every surface (pages, downloads, and later emails,
 * feeds, API) describes what it shows as a Resource and asks canAccess; no
 * other code decides who may see paid content.
 *
 * A resource is open when its audience allows the viewer OR when one of the
 * viewer's live entitlements names it directly, or names an offer whose
 * "includes" list covers it (kind + id, or kind + "*"). Entitlements are
 * this module's table (entitlements.ts); what an offer is and includes comes
 * from the offers module through OfferTerms.
 *
 * For kinds whose audience is chosen by the creator on the resource itself
 * (posts), that audience is the rule: a grant or an include only widens it
 * where the audience is "paid" (the holder reads as a paying member). A post
 * for chosen plans stays with those plans and a closed post stays closed,
 * whatever an offer's includes say.
 */
export type Viewer = { kind: "anonymous" } | { kind: "member"; memberId: string } | { kind: "staff"; staffId: string };

/**
 * public: everyone; members: any logged-in member (free tier included);
 * paid: a member holding any tier offer; offers: a member holding one of these offers;
 * nobody: only what entitlements/includes open (and staff).
 */
export type Audience = "public" | "members" | "paid" | "nobody" | { offers: string[] };

export interface Resource {
  /** "post", "page", "offer_file", "course", "podcast_feed", "offer"... */
  kind: string;
  id: string;
  audience: Audience;
}

export const anonymous: Viewer = { kind: "anonymous" };

/** Kinds whose own audience is the rule (see above). */
const audienceRuledKinds = new Set(["post"]);

/** May a direct grant or an offer's include of this resource open it? */
export function grantsCanWiden(resource: Resource): boolean {
  return !audienceRuledKinds.has(resource.kind) || resource.audience === "paid";
}

/** Who is asking, from the request's sessions (a staff session still waiting for its TOTP code is nobody). */
export function viewerOf(c: AppContext): Viewer {
  const staff = c.var.staffSession;
  if (staff && !staff.mfaPending) return { kind: "staff", staffId: staff.subjectId };
  const member = c.var.memberSession;
  if (member) return { kind: "member", memberId: member.subjectId };
  return anonymous;
}

/** What a member holds right now: offers and directly granted resources. */
export interface Holdings {
  offers: Set<string>;
  /** "kind:id" of resources granted directly or through an offer's includes ("kind:*" for all of a kind). */
  resources: Set<string>;
  /** Holds at least one tier offer. */
  paid: boolean;
  memberExists: boolean;
}

interface Row {
  resource_kind: string;
  resource_id: string;
  /** An entitlement to a tier offer. */
  tier: boolean;
  starts_at: string;
  ends_at: string | null;
}

/**
 * What the policy must know of offers, which the offers module owns (it
 * registers these when loaded; the policy names no offers table).
 */
export interface OfferTerms {
  /** The ids of tier offers (holding one makes a member "paid"), as a subquery for the entitlement query. */
  tierIds(db: Db): Expression<{ id: string }>;
  /** The resources each of these offers opens (its "includes"). */
  includes(db: Db, offerIds: readonly string[]): Promise<Map<string, { resource_kind: string; resource_id: string }[]>>;
  /** A summary that moves whenever an offer's kind or includes change (see accessStamp). */
  stamp(db: Db): Promise<string>;
}

let terms: OfferTerms | null = null;

export function registerOfferTerms(offerTerms: OfferTerms): void {
  terms = offerTerms;
}

function offerTerms(): OfferTerms {
  if (!terms) throw new Error("access: no offer terms registered (the offers module registers them when imported)");
  return terms;
}

/** The query of entitlementRows, its SQL built once: one member's, on every request of a feed poll. */
const oneMemberRows = prepared((db, memberId) => entitlementQuery(db, [memberId]));

/** The live-or-not entitlement rows of these members, each marked when it is a tier offer. */
function entitlementRows(db: Db, memberIds: string[]) {
  return (memberIds.length === 1 ? oneMemberRows(db, memberIds[0]!) : entitlementQuery(db, memberIds).execute()).then(
    (rows) => rows.map((r) => ({ ...r, tier: Boolean(r.tier) })),
  );
}

function entitlementQuery(db: Db, memberIds: string[]) {
  const tiers = sql<string>`${offerTerms().tierIds(db)}`;
  return db
    .selectFrom("entitlements")
    .select((eb) => [
      "member_id",
      "resource_kind",
      "resource_id",
      "starts_at",
      "ends_at",
      eb.and([eb("resource_kind", "=", "offer"), eb("resource_id", "in", tiers)]).as("tier"),
    ])
    .where("member_id", "in", memberIds)
    .where("revoked_at", "is", null);
}

/**
 * A member's unrevoked entitlements, kept a few seconds per process: a
 * members-only page must not cost a query per request. Grants and revocations
 * in this process clear it at once (invalidateAccessCache); another process's
 * change shows within ACCESS_CACHE_MS. Start/end times are still compared to
 * "now" on every decision, so an ending period closes access on the second.
 */
export const ACCESS_CACHE_MS = 5_000;
const cache = new Map<string, { at: number; rows: Row[] }>();
/** Lookups answered by this process's entitlement cache, and those that asked the database (bench details). */
export const accessCacheStats = { hits: 0, misses: 0 };

/*
 * Change counters for what this process remembers on top of the policy (a
 * podcast feed's validators): every invalidation bumps the epoch, per member
 * or for everyone, so a remembered answer computed before it is known stale.
 */
let epoch = 0;
let everyoneAt = 0;
const memberAt = new Map<string, number>();

export function invalidateAccessCache(memberId?: string): void {
  epoch++;
  if (memberId) {
    cache.delete(memberId);
    if (memberAt.size > 50_000) {
      memberAt.clear();
      everyoneAt = epoch;
    } else memberAt.set(memberId, epoch);
  } else {
    cache.clear();
    memberAt.clear();
    everyoneAt = epoch;
  }
}

/** The current access epoch (read it before deciding, compare it with accessChangedSince later). */
export const accessEpoch = (): number => epoch;

/** Whether this process invalidated the member's access (or everyone's) after that epoch. */
export function accessChangedSince(memberId: string, since: number): boolean {
  return everyoneAt > since || (memberAt.get(memberId) ?? 0) > since;
}

/**
 * The next instant after `at` when one of the member's unrevoked entitlements
 * starts or ends (their access may change then with no write), from this
 * process's cache; null when none will, undefined when the cache holds nothing.
 */
export function nextAccessBoundary(memberId: string, at: string): string | null | undefined {
  const hit = cache.get(memberId);
  if (!hit) return undefined;
  let next: string | null = null;
  for (const r of hit.rows)
    for (const t of [r.starts_at, r.ends_at]) if (t !== null && t > at && (next === null || t < next)) next = t;
  return next;
}

/**
 * A summary of everything the policy decides from that moves with every
 * grant, revocation, end, erasure or import on any node (the entitlements'
 * change counter, bumped in each write's transaction: no wall clock, no scan)
 * and with every change to the offers' terms: a process may ask it every
 * second to learn that someone's access may have changed, instead of asking
 * per member.
 */
export async function accessStamp(db: Db): Promise<string> {
  const r = await db.selectFrom("access_changes").select("n").where("id", "=", 1).executeTakeFirst();
  return `${String(r?.n ?? "")}|${await offerTerms().stamp(db)}`;
}

/** Live entitlements with their offer's kind, in one query (or none, from the cache). */
async function liveRows(db: Db, memberId: string, at: string): Promise<Row[]> {
  const now = Date.now();
  let hit = db.isTransaction ? undefined : cache.get(memberId);
  if (hit && now - hit.at <= ACCESS_CACHE_MS) accessCacheStats.hits++;
  else {
    accessCacheStats.misses++;
    const rows = await entitlementRows(db, [memberId]);
    hit = { at: now, rows };
    if (!db.isTransaction) {
      if (cache.size > 20_000) cache.clear();
      cache.set(memberId, hit);
    }
  }
  return hit.rows.filter((r) => isLive(r, at));
}

const isLive = (r: Row, at: string) => r.starts_at <= at && (r.ends_at === null || r.ends_at > at);

/** Holdings from live entitlement rows and the "includes" of the offers they name. */
function holdingsFrom(
  rows: Row[],
  includesByOffer: Map<string, { resource_kind: string; resource_id: string }[]>,
  exists: boolean,
): Holdings {
  const h: Holdings = { offers: new Set(), resources: new Set(), paid: false, memberExists: exists };
  if (!exists) return h;
  for (const r of rows) {
    if (r.resource_kind === "offer") {
      h.offers.add(r.resource_id);
      if (r.tier) h.paid = true;
      for (const i of includesByOffer.get(r.resource_id) ?? []) h.resources.add(`${i.resource_kind}:${i.resource_id}`);
    } else h.resources.add(`${r.resource_kind}:${r.resource_id}`);
  }
  return h;
}

async function includesOf(
  db: Db,
  offerIds: Set<string>,
): Promise<Map<string, { resource_kind: string; resource_id: string }[]>> {
  return offerIds.size === 0 ? new Map() : cachedIncludes(db, [...offerIds], offerTerms().includes);
}

const offersIn = (rows: Row[]) => new Set(rows.filter((r) => r.resource_kind === "offer").map((r) => r.resource_id));

/** What the member holds at `at`; `known.exists` when the caller just read the member (one query fewer). */
export async function holdingsOf(
  db: Db,
  memberId: string,
  at = nowIso(),
  known: { exists?: true } = {},
): Promise<Holdings> {
  const [exists, rows] = await Promise.all([known.exists ?? memberExists(db, memberId), liveRows(db, memberId, at)]);
  return holdingsFrom(rows, exists ? await includesOf(db, offersIn(rows)) : new Map(), exists);
}

/**
 * Which of these members may access the resource now: the same decision as
 * canAccess, with a few queries per 500 members instead of one per member
 * (a newsletter applies the paywall to every recipient of a batch).
 */
export async function membersWithAccess(
  db: Db,
  memberIds: string[],
  resource: Resource,
  at = nowIso(),
): Promise<Set<string>> {
  const ids = [...new Set(memberIds)];
  const existing = new Set<string>();
  const rowsBy = new Map<string, Row[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const id of await existingMembers(db, chunk)) existing.add(id);
    const rows = await entitlementRows(db, chunk);
    for (const r of rows) {
      if (!isLive(r, at)) continue;
      const list = rowsBy.get(r.member_id);
      if (list) list.push(r);
      else rowsBy.set(r.member_id, [r]);
    }
  }
  const includes = await includesOf(db, offersIn([...rowsBy.values()].flat()));
  return new Set(
    ids.filter((id) =>
      decide(
        { kind: "member", memberId: id },
        holdingsFrom(rowsBy.get(id) ?? [], includes, existing.has(id)),
        resource,
      ),
    ),
  );
}

/** The pure decision, given what the viewer holds (use it to check many resources with one lookup). */
export function decide(viewer: Viewer, holdings: Holdings | null, resource: Resource): boolean {
  if (resource.audience === "public") return true;
  if (viewer.kind === "staff") return true;
  if (viewer.kind === "anonymous" || !holdings || !holdings.memberExists) return false;
  if (
    grantsCanWiden(resource) &&
    (holdings.resources.has(`${resource.kind}:${resource.id}`) || holdings.resources.has(`${resource.kind}:*`))
  )
    return true;
  if (resource.kind === "offer" && holdings.offers.has(resource.id)) return true;
  const a = resource.audience;
  if (a === "members") return true;
  if (a === "paid") return holdings.paid;
  if (a === "nobody") return false;
  return a.offers.some((id) => holdings.offers.has(id));
}

/**
 * May this viewer access this resource now? One query in the common case
 * (the audience decides from the live entitlements); the offer "includes"
 * are read only when the audience alone says no.
 */
export async function canAccess(db: Db, viewer: Viewer, resource: Resource, at = nowIso()): Promise<boolean> {
  if (resource.audience === "public" || viewer.kind === "staff") return true;
  if (viewer.kind === "anonymous") return false;
  const a = resource.audience;
  if (a === "members") return memberExists(db, viewer.memberId);
  const rows = await liveRows(db, viewer.memberId, at);
  // Entitlements are erased with their member, so rows imply the member exists.
  if (rows.length === 0) return false;
  const offers = new Set<string>();
  let paid = false;
  const widen = grantsCanWiden(resource);
  for (const r of rows) {
    if (r.resource_kind === "offer") {
      offers.add(r.resource_id);
      if (r.tier) paid = true;
    } else if (widen && r.resource_kind === resource.kind && (r.resource_id === resource.id || r.resource_id === "*"))
      return true;
  }
  if (resource.kind === "offer" && offers.has(resource.id)) return true;
  if (a === "paid" && paid) return true;
  if (typeof a === "object" && a.offers.some((id) => offers.has(id))) return true;
  if (offers.size === 0 || !widen) return false;
  // What the offers include is this process's copy (includes-cache.ts); who holds them is not.
  return includesOpen(await cachedIncludes(db, [...offers], offerTerms().includes), offers, resource);
}

/**
 * Same question for many resources with one lookup (lists, feeds): the live
 * entitlements (ACCESS_CACHE_MS, as canAccess). Whether the member exists is
 * asked only when they hold nothing live and some resource is for members
 * (entitlements are erased with their member, so rows imply the member), and
 * the offers' includes only when the audiences alone leave something closed
 * that an include could open: the same decisions as holdingsOf + decide.
 */
export async function filterAccessible<T extends Resource>(
  db: Db,
  viewer: Viewer,
  resources: T[],
  at = nowIso(),
): Promise<T[]> {
  if (viewer.kind !== "member") return resources.filter((r) => decide(viewer, null, r));
  const rows = await liveRows(db, viewer.memberId, at);
  const exists =
    rows.length > 0 || (resources.some((r) => r.audience === "members") && (await memberExists(db, viewer.memberId)));
  let holdings = holdingsFrom(rows, new Map(), exists);
  const offers = offersIn(rows);
  if (exists && offers.size > 0 && resources.some((r) => grantsCanWiden(r) && !decide(viewer, holdings, r)))
    holdings = holdingsFrom(rows, await includesOf(db, offers), exists);
  return resources.filter((r) => decide(viewer, holdings, r));
}
