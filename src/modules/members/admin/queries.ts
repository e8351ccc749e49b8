import { sql, type ExpressionBuilder, type RawBuilder, type SelectQueryBuilder } from "kysely";
import { ilike, likeEscape, toNumber, type Database, type Db } from "../../../platform/db/index.ts";
import { nowIso } from "../../../platform/ids.ts";
import { memberMoney, payingStatuses, type PayingStatus } from "./money.ts";

/*
 * The owner's member list: filters, sort and keyset paging. Every page is an
 * index range scan from a cursor (the last row's sort key and id), so page
 * 2,000 costs what page 1 costs; the total comes from one count(*) over the
 * same filter.
 */

export const sortKeys = ["newest", "oldest", "name", "revenue"] as const;
export type SortKey = (typeof sortKeys)[number];

export interface MemberFilter {
  /** Case-insensitive substring of the email or the name. */
  q: string;
  status: "" | "pending" | "active";
  newsletter: "" | "yes" | "no";
  /** UTC ISO instants (inclusive lower bound, exclusive upper bound). */
  joinedFrom: string | null;
  joinedUntil: string | null;
  source: string;
  /** A tier offer's id: members holding it now. */
  tier: string;
  paying: "" | PayingStatus;
  /** Lifetime revenue at least this much (minor units of the site's currency). */
  revenueMin: number | null;
  sort: SortKey;
}

export const emptyFilter: MemberFilter = {
  q: "",
  status: "",
  newsletter: "",
  joinedFrom: null,
  joinedUntil: null,
  source: "",
  tier: "",
  paying: "",
  revenueMin: null,
  sort: "newest",
};

/** What the money filters and the revenue sort are measured in: the site's currency, now. */
export interface MoneyContext {
  currency: string;
  at: string;
}

const defaultMoney = (): MoneyContext => ({ currency: "EUR", at: nowIso() });

export { payingStatuses };

/** What a list row shows (an allow-list, never the raw row). */
export interface MemberListRow {
  id: string;
  email: string;
  name: string;
  status: "pending" | "active";
  emailOptIn: boolean;
  locale: string;
  timeZone: string;
  source: string;
  note: string;
  createdAt: string;
  confirmedAt: string | null;
  lastSeenAt: string | null;
  /** Lifetime revenue, read only when the list is sorted by it (the cursor's value). */
  revenue?: number;
}

/** Where a page starts: the sort value and id of the row just outside it. */
export interface Cursor {
  value: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.value, c.id]), "utf8").toString("base64url");
}

/** A malformed cursor is simply ignored (the list restarts at page 1). */
export function decodeCursor(text: string | undefined): Cursor | null {
  if (!text || text.length > 2000) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === "string" && typeof parsed[1] === "string")
      return { value: parsed[0], id: parsed[1] };
  } catch {
    // fall through
  }
  return null;
}

function applyFilter<O>(
  db: Db,
  q: SelectQueryBuilder<Database, "members", O>,
  f: MemberFilter,
  money: MoneyContext,
): SelectQueryBuilder<Database, "members", O> {
  if (f.q) {
    const pattern = `%${likeEscape(f.q)}%`;
    q = q.where((eb) => eb.or([ilike(db, eb.ref("email"), pattern), ilike(db, eb.ref("name"), pattern)]));
  }
  if (f.status) q = q.where("status", "=", f.status);
  if (f.newsletter) q = q.where("email_opt_in", "=", f.newsletter === "yes" ? 1 : 0);
  if (f.joinedFrom) q = q.where("created_at", ">=", f.joinedFrom);
  if (f.joinedUntil) q = q.where("created_at", "<", f.joinedUntil);
  if (f.source) q = q.where("source", "=", f.source);
  const provider = memberMoney();
  if (provider) {
    if (f.tier) q = q.where(provider.tierSql("members.id", f.tier, money.at));
    if (f.paying) q = q.where(provider.payingSql("members.id", f.paying, money.at));
    if (f.revenueMin !== null) q = q.where(provider.revenueSql("members.id", money.currency), ">=", f.revenueMin);
  }
  return q;
}

type SortExpression = "created_at" | "name" | RawBuilder<number>;

function sortColumn(sort: SortKey, money: MoneyContext): SortExpression {
  const provider = memberMoney();
  if (sort === "revenue" && provider) return provider.revenueSql("members.id", money.currency);
  return sort === "name" ? "name" : "created_at";
}

/** Ascending in the list's natural order? (newest and revenue, largest first, are the descending sorts.) */
function ascending(sort: SortKey): boolean {
  return sort !== "newest" && sort !== "revenue";
}

function sortValue(row: MemberListRow, sort: SortKey): string {
  if (sort === "revenue") return String(row.revenue ?? 0);
  return sort === "name" ? row.name : row.createdAt;
}

function keysetAfter(eb: ExpressionBuilder<Database, "members">, col: SortExpression, op: ">" | "<", c: Cursor) {
  if (typeof col !== "string") {
    const v = Number(c.value);
    const value = Number.isSafeInteger(v) ? v : 0;
    return eb.or([eb(col, op, value), eb.and([eb(col, "=", value), eb("id", op, c.id)])]);
  }
  return eb.or([eb(col, op, c.value), eb.and([eb(col, "=", c.value), eb("id", op, c.id)])]);
}

function present(r: Database["members"] & { sort_revenue?: number | string | bigint }): MemberListRow {
  return {
    ...(r.sort_revenue !== undefined ? { revenue: toNumber(r.sort_revenue) } : {}),
    id: r.id,
    email: r.email,
    name: r.name,
    status: r.status,
    emailOptIn: r.email_opt_in === 1,
    locale: r.locale,
    timeZone: r.time_zone,
    source: r.source,
    note: r.note,
    createdAt: r.created_at,
    confirmedAt: r.confirmed_at,
    lastSeenAt: r.last_seen_at,
  };
}

export interface PageRequest {
  /** Rows after this cursor (next page). */
  after?: Cursor | null;
  /** Rows before this cursor (previous page). */
  before?: Cursor | null;
  /** The last `limit` rows of the list (the final page's size is given by the caller). */
  last?: boolean;
  limit: number;
}

export interface MemberPage {
  rows: MemberListRow[];
  /** There are rows before the first one shown / after the last one shown. */
  hasPrevious: boolean;
  hasNext: boolean;
  first: Cursor | null;
  lastRow: Cursor | null;
}

/** One page of the filtered list; reads limit + 1 rows to know whether another page follows. */
export async function listMembers(
  db: Db,
  f: MemberFilter,
  page: PageRequest,
  money: MoneyContext = defaultMoney(),
): Promise<MemberPage> {
  const col = sortColumn(f.sort, money);
  const asc = ascending(f.sort);
  // Going backwards (previous or last page) reads in reverse order, then flips the rows.
  const backwards = Boolean(page.before) || Boolean(page.last);
  const dir = asc !== backwards ? "asc" : "desc";
  type Row = Database["members"] & { sort_revenue?: number };
  const base =
    typeof col === "string"
      ? db.selectFrom("members").selectAll()
      : db.selectFrom("members").selectAll().select(col.as("sort_revenue"));
  let q = applyFilter(db, base as SelectQueryBuilder<Database, "members", Row>, f, money);
  const cursor = page.before ?? page.after ?? null;
  if (cursor && !page.last) q = q.where((eb) => keysetAfter(eb, col, dir === "asc" ? ">" : "<", cursor));
  const raw = await q
    .orderBy(col, dir)
    .orderBy("id", dir)
    .limit(page.limit + 1)
    .execute();
  const more = raw.length > page.limit;
  const rows = raw.slice(0, page.limit).map(present);
  if (backwards) rows.reverse();
  const firstRow = rows[0];
  const lastOne = rows[rows.length - 1];
  return {
    rows,
    hasPrevious: backwards ? more : Boolean(page.after),
    hasNext: backwards ? Boolean(page.before) : more,
    first: firstRow ? { value: sortValue(firstRow, f.sort), id: firstRow.id } : null,
    lastRow: lastOne ? { value: sortValue(lastOne, f.sort), id: lastOne.id } : null,
  };
}

export async function countMembers(db: Db, f: MemberFilter, money: MoneyContext = defaultMoney()): Promise<number> {
  const row = await applyFilter(db, db.selectFrom("members"), f, money)
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirst();
  return toNumber(row?.n);
}

/** Every row of the filter, in list order, a chunk at a time (for the CSV export). */
export async function* iterateMembers(
  db: Db,
  f: MemberFilter,
  chunk = 1000,
  money: MoneyContext = defaultMoney(),
): AsyncGenerator<MemberListRow[]> {
  let after: Cursor | null = null;
  for (;;) {
    const page: MemberPage = await listMembers(db, f, { after, limit: chunk }, money);
    if (page.rows.length) yield page.rows;
    if (!page.hasNext || !page.lastRow) return;
    after = page.lastRow;
  }
}

/**
 * The sources present, for the filter's choices. A plain DISTINCT reads every
 * row on PostgreSQL; this recursive "skip scan" makes one index probe per
 * distinct value (members_source_created_idx), on both dialects.
 */
export async function memberSources(db: Db): Promise<string[]> {
  const result = await sql<{ source: string | null }>`
    WITH RECURSIVE s(source, n) AS (
      SELECT (SELECT min(source) FROM members), 1
      UNION ALL
      SELECT (SELECT min(source) FROM members WHERE source > s.source), n + 1 FROM s WHERE s.source IS NOT NULL AND n < 100
    )
    SELECT source FROM s WHERE source IS NOT NULL`.execute(db);
  return result.rows.map((r) => r.source).filter((s): s is string => s !== null);
}

export interface ConsentRow {
  id: string;
  kind: string;
  granted: boolean;
  wording: string;
  locale: string;
  ip: string | null;
  createdAt: string;
}

export async function memberConsents(db: Db, memberId: string): Promise<ConsentRow[]> {
  const rows = await db
    .selectFrom("member_consents")
    .selectAll()
    .where("member_id", "=", memberId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    granted: r.granted === 1,
    wording: r.wording,
    locale: r.locale,
    ip: r.ip,
    createdAt: r.created_at,
  }));
}
