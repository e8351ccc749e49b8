import { prepared } from "../../platform/db/prepared.ts";

// The account page's queries, their SQL built once (every personal page view builds them otherwise).
export const memberOrders = prepared((db, memberId) =>
  db
    .selectFrom("orders")
    .innerJoin("offers", "offers.id", "orders.offer_id")
    .select([
      "orders.id",
      "orders.kind",
      "orders.status",
      "orders.amount_paid",
      "orders.amount",
      "orders.discount_amount",
      "orders.currency",
      "orders.created_at",
      "orders.paid_at",
      "offers.name",
    ])
    .where("orders.member_id", "=", memberId)
    .orderBy("orders.created_at", "desc")
    .limit(50),
);
export const memberSubscriptions = prepared((db, memberId) =>
  db
    .selectFrom("subscriptions")
    .innerJoin("offers", "offers.id", "subscriptions.offer_id")
    .select([
      "subscriptions.id",
      "subscriptions.status",
      "subscriptions.amount",
      "subscriptions.currency",
      "subscriptions.interval",
      "subscriptions.current_period_end",
      "subscriptions.cancel_at_period_end",
      "subscriptions.instalments",
      "offers.name",
    ])
    .where("subscriptions.member_id", "=", memberId)
    .where("subscriptions.status", "not in", ["pending", "expired", "incomplete_expired"])
    .orderBy("subscriptions.created_at", "desc"),
);
export const memberGifts = prepared((db, memberId) =>
  db
    .selectFrom("gifts")
    .innerJoin("offers", "offers.id", "gifts.offer_id")
    .select(["gifts.id", "gifts.recipient_email", "gifts.status", "offers.name"])
    .where("gifts.purchaser_member_id", "=", memberId)
    .orderBy("gifts.created_at", "desc"),
);
export const providerCustomer = prepared((db, memberId) =>
  db.selectFrom("provider_customers").select("provider_customer_id").where("member_id", "=", memberId),
);
