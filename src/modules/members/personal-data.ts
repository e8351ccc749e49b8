/**
 * Where a member's personal data lives, table by table and column by column,
 * and how erasure ("delete my account") and the export ("download my data")
 * cover it. personal-data.test.ts introspects the migrated database (SQLite
 * and PostgreSQL) and fails on any table or column missing here, so a new
 * column that can hold personal data is classified before it ships.
 *
 * `erase` says what the erase transaction does with the row; `export` names
 * the key of the member's JSON export that carries it (or, for the two dev
 * stand-ins for outside systems, why there is none).
 */
export interface PersonalColumns {
  columns: string[];
  erase: string;
  export: string | { none: string };
}

export interface TableClassification {
  /** Columns that hold a member's personal data or tie the row to a member. */
  personal?: PersonalColumns;
  /** Columns that hold none, grouped by the reason. */
  notPersonal?: Record<string, string[]>;
}

const bookkeeping = "ids, states and times of the row itself";
const content = "the creator's own content or catalogue";
const staffOnly = "staff accounts and staff references, not members (managed in the admin)";

export const personalData: Record<string, TableClassification> = {
  members: {
    personal: {
      columns: ["id", "email", "name", "locale", "time_zone", "status", "email_opt_in", "note", "source"],
      erase: "row deleted (one anonymous member.deleted event remains)",
      export: "profile",
    },
    notPersonal: { [bookkeeping]: ["confirmed_at", "last_seen_at", "created_at", "updated_at"] },
  },
  member_consents: {
    personal: { columns: ["member_id", "wording", "ip", "granted", "kind"], erase: "deleted", export: "consents" },
    notPersonal: { [bookkeeping]: ["id", "locale", "created_at"] },
  },
  member_tags: {
    personal: { columns: ["member_id", "tag"], erase: "deleted (cascade with the member)", export: "tags" },
    notPersonal: { [bookkeeping]: ["created_at"] },
  },
  magic_links: {
    personal: { columns: ["email", "member_id", "data", "redirect_to"], erase: "deleted", export: "links" },
    notPersonal: {
      [bookkeeping]: ["id", "purpose", "expires_at", "used_at", "created_at"],
      "SHA-256 of a random token (the token itself is never stored)": ["token_hash"],
    },
  },
  sessions: {
    personal: { columns: ["subject_id", "ip", "user_agent"], erase: "deleted", export: "sessions" },
    notPersonal: {
      [bookkeeping]: ["id", "subject_kind", "mfa_pending", "created_at", "expires_at", "last_seen_at"],
      "SHA-256 of the session token": ["token_hash"],
    },
  },
  events: {
    personal: { columns: ["member_id", "data"], erase: "deleted", export: "events" },
    notPersonal: { [bookkeeping]: ["id", "type", "version", "actor", "created_at", "tx"] },
  },
  event_cursors: {
    notPersonal: { "an outbox consumer's position in the event log": ["consumer", "last_tx", "last_id", "updated_at"] },
  },
  event_sequence: { notPersonal: { "the event log's commit-order counter (SQLite)": ["id", "n"] } },
  jobs: {
    personal: {
      columns: ["last_error"],
      erase: "errors quoting the address are cleared",
      export: { none: "a delivery error about the member's own email is not data about them beyond the address" },
    },
    notPersonal: {
      "a mail job carries a kind and ids only (the message is rendered when it is sent)": ["payload", "dedupe_key"],
      [bookkeeping]: [
        "id",
        "type",
        "state",
        "run_at",
        "attempts",
        "max_attempts",
        "locked_by",
        "locked_at",
        "created_at",
        "updated_at",
        "finished_at",
      ],
    },
  },
  dev_mailbox: {
    personal: {
      columns: ["to_address", "subject", "text", "html", "headers"],
      erase: "messages to the address deleted",
      export: { none: "stands in for the member's own inbox; never in production, emptied in backups" },
    },
    notPersonal: { [bookkeeping]: ["id", "from_address", "created_at"] },
  },
  rate_limits: {
    notPersonal: {
      "SHA-256 of the limit's key (never a raw address or IP); the address's counter goes with the member": ["key"],
      [bookkeeping]: ["window_start", "count"],
    },
  },
  files: { notPersonal: { [content]: ["id", "purpose", "path", "mime", "size", "created_at"] } },
  settings: { notPersonal: { "site configuration": ["key", "value", "updated_at"] } },
  staff_users: {
    notPersonal: {
      [staffOnly]: [
        "id",
        "email",
        "name",
        "password_hash",
        "role",
        "locale",
        "totp_secret",
        "totp_enabled",
        "totp_last_step",
        "created_at",
        "updated_at",
      ],
    },
  },
  offers: {
    notPersonal: {
      [content]: [
        "id",
        "slug",
        "kind",
        "name",
        "summary",
        "description_md",
        "description_html",
        "status",
        "position",
        "highlight",
        "highlight_label",
        "provider_product_id",
        "created_at",
        "updated_at",
      ],
    },
  },
  prices: {
    notPersonal: {
      [content]: [
        "id",
        "offer_id",
        "kind",
        "interval",
        "amount",
        "currency",
        "pay_what_you_want",
        "min_amount",
        "suggested_amount",
        "trial_days",
        "active",
        "position",
        "provider_price_id",
        "created_at",
        "updated_at",
      ],
    },
  },
  offer_files: {
    notPersonal: { [content]: ["id", "offer_id", "file_id", "name", "mime", "size", "position", "created_at"] },
  },
  offer_includes: { notPersonal: { [content]: ["id", "offer_id", "resource_kind", "resource_id", "created_at"] } },
  discount_codes: {
    notPersonal: {
      [content]: [
        "id",
        "code",
        "kind",
        "value",
        "currency",
        "offer_ids",
        "starts_at",
        "ends_at",
        "max_redemptions",
        "redemptions_count",
        "active",
        "created_at",
        "updated_at",
      ],
    },
  },
  discount_redemptions: {
    personal: {
      columns: ["member_id", "email"],
      erase: "anonymised (accounting keeps the amount)",
      export: "purchases.discountRedemptions",
    },
    notPersonal: { [bookkeeping]: ["id", "code_id", "reference", "amount_off", "status", "created_at"] },
  },
  orders: {
    personal: {
      columns: ["member_id", "email", "browser_token_hash"],
      erase: "anonymised (accounting keeps amounts, dates and the offer)",
      export: "purchases.orders",
    },
    notPersonal: {
      "accounting: what was sold, for how much, through which provider reference": [
        "id",
        "kind",
        "offer_id",
        "price_id",
        "subscription_id",
        "gift_id",
        "amount",
        "discount_amount",
        "discount_code_id",
        "amount_paid",
        "amount_refunded",
        "currency",
        "status",
        "provider",
        "provider_checkout_id",
        "provider_payment_id",
        "provider_invoice_id",
        "provider_customer_id",
        "created_member",
        "locale",
        "paid_at",
        "refunded_at",
        "created_at",
        "updated_at",
      ],
    },
  },
  subscriptions: {
    personal: {
      columns: ["member_id", "email", "cancel_reason", "browser_token_hash"],
      erase: "anonymised (accounting keeps amounts and dates)",
      export: "purchases.subscriptions",
    },
    notPersonal: {
      "accounting: what was sold, for how much, through which provider reference": [
        "id",
        "offer_id",
        "price_id",
        "amount",
        "currency",
        "interval",
        "status",
        "provider",
        "provider_subscription_id",
        "provider_checkout_id",
        "provider_customer_id",
        "provider_price_id",
        "current_period_end",
        "cancel_at_period_end",
        "canceled_at",
        "discount_amount",
        "discount_code_id",
        "created_member",
        "locale",
        "version",
        "created_at",
        "updated_at",
      ],
    },
  },
  coaching_settings: {
    notPersonal: {
      [content]: [
        "id",
        "time_zone",
        "buffer_before_min",
        "buffer_after_min",
        "min_notice_min",
        "window_days",
        "max_per_day",
        "cancel_hours",
        "video_mode",
        "jitsi_base_url",
        "fixed_link",
        "ics_url",
        "ics_error",
        "ics_checked_at",
        "for_whom",
        "not_for_whom",
        "updated_at",
      ],
      "SHA-256 of the creator's private calendar feed token": ["feed_token_hash"],
    },
  },
  coaching_weekly_hours: { notPersonal: { [content]: ["id", "weekday", "start_min", "end_min"] } },
  coaching_overrides: { notPersonal: { [content]: ["id", "date", "start_min", "end_min", "note"] } },
  coaching_busy: { notPersonal: { "the creator's own busy times (no titles kept)": ["id", "starts_at", "ends_at"] } },
  coaching_offers: {
    notPersonal: {
      [content]: [
        "id",
        "slug",
        "title",
        "description",
        "kind",
        "duration_min",
        "sessions",
        "validity_days",
        "offer_id",
        "questions",
        "fit_threshold",
        "accept_days",
        "active",
        "created_at",
        "updated_at",
      ],
    },
  },
  coaching_credits: {
    personal: { columns: ["member_id", "booking_id", "source"], erase: "deleted", export: "coaching.credits" },
    notPersonal: {
      [bookkeeping]: ["id", "coaching_offer_id", "seq", "expires_at", "revoked_at", "created_at", "updated_at"],
    },
  },
  coaching_bookings: {
    personal: {
      columns: [
        "member_id",
        "starts_at",
        "ends_at",
        "client_time_zone",
        "locale",
        "video_url",
        "shared_summary",
        "private_notes",
      ],
      // private_notes are the creator's working notes: erased with the booking, never in the client's export.
      erase: "deleted (the creator's private notes with them)",
      export: "coaching.bookings",
    },
    notPersonal: {
      [bookkeeping]: [
        "id",
        "coaching_offer_id",
        "status",
        "hold_expires_at",
        "order_id",
        "credit_id",
        "sequence",
        "reminder_24_at",
        "reminder_1_at",
        "cancelled_at",
        "created_at",
        "updated_at",
      ],
    },
  },
  coaching_applications: {
    personal: {
      columns: ["member_id", "answers", "score", "max_score", "message", "resources"],
      erase: "deleted",
      export: "coaching.applications",
    },
    notPersonal: {
      [bookkeeping]: ["id", "coaching_offer_id", "status", "valid_until", "decided_at", "created_at", "updated_at"],
    },
  },
  coaching_slot_claims: { notPersonal: { [bookkeeping]: ["cell", "booking_id"] } },
  coaching_day_claims: { notPersonal: { [bookkeeping]: ["coach", "day", "n", "booking_id"] } },
  entitlements: {
    personal: { columns: ["member_id", "note"], erase: "deleted", export: "purchases.entitlements" },
    notPersonal: {
      [bookkeeping]: [
        "id",
        "resource_kind",
        "resource_id",
        "source_kind",
        "source_id",
        "starts_at",
        "ends_at",
        "revoked_at",
        "revoke_reason",
        "created_at",
        "updated_at",
      ],
    },
  },
  provider_events: {
    notPersonal: {
      "verified provider events, stored without the buyer's address (ids and amounts only)": [
        "id",
        "provider",
        "type",
        "object_id",
        "data",
        "result",
        "created",
        "received_at",
        "processed_at",
      ],
    },
  },
  provider_customers: {
    personal: {
      columns: ["provider_customer_id", "member_id"],
      erase: "deleted",
      export: "purchases.providerCustomers",
    },
    notPersonal: { [bookkeeping]: ["provider", "created_at"] },
  },
  gifts: {
    personal: {
      columns: ["purchaser_member_id", "purchaser_email", "recipient_email", "recipient_name", "message", "claimed_by"],
      erase: "anonymised on both sides (bought by or for the member)",
      export: "purchases.gifts",
    },
    notPersonal: {
      [bookkeeping]: [
        "id",
        "order_id",
        "offer_id",
        "price_id",
        "duration_days",
        "status",
        "claimed_at",
        "created_at",
        "updated_at",
      ],
      "SHA-256 of the claim token": ["claim_token_hash"],
    },
  },
  dev_payment_objects: {
    personal: {
      columns: ["data"],
      erase: "objects naming the address deleted",
      export: { none: "stands in for the payment provider's own records (test payments, never in production)" },
    },
    notPersonal: { [bookkeeping]: ["id", "kind", "created_at", "updated_at"] },
  },
  posts: {
    notPersonal: {
      [content]: [
        "id",
        "slug",
        "title",
        "excerpt",
        "body_md",
        "teaser_html",
        "paid_html",
        "teaser_text",
        "paid_text",
        "cover_file_id",
        "audience",
        "audience_offers",
        "status",
        "publish_at",
        "published_at",
        "reading_minutes",
        "comments_enabled",
        "created_at",
        "updated_at",
      ],
      [staffOnly]: ["author_id"],
    },
  },
  tags: { notPersonal: { [content]: ["id", "slug", "name", "created_at"] } },
  post_tags: { notPersonal: { [content]: ["post_id", "tag_id", "position"] } },
  courses: {
    notPersonal: {
      [content]: [
        "id",
        "slug",
        "title",
        "subtitle",
        "description_md",
        "description_html",
        "language",
        "cover_file_id",
        "status",
        "audience",
        "sequential",
        "signer_name",
        "signature_file_id",
        "stall_days",
        "stall_enabled",
        "stall_subject",
        "stall_body",
        "stall_choices",
      ],
      [bookkeeping]: ["created_at", "updated_at"],
    },
  },
  course_sections: {
    notPersonal: {
      [content]: ["id", "course_id", "title", "position", "drip_kind", "drip_days", "drip_date"],
      [bookkeeping]: ["created_at", "updated_at"],
    },
  },
  course_lessons: {
    notPersonal: {
      [content]: [
        "id",
        "course_id",
        "section_id",
        "title",
        "body_md",
        "body_html",
        "video_url",
        "video_file_id",
        "audio_file_id",
        "free_preview",
        "required",
        "position",
      ],
      [bookkeeping]: ["created_at", "updated_at"],
    },
  },
  course_attachments: {
    notPersonal: {
      [content]: ["id", "lesson_id", "file_id", "name", "mime", "size", "position"],
      [bookkeeping]: ["created_at"],
    },
  },
  course_quizzes: {
    notPersonal: {
      [content]: ["id", "course_id", "lesson_id", "title", "pass_pct", "max_attempts", "required"],
      [bookkeeping]: ["created_at", "updated_at"],
    },
  },
  quiz_questions: {
    notPersonal: { [content]: ["id", "quiz_id", "kind", "prompt", "explanation", "accepted", "position"] },
  },
  quiz_choices: { notPersonal: { [content]: ["id", "question_id", "label", "correct", "position"] } },
  course_enrolments: {
    personal: {
      columns: [
        "member_id",
        "course_id",
        "enrolled_at",
        "started_at",
        "last_progress_at",
        "last_lesson_id",
        "completed_at",
      ],
      erase: "deleted (cascade with the member)",
      export: "courses.enrolments",
    },
    notPersonal: { [bookkeeping]: ["id"] },
  },
  lesson_progress: {
    personal: {
      columns: ["member_id", "course_id", "lesson_id", "opened_at", "completed_at", "media_position"],
      erase: "deleted (cascade with the member)",
      export: "courses.progress",
    },
    notPersonal: { [bookkeeping]: ["id"] },
  },
  quiz_attempts: {
    personal: {
      columns: ["member_id", "quiz_id", "course_id", "attempt_no", "score_pct", "passed", "answers", "created_at"],
      erase: "deleted (cascade with the member)",
      export: "courses.quiz_attempts",
    },
    notPersonal: { [bookkeeping]: ["id"] },
  },
  course_certificates: {
    personal: {
      columns: [
        "member_id",
        "student_name",
        "code",
        "course_id",
        "course_title",
        "completed_at",
        "issued_at",
        "revoked_at",
      ],
      erase: "deleted (cascade with the member): the verification page then knows the code no more",
      export: "courses.certificates",
    },
    notPersonal: { [content]: ["signer_name"], [bookkeeping]: ["id"] },
  },
  course_stalls: {
    personal: {
      columns: [
        "member_id",
        "course_id",
        "enrolment_id",
        "lesson_id",
        "since",
        "detected_at",
        "reason",
        "comment",
        "answered_at",
      ],
      erase: "deleted (cascade with the member)",
      export: "courses.stalls",
    },
    notPersonal: { [bookkeeping]: ["id"] },
  },
  course_ratings: {
    personal: {
      columns: ["member_id", "course_id", "rating", "comment", "created_at", "updated_at"],
      erase: "deleted (cascade with the member)",
      export: "courses.ratings",
    },
    notPersonal: { [bookkeeping]: ["id"] },
  },
  course_drip_mails: {
    personal: {
      columns: ["member_id", "section_id", "enrolment_id", "queued_at"],
      erase: "deleted (cascade with the member)",
      export: "courses.drip_mails",
    },
    notPersonal: { [bookkeeping]: ["id"] },
  },
  course_mail_optouts: {
    personal: {
      columns: ["member_id", "created_at"],
      erase: "deleted (cascade with the member)",
      export: "courses.drip_emails_off",
    },
  },
  comments: {
    personal: { columns: ["member_id", "body"], erase: "deleted", export: "comments.comments" },
    notPersonal: { [bookkeeping]: ["id", "post_id", "status", "created_at", "updated_at"] },
  },
  comment_blocks: {
    personal: { columns: ["member_id"], erase: "deleted", export: "comments.blocked" },
    notPersonal: { [bookkeeping]: ["created_at"], [staffOnly]: ["blocked_by"] },
  },
  newsletter_sends: {
    notPersonal: {
      [content]: ["id", "post_id", "subject", "segment", "recipients"],
      [bookkeeping]: [
        "state",
        "scheduled_at",
        "started_at",
        "finished_at",
        "heartbeat_at",
        "resume_count",
        "created_at",
        "updated_at",
      ],
      [staffOnly]: ["created_by"],
    },
  },
  newsletter_deliveries: {
    personal: {
      columns: ["member_id", "email", "reason"],
      erase: "address and delivery detail cleared (the send's figures keep the row)",
      export: "newsletters.deliveries",
    },
    notPersonal: {
      [bookkeeping]: [
        "send_id",
        "batch_no",
        "state",
        "attempts",
        "lease_owner",
        "lease_until",
        "accepted_at",
        "unsubscribed_at",
        "opened_at",
        "clicked_at",
        "updated_at",
      ],
    },
  },
  newsletter_events: {
    personal: { columns: ["member_id", "url"], erase: "deleted", export: "newsletters.events" },
    notPersonal: { [bookkeeping]: ["id", "send_id", "kind", "created_at"] },
  },
  imports: {
    notPersonal: {
      "the staff's import runs: the uploaded file, its mapping and counts (the file itself is the site's data)": [
        "id",
        "source",
        "state",
        "file_name",
        "file_path",
        "file_size",
        "mapping",
        "cursor",
        "total",
        "created",
        "updated",
        "unchanged",
        "skipped",
        "failed",
        "error",
        "started_at",
        "finished_at",
        "created_at",
        "updated_at",
      ],
      [staffOnly]: ["created_by"],
    },
  },
  import_rows: {
    personal: {
      columns: ["email", "member_id", "params", "reason"],
      erase: "cleared (the report keeps the line and its status)",
      export: "imports",
    },
    notPersonal: { [bookkeeping]: ["import_id", "record_index", "line", "status"] },
  },
  newsletter_suppressions: {
    personal: {
      columns: ["email", "detail"],
      erase: "kept on purpose: a bounced or complaining address is never mailed again (no name, no id)",
      export: "newsletters.suppression",
    },
    notPersonal: { [bookkeeping]: ["reason", "created_at"] },
  },
  podcast_shows: {
    notPersonal: {
      [content]: [
        "id",
        "slug",
        "title",
        "description",
        "author",
        "cover_file_id",
        "language",
        "categories",
        "explicit",
      ],
      "the creator's own contact for podcast directories (not a member)": ["owner_name", "owner_email"],
      [bookkeeping]: ["trailer_episode_id", "share_limit", "auto_rotate", "guid", "created_at", "updated_at"],
    },
  },
  podcast_episodes: {
    notPersonal: {
      [content]: [
        "id",
        "show_id",
        "guid",
        "slug",
        "title",
        "notes_md",
        "notes_html",
        "season",
        "number",
        "episode_type",
        "audio_file_id",
        "audio_mime",
        "audio_size",
        "duration_s",
        "bitrate",
        "teaser_file_id",
        "teaser_mime",
        "teaser_size",
        "transcript_type",
        "transcript",
        "chapters",
        "audience",
        "audience_offers",
      ],
      [bookkeeping]: ["status", "publish_at", "created_at", "updated_at"],
    },
  },
  podcast_feeds: {
    personal: { columns: ["member_id"], erase: "deleted", export: "podcasts.feeds" },
    notPersonal: {
      [bookkeeping]: ["id", "show_id", "generation", "variant", "variant_at", "created_at", "rotated_at"],
      "SHA-256 of the feed token and its first characters (the token itself is never stored)": [
        "token_prefix",
        "token_hash",
      ],
    },
  },
  podcast_feed_fetches: {
    personal: {
      columns: ["network", "app"],
      erase: "deleted (cascade with the member's feed)",
      export: "podcasts.feeds",
    },
    notPersonal: { [bookkeeping]: ["id", "feed_id", "first_at", "last_at"] },
  },
  podcast_alerts: {
    personal: { columns: ["member_id", "evidence", "networks", "apps"], erase: "deleted", export: "podcasts.alerts" },
    notPersonal: { [bookkeeping]: ["id", "feed_id", "show_id", "rotated", "created_at", "resolved_at"] },
  },
  podcast_downloads: {
    personal: {
      columns: ["member_id", "app"],
      erase: "member_id cleared (the download stays as an anonymous count)",
      export: "podcasts.downloads",
    },
    notPersonal: {
      [bookkeeping]: ["id", "episode_id", "created_at"],
      "SHA-256 of address + user agent, for the 24 h dedupe (the address is never stored)": ["listener_key"],
    },
  },
  podcast_positions: {
    personal: { columns: ["member_id", "episode_id", "position_s"], erase: "deleted", export: "podcasts.positions" },
    notPersonal: { [bookkeeping]: ["updated_at"] },
  },
};
