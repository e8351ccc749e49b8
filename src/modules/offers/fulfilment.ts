import { lockedTransaction, transaction, type Db } from "../../platform/db/index.ts";

import { nowIso } from "../../platform/ids.ts";

import type { PaymentProvider, ProviderEvent, SubscriptionSnapshot } from "../../platform/payments/provider.ts";

// The offers granted here mean something to the access policy only once their terms are registered.
import "./terms.ts";
import { applyRefund, markOrderFailed, markOrderPaid, settleDiscount } from "./fulfilment-orders.ts";
import {
  applySnapshot,
  findOurSubscription,
  recordInvoice,
  subscriptionIdForReference,
} from "./fulfilment-subscriptions.ts";

export { RENEWAL_LEEWAY_MS } from "./fulfilment-subscriptions.ts";

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
  return withKeyLock(`sub:${providerSubscriptionId}`, () =>
    lockedTransaction(
      db,
      `atelier-sub:${providerSubscriptionId}`,
      () => provider.retrieveSubscription(providerSubscriptionId),
      fn,
    ),
  );
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
            amountTax: event.amountTax ?? null,
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
