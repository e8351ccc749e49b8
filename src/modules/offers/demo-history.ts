import type { Selectable } from "kysely";
import type { Db } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import type { PricesTable } from "./tables.ts";
import { importEntitlement } from "../access/index.ts";

/**
 * The rows of the demo's past, written as the dev provider would leave them: a subscription with its
 * invoices and entitlement, a purchase, a claimed gift, each counted in `counts`.
 */
export interface DemoMember {
  id: string;
  email: string;
  locale: string;
}

export function demoHistory(
  trx: Db,
  prices: Selectable<PricesTable>[],
  nameOf: (offerId: string) => string,
  iso: (ms: number) => string,
  counts: { orders: number; subscriptions: number },
) {
  const day = 86_400_000;
  const priceOf = (offerId: string, interval: string | null) =>
    prices.find((p) => p.offer_id === offerId && p.interval === interval)!;
  const customer = async (memberId: string) => {
    const id = `devcus_${newId()}`;
    await trx
      .insertInto("provider_customers")
      .values({ provider_customer_id: id, provider: "dev", member_id: memberId, created_at: iso(-90 * day) })
      .execute();
    return id;
  };
  const subscribe = async (
    m: DemoMember,
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
          name: nameOf(offerId),
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
      counts.orders++;
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
    counts.subscriptions++;
    return id;
  };
  const buy = async (m: DemoMember, offerId: string, amount: number, status: "paid" | "refunded", daysAgo: number) => {
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
    counts.orders++;
  };
  /** A gift of one month of the offer: bought by `giver`, claimed by `friend`. */
  const gift = async (giver: DemoMember, friend: DemoMember, offerId: string) => {
    const orderId = newId();
    const giftId = newId();
    const price = priceOf(offerId, "month");
    const at = iso(-10 * day);
    await trx
      .insertInto("orders")
      .values({
        id: orderId,
        kind: "gift",
        member_id: giver.id,
        email: giver.email,
        offer_id: offerId,
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
        offer_id: offerId,
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
      resource_id: offerId,
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
    counts.orders++;
  };
  return { subscribe, buy, gift };
}
