import type { Db } from "../../platform/db/index.ts";
import { transaction } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import { createOffer, setOfferIncludes } from "./service.ts";
import { importEntitlement } from "../access/index.ts";
import { oldestActiveMembers } from "../members/index.ts";
import { demoHistory } from "./demo-history.ts";

/**
 * Demo offers for `npm run demo`: tiers (free, monthly/yearly paid), a
 * pay-what-you-want download, tips, a discount code, and members with
 * orders and subscriptions in every state (active, trialing, past due,
 * cancelling, ended, refunded, gift, complimentary). Rows are written as the
 * dev provider would leave them. Idempotent: does nothing when the demo
 * offers already exist. Call after the members are seeded.
 */
export interface OffersDemoResult {
  offers: number;
  orders: number;
  subscriptions: number;
  /** A paying member (active monthly subscriber), for benchmarks and screenshots. */
  payingMemberId: string | null;
}

export async function seedOffersDemo(db: Db, opts: { now?: Date } = {}): Promise<OffersDemoResult> {
  const now = opts.now ?? new Date();
  const existing = await db.selectFrom("offers").select("id").where("slug", "=", "le-cercle").executeTakeFirst();
  if (existing) {
    // Already seeded (e.g. by seedDemo): still name a paying member for benchmarks and screenshots.
    const paying = await db
      .selectFrom("subscriptions")
      .select("member_id")
      .where("offer_id", "=", existing.id)
      .where("status", "=", "active")
      .where("cancel_at_period_end", "=", 0)
      .where("member_id", "is not", null)
      .orderBy("created_at")
      .executeTakeFirst();
    return { offers: 0, orders: 0, subscriptions: 0, payingMemberId: paying?.member_id ?? null };
  }
  const day = 86_400_000;
  const iso = (ms: number) => new Date(now.getTime() + ms).toISOString();

  const free = await createOffer(db, {
    slug: "les-amis",
    kind: "tier",
    name: "Les amis de l’atelier",
    summary: "Gratuit, pour suivre l’atelier",
    descriptionMd: "- La lettre du mois\n- Les nouvelles pièces en avant-première",
    status: "published",
    position: 0,
  });
  const cercle = await createOffer(
    db,
    {
      slug: "le-cercle",
      kind: "tier",
      name: "Le cercle",
      summary: "Pour soutenir l’atelier chaque mois",
      descriptionMd: "- Les coulisses de chaque cuisson\n- Les carnets d’émaillage\n- Un direct par mois",
      status: "published",
      position: 1,
      highlight: true,
    },
    [
      { kind: "recurring", interval: "month", amount: 500, currency: "EUR" },
      { kind: "recurring", interval: "year", amount: 5000, currency: "EUR", trialDays: 14 },
    ],
  );
  const plus = await createOffer(
    db,
    {
      slug: "atelier-plus",
      kind: "tier",
      name: "L’atelier+",
      summary: "Pour apprendre à mes côtés",
      descriptionMd: "- Tout le cercle\n- Une correction de pièce par trimestre\n- Les cours en ligne",
      status: "published",
      position: 2,
    },
    [
      { kind: "recurring", interval: "month", amount: 1500, currency: "EUR" },
      { kind: "recurring", interval: "year", amount: 15000, currency: "EUR" },
    ],
  );
  const carnet = await createOffer(
    db,
    {
      slug: "carnet-emaillage",
      kind: "product",
      name: "Carnet d’émaillage (PDF)",
      summary: "Mes 40 recettes d’émaux, à prix libre",
      descriptionMd: "Quarante recettes testées à 1 280 °C, avec photos avant/après.",
      status: "published",
      position: 3,
    },
    [{ kind: "one_off", amount: 800, currency: "EUR", payWhatYouWant: true, minAmount: 300, suggestedAmount: 800 }],
  );
  const cafe = await createOffer(
    db,
    {
      slug: "un-cafe",
      kind: "tip",
      name: "Un café pour l’atelier",
      summary: "Un petit geste, du montant de votre choix",
      status: "published",
      position: 4,
    },
    [{ kind: "one_off", amount: 300, currency: "EUR", payWhatYouWant: true, minAmount: 100, suggestedAmount: 300 }],
  );
  await setOfferIncludes(db, cercle.id, [{ kind: "post", id: "*" }]);
  await setOfferIncludes(db, plus.id, [
    { kind: "post", id: "*" },
    { kind: "course", id: "*" },
  ]);
  void free;

  const prices = await db.selectFrom("prices").selectAll().execute();
  const members = await oldestActiveMembers(db, 40);
  const counts = { orders: 0, subscriptions: 0 };
  let payingMemberId: string | null = null;

  await transaction(db, async (trx) => {
    await trx
      .insertInto("discount_codes")
      .values({
        id: newId(),
        code: "BIENVENUE",
        kind: "percent",
        value: 20,
        currency: null,
        offer_ids: JSON.stringify([cercle.id, plus.id]),
        starts_at: null,
        ends_at: iso(60 * day),
        max_redemptions: 100,
        redemptions_count: 3,
        active: 1,
        created_at: iso(-20 * day),
        updated_at: iso(-20 * day),
      })
      .execute();
    const { subscribe, buy, gift } = demoHistory(
      trx,
      prices,
      (offerId) => (offerId === cercle.id ? "Le cercle" : "L’atelier+"),
      iso,
      counts,
    );
    const m = (i: number) => members[i % Math.max(1, members.length)]!;
    if (members.length === 0) return;
    // Every state at least once.
    await subscribe(m(0), cercle.id, "month", "active", 12 * day, { startedDaysAgo: 140, invoices: 5, grant: "live" });
    payingMemberId = m(0).id;
    for (let i = 1; i < 12 && i < members.length; i++)
      await subscribe(
        m(i),
        i % 3 === 0 ? plus.id : cercle.id,
        i % 4 === 0 ? "year" : "month",
        "active",
        (5 + i) * day,
        { startedDaysAgo: 30 * (i % 6) + 20, invoices: 1 + (i % 6), grant: "live" },
      );
    if (members.length > 12)
      await subscribe(m(12), cercle.id, "year", "trialing", 9 * day, { startedDaysAgo: 5, invoices: 0, grant: "live" });
    if (members.length > 13)
      await subscribe(m(13), cercle.id, "month", "past_due", 28 * day, {
        startedDaysAgo: 95,
        invoices: 3,
        grant: "revoked",
      });
    if (members.length > 14)
      await subscribe(m(14), plus.id, "month", "active", 6 * day, {
        cancelAtEnd: true,
        reason: "Je déménage, je reviendrai !",
        startedDaysAgo: 85,
        invoices: 3,
        grant: "live",
      });
    if (members.length > 15)
      await subscribe(m(15), cercle.id, "month", "canceled", -20 * day, {
        startedDaysAgo: 200,
        invoices: 6,
        grant: "revoked",
        reason: "Trop de choses en ce moment",
      });
    for (let i = 16; i < 26 && i < members.length; i++)
      await buy(m(i), carnet.id, 300 + (i % 5) * 250, i === 20 ? "refunded" : "paid", 3 + i);
    for (let i = 26; i < 32 && i < members.length; i++) await buy(m(i), cafe.id, 200 + (i % 3) * 300, "paid", i - 20);
    if (members.length > 33) {
      // A gift: bought by one member, claimed by another.
      await gift(m(32), m(33), cercle.id);
    }
    if (members.length > 34) {
      await importEntitlement(trx, {
        member_id: m(34).id,
        resource_kind: "offer",
        resource_id: plus.id,
        source_kind: "complimentary",
        source_id: newId(),
        starts_at: iso(-30 * day),
        ends_at: null,
        revoked_at: null,
        revoke_reason: null,
        note: "Partenariat avec la galerie",
        created_at: iso(-30 * day),
        updated_at: iso(-30 * day),
      });
    }
  });
  return { offers: 5, orders: counts.orders, subscriptions: counts.subscriptions, payingMemberId };
}
