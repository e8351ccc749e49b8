import type { Db } from "../../platform/db/index.ts";
import { record } from "../../platform/events/index.ts";
import { memberImported } from "./events.ts";
import { t, type Locale } from "../../platform/i18n/index.ts";
import { isoIn } from "../../platform/ids.ts";
import { createMembersBulk, membersByEmail, setMemberTags, tagsOfMembers } from "../members/index.ts";
import { linkImportedCustomer } from "../offers/index.ts";
import { grantEntitlement, memberEntitlements } from "../access/index.ts";
import type { MappedItem } from "./parse.ts";
import { sourceOf } from "./parse.ts";
import type { ImportedMember, MemberSource } from "./sources/types.ts";
import type { ImportRowsTable } from "./tables.ts";

/**
 * Applies a chunk of mapped rows to members, offers' entitlements and the
 * report, all in the caller's transaction. Idempotent by e-mail: a member who
 * is already here keeps everything they have; the import only adds the tags
 * and the complimentary access they lack, so the same file twice changes
 * nothing. New members are written in bulk (a few statements per chunk).
 */

/** Ghost and Stripe-linked members whose export gives no paid-through date keep access this long. */
export const STRIPE_GRACE_DAYS = 31;

export interface WriteContext {
  importId: string;
  source: MemberSource;
  /** Source tier name (lower-cased) → offer id; "*" for any other tier. */
  tiers: Record<string, string>;
  locale: Locale;
  timeZone: string;
  now: string;
}

export type Report = Omit<ImportRowsTable, "import_id">;

function consentWording(ctx: WriteContext, m: ImportedMember): string {
  const date = (m.consent.at ?? ctx.now).slice(0, 10);
  return t(ctx.locale, "portability.consent.wording", { source: sourceOf(ctx.source).label, date });
}

function accessEnd(ctx: WriteContext, m: ImportedMember): string | null {
  if (!m.paid) return null;
  if (m.paid.until) return m.paid.until;
  return m.stripeCustomerId ? isoIn(STRIPE_GRACE_DAYS * 86400_000, new Date(ctx.now)) : null;
}

function offerFor(ctx: WriteContext, m: ImportedMember): string | null {
  if (!m.paid) return null;
  return ctx.tiers[m.paid.tier.toLowerCase()] ?? ctx.tiers["*"] ?? null;
}

/** Grants the mapped tier until the paid period ends; false when they already hold it that long. */
async function grantTier(
  trx: Db,
  ctx: WriteContext,
  memberId: string,
  offerId: string,
  m: ImportedMember,
  isNew: boolean,
) {
  const sourceId = `import:${ctx.source}`;
  const endsAt = accessEnd(ctx, m);
  // A member created in this chunk holds nothing yet.
  const live = isNew ? [] : await memberEntitlements(trx, memberId, ctx.now);
  const same = live.find((e) => e.resourceKind === "offer" && e.resourceId === offerId && e.sourceId === sourceId);
  // A grace period (no date in the file) is granted once: importing again does not stretch it.
  const grace = !m.paid?.until && !!m.stripeCustomerId;
  if (same && (grace || same.endsAt === endsAt || (same.endsAt !== null && endsAt !== null && same.endsAt >= endsAt)))
    return false;
  await grantEntitlement(trx, {
    memberId,
    resourceKind: "offer",
    resourceId: offerId,
    sourceKind: "complimentary",
    sourceId,
    endsAt,
    note: "import",
  });
  return true;
}

/** What paying members get besides their member row: the Stripe link and the tier. */
async function applyPaid(
  trx: Db,
  ctx: WriteContext,
  memberId: string,
  m: ImportedMember,
  isNew: boolean,
  changes: string[],
) {
  if (m.stripeCustomerId) {
    const linked = await linkImportedCustomer(trx, {
      provider: "stripe",
      providerCustomerId: m.stripeCustomerId,
      memberId,
    });
    if (!linked) return { reason: "stripe_customer_taken", params: null };
  }
  if (!m.paid) return null;
  const offerId = offerFor(ctx, m);
  if (!offerId) return { reason: "tier_unmapped", params: JSON.stringify({ tier: m.paid.tier }) };
  if (await grantTier(trx, ctx, memberId, offerId, m, isNew)) changes.push("access");
  return null;
}

/** Writes one chunk: every row's effect and its report row. Returns the report rows written. */
export async function writeChunk(trx: Db, ctx: WriteContext, items: MappedItem[]): Promise<Report[]> {
  const reports = new Map<number, Report>();
  const good: { index: number; m: ImportedMember }[] = [];
  for (const { index, row } of items) {
    if (row.ok) {
      good.push({ index, m: row.member });
      continue;
    }
    const skipped = row.reason === "duplicate" || row.reason === "deleted";
    reports.set(index, {
      record_index: index,
      line: row.line,
      status: skipped ? "skipped" : "failed",
      reason: row.reason,
      params: row.params ? JSON.stringify(row.params) : null,
      email: row.email ?? null,
      member_id: null,
    });
  }
  const existing = await membersByEmail(
    trx,
    good.map((g) => g.m.email),
  );
  const fresh = good.filter((g) => !existing.has(g.m.email));
  const created = await createMembersBulk(
    trx,
    fresh.map(({ m }) => ({
      email: m.email,
      name: m.name,
      locale: ctx.locale,
      timeZone: ctx.timeZone,
      source: `import:${ctx.source}`,
      note: m.note,
      createdAt: m.joinedAt ?? ctx.now,
      confirmedAt: m.joinedAt ?? ctx.now,
      consent: m.consent.granted ? { wording: consentWording(ctx, m), at: m.consent.at ?? ctx.now } : null,
      tags: m.tags,
      joinedData: { importId: ctx.importId, line: m.line },
    })),
    "system",
  );
  const tagsBefore = await tagsOfMembers(trx, [
    ...new Set(good.filter((g) => existing.has(g.m.email) && g.m.tags.length).map((g) => existing.get(g.m.email)!)),
  ]);
  for (const { index, m } of good) {
    const isNew = created.has(m.email);
    const memberId = created.get(m.email) ?? existing.get(m.email)!;
    const changes: string[] = [];
    if (!isNew && m.tags.length) {
      const before = tagsBefore.get(memberId) ?? [];
      const merged = [...new Set([...before, ...m.tags])].sort();
      if (merged.length !== before.length && merged.length <= 20) {
        await setMemberTags(trx, memberId, merged, "system");
        changes.push("tags");
      }
    }
    const refused = m.paid || m.stripeCustomerId ? await applyPaid(trx, ctx, memberId, m, isNew, changes) : null;
    const base = { record_index: index, line: m.line, email: m.email, member_id: memberId };
    if (refused) {
      reports.set(index, { ...base, status: "failed", ...refused });
      continue;
    }
    const status = isNew ? "created" : changes.length ? "updated" : "unchanged";
    if (status === "updated")
      await record(
        trx,
        memberImported,
        { source: ctx.source, importId: ctx.importId, line: m.line, changes },
        { memberId, actor: "system" },
      );
    reports.set(index, { ...base, status, reason: changes.length ? changes.join(",") : null, params: null });
  }
  const rows = items.map((i) => reports.get(i.index)!);
  for (let i = 0; i < rows.length; i += 100) {
    await trx
      .insertInto("import_rows")
      .values(rows.slice(i, i + 100).map((r) => ({ import_id: ctx.importId, ...r })))
      .execute();
  }
  return rows;
}
