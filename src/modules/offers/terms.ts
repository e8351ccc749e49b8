import type { Db } from "../../platform/db/index.ts";
import { registerOfferTerms, type OfferTerms } from "../access/index.ts";

/**
 * What holding an offer means to the access policy: a tier makes a member
 * "paid", and an offer opens what its includes list names. The access module
 * owns entitlements but not offers, so the offers module hands it these
 * (registerOfferTerms, as soon as this file is loaded: by index.ts and by
 * fulfilment.ts, which grants offers) instead of the policy reading our tables.
 */
export const offerTerms: OfferTerms = {
  tierIds: (db: Db) => db.selectFrom("offers").select("offers.id").where("offers.kind", "=", "tier"),

  async includes(db, offerIds) {
    const byOffer = new Map<string, { resource_kind: string; resource_id: string }[]>();
    if (offerIds.length === 0) return byOffer;
    for (const i of await db
      .selectFrom("offer_includes")
      .select(["offer_id", "resource_kind", "resource_id"])
      .where("offer_id", "in", [...offerIds])
      .execute()) {
      const list = byOffer.get(i.offer_id);
      if (list) list.push(i);
      else byOffer.set(i.offer_id, [i]);
    }
    return byOffer;
  },

  // Includes are rewritten as new rows on every edit (new ids, new created_at); a tier is an offer's kind.
  async stamp(db) {
    const inc = await db
      .selectFrom("offer_includes")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.max("id").as("i"), eb.fn.max("created_at").as("c")])
      .executeTakeFirstOrThrow();
    const tiers = await db
      .selectFrom("offers")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.max("id").as("i")])
      .where("kind", "=", "tier")
      .executeTakeFirstOrThrow();
    return `${inc.n}|${inc.i ?? ""}|${inc.c ?? ""}|${tiers.n}|${tiers.i ?? ""}`;
  },
};

registerOfferTerms(offerTerms);

/** Tier offers (any status), for forms that pick tiers: a newsletter segment. */
export async function tierOffers(db: Db): Promise<{ id: string; name: string; status: string }[]> {
  return db
    .selectFrom("offers")
    .select(["id", "name", "status"])
    .where("kind", "=", "tier")
    .orderBy("position")
    .orderBy("name")
    .execute();
}

/** Which of these ids are tier offers. */
export async function tierOfferIdsAmong(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("offers")
    .select("id")
    .where("id", "in", [...ids])
    .where("kind", "=", "tier")
    .execute();
  return rows.map((r) => r.id);
}
