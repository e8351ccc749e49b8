import type { Generated } from "kysely";
/**
 * The offers module's tables (column conventions: platform/db/schema.ts). Only
 * this module's code names them; others call what its index.ts exports.
 */

export interface OffersTable {
  id: string;
  slug: string;
  kind: "tier" | "product" | "tip";
  name: string;
  summary: string;
  description_md: string;
  description_html: string;
  status: "draft" | "published" | "archived";
  position: number;
  highlight: number;
  /** The badge's word, the creator's own; empty = the default « Recommandé » / "Recommended". */
  highlight_label: Generated<string>;
  /** 1 = the creator chose to show it on the home page (in their order); none chosen = the default rule. */
  featured_home: Generated<number>;
  provider_product_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface PricesTable {
  id: string;
  offer_id: string;
  kind: "one_off" | "recurring";
  interval: "month" | "year" | null;
  /** Minor units; for pay-what-you-want, the default shown. */
  amount: number;
  currency: string;
  pay_what_you_want: number;
  min_amount: number;
  suggested_amount: number | null;
  trial_days: number;
  /** Paid as this many monthly payments of `amount` (a recurring month price underneath); 0 = not in instalments. */
  instalments: Generated<number>;
  active: number;
  position: number;
  provider_price_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface OfferFilesTable {
  id: string;
  offer_id: string;
  file_id: string;
  name: string;
  mime: string;
  size: number;
  position: number;
  created_at: string;
}

export interface OfferIncludesTable {
  id: string;
  offer_id: string;
  resource_kind: string;
  /** A resource id, or "*" for every resource of that kind. */
  resource_id: string;
  created_at: string;
}

export interface DiscountCodesTable {
  id: string;
  code: string;
  kind: "percent" | "amount";
  value: number;
  currency: string | null;
  /** JSON array of offer ids; [] = every offer. */
  offer_ids: string;
  starts_at: string | null;
  ends_at: string | null;
  max_redemptions: number | null;
  redemptions_count: number;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface DiscountRedemptionsTable {
  id: string;
  code_id: string;
  /** The order or subscription id the code was used for. */
  reference: string;
  member_id: string | null;
  email: string;
  amount_off: number;
  status: "reserved" | "used" | "released";
  created_at: string;
}

export interface OrdersTable {
  id: string;
  kind: "purchase" | "gift" | "subscription_invoice";
  member_id: string | null;
  email: string;
  offer_id: string;
  price_id: string | null;
  subscription_id: string | null;
  gift_id: string | null;
  amount: number;
  discount_amount: number;
  discount_code_id: string | null;
  amount_paid: number;
  amount_refunded: number;
  /** VAT Stripe Tax computed into amount_paid (minor units); null when none was computed. */
  tax_amount: number | null;
  currency: string;
  status: "pending" | "paid" | "failed" | "expired" | "refunded";
  provider: string;
  provider_checkout_id: string | null;
  provider_payment_id: string | null;
  provider_invoice_id: string | null;
  provider_customer_id: string | null;
  created_member: number;
  browser_token_hash: string | null;
  locale: string;
  paid_at: string | null;
  refunded_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SubscriptionsTable {
  id: string;
  member_id: string | null;
  email: string;
  offer_id: string;
  price_id: string;
  amount: number;
  currency: string;
  interval: "month" | "year";
  /** Copied from the price: the number of payments after which it stops (0 = an open-ended membership). */
  instalments: Generated<number>;
  /** "pending" until the provider has one; then the provider's status, copied from its latest snapshot. */
  status: string;
  provider: string;
  provider_subscription_id: string | null;
  provider_checkout_id: string | null;
  provider_customer_id: string | null;
  provider_price_id: string | null;
  current_period_end: string | null;
  cancel_at_period_end: number;
  canceled_at: string | null;
  /** When it started to end (cancel at period end or outright); null if it never did or was resumed. */
  cancel_requested_at: string | null;
  cancel_reason: string | null;
  discount_amount: number;
  discount_code_id: string | null;
  created_member: number;
  browser_token_hash: string | null;
  locale: string;
  /** Incremented on every applied snapshot. */
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ProviderEventsTable {
  id: string;
  provider: string;
  type: string;
  /** The object the event is about (payment, subscription...), to find early arrivals later. */
  object_id: string | null;
  data: string;
  result: string;
  created: number;
  received_at: string;
  processed_at: string | null;
}

export interface ProviderCustomersTable {
  provider_customer_id: string;
  provider: string;
  member_id: string;
  created_at: string;
}

export interface GiftsTable {
  id: string;
  order_id: string;
  offer_id: string;
  price_id: string | null;
  purchaser_member_id: string | null;
  purchaser_email: string;
  recipient_email: string;
  recipient_name: string;
  message: string;
  /** Length of the gifted access; null = for good (one-off products). */
  duration_days: number | null;
  claim_token_hash: string;
  status: "pending" | "paid" | "claimed" | "refunded";
  claimed_by: string | null;
  claimed_at: string | null;
  created_at: string;
  updated_at: string;
}

declare module "../../platform/db/schema.ts" {
  interface Database {
    offers: OffersTable;
    prices: PricesTable;
    offer_files: OfferFilesTable;
    offer_includes: OfferIncludesTable;
    discount_codes: DiscountCodesTable;
    discount_redemptions: DiscountRedemptionsTable;
    orders: OrdersTable;
    subscriptions: SubscriptionsTable;
    provider_events: ProviderEventsTable;
    provider_customers: ProviderCustomersTable;
    gifts: GiftsTable;
  }
}

/** The tables this module owns (its defineModule declaration). */
export const offersTables = [
  "offers",
  "prices",
  "offer_files",
  "offer_includes",
  "discount_codes",
  "discount_redemptions",
  "orders",
  "subscriptions",
  "provider_events",
  "provider_customers",
  "gifts",
] as const;
