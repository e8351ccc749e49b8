import type { Params } from "../../../platform/i18n/index.ts";

/** The platforms a member file can come from; "csv" is any spreadsheet with a column mapping. */
export const memberSources = ["substack", "ghost", "patreon", "kit", "gumroad", "csv"] as const;
export type MemberSource = (typeof memberSources)[number];

/** What we keep of one person, whatever the platform wrote. */
export interface ImportedMember {
  line: number;
  /** Normalised (trimmed, lower-cased). */
  email: string;
  name: string;
  /** When they joined on the source platform (ISO UTC), if it says. */
  joinedAt: string | null;
  tags: string[];
  /** Newsletter consent as the platform recorded it; `at` is its original date when known. */
  consent: { granted: boolean; at: string | null };
  /** A paying (or complimentary) member: their tier on the source and the end of what they paid for. */
  paid: { tier: string; until: string | null } | null;
  stripeCustomerId: string | null;
  stripeSubscriptionId: string | null;
  /** The platform's own id for the person, when it gives one. */
  sourceId: string | null;
  note: string;
}

/** Why a row is not imported: an i18n key under portability.reason.* and its parameters. */
export interface RowProblem {
  line: number;
  reason: string;
  params?: Params;
  email?: string;
}

export type MappedRow = { ok: true; member: ImportedMember } | ({ ok: false } & RowProblem);

/** Our fields a column can feed (the mapping of a generic CSV; fixed for each platform). */
export const memberFields = [
  "email",
  "name",
  "first_name",
  "last_name",
  "joined_at",
  "tags",
  "consent",
  "tier",
  "paid_until",
  "stripe_customer_id",
  "note",
] as const;
export type MemberField = (typeof memberFields)[number];
export type ColumnMapping = Partial<Record<MemberField, string>>;

export interface SourceContext {
  /** "now" for deciding whether a paid period is still running. */
  now: string;
  mapping: ColumnMapping;
}

export interface SourceDefinition {
  id: MemberSource;
  label: string;
  /** Headers that must all be present (case-insensitive) for a file to be this platform's. */
  required: string[];
  /** Which column feeds which of our fields (shown in the preview). */
  mapping(headers: string[]): ColumnMapping;
  map(values: Record<string, string>, line: number, ctx: SourceContext): MappedRow;
}
