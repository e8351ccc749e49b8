import type { Kysely } from "kysely";

/*
 * Shows, episodes, private feeds, their fetches and alerts, downloads and
 * listening positions (podcasts module). Immutable once merged.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("podcast_shows")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("author", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("cover_file_id", "text")
    .addColumn("language", "text", (c) => c.notNull().defaultTo("fr"))
    .addColumn("categories", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("explicit", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("owner_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("owner_email", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("trailer_episode_id", "text")
    .addColumn("share_limit", "integer", (c) => c.notNull().defaultTo(5))
    .addColumn("auto_rotate", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("guid", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("podcast_episodes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("show_id", "text", (c) => c.notNull().references("podcast_shows.id").onDelete("cascade"))
    .addColumn("guid", "text", (c) => c.notNull().unique())
    .addColumn("slug", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("notes_md", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("notes_html", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("season", "integer")
    .addColumn("number", "integer")
    .addColumn("episode_type", "text", (c) => c.notNull().defaultTo("full"))
    .addColumn("audio_file_id", "text")
    .addColumn("audio_mime", "text")
    .addColumn("audio_size", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("duration_s", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("bitrate", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("teaser_file_id", "text")
    .addColumn("teaser_mime", "text")
    .addColumn("teaser_size", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("transcript_type", "text")
    .addColumn("transcript", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("chapters", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("audience", "text", (c) => c.notNull().defaultTo("public"))
    .addColumn("audience_offers", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("draft"))
    .addColumn("publish_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("podcast_episodes_show_slug", ["show_id", "slug"])
    .execute();
  await db.schema
    .createIndex("podcast_episodes_show_idx")
    .on("podcast_episodes")
    .columns(["show_id", "status", "publish_at"])
    .execute();

  await db.schema
    .createTable("podcast_feeds")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("show_id", "text", (c) => c.notNull().references("podcast_shows.id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("token_prefix", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull())
    .addColumn("generation", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("variant", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("variant_at", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("rotated_at", "text")
    .addUniqueConstraint("podcast_feeds_show_member", ["show_id", "member_id"])
    .execute();
  await db.schema.createIndex("podcast_feeds_prefix_idx").on("podcast_feeds").column("token_prefix").execute();
  await db.schema.createIndex("podcast_feeds_member_idx").on("podcast_feeds").column("member_id").execute();

  await db.schema
    .createTable("podcast_feed_fetches")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("feed_id", "text", (c) => c.notNull().references("podcast_feeds.id").onDelete("cascade"))
    .addColumn("network", "text", (c) => c.notNull())
    .addColumn("app", "text", (c) => c.notNull())
    .addColumn("first_at", "text", (c) => c.notNull())
    .addColumn("last_at", "text", (c) => c.notNull())
    .addUniqueConstraint("podcast_feed_fetches_key", ["feed_id", "network", "app"])
    .execute();
  await db.schema
    .createIndex("podcast_feed_fetches_feed_idx")
    .on("podcast_feed_fetches")
    .columns(["feed_id", "last_at"])
    .execute();

  await db.schema
    .createTable("podcast_alerts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("feed_id", "text", (c) => c.notNull().references("podcast_feeds.id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("show_id", "text", (c) => c.notNull().references("podcast_shows.id").onDelete("cascade"))
    .addColumn("networks", "integer", (c) => c.notNull())
    .addColumn("apps", "integer", (c) => c.notNull())
    .addColumn("evidence", "text", (c) => c.notNull())
    .addColumn("rotated", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("resolved_at", "text")
    .execute();
  await db.schema
    .createIndex("podcast_alerts_feed_idx")
    .on("podcast_alerts")
    .columns(["feed_id", "resolved_at"])
    .execute();

  await db.schema
    .createTable("podcast_downloads")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("episode_id", "text", (c) => c.notNull().references("podcast_episodes.id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.references("members.id").onDelete("set null"))
    .addColumn("listener_key", "text", (c) => c.notNull())
    .addColumn("app", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("podcast_downloads_dedupe_idx")
    .on("podcast_downloads")
    .columns(["episode_id", "listener_key", "created_at"])
    .execute();
  await db.schema.createIndex("podcast_downloads_member_idx").on("podcast_downloads").column("member_id").execute();

  await db.schema
    .createTable("podcast_positions")
    .addColumn("member_id", "text", (c) => c.notNull().references("members.id").onDelete("cascade"))
    .addColumn("episode_id", "text", (c) => c.notNull().references("podcast_episodes.id").onDelete("cascade"))
    .addColumn("position_s", "integer", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("podcast_positions_pk", ["member_id", "episode_id"])
    .execute();
}
