import { sql } from "kysely";
import { dialectOf, transaction, type Db } from "../../platform/db/index.ts";
import type { OrdersTable, SubscriptionsTable } from "./tables.ts";
import { record } from "../../platform/events/index.ts";
import { offerSnapshot, orderExpired, orderFailed, orderPaid, orderRefunded, subscriptionChanged } from "./events.ts";
import { enqueue } from "../../platform/jobs/index.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { toLocale } from "../../platform/i18n/index.ts";
import type { PaymentProvider, ProviderEvent, SubscriptionSnapshot } from "../../platform/payments/provider.ts";
import { createMember, findMemberByEmail } from "../members/index.ts";
import { grantEntitlement, revokeSource } from "../access/index.ts";
// The offers granted here mean something to the access policy only once their terms are registered.
import "./terms.ts";

/**
 * Fulfilment: turns verified provider events into orders, subscriptions and
 * entitlements, exactly once.
 *
 * - Each event id is inserted into provider_events with ON CONFLICT DO
 *   NOTHING in the same transaction as its effects: a duplicate (even 20 at
 *   once) finds the row and does nothing; a crash rolls both back, so the
 *   provider's retry applies it cleanly.
 * - Order state only moves forward (pending -> failed/expired -> paid ->
 *   refunded), so late or repeated events cannot undo a later truth.
 * - Subscription state is never taken from the event: every subscription
 *   event re-reads the subscription from the provider and copies that
 *   snapshot, under a per-subscription lock, so arrival order does not matter.
 * - A refund that arrives before the payment it refunds is kept
 *   (provider_events.object_id) and applied when the payment lands.
 * - Members: a checkout's email is only used to find or create the member of
 *   OUR pending order/subscription; an existing member's data is never
 *   changed, and a provider customer that is not tied to one of our rows is
 *   ignored.
 *
 * Subscription access (documented choice): active and trialing grant access
 * until current_period_end (+ RENEWAL_LEEWAY_MS while the renewal webhook is
 * on its way, none when cancelling at period end). Any other status
 * (past_due, unpaid, canceled, incomplete, incomplete_expired, paused) ends
 * access at once: a failed renewal removes access; recovering the payment
 * brings it back through the next snapshot.
 */
export type ApplyResult = "applied" | "duplicate" | "ignored";

export const RENEWAL_LEEWAY_MS = 2 * 60 * 60 * 1000;
const grantingStatuses = new Set(["active", "trialing"]);

const orderRank: Record<OrdersTable["status"], number> = { pending: 0, failed: 1, expired: 1, paid: 2, refunded: 3 };

/* ---------- per-key lock (in process) + advisory lock (PostgreSQL, across processes) ---------- */

const chains = new Map<string, Promise<unknown>>();
async function withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = chains.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => undefined);
  chains.set(key, tail);
  try {
    return await run;
  } finally {
    if (chains.get(key) === tail) chains.delete(key);
  }
}

/**
 * Runs fn(trx, snapshot) with the subscription locked: on PostgreSQL the
 * re-read happens inside the transaction after pg_advisory_xact_lock (so two
 * processes cannot write an older snapshot over a newer one); on SQLite (one
 * process) the in-process lock is enough and the re-read happens before the
 * transaction, so the single connection is not held during a network call.
 */
async function withSubscription<T>(
  db: Db,
  provider: PaymentProvider,
  providerSubscriptionId: string,
  fn: (trx: Db, snap: SubscriptionSnapshot) => Promise<T>,
): Promise<T> {
  return withKeyLock(`sub:${providerSubscriptionId}`, async () => {
    if (dialectOf(db) === "postgres") {
      return transaction(db, async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtext(${"atelier-sub:" + providerSubscriptionId}))`.execute(trx);
        const snap = await provider.retrieveSubscription(providerSubscriptionId);
        return fn(trx, snap);
      });
    }
    const snap = await provider.retrieveSubscription(providerSubscriptionId);
    return transaction(db, (trx) => fn(trx, snap));
  });
}

/* ---------- the event ledger ---------- */

function objectIdOf(e: ProviderEvent): string | null {
  switch (e.type) {
    case "charge.refunded":
      return e.providerPaymentId;
    case "subscription.changed":
      return e.providerSubscriptionId;
    case "invoice.paid":
    case "invoice.payment_failed":
      return e.invoiceId;
    case "ignored":
      return null;
    default:
      return e.checkoutId;
  }
}

/**
 * What we keep of an event: ids, amounts and states (what accounting and a
 * late refund need), never the buyer's address: it is on the order, which
 * erasure anonymises, and must not outlive it in the event log.
 */
function storedEvent(e: ProviderEvent): ProviderEvent {
  return e.type === "checkout.completed" ? { ...e, customerEmail: null } : e;
}

/** Inserts the event id; false when it was already there (a duplicate). */
async function recordProviderEvent(
  trx: Db,
  provider: PaymentProvider,
  e: ProviderEvent,
  result: string,
): Promise<boolean> {
  const at = nowIso();
  const r = await trx
    .insertInto("provider_events")
    .values({
      id: e.id,
      provider: provider.name,
      type: e.type,
      object_id: objectIdOf(e),
      data: JSON.stringify(storedEvent(e)),
      result,
      created: e.created,
      received_at: at,
      processed_at: at,
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

async function seen(db: Db, id: string): Promise<boolean> {
  return !!(await db.selectFrom("provider_events").select("id").where("id", "=", id).executeTakeFirst());
}

/* ---------- members ---------- */

/**
 * The member an order/subscription belongs to: the one who started it when
 * logged in, else the member with that email (left untouched), else a new
 * member created for this purchase (never from a bare provider customer).
 */
async function resolveBuyer(
  trx: Db,
  row: { member_id: string | null; email: string; locale: string },
): Promise<{ memberId: string; created: boolean }> {
  if (row.member_id) return { memberId: row.member_id, created: false };
  const existing = await findMemberByEmail(trx, row.email);
  if (existing) return { memberId: existing.id, created: false };
  const m = await createMember(
    trx,
    { email: row.email, locale: toLocale(row.locale), status: "pending", emailOptIn: false, source: "checkout" },
    "system",
  );
  return { memberId: m.id, created: true };
}

async function linkCustomer(
  trx: Db,
  provider: PaymentProvider,
  providerCustomerId: string | null,
  memberId: string,
): Promise<void> {
  if (!providerCustomerId) return;
  // First link wins: a customer id already tied to a member is never moved to another one.
  await trx
    .insertInto("provider_customers")
    .values({
      provider_customer_id: providerCustomerId,
      provider: provider.name,
      member_id: memberId,
      created_at: nowIso(),
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/* ---------- orders ---------- */

async function settleDiscount(trx: Db, reference: string, status: "used" | "released"): Promise<void> {
  const red = await trx
    .selectFrom("discount_redemptions")
    .selectAll()
    .where("reference", "=", reference)
    .where("status", "=", "reserved")
    .executeTakeFirst();
  if (!red) return;
  await trx.updateTable("discount_redemptions").set({ status }).where("id", "=", red.id).execute();
  if (status === "released") {
    await trx
      .updateTable("discount_codes")
      .set({ redemptions_count: sql`redemptions_count - 1`, updated_at: nowIso() })
      .where("id", "=", red.code_id)
      .where("redemptions_count", ">", 0)
      .execute();
  }
}

interface PaidInfo {
  checkoutId?: string;
  providerPaymentId: string | null;
  providerCustomerId?: string | null;
  amountPaid?: number;
}

async function markOrderPaid(trx: Db, provider: PaymentProvider, orderId: string, info: PaidInfo): Promise<void> {
  const order = await trx.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
  if (!order) return;
  const at = nowIso();
  const ids: Partial<OrdersTable> = {};
  if (!order.provider_checkout_id && info.checkoutId) ids.provider_checkout_id = info.checkoutId;
  if (!order.provider_payment_id && info.providerPaymentId) ids.provider_payment_id = info.providerPaymentId;
  if (!order.provider_customer_id && info.providerCustomerId) ids.provider_customer_id = info.providerCustomerId;
  if (orderRank[order.status] >= orderRank.paid) {
    if (Object.keys(ids).length)
      await trx
        .updateTable("orders")
        .set({ ...ids, updated_at: at })
        .where("id", "=", order.id)
        .execute();
    return;
  }
  const buyer = await resolveBuyer(trx, order);
  await linkCustomer(trx, provider, info.providerCustomerId ?? order.provider_customer_id, buyer.memberId);
  await trx
    .updateTable("orders")
    .set({
      ...ids,
      status: "paid",
      member_id: buyer.memberId,
      created_member: buyer.created ? 1 : order.created_member,
      amount_paid: info.amountPaid ?? order.amount - order.discount_amount,
      paid_at: at,
      updated_at: at,
    })
    .where("id", "=", order.id)
    .execute();
  await settleDiscount(trx, order.id, "used");
  if (order.kind === "gift" && order.gift_id) {
    await trx
      .updateTable("gifts")
      .set({ status: "paid", purchaser_member_id: buyer.memberId, updated_at: at })
      .where("id", "=", order.gift_id)
      .where("status", "=", "pending")
      .execute();
    await enqueue(
      trx,
      "offers.mail",
      { kind: "gift", giftId: order.gift_id },
      { dedupeKey: `offers.gift-mail:${order.gift_id}` },
    );
  } else {
    await grantEntitlement(trx, {
      memberId: buyer.memberId,
      resourceKind: "offer",
      resourceId: order.offer_id,
      sourceKind: "order",
      sourceId: order.id,
    });
  }
  await record(
    trx,
    orderPaid,
    {
      orderId: order.id,
      offerId: order.offer_id,
      ...(await offerSnapshot(trx, order.offer_id)),
      amount: info.amountPaid ?? order.amount - order.discount_amount,
      currency: order.currency,
      gift: order.kind === "gift",
    },
    { memberId: buyer.memberId, actor: "system" },
  );
  await enqueue(
    trx,
    "offers.mail",
    { kind: "receipt", orderId: order.id },
    { dedupeKey: `offers.receipt:${order.id}` },
  );
  // A refund that overtook its payment: apply it now.
  const paymentId = ids.provider_payment_id ?? order.provider_payment_id;
  if (paymentId) await applyEarlyRefunds(trx, paymentId);
}

async function markOrderFailed(
  trx: Db,
  orderId: string,
  status: "failed" | "expired",
  paymentId: string | null,
): Promise<void> {
  const order = await trx.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
  if (!order || orderRank[order.status] >= orderRank[status]) return;
  await trx
    .updateTable("orders")
    .set({ status, provider_payment_id: order.provider_payment_id ?? paymentId, updated_at: nowIso() })
    .where("id", "=", order.id)
    .execute();
  await settleDiscount(trx, order.id, "released");
  if (order.kind === "gift" && order.gift_id)
    await trx
      .updateTable("gifts")
      .set({ status: "refunded", updated_at: nowIso() })
      .where("id", "=", order.gift_id)
      .where("status", "=", "pending")
      .execute();
  if (order.member_id)
    await record(
      trx,
      status === "failed" ? orderFailed : orderExpired,
      { orderId: order.id, offerId: order.offer_id, offerName: (await offerSnapshot(trx, order.offer_id)).offerName },
      { memberId: order.member_id, actor: "system" },
    );
}

/** Applies a refund; returns false when no order has that payment yet (kept for later). */
async function applyRefund(trx: Db, e: Extract<ProviderEvent, { type: "charge.refunded" }>): Promise<boolean> {
  const order = await trx
    .selectFrom("orders")
    .selectAll()
    .where("provider_payment_id", "=", e.providerPaymentId)
    .executeTakeFirst();
  if (!order) return false;
  if (order.status === "refunded") return true;
  const at = nowIso();
  if (!e.fullyRefunded) {
    // A partial refund is money back, not access taken away.
    await trx
      .updateTable("orders")
      .set({ amount_refunded: Math.max(order.amount_refunded, e.amountRefunded), updated_at: at })
      .where("id", "=", order.id)
      .execute();
    return true;
  }
  if (order.status !== "paid") {
    // Refunded before we saw it paid: wait for the payment event, which re-applies this refund.
    return false;
  }
  await trx
    .updateTable("orders")
    .set({
      status: "refunded",
      amount_refunded: Math.max(e.amountRefunded, order.amount_paid),
      refunded_at: at,
      updated_at: at,
    })
    .where("id", "=", order.id)
    .execute();
  await revokeSource(trx, "order", order.id, "refunded");
  if (order.gift_id) {
    await trx
      .updateTable("gifts")
      .set({ status: "refunded", updated_at: at })
      .where("id", "=", order.gift_id)
      .execute();
    await revokeSource(trx, "gift", order.gift_id, "refunded");
  }
  if (order.member_id)
    await record(
      trx,
      orderRefunded,
      {
        orderId: order.id,
        offerId: order.offer_id,
        offerName: (await offerSnapshot(trx, order.offer_id)).offerName,
        amount: e.amountRefunded,
        currency: order.currency,
      },
      { memberId: order.member_id, actor: "system" },
    );
  return true;
}

/* ---------- subscriptions ---------- */

async function findOurSubscription(trx: Db, snap: SubscriptionSnapshot, reference: string | null) {
  const byProvider = await trx
    .selectFrom("subscriptions")
    .selectAll()
    .where("provider_subscription_id", "=", snap.providerSubscriptionId)
    .executeTakeFirst();
  if (byProvider) return byProvider;
  const ref = reference ?? snap.metadata.reference ?? null;
  if (!ref) return undefined;
  const byRef = await trx.selectFrom("subscriptions").selectAll().where("id", "=", ref).executeTakeFirst();
  // A reference already bound to another provider subscription is not this one.
  if (!byRef || (byRef.provider_subscription_id && byRef.provider_subscription_id !== snap.providerSubscriptionId))
    return undefined;
  return byRef;
}

/** Copies the provider's snapshot onto our row and sets the entitlement from it. */
async function applySnapshot(
  trx: Db,
  provider: PaymentProvider,
  snap: SubscriptionSnapshot,
  hints: { reference?: string | null; checkoutId?: string | null } = {},
): Promise<boolean> {
  const row = await findOurSubscription(trx, snap, hints.reference ?? null);
  if (!row) return false;
  const at = nowIso();
  const buyer = await resolveBuyer(trx, row);
  await linkCustomer(trx, provider, snap.providerCustomerId || null, buyer.memberId);

  // Upgrades/downgrades through the portal change the price: find ours by the provider's id, then by metadata.
  let priceId = row.price_id;
  let offerId = row.offer_id;
  let amount = row.amount;
  let interval = row.interval;
  const price =
    (snap.providerPriceId
      ? await trx
          .selectFrom("prices")
          .selectAll()
          .where("provider_price_id", "=", snap.providerPriceId)
          .executeTakeFirst()
      : undefined) ??
    (snap.priceId
      ? await trx.selectFrom("prices").selectAll().where("id", "=", snap.priceId).executeTakeFirst()
      : undefined);
  if (price && price.id !== row.price_id) {
    priceId = price.id;
    offerId = price.offer_id;
    amount = price.amount;
    interval = price.interval ?? interval;
  }
  const patch: Partial<SubscriptionsTable> = {
    member_id: buyer.memberId,
    created_member: buyer.created ? 1 : row.created_member,
    status: snap.status,
    provider_subscription_id: snap.providerSubscriptionId,
    provider_customer_id: snap.providerCustomerId || row.provider_customer_id,
    provider_price_id: snap.providerPriceId ?? row.provider_price_id,
    price_id: priceId,
    offer_id: offerId,
    amount,
    interval,
    current_period_end: snap.currentPeriodEnd,
    cancel_at_period_end: snap.cancelAtPeriodEnd ? 1 : 0,
    canceled_at: snap.canceledAt,
    version: row.version + 1,
    updated_at: at,
  };
  if (!row.provider_checkout_id && hints.checkoutId) patch.provider_checkout_id = hints.checkoutId;
  await trx.updateTable("subscriptions").set(patch).where("id", "=", row.id).execute();

  // Entitlement from the snapshot: one row per (member, offer, this subscription).
  await revokeSource(trx, "subscription", row.id, "plan_changed", { kind: "offer", id: offerId });
  if (grantingStatuses.has(snap.status) && snap.currentPeriodEnd) {
    const end = new Date(
      Date.parse(snap.currentPeriodEnd) + (snap.cancelAtPeriodEnd ? 0 : RENEWAL_LEEWAY_MS),
    ).toISOString();
    await grantEntitlement(trx, {
      memberId: buyer.memberId,
      resourceKind: "offer",
      resourceId: offerId,
      sourceKind: "subscription",
      sourceId: row.id,
      endsAt: end,
    });
  } else if (grantingStatuses.has(snap.status)) {
    await grantEntitlement(trx, {
      memberId: buyer.memberId,
      resourceKind: "offer",
      resourceId: offerId,
      sourceKind: "subscription",
      sourceId: row.id,
      endsAt: null,
    });
  } else {
    await revokeSource(trx, "subscription", row.id, snap.status);
  }

  if (
    row.status !== snap.status ||
    row.offer_id !== offerId ||
    row.cancel_at_period_end !== (snap.cancelAtPeriodEnd ? 1 : 0)
  ) {
    await record(
      trx,
      subscriptionChanged,
      {
        subscriptionId: row.id,
        from: row.status,
        to: snap.status,
        offerId,
        offerName: (await offerSnapshot(trx, offerId)).offerName,
        amount,
        currency: row.currency,
        interval,
        cancelAtPeriodEnd: snap.cancelAtPeriodEnd,
      },
      { memberId: buyer.memberId, actor: "system" },
    );
  }
  if (grantingStatuses.has(snap.status)) {
    await settleDiscount(trx, row.id, "used");
    await enqueue(
      trx,
      "offers.mail",
      { kind: "subscription_started", subscriptionId: row.id },
      { dedupeKey: `offers.sub-start:${row.id}` },
    );
  }
  return true;
}

async function recordInvoice(
  trx: Db,
  provider: PaymentProvider,
  e: Extract<ProviderEvent, { invoiceId: string }>,
): Promise<void> {
  if (!e.providerSubscriptionId) return;
  const sub = await trx
    .selectFrom("subscriptions")
    .selectAll()
    .where("provider_subscription_id", "=", e.providerSubscriptionId)
    .executeTakeFirst();
  // Trials open with a 0 invoice: nothing was paid, nothing to list as revenue.
  if (!sub || !sub.member_id || e.amountPaid <= 0) return;
  const at = nowIso();
  const paymentId = e.providerPaymentId ?? null;
  await trx
    .insertInto("orders")
    .values({
      id: newId(),
      kind: "subscription_invoice",
      member_id: sub.member_id,
      email: sub.email,
      offer_id: sub.offer_id,
      price_id: sub.price_id,
      subscription_id: sub.id,
      gift_id: null,
      amount: e.amountPaid,
      discount_amount: 0,
      discount_code_id: null,
      amount_paid: e.amountPaid,
      amount_refunded: 0,
      currency: e.currency.toUpperCase(),
      status: "paid",
      provider: provider.name,
      provider_checkout_id: null,
      provider_payment_id: paymentId,
      provider_invoice_id: e.invoiceId,
      provider_customer_id: sub.provider_customer_id,
      created_member: 0,
      browser_token_hash: null,
      locale: sub.locale,
      paid_at: at,
      refunded_at: null,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  // A refund of this renewal that overtook the invoice: apply it now.
  if (paymentId) await applyEarlyRefunds(trx, paymentId);
}

async function applyEarlyRefunds(trx: Db, paymentId: string): Promise<void> {
  const early = await trx
    .selectFrom("provider_events")
    .select(["id", "data"])
    .where("type", "=", "charge.refunded")
    .where("object_id", "=", paymentId)
    .execute();
  for (const e of early) {
    if (await applyRefund(trx, JSON.parse(e.data) as Extract<ProviderEvent, { type: "charge.refunded" }>)) {
      await trx.updateTable("provider_events").set({ result: "applied" }).where("id", "=", e.id).execute();
    }
  }
}

/* ---------- the entry point ---------- */

async function subscriptionIdForReference(
  db: Db,
  reference: string,
): Promise<{ ours: boolean; providerSubscriptionId: string | null }> {
  const row = await db
    .selectFrom("subscriptions")
    .select(["id", "provider_subscription_id"])
    .where("id", "=", reference)
    .executeTakeFirst();
  return { ours: !!row, providerSubscriptionId: row?.provider_subscription_id ?? null };
}

/**
 * Applies one verified, normalised provider event. Throws on failure (the
 * webhook answers 500 and the provider retries); the event id is then not
 * stored, so the retry re-applies it from scratch.
 */
export async function applyProviderEvent(
  db: Db,
  provider: PaymentProvider,
  event: ProviderEvent,
): Promise<ApplyResult> {
  if (await seen(db, event.id)) return "duplicate";

  switch (event.type) {
    case "ignored":
      return transaction(db, async (trx) =>
        (await recordProviderEvent(trx, provider, event, "ignored")) ? "ignored" : "duplicate",
      );

    case "subscription.changed":
    case "invoice.paid":
    case "invoice.payment_failed": {
      if (!event.providerSubscriptionId) {
        return transaction(db, async (trx) =>
          (await recordProviderEvent(trx, provider, event, "ignored")) ? "ignored" : "duplicate",
        );
      }
      return withSubscription(db, provider, event.providerSubscriptionId, async (trx, snap) => {
        const ours = await findOurSubscription(trx, snap, null);
        if (!(await recordProviderEvent(trx, provider, event, ours ? "applied" : "ignored"))) return "duplicate";
        if (!ours) return "ignored";
        await applySnapshot(trx, provider, snap);
        if (event.type === "invoice.paid") await recordInvoice(trx, provider, event);
        return "applied";
      });
    }

    case "checkout.completed": {
      if (event.mode === "subscription") {
        const ref = await subscriptionIdForReference(db, event.reference);
        const subId = event.providerSubscriptionId ?? ref.providerSubscriptionId;
        if (!ref.ours || !subId) {
          return transaction(db, async (trx) =>
            (await recordProviderEvent(trx, provider, event, "ignored")) ? "ignored" : "duplicate",
          );
        }
        return withSubscription(db, provider, subId, async (trx, snap) => {
          if (!(await recordProviderEvent(trx, provider, event, "applied"))) return "duplicate";
          const ok = await applySnapshot(trx, provider, snap, {
            reference: event.reference,
            checkoutId: event.checkoutId,
          });
          return ok ? "applied" : "ignored";
        });
      }
      return transaction(db, async (trx) => {
        const order = await trx
          .selectFrom("orders")
          .select(["id", "provider_checkout_id"])
          .where("id", "=", event.reference)
          .executeTakeFirst();
        const mine = !!order && (!order.provider_checkout_id || order.provider_checkout_id === event.checkoutId);
        if (!(await recordProviderEvent(trx, provider, event, mine ? "applied" : "ignored"))) return "duplicate";
        if (!mine) return "ignored";
        if (event.paid) {
          await markOrderPaid(trx, provider, order.id, {
            checkoutId: event.checkoutId,
            providerPaymentId: event.providerPaymentId,
            providerCustomerId: event.providerCustomerId,
            amountPaid: event.amountTotal,
          });
        } else {
          // Delayed method (SEPA): remember the ids, grant nothing until the money arrives.
          const cur = await trx.selectFrom("orders").selectAll().where("id", "=", order.id).executeTakeFirstOrThrow();
          await trx
            .updateTable("orders")
            .set({
              provider_checkout_id: cur.provider_checkout_id ?? event.checkoutId,
              provider_payment_id: cur.provider_payment_id ?? event.providerPaymentId,
              provider_customer_id: cur.provider_customer_id ?? event.providerCustomerId,
              updated_at: nowIso(),
            })
            .where("id", "=", order.id)
            .execute();
        }
        return "applied";
      });
    }

    case "checkout.async_payment_succeeded":
    case "checkout.async_payment_failed":
    case "checkout.expired": {
      const ref = await subscriptionIdForReference(db, event.reference);
      if (ref.ours) {
        if (ref.providerSubscriptionId) {
          return withSubscription(db, provider, ref.providerSubscriptionId, async (trx, snap) => {
            if (!(await recordProviderEvent(trx, provider, event, "applied"))) return "duplicate";
            await applySnapshot(trx, provider, snap, { reference: event.reference });
            return "applied";
          });
        }
        return transaction(db, async (trx) => {
          if (!(await recordProviderEvent(trx, provider, event, "applied"))) return "duplicate";
          if (event.type === "checkout.expired") {
            await trx
              .updateTable("subscriptions")
              .set({ status: "expired", updated_at: nowIso() })
              .where("id", "=", event.reference)
              .where("status", "=", "pending")
              .execute();
            await settleDiscount(trx, event.reference, "released");
          }
          return "applied";
        });
      }
      return transaction(db, async (trx) => {
        const order = await trx
          .selectFrom("orders")
          .select(["id", "provider_checkout_id"])
          .where("id", "=", event.reference)
          .executeTakeFirst();
        const mine = !!order && (!order.provider_checkout_id || order.provider_checkout_id === event.checkoutId);
        if (!(await recordProviderEvent(trx, provider, event, mine ? "applied" : "ignored"))) return "duplicate";
        if (!mine) return "ignored";
        if (event.type === "checkout.async_payment_succeeded")
          await markOrderPaid(trx, provider, order.id, {
            checkoutId: event.checkoutId,
            providerPaymentId: event.providerPaymentId,
          });
        else
          await markOrderFailed(
            trx,
            order.id,
            event.type === "checkout.expired" ? "expired" : "failed",
            event.providerPaymentId,
          );
        return "applied";
      });
    }

    case "charge.refunded":
      return transaction(db, async (trx) => {
        // Stored even when no order has this payment yet: markOrderPaid re-applies it later.
        if (!(await recordProviderEvent(trx, provider, event, "applied"))) return "duplicate";
        const done = await applyRefund(trx, event);
        if (!done)
          await trx.updateTable("provider_events").set({ result: "deferred" }).where("id", "=", event.id).execute();
        return "applied";
      });
  }
}

/* ---------- reading the final state (admin, account page, the replay oracle) ---------- */

export async function getOrder(db: Db, id: string) {
  return db.selectFrom("orders").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function getSubscription(db: Db, id: string) {
  return db.selectFrom("subscriptions").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function memberOrders(db: Db, memberId: string) {
  return db.selectFrom("orders").selectAll().where("member_id", "=", memberId).orderBy("created_at", "desc").execute();
}

export async function memberSubscriptions(db: Db, memberId: string) {
  return db
    .selectFrom("subscriptions")
    .selectAll()
    .where("member_id", "=", memberId)
    .orderBy("created_at", "desc")
    .execute();
}
