import type { Db } from "../../platform/db/index.ts";
import { transaction } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import { createOffer, setOfferIncludes } from "./service.ts";
import { importEntitlement } from "../access/index.ts";
import { oldestActiveMembers } from "../members/index.ts";

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
  const priceOf = (offerId: string, interval: string | null) =>
    prices.find((p) => p.offer_id === offerId && p.interval === interval)!;
  const members = await oldestActiveMembers(db, 40);
  let orders = 0;
  let subscriptions = 0;
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
    const customer = async (memberId: string) => {
      const id = `devcus_${newId()}`;
      await trx
        .insertInto("provider_customers")
        .values({ provider_customer_id: id, provider: "dev", member_id: memberId, created_at: iso(-90 * day) })
        .execute();
      return id;
    };
    const subscribe = async (
      m: { id: string; email: string; locale: string },
      offerId: string,
      interval: "month" | "year",
      status: string,
      periodEnd: number,
      o: {
        cancelAtEnd?: boolean;
        reason?: string;
        startedDaysAgo: number;
        invoices: number;
        grant: "live" | "revoked" | "none";
      },
    ) => {
      const price = priceOf(offerId, interval);
      const id = newId();
      const cus = await customer(m.id);
      const provSub = `devsub_${newId()}`;
      const created = iso(-o.startedDaysAgo * day);
      await trx
        .insertInto("subscriptions")
        .values({
          id,
          member_id: m.id,
          email: m.email,
          offer_id: offerId,
          price_id: price.id,
          amount: price.amount,
          currency: "EUR",
          interval,
          status,
          provider: "dev",
          provider_subscription_id: provSub,
          provider_checkout_id: `devcs_${newId()}`,
          provider_customer_id: cus,
          provider_price_id: null,
          current_period_end: iso(periodEnd),
          cancel_at_period_end: o.cancelAtEnd ? 1 : 0,
          canceled_at: status === "canceled" ? iso(periodEnd) : null,
          cancel_reason: o.reason ?? null,
          discount_amount: 0,
          discount_code_id: null,
          created_member: 0,
          browser_token_hash: null,
          locale: m.locale,
          version: 1,
          created_at: created,
          updated_at: created,
        })
        .execute();
      // The dev provider's own copy, so the portal and re-reads work in the demo.
      await trx
        .insertInto("dev_payment_objects")
        .values({
          id: provSub,
          kind: "subscription",
          data: JSON.stringify({
            providerSubscriptionId: provSub,
            providerCustomerId: cus,
            status,
            providerPriceId: null,
            priceId: price.id,
            currentPeriodEnd: iso(periodEnd),
            cancelAtPeriodEnd: !!o.cancelAtEnd,
            canceledAt: status === "canceled" ? iso(periodEnd) : null,
            metadata: { reference: id, price_id: price.id },
            interval,
            amount: price.amount,
            currency: "EUR",
            name: offerId === cercle.id ? "Le cercle" : "L’atelier+",
            checkoutId: "",
          }),
          created_at: created,
          updated_at: created,
        })
        .execute();
      const periodDays = interval === "year" ? 365 : 30;
      // Never an invoice in the future: a yearly plan started 80 days ago has paid once.
      const invoices = Math.min(o.invoices, Math.floor(o.startedDaysAgo / periodDays) + 1);
      for (let i = 0; i < invoices; i++) {
        const paidAt = iso(-o.startedDaysAgo * day + i * periodDays * day);
        await trx
          .insertInto("orders")
          .values({
            id: newId(),
            kind: "subscription_invoice",
            member_id: m.id,
            email: m.email,
            offer_id: offerId,
            price_id: price.id,
            subscription_id: id,
            gift_id: null,
            amount: price.amount,
            discount_amount: 0,
            discount_code_id: null,
            amount_paid: price.amount,
            amount_refunded: 0,
            currency: "EUR",
            status: "paid",
            provider: "dev",
            provider_checkout_id: null,
            provider_payment_id: null,
            provider_invoice_id: `devin_${newId()}`,
            provider_customer_id: cus,
            created_member: 0,
            browser_token_hash: null,
            locale: m.locale,
            paid_at: paidAt,
            refunded_at: null,
            created_at: paidAt,
            updated_at: paidAt,
          })
          .execute();
        orders++;
      }
      if (o.grant !== "none") {
        await importEntitlement(trx, {
          member_id: m.id,
          resource_kind: "offer",
          resource_id: offerId,
          source_kind: "subscription",
          source_id: id,
          starts_at: created,
          ends_at: iso(periodEnd + (o.cancelAtEnd ? 0 : 2 * 3600_000)),
          revoked_at: o.grant === "revoked" ? iso(-2 * day) : null,
          revoke_reason: o.grant === "revoked" ? status : null,
          note: "",
          created_at: created,
          updated_at: created,
        });
      }
      subscriptions++;
      return id;
    };
    const buy = async (
      m: { id: string; email: string; locale: string },
      offerId: string,
      amount: number,
      status: "paid" | "refunded",
      daysAgo: number,
    ) => {
      const id = newId();
      const price = prices.find((p) => p.offer_id === offerId)!;
      const at = iso(-daysAgo * day);
      await trx
        .insertInto("orders")
        .values({
          id,
          kind: "purchase",
          member_id: m.id,
          email: m.email,
          offer_id: offerId,
          price_id: price.id,
          subscription_id: null,
          gift_id: null,
          amount,
          discount_amount: 0,
          discount_code_id: null,
          amount_paid: amount,
          amount_refunded: status === "refunded" ? amount : 0,
          currency: "EUR",
          status,
          provider: "dev",
          provider_checkout_id: `devcs_${newId()}`,
          provider_payment_id: `devpi_${newId()}`,
          provider_invoice_id: null,
          provider_customer_id: null,
          created_member: 0,
          browser_token_hash: null,
          locale: m.locale,
          paid_at: at,
          refunded_at: status === "refunded" ? iso(-(daysAgo - 1) * day) : null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await importEntitlement(trx, {
        member_id: m.id,
        resource_kind: "offer",
        resource_id: offerId,
        source_kind: "order",
        source_id: id,
        starts_at: at,
        ends_at: null,
        revoked_at: status === "refunded" ? iso(-(daysAgo - 1) * day) : null,
        revoke_reason: status === "refunded" ? "refunded" : null,
        note: "",
        created_at: at,
        updated_at: at,
      });
      orders++;
    };
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
      const giver = m(32);
      const friend = m(33);
      const orderId = newId();
      const giftId = newId();
      const price = priceOf(cercle.id, "month");
      const at = iso(-10 * day);
      await trx
        .insertInto("orders")
        .values({
          id: orderId,
          kind: "gift",
          member_id: giver.id,
          email: giver.email,
          offer_id: cercle.id,
          price_id: price.id,
          subscription_id: null,
          gift_id: giftId,
          amount: 500,
          discount_amount: 0,
          discount_code_id: null,
          amount_paid: 500,
          amount_refunded: 0,
          currency: "EUR",
          status: "paid",
          provider: "dev",
          provider_checkout_id: `devcs_${newId()}`,
          provider_payment_id: `devpi_${newId()}`,
          provider_invoice_id: null,
          provider_customer_id: null,
          created_member: 0,
          browser_token_hash: null,
          locale: giver.locale,
          paid_at: at,
          refunded_at: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await trx
        .insertInto("gifts")
        .values({
          id: giftId,
          order_id: orderId,
          offer_id: cercle.id,
          price_id: price.id,
          purchaser_member_id: giver.id,
          purchaser_email: giver.email,
          recipient_email: friend.email,
          recipient_name: "",
          message: "Bon anniversaire !",
          duration_days: 30,
          claim_token_hash: `demo-${giftId}`,
          status: "claimed",
          claimed_by: friend.id,
          claimed_at: iso(-9 * day),
          created_at: at,
          updated_at: at,
        })
        .execute();
      await importEntitlement(trx, {
        member_id: friend.id,
        resource_kind: "offer",
        resource_id: cercle.id,
        source_kind: "gift",
        source_id: giftId,
        starts_at: iso(-9 * day),
        ends_at: iso(21 * day),
        revoked_at: null,
        revoke_reason: null,
        note: "",
        created_at: iso(-9 * day),
        updated_at: iso(-9 * day),
      });
      orders++;
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
  return { offers: 5, orders, subscriptions, payingMemberId };
}
