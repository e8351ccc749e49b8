import type { ColumnType } from "kysely";
/**
 * The members module's tables (column conventions: platform/db/schema.ts). Only
 * this module's code names them; others call what its index.ts exports.
 */

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

export interface MemberTagsTable {
  member_id: string;
  tag: string;
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
  data: ColumnType<string | null, string | null | undefined, string | null>;
}

declare module "../../platform/db/schema.ts" {
  interface Database {
    members: MembersTable;
    member_consents: MemberConsentsTable;
    member_tags: MemberTagsTable;
    magic_links: MagicLinksTable;
  }
}

/** The tables this module owns (its defineModule declaration). */
export const membersTables = ["members", "member_consents", "member_tags", "magic_links"] as const;
