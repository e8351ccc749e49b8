import type { Selectable } from "kysely";
import { isUniqueViolation, transaction, type Db } from "../../platform/db/index.ts";
import type { OffersTable, PricesTable } from "./tables.ts";
import { AppError } from "../../platform/http/errors.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { renderMarkdown } from "../../platform/markdown.ts";
import { offerTermsChanged } from "../access/index.ts";

/** Offers and their prices: what the creator sells, in their words. */
export type OfferRow = Selectable<OffersTable>;
export type PriceRow = Selectable<PricesTable>;
export type OfferKind = OffersTable["kind"];
export type OfferStatus = OffersTable["status"];

export interface OfferInput {
  slug: string;
  kind: OfferKind;
  name: string;
  summary?: string;
  descriptionMd?: string;
  status?: OfferStatus;
  position?: number;
  highlight?: boolean;
  /** The badge's word (empty: the default word). */
  highlightLabel?: string;
  /** Shown on the home page by the creator's choice. */
  featuredHome?: boolean;
}

export interface PriceInput {
  kind: "one_off" | "recurring";
  interval?: "month" | "year" | null;
  amount: number;
  currency: string;
  payWhatYouWant?: boolean;
  minAmount?: number;
  suggestedAmount?: number | null;
  trialDays?: number;
  /** 2–12: paid as that many monthly payments of `amount` (kind "recurring", interval "month"). */
  instalments?: number;
  active?: boolean;
  position?: number;
}

/** Instalments only exist on a monthly price (what collects them); anything else is paid at once. */
export function instalmentsOf(p: PriceInput): number {
  return p.kind === "recurring" && (p.interval ?? "month") === "month" && p.instalments && p.instalments >= 2
    ? p.instalments
    : 0;
}

export const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export async function createOffer(db: Db, input: OfferInput, prices: PriceInput[] = []): Promise<OfferRow> {
  const at = nowIso();
  const row: OfferRow = {
    id: newId(),
    slug: input.slug,
    kind: input.kind,
    name: input.name,
    summary: input.summary ?? "",
    description_md: input.descriptionMd ?? "",
    description_html: renderMarkdown(input.descriptionMd ?? ""),
    status: input.status ?? "draft",
    position: input.position ?? 0,
    highlight: input.highlight ? 1 : 0,
    highlight_label: input.highlightLabel ?? "",
    featured_home: input.featuredHome ? 1 : 0,
    provider_product_id: null,
    created_at: at,
    updated_at: at,
  };
  try {
    await transaction(db, async (trx) => {
      await trx.insertInto("offers").values(row).execute();
      for (const [i, p] of prices.entries()) await addPrice(trx, row.id, { position: i, ...p });
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError("conflict", 409, "offers.error.slug_taken", { slug: { key: "offers.error.slug_taken" } });
    throw err;
  }
  return row;
}

export async function updateOffer(db: Db, id: string, input: Partial<OfferInput>): Promise<void> {
  const patch: Partial<OfferRow> = { updated_at: nowIso() };
  if (input.slug !== undefined) patch.slug = input.slug;
  if (input.kind !== undefined) patch.kind = input.kind;
  if (input.name !== undefined) patch.name = input.name;
  if (input.summary !== undefined) patch.summary = input.summary;
  if (input.descriptionMd !== undefined) {
    patch.description_md = input.descriptionMd;
    patch.description_html = renderMarkdown(input.descriptionMd);
  }
  if (input.status !== undefined) patch.status = input.status;
  if (input.position !== undefined) patch.position = input.position;
  if (input.highlight !== undefined) patch.highlight = input.highlight ? 1 : 0;
  if (input.highlightLabel !== undefined) patch.highlight_label = input.highlightLabel;
  if (input.featuredHome !== undefined) patch.featured_home = input.featuredHome ? 1 : 0;
  try {
    await db.updateTable("offers").set(patch).where("id", "=", id).execute();
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError("conflict", 409, "offers.error.slug_taken", { slug: { key: "offers.error.slug_taken" } });
    throw err;
  }
}

export async function addPrice(db: Db, offerId: string, p: PriceInput): Promise<PriceRow> {
  const at = nowIso();
  const pwyw = !!p.payWhatYouWant;
  const row: PriceRow = {
    id: newId(),
    offer_id: offerId,
    kind: p.kind,
    interval: p.kind === "recurring" ? (p.interval ?? "month") : null,
    amount: p.amount,
    currency: p.currency.toUpperCase(),
    pay_what_you_want: pwyw ? 1 : 0,
    min_amount: pwyw ? (p.minAmount ?? 0) : p.amount,
    suggested_amount: pwyw ? (p.suggestedAmount ?? p.amount) : null,
    trial_days: p.kind === "recurring" && !p.instalments ? (p.trialDays ?? 0) : 0,
    instalments: instalmentsOf(p),
    active: p.active === false ? 0 : 1,
    position: p.position ?? 0,
    provider_price_id: null,
    created_at: at,
    updated_at: at,
  };
  await db.insertInto("prices").values(row).execute();
  return row;
}

/**
 * Prices are immutable once someone may have paid them (the provider's are):
 * changing an amount deactivates the old price and adds a new one, so
 * existing subscribers keep theirs.
 */
export async function replacePrice(db: Db, priceId: string, p: PriceInput): Promise<PriceRow> {
  return transaction(db, async (trx) => {
    const old = await trx.selectFrom("prices").selectAll().where("id", "=", priceId).executeTakeFirst();
    if (!old) throw new AppError("not_found", 404);
    await trx.updateTable("prices").set({ active: 0, updated_at: nowIso() }).where("id", "=", priceId).execute();
    return addPrice(trx, old.offer_id, { position: old.position, ...p });
  });
}

export async function setPriceActive(db: Db, priceId: string, active: boolean): Promise<void> {
  await db
    .updateTable("prices")
    .set({ active: active ? 1 : 0, updated_at: nowIso() })
    .where("id", "=", priceId)
    .execute();
}

export async function getOffer(db: Db, id: string): Promise<OfferRow | undefined> {
  return db.selectFrom("offers").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function getOfferBySlug(db: Db, slug: string): Promise<OfferRow | undefined> {
  if (!slugPattern.test(slug)) return undefined;
  return db.selectFrom("offers").selectAll().where("slug", "=", slug).executeTakeFirst();
}

export async function listOffers(db: Db, opts: { status?: OfferStatus[] } = {}): Promise<OfferRow[]> {
  let q = db.selectFrom("offers").selectAll();
  if (opts.status) q = q.where("status", "in", opts.status);
  return q.orderBy("position").orderBy("created_at").execute();
}

export async function offerPrices(
  db: Db,
  offerIds: string[],
  opts: { activeOnly?: boolean } = {},
): Promise<PriceRow[]> {
  if (offerIds.length === 0) return [];
  let q = db.selectFrom("prices").selectAll().where("offer_id", "in", offerIds);
  if (opts.activeOnly) q = q.where("active", "=", 1);
  return q.orderBy("position").orderBy("created_at").execute();
}

/** What holding this offer opens, replacing the previous list. */
export async function setOfferIncludes(
  db: Db,
  offerId: string,
  includes: { kind: string; id: string }[],
): Promise<void> {
  await transaction(db, async (trx) => {
    await trx.deleteFrom("offer_includes").where("offer_id", "=", offerId).execute();
    await offerTermsChanged(trx);
    const seen = new Set<string>();
    for (const i of includes) {
      const key = `${i.kind}:${i.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      await trx
        .insertInto("offer_includes")
        .values({ id: newId(), offer_id: offerId, resource_kind: i.kind, resource_id: i.id, created_at: nowIso() })
        .execute();
    }
  });
}

export async function offerIncludes(db: Db, offerId: string): Promise<{ kind: string; id: string }[]> {
  const rows = await db
    .selectFrom("offer_includes")
    .select(["resource_kind", "resource_id"])
    .where("offer_id", "=", offerId)
    .orderBy("resource_kind")
    .execute();
  return rows.map((r) => ({ kind: r.resource_kind, id: r.resource_id }));
}
