/** The shapes and shared reasons of the personal-data classification (see personal-data.ts). */
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

export const bookkeeping = "ids, states and times of the row itself";
export const content = "the creator's own content or catalogue";
export const staffOnly = "staff accounts and staff references, not members (managed in the admin)";
