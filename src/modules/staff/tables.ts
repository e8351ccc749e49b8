/**
 * The staff module's tables (column conventions: platform/db/schema.ts). Only
 * this module's code names them; others call what its index.ts exports.
 */

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

declare module "../../platform/db/schema.ts" {
  interface Database {
    staff_users: StaffUsersTable;
  }
}

/** The tables this module owns (its defineModule declaration). */
export const staffTables = ["staff_users"] as const;
