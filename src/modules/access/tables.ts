/**
 * The access module's tables (column conventions: platform/db/schema.ts). Only
 * this module's code names them; others call what its index.ts exports.
 */

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

/** One row (id 1): a counter bumped in the same transaction as every write to entitlements. */
export interface AccessChangesTable {
  id: number;
  n: number | string;
}

declare module "../../platform/db/schema.ts" {
  interface Database {
    entitlements: EntitlementsTable;
    access_changes: AccessChangesTable;
  }
}

/** The tables this module owns (its defineModule declaration). */
export const accessTables = ["entitlements", "access_changes"] as const;
