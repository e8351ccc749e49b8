/**
 * The coaching module's tables (column conventions: platform/db/schema.ts:
 * UUIDv7 text ids, ISO-8601 UTC times, 0/1 booleans). Only this module's code
 * names them; others call what its index.ts exports.
 */

/** One row (id "default"): the creator's rules, in their own time zone. */
export interface CoachingSettingsTable {
  id: string;
  time_zone: string;
  buffer_before_min: number;
  buffer_after_min: number;
  min_notice_min: number;
  window_days: number;
  max_per_day: number;
  cancel_hours: number;
  video_mode: "jitsi" | "fixed";
  jitsi_base_url: string;
  fixed_link: string;
  ics_url: string;
  ics_error: string;
  ics_checked_at: string | null;
  feed_token_hash: string | null;
  for_whom: string;
  not_for_whom: string;
  updated_at: string;
}

/** Weekly opening hours: minutes from midnight in the creator's zone, ISO weekday 1 (Monday)..7. */
export interface CoachingWeeklyHoursTable {
  id: string;
  weekday: number;
  start_min: number;
  end_min: number;
}

/** A date (creator's zone) whose hours replace the weekly ones; no hours = closed (holiday). */
export interface CoachingOverridesTable {
  id: string;
  date: string;
  start_min: number | null;
  end_min: number | null;
  note: string;
}

/** Busy times read from the creator's external calendar (ICS URL), replaced at each fetch. */
export interface CoachingBusyTable {
  id: string;
  starts_at: string;
  ends_at: string;
}

export interface CoachingOffersTable {
  id: string;
  slug: string;
  title: string;
  description: string;
  kind: "single" | "package";
  duration_min: number;
  /** Sessions a purchase grants (1 for a single session). */
  sessions: number;
  /** Days a package's credits stay valid after purchase (0 = no end). */
  validity_days: number;
  /** The offers module's offer that sells it; null for a free session (discovery call). */
  offer_id: string | null;
  /** JSON list of Question (empty: no application needed). */
  questions: string;
  /** Score (percent of the maximum) under which an application reads "probably not a fit"; the decision stays the creator's. */
  fit_threshold: number;
  /** Days an accepted applicant has to pay and book. */
  accept_days: number;
  active: number;
  created_at: string;
  updated_at: string;
}

/** One session a member may book: granted by a purchase, used by a booking, given back by a cancellation in time. */
export interface CoachingCreditsTable {
  id: string;
  member_id: string;
  coaching_offer_id: string;
  /** What granted it ("order:<id>", "manual:<id>"); with seq, unique: a purchase grants once. */
  source: string;
  seq: number;
  expires_at: string | null;
  booking_id: string | null;
  /** Set when the creator refunded it (a late payment whose slot was gone): never bookable again. */
  revoked_at: string | null;
  /** A tier's period credit: the subscription that granted it (a lapse takes back the unused ones). */
  subscription_id: string | null;
  /** A tier's period credit: the invoice's order (a refund of that renewal takes back the unused ones). */
  order_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface CoachingBookingsTable {
  id: string;
  coaching_offer_id: string;
  member_id: string;
  starts_at: string;
  ends_at: string;
  status: "pending_payment" | "confirmed" | "cancelled" | "expired" | "no_show";
  hold_expires_at: string | null;
  order_id: string | null;
  credit_id: string | null;
  /** iCalendar SEQUENCE: grows on every change the invitation must reflect. */
  sequence: number;
  video_url: string;
  client_time_zone: string;
  locale: string;
  private_notes: string;
  shared_summary: string;
  reminder_24_at: string | null;
  reminder_1_at: string | null;
  cancelled_at: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * The database's guard against double booking: a booking claims every
 * 15-minute cell it covers (buffers included); the cell is the primary key,
 * so two bookings can never hold the same time, whatever the check before.
 */
export interface CoachingSlotClaimsTable {
  cell: string;
  booking_id: string;
}

/**
 * The daily maximum, enforced the same way: a booking takes one numbered
 * place n (1..max) of its local day in the creator's zone; (coach, day, n) is
 * the primary key. One creator per site: coach is "default".
 */
export interface CoachingDayClaimsTable {
  coach: string;
  day: string;
  n: number;
  booking_id: string;
}

export interface CoachingApplicationsTable {
  id: string;
  coaching_offer_id: string;
  member_id: string;
  /** JSON: question index → answer (text, choice indexes or a 1–5 value). */
  answers: string;
  score: number;
  max_score: number;
  status: "pending" | "accepted" | "declined";
  /** The creator's personal message (acceptance or kind decline). */
  message: string;
  /** Free resources suggested with a decline. */
  resources: string;
  valid_until: string | null;
  decided_at: string | null;
  created_at: string;
  updated_at: string;
}

declare module "../../platform/db/schema.ts" {
  interface Database {
    coaching_settings: CoachingSettingsTable;
    coaching_weekly_hours: CoachingWeeklyHoursTable;
    coaching_overrides: CoachingOverridesTable;
    coaching_busy: CoachingBusyTable;
    coaching_offers: CoachingOffersTable;
    coaching_credits: CoachingCreditsTable;
    coaching_bookings: CoachingBookingsTable;
    coaching_slot_claims: CoachingSlotClaimsTable;
    coaching_day_claims: CoachingDayClaimsTable;
    coaching_applications: CoachingApplicationsTable;
  }
}

/** The tables this module owns (its defineModule declaration). */
export const coachingTables = [
  "coaching_settings",
  "coaching_weekly_hours",
  "coaching_overrides",
  "coaching_busy",
  "coaching_offers",
  "coaching_credits",
  "coaching_bookings",
  "coaching_slot_claims",
  "coaching_day_claims",
  "coaching_applications",
] as const;
