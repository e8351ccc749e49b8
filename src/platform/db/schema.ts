/*
 * Column conventions, identical on SQLite and PostgreSQL:
 * ids are UUIDv7 text (sortable), times are ISO-8601 UTC text (sortable, e.g.
 * 2026-11-23T07:17:00.000Z), booleans are integers 0/1, JSON is text, money
 * is integer minor units.
 */

import type { Generated } from "kysely";

/*
 * The platform's own tables. Each module adds its tables to `Database` from its
 * `tables.ts` (declaration merging), so this file names no domain table: the
 * database type is the union of what the platform and the modules declare.
 */

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
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

export interface DevPaymentObjectsTable {
  id: string;
  kind: "checkout" | "subscription" | "customer" | "payment";
  data: string;
  created_at: string;
  updated_at: string;
}

/** Every table; modules extend it in their `tables.ts` (`declare module ".../schema.ts"`). */
export interface Database {
  settings: SettingsTable;
  sessions: SessionsTable;
  events: EventsTable;
  event_cursors: EventCursorsTable;
  event_sequence: EventSequenceTable;
  jobs: JobsTable;
  dev_mailbox: DevMailboxTable;
  rate_limits: RateLimitsTable;
  files: FilesTable;
  dev_payment_objects: DevPaymentObjectsTable;
}

/** The tables the platform owns (modules own the rest: see their `defineModule({ tables })`). */
export const platformTables = [
  "settings",
  "sessions",
  "events",
  "event_cursors",
  "event_sequence",
  "jobs",
  "dev_mailbox",
  "rate_limits",
  "files",
  "dev_payment_objects",
] as const;
