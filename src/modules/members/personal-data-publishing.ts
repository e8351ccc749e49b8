import { bookkeeping, content, staffOnly, type TableClassification } from "./personal-data-kinds.ts";

/** Posts, comments, newsletters and imports (see personal-data.ts). */
export const publishingTables: Record<string, TableClassification> = {
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
};
