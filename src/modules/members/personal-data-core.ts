import { bookkeeping, content, staffOnly, type TableClassification } from "./personal-data-kinds.ts";

/** Members, staff and the platform's own tables (events, jobs, mailbox, files, settings) (see personal-data.ts). */
export const coreTables: Record<string, TableClassification> = {
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
};
