/**
 * The publishing module's tables (column conventions: platform/db/schema.ts). Only
 * this module's code names them; others call what its index.ts exports.
 */

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

declare module "../../platform/db/schema.ts" {
  interface Database {
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
}

/** The tables this module owns (its defineModule declaration). */
export const publishingTables = [
  "posts",
  "tags",
  "post_tags",
  "comments",
  "comment_blocks",
  "newsletter_sends",
  "newsletter_deliveries",
  "newsletter_suppressions",
  "newsletter_events",
] as const;
