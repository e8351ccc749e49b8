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
import { bookkeeping, content, type TableClassification } from "./personal-data-kinds.ts";
import { coreTables } from "./personal-data-core.ts";
import { offerTables } from "./personal-data-offers.ts";
import { publishingTables } from "./personal-data-publishing.ts";

export type { PersonalColumns, TableClassification } from "./personal-data-kinds.ts";

/*
 * One file per group of modules; coaching, courses and podcasts are classified here directly
 * (their helpers append to this file).
 */
export const personalData: Record<string, TableClassification> = {
  ...coreTables,
  ...offerTables,
  ...publishingTables,
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
      [bookkeeping]: [
        "id",
        "coaching_offer_id",
        "seq",
        "subscription_id",
        "order_id",
        "expires_at",
        "revoked_at",
        "created_at",
        "updated_at",
      ],
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
      [bookkeeping]: ["content_version", "created_at", "updated_at"],
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
  podcast_changes: { notPersonal: { [bookkeeping]: ["id", "n"] } },
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
