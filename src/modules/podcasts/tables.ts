/**
 * The podcasts module's tables (column conventions: platform/db/schema.ts).
 * Only this module's code names them; others call what its index.ts exports.
 */

export interface PodcastShowsTable {
  id: string;
  slug: string;
  title: string;
  description: string;
  author: string;
  cover_file_id: string | null;
  language: string;
  /** JSON array of Apple category names ("Arts", "Arts > Design"). */
  categories: string;
  explicit: number;
  owner_name: string;
  owner_email: string;
  trailer_episode_id: string | null;
  /** A private feed fetched from more than this many networks or apps in 24 h is flagged. */
  share_limit: number;
  /** 1: a flagged feed gets a new link at once (the member is emailed it). */
  auto_rotate: number;
  /** podcast:guid of the show (never changes). */
  guid: string;
  created_at: string;
  /** Bumped by every change to the show or one of its episodes (feed validators hang on it). */
  updated_at: string;
}

export type EpisodeType = "full" | "trailer" | "bonus";
export type EpisodeStatus = "draft" | "published";

export interface PodcastEpisodesTable {
  id: string;
  show_id: string;
  /** The item's <guid>: set once, never changed by an edit. */
  guid: string;
  slug: string;
  title: string;
  notes_md: string;
  notes_html: string;
  season: number | null;
  number: number | null;
  episode_type: EpisodeType;
  audio_file_id: string | null;
  audio_mime: string | null;
  audio_size: number;
  duration_s: number;
  bitrate: number;
  teaser_file_id: string | null;
  teaser_mime: string | null;
  teaser_size: number;
  /** "srt" | "vtt" | null; the text itself in transcript. */
  transcript_type: string | null;
  transcript: string;
  /** JSON chapters (Podcasting 2.0 format) or "". */
  chapters: string;
  /** public | members | paid | offers (then audience_offers lists them). */
  audience: string;
  audience_offers: string;
  status: EpisodeStatus;
  /** Visible from this instant (now or later: scheduled). */
  publish_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface PodcastFeedsTable {
  id: string;
  show_id: string;
  member_id: string;
  /** First characters of the token, to find the row; the token itself is never stored. */
  token_prefix: string;
  /** SHA-256 of the token. */
  token_hash: string;
  /** Bumped by each rotation; the token is derived from the app secret, the feed id and this. */
  generation: number;
  /** Signature of what the feed last showed (its episodes, lapsed or not), and when that changed: Last-Modified. */
  variant: string;
  variant_at: string;
  created_at: string;
  rotated_at: string | null;
}

export interface PodcastFeedFetchesTable {
  id: string;
  feed_id: string;
  /** /24 of an IPv4 address or /48 of an IPv6 one. */
  network: string;
  app: string;
  first_at: string;
  last_at: string;
}

export interface PodcastAlertsTable {
  id: string;
  feed_id: string;
  member_id: string;
  show_id: string;
  networks: number;
  apps: number;
  /** JSON: the networks and apps seen in the window. */
  evidence: string;
  rotated: number;
  created_at: string;
  resolved_at: string | null;
}

export interface PodcastDownloadsTable {
  id: string;
  episode_id: string;
  member_id: string | null;
  /** SHA-256 of address + user agent: the IAB-style dedupe key, never the address itself. */
  listener_key: string;
  app: string;
  created_at: string;
}

export interface PodcastPositionsTable {
  member_id: string;
  episode_id: string;
  position_s: number;
  updated_at: string;
}

/** One row (id 1): a counter bumped by every write a private feed's validators depend on. */
export interface PodcastChangesTable {
  id: number;
  n: number | string;
}

declare module "../../platform/db/schema.ts" {
  interface Database {
    podcast_changes: PodcastChangesTable;
    podcast_shows: PodcastShowsTable;
    podcast_episodes: PodcastEpisodesTable;
    podcast_feeds: PodcastFeedsTable;
    podcast_feed_fetches: PodcastFeedFetchesTable;
    podcast_alerts: PodcastAlertsTable;
    podcast_downloads: PodcastDownloadsTable;
    podcast_positions: PodcastPositionsTable;
  }
}

/** The tables this module owns (its defineModule declaration). */
export const podcastsTables = [
  "podcast_changes",
  "podcast_shows",
  "podcast_episodes",
  "podcast_feeds",
  "podcast_feed_fetches",
  "podcast_alerts",
  "podcast_downloads",
  "podcast_positions",
] as const;
