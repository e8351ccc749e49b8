import { sql, type Expression, type RawBuilder } from "kysely";
import { lastInTransaction, transaction, type Db } from "../../platform/db/index.ts";
import { prepared } from "../../platform/db/prepared.ts";
import type { EntitlementsTable } from "./tables.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { invalidateAccessCache } from "./policy.ts";
import { forgetOfferIncludes } from "./includes-cache.ts";

/**
 * Entitlements: what a member holds, from which source. Payments grant the
 * offer itself (resource_kind "offer"); offer_includes says which resources
 * an offer opens. A (member, resource, source) triple exists at most once
 * (UNIQUE in the schema), so a replayed payment can never grant twice.
 */
export type SourceKind = EntitlementsTable["source_kind"];

export interface Entitlement {
  id: string;
  memberId: string;
  resourceKind: string;
  resourceId: string;
  sourceKind: SourceKind;
  sourceId: string;
  startsAt: string;
  endsAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  note: string;
  createdAt: string;
  /** Live now: started, not ended, not revoked. */
  active: boolean;
}

export function isLive(
  row: { starts_at: string; ends_at: string | null; revoked_at: string | null },
  at = nowIso(),
): boolean {
  return row.revoked_at === null && row.starts_at <= at && (row.ends_at === null || row.ends_at > at);
}

/**
 * Every write to entitlements goes through this file and bumps the one-row
 * counter in its own transaction: other processes learn that someone's access
 * changed from one single-row read (accessStamp), visible only once the change
 * is committed, whatever the writer's wall clock put in updated_at. The bump is
 * the last write of the outermost transaction (once, however many entitlements
 * it wrote), so every writer takes the counter's lock last, after any order,
 * subscription or job row it touches: no writer holds it while waiting for
 * another, and concurrent grants and revokes cannot deadlock on it.
 */
async function bump(trx: Db): Promise<void> {
  await lastInTransaction(trx, "access.changes", (t) =>
    t
      .updateTable("access_changes")
      .set((eb) => ({ n: eb("n", "+", 1) }))
      .where("id", "=", 1)
      .execute()
      .then(() => undefined),
  );
}

/**
 * An offer's terms (what it includes) changed in this transaction: bumps the
 * same counter, so every process drops its copy of the offers' includes
 * (includes-cache.ts), and drops this process's now. Called by the offers
 * module wherever it writes an offer's includes.
 */
export async function offerTermsChanged(trx: Db): Promise<void> {
  await bump(trx);
  forgetOfferIncludes();
}

type Row = {
  id: string;
  member_id: string;
  resource_kind: string;
  resource_id: string;
  source_kind: SourceKind;
  source_id: string;
  starts_at: string;
  ends_at: string | null;
  revoked_at: string | null;
  revoke_reason: string | null;
  note: string;
  created_at: string;
};

function toEntitlement(r: Row, at: string): Entitlement {
  return {
    id: r.id,
    memberId: r.member_id,
    resourceKind: r.resource_kind,
    resourceId: r.resource_id,
    sourceKind: r.source_kind,
    sourceId: r.source_id,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    revokedAt: r.revoked_at,
    revokeReason: r.revoke_reason,
    note: r.note,
    createdAt: r.created_at,
    active: isLive(r, at),
  };
}

/** Every entitlement a member has ever had (newest first), each with `active` computed at `at`. */
export async function allMemberEntitlements(db: Db, memberId: string, at = nowIso()): Promise<Entitlement[]> {
  return (await everyEntitlementOf(db, memberId)).map((r) => toEntitlement(r, at));
}
// The account page lists them on every view: the SQL is built once.
const everyEntitlementOf = prepared((db, memberId) =>
  db.selectFrom("entitlements").selectAll().where("member_id", "=", memberId).orderBy("created_at", "desc"),
);

/** The member's live entitlements only. */
export async function memberEntitlements(db: Db, memberId: string, at = nowIso()): Promise<Entitlement[]> {
  const rows = await db
    .selectFrom("entitlements")
    .selectAll()
    .where("member_id", "=", memberId)
    .where("revoked_at", "is", null)
    .where("starts_at", "<=", at)
    .where((eb) => eb.or([eb("ends_at", "is", null), eb("ends_at", ">", at)]))
    .orderBy("created_at", "desc")
    .execute();
  return rows.map((r) => toEntitlement(r, at));
}

export interface GrantInput {
  memberId: string;
  resourceKind: string;
  resourceId: string;
  sourceKind: SourceKind;
  sourceId: string;
  startsAt?: string;
  endsAt?: string | null;
  note?: string;
}

/**
 * Grants (or re-opens) one entitlement. Idempotent: the same source granting
 * the same resource to the same member updates the single existing row.
 */
export async function grantEntitlement(db: Db, g: GrantInput): Promise<void> {
  const at = nowIso();
  await transaction(db, async (trx) => {
    await trx
      .insertInto("entitlements")
      .values({
        id: newId(),
        member_id: g.memberId,
        resource_kind: g.resourceKind,
        resource_id: g.resourceId,
        source_kind: g.sourceKind,
        source_id: g.sourceId,
        starts_at: g.startsAt ?? at,
        ends_at: g.endsAt ?? null,
        revoked_at: null,
        revoke_reason: null,
        note: g.note ?? "",
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc.columns(["member_id", "resource_kind", "resource_id", "source_kind", "source_id"]).doUpdateSet({
          ends_at: g.endsAt ?? null,
          revoked_at: null,
          revoke_reason: null,
          updated_at: at,
        }),
      )
      .execute();
    await bump(trx);
  });
  invalidateAccessCache(g.memberId);
}

/** Revokes every live entitlement from one source (refund, lapse, staff action). */
export async function revokeSource(
  db: Db,
  sourceKind: SourceKind,
  sourceId: string,
  reason: string,
  exceptResource?: { kind: string; id: string },
): Promise<number> {
  const r = await transaction(db, async (trx) => {
    let q = trx
      .updateTable("entitlements")
      .set({ revoked_at: nowIso(), revoke_reason: reason, updated_at: nowIso() })
      .where("source_kind", "=", sourceKind)
      .where("source_id", "=", sourceId)
      .where("revoked_at", "is", null);
    if (exceptResource)
      q = q.where((eb) =>
        eb.not(eb.and([eb("resource_kind", "=", exceptResource.kind), eb("resource_id", "=", exceptResource.id)])),
      );
    const res = await q.executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) await bump(trx);
    return res;
  });
  if (Number(r.numUpdatedRows) > 0) invalidateAccessCache();
  return Number(r.numUpdatedRows);
}

/** Revokes one entitlement by id, only if it belongs to that member (ids guessed by the wrong member do nothing). */
export async function revokeEntitlement(db: Db, memberId: string, id: string, reason: string): Promise<boolean> {
  const r = await transaction(db, async (trx) => {
    const res = await trx
      .updateTable("entitlements")
      .set({ revoked_at: nowIso(), revoke_reason: reason, updated_at: nowIso() })
      .where("id", "=", id)
      .where("member_id", "=", memberId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) await bump(trx);
    return res;
  });
  invalidateAccessCache(memberId);
  return Number(r.numUpdatedRows) > 0;
}

/** Members with a live entitlement to any of these offers (for lists and counts). */
export async function countLiveHolders(db: Db, offerId: string, at = nowIso()): Promise<number> {
  const r = await db
    .selectFrom("entitlements")
    .select(sql<number>`count(distinct member_id)`.as("n"))
    .where("resource_kind", "=", "offer")
    .where("resource_id", "=", offerId)
    .where("revoked_at", "is", null)
    .where("starts_at", "<=", at)
    .where((eb) => eb.or([eb("ends_at", "is", null), eb("ends_at", ">", at)]))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * SQL for one-statement queries over many members (a newsletter segment): the
 * member whose id is the column `memberId` ("m.id") holds, at `at`, a live
 * entitlement to one of these offers (a list of ids, or a one-column query of
 * ids such as the offers module's tier offers).
 */
export function holdsOfferSql(
  memberId: string,
  offers: readonly string[] | Expression<{ id: string }>,
  at: string,
): RawBuilder<boolean> {
  const ids = Array.isArray(offers) ? sql`(${sql.join([...offers])})` : sql`${offers as Expression<{ id: string }>}`;
  return sql<boolean>`EXISTS (SELECT 1 FROM entitlements e WHERE e.member_id = ${sql.ref(memberId)} AND e.resource_kind = 'offer' AND e.revoked_at IS NULL AND e.starts_at <= ${at} AND (e.ends_at IS NULL OR e.ends_at > ${at}) AND e.resource_id IN ${ids})`;
}

/** Entitlements are personal data: they go with the member (an erase hook, in the erase transaction). */
export async function eraseEntitlements(trx: Db, memberId: string): Promise<void> {
  await transaction(trx, async (t) => {
    const r = await t.deleteFrom("entitlements").where("member_id", "=", memberId).executeTakeFirst();
    if (Number(r.numDeletedRows) > 0) await bump(t);
  });
  invalidateAccessCache(memberId);
}

/**
 * Writes one entitlement with its whole history (start, end, revocation, as
 * they happened): for imports and the demo, which replay a past; live code
 * grants and revokes with the functions above.
 */
export async function importEntitlement(db: Db, row: Omit<Row, "id"> & { updated_at: string }): Promise<void> {
  await transaction(db, async (trx) => {
    await trx
      .insertInto("entitlements")
      .values({ id: newId(), ...row })
      .execute();
    await bump(trx);
  });
  invalidateAccessCache(row.member_id);
}
