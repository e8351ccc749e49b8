/*
 * Column conventions, identical on SQLite and PostgreSQL:
 * ids are UUIDv7 text (sortable), times are ISO-8601 UTC text (sortable, e.g.
 * 2026-11-23T07:17:00.000Z), booleans are integers 0/1, JSON is text, money
 * is integer minor units.
 */

import type { Generated } from "kysely";

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface StaffUsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: "owner" | "assistant";
  locale: string;
  totp_secret: string | null;
  totp_enabled: number;
  /** The last TOTP time step accepted at login (replay protection). */
  totp_last_step?: number | null;
  created_at: string;
  updated_at: string;
}

export interface MembersTable {
  id: string;
  email: string;
  name: string;
  locale: string;
  time_zone: string;
  /** pending until the double opt-in link is confirmed (or the owner adds them). */
  status: "pending" | "active";
  /** Marketing/newsletter consent; provable history lives in member_consents. */
  email_opt_in: number;
  note: string;
  source: string;
  confirmed_at: string | null;
  last_seen_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface MemberConsentsTable {
  id: string;
  member_id: string;
  kind: string;
  granted: number;
  wording: string;
  locale: string;
  ip: string | null;
  created_at: string;
}

export interface MagicLinksTable {
  id: string;
  token_hash: string;
  email: string;
  member_id: string | null;
  purpose: "login" | "confirm";
  redirect_to: string | null;
  expires_at: string;
  used_at: string | null;
  created_at: string;
  /** JSON the link carries (members module: join intent); added by members/migrations/2026112410. */
  data: import("kysely").ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  subject_kind: "member" | "staff";
  subject_id: string;
  /** 1 while a staff password login still waits for its TOTP code. */
  mfa_pending: number;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface EventsTable {
  id: string;
  member_id: string | null;
  type: string;
  /** The event type's version when written. */
  version: Generated<number>;
  actor: "member" | "staff" | "system";
  data: string;
  created_at: string;
  /** Grows in commit order (see platform/events/log.ts); the outbox reads by (tx, id). */
  tx: Generated<number | string>;
}

/** One outbox consumer's position in the event log. */
export interface EventCursorsTable {
  consumer: string;
  last_tx: number | string;
  last_id: string;
  updated_at: string;
}

export interface EventSequenceTable {
  id: number;
  n: number;
}

export interface JobsTable {
  id: string;
  type: string;
  payload: string;
  state: "queued" | "running" | "done" | "dead";
  run_at: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  dedupe_key: string | null;
  locked_by: string | null;
  locked_at: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface DevMailboxTable {
  id: string;
  to_address: string;
  from_address: string;
  subject: string;
  text: string;
  html: string;
  headers: string;
  created_at: string;
}

export interface RateLimitsTable {
  key: string;
  window_start: string;
  count: number;
}

export interface FilesTable {
  id: string;
  purpose: string;
  path: string;
  mime: string;
  size: number;
  created_at: string;
}

/* ---- offers module (src/modules/offers/migrations/2026112320_offers.ts) ---- */

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

export interface EntitlementsTable {
  id: string;
  member_id: string;
  resource_kind: string;
  resource_id: string;
  source_kind: "order" | "subscription" | "gift" | "complimentary" | "manual";
  source_id: string;
  starts_at: string;
  ends_at: string | null;
  revoked_at: string | null;
  revoke_reason: string | null;
  note: string;
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

export interface DevPaymentObjectsTable {
  id: string;
  kind: "checkout" | "subscription" | "customer" | "payment";
  data: string;
  created_at: string;
  updated_at: string;
}

/* ---- publishing module (src/modules/publishing/migrations/2026112330_posts.ts) ---- */

export interface PostsTable {
  id: string;
  slug: string;
  title: string;
  excerpt: string;
  /** Markdown source, paywall marker line included. */
  body_md: string;
  /** Sanitised HTML above the paywall marker (the whole body when there is none). */
  teaser_html: string;
  /** Sanitised HTML below the paywall marker; "" when there is none. */
  paid_html: string;
  teaser_text: string;
  paid_text: string;
  cover_file_id: string | null;
  audience: "public" | "members" | "paid" | "offers";
  /** JSON array of offer ids when audience = "offers". */
  audience_offers: string;
  status: "draft" | "scheduled" | "published";
  publish_at: string | null;
  published_at: string | null;
  reading_minutes: number;
  author_id: string | null;
  comments_enabled: number;
  created_at: string;
  updated_at: string;
}

export interface TagsTable {
  id: string;
  slug: string;
  name: string;
  created_at: string;
}

export interface PostTagsTable {
  post_id: string;
  tag_id: string;
  position: number;
}

export interface CommentsTable {
  id: string;
  post_id: string;
  member_id: string;
  body: string;
  status: "visible" | "hidden";
  created_at: string;
  updated_at: string;
}

export interface CommentBlocksTable {
  member_id: string;
  blocked_by: string | null;
  created_at: string;
}

/* ---- publishing newsletter engine (src/modules/publishing/migrations/2026112340_newsletter.ts) ---- */

export interface NewsletterSendsTable {
  id: string;
  post_id: string;
  subject: string;
  /** JSON Segment (see publishing/newsletter/segments.ts). */
  segment: string;
  state: "scheduled" | "sending" | "finished" | "cancelled";
  scheduled_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Delivery rows created when the send started (0 before). */
  recipients: number;
  created_by: string | null;
  /** Last time a worker made progress on this send (resume watchdog). */
  heartbeat_at: string | null;
  resume_count: number;
  created_at: string;
  updated_at: string;
}

export interface NewsletterDeliveriesTable {
  send_id: string;
  member_id: string;
  email: string;
  batch_no: number;
  state: "queued" | "sending" | "accepted" | "failed" | "bounced" | "skipped";
  /** Why failed/skipped (unsubscribed, suppressed, erased, SMTP reply). */
  reason: string | null;
  attempts: number;
  lease_owner: string | null;
  lease_until: string | null;
  accepted_at: string | null;
  unsubscribed_at: string | null;
  opened_at: string | null;
  clicked_at: string | null;
  updated_at: string;
}

export interface NewsletterSuppressionsTable {
  email: string;
  reason: "hard_bounce" | "complaint" | "manual";
  detail: string;
  created_at: string;
}

export interface NewsletterEventsTable {
  id: string;
  send_id: string;
  member_id: string;
  kind: "open" | "click";
  url: string | null;
  created_at: string;
}

export interface MemberTagsTable {
  member_id: string;
  tag: string;
  created_at: string;
}

export interface Database {
  settings: SettingsTable;
  staff_users: StaffUsersTable;
  members: MembersTable;
  member_consents: MemberConsentsTable;
  member_tags: MemberTagsTable;
  magic_links: MagicLinksTable;
  sessions: SessionsTable;
  events: EventsTable;
  event_cursors: EventCursorsTable;
  event_sequence: EventSequenceTable;
  jobs: JobsTable;
  dev_mailbox: DevMailboxTable;
  rate_limits: RateLimitsTable;
  files: FilesTable;
  offers: OffersTable;
  prices: PricesTable;
  offer_files: OfferFilesTable;
  offer_includes: OfferIncludesTable;
  discount_codes: DiscountCodesTable;
  discount_redemptions: DiscountRedemptionsTable;
  orders: OrdersTable;
  subscriptions: SubscriptionsTable;
  entitlements: EntitlementsTable;
  provider_events: ProviderEventsTable;
  provider_customers: ProviderCustomersTable;
  gifts: GiftsTable;
  dev_payment_objects: DevPaymentObjectsTable;
  posts: PostsTable;
  tags: TagsTable;
  post_tags: PostTagsTable;
  comments: CommentsTable;
  comment_blocks: CommentBlocksTable;
  newsletter_sends: NewsletterSendsTable;
  newsletter_deliveries: NewsletterDeliveriesTable;
  newsletter_suppressions: NewsletterSuppressionsTable;
  newsletter_events: NewsletterEventsTable;
}
