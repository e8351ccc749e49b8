import type { Db } from "../../platform/db/index.ts";
import { defineModule } from "../../platform/module.ts";
import { registerStats } from "../../platform/http/stats.ts";
import { registerRawRoute } from "../../platform/http/raw-routes.ts";
import { registerNavLink } from "../../platform/views/layout.tsx";
import { registerAccountExport, registerEraseHook, type Member } from "../members/index.ts";
import { registerIncludable } from "../offers/index.ts";
import { registerSitemapSource } from "../publishing/index.ts";
import { episodeUrl, isPublicEpisode, listShows, outEpisodes, showUrl } from "./service.ts";
import { adminRoutes } from "./admin.tsx";
import { podcastsMessages } from "./i18n.ts";
import { feedXmlStats } from "./feeds.ts";
import { answerFeedPoll, feedIndexStats, feedsChanged } from "./feed-index.ts";
import { feedPollRoutes, mediaRoutes } from "./media.ts";
import { publicRoutes } from "./public.tsx";
import { registerPodcastMails } from "./sharing.ts";
import { podcastsTables } from "./tables.ts";
import { registerPodcastsHomeSection } from "./home-section.tsx";

export { seedPodcastsDemo, type PodcastsDemoResult } from "./demo.ts";
export { podcastsEvents } from "./events.ts";

/** Feeds (their fetches by cascade), alerts and positions go; downloads stay as anonymous counts. */
async function erasePodcastData(trx: Db, member: { id: string }): Promise<void> {
  await trx.updateTable("podcast_downloads").set({ member_id: null }).where("member_id", "=", member.id).execute();
  await trx.deleteFrom("podcast_alerts").where("member_id", "=", member.id).execute();
  await trx.deleteFrom("podcast_feeds").where("member_id", "=", member.id).execute();
  await feedsChanged(trx);
  await trx.deleteFrom("podcast_positions").where("member_id", "=", member.id).execute();
}

/** What "download my data" says about a member's listening. */
async function exportPodcastData(db: Db, member: Member): Promise<unknown> {
  const feeds = await db
    .selectFrom("podcast_feeds")
    .select(["id", "show_id", "created_at", "rotated_at"])
    .where("member_id", "=", member.id)
    .execute();
  const fetches = feeds.length
    ? await db
        .selectFrom("podcast_feed_fetches")
        .select(["feed_id", "network", "app", "first_at", "last_at"])
        .where(
          "feed_id",
          "in",
          feeds.map((f) => f.id),
        )
        .execute()
    : [];
  return {
    feeds: feeds.map((f) => ({ ...f, fetches: fetches.filter((x) => x.feed_id === f.id) })),
    alerts: await db
      .selectFrom("podcast_alerts")
      .select(["show_id", "networks", "apps", "evidence", "created_at"])
      .where("member_id", "=", member.id)
      .execute(),
    downloads: await db
      .selectFrom("podcast_downloads")
      .select(["episode_id", "app", "created_at"])
      .where("member_id", "=", member.id)
      .execute(),
    positions: await db
      .selectFrom("podcast_positions")
      .select(["episode_id", "position_s", "updated_at"])
      .where("member_id", "=", member.id)
      .execute(),
  };
}

/**
 * The sitemap's podcast pages: every show page and the pages of episodes that
 * are out and public. A paid episode's page, title or date never appears.
 */
async function podcastSitemap(db: Db, nowIso: string) {
  const shows = await listShows(db);
  const entries: { loc: string; lastmod?: string }[] = shows.length ? [{ loc: "/podcasts" }] : [];
  for (const show of shows) {
    const open = (await outEpisodes(db, show.id, nowIso)).filter(isPublicEpisode);
    // The show page lists public episodes only: its date is the newest public one's, not the show's
    // updated_at (which a paid episode moves too).
    entries.push({ loc: showUrl(show.slug), lastmod: open[0]?.publish_at ?? show.created_at });
    for (const e of open) entries.push({ loc: episodeUrl(show.slug, e.slug), lastmod: e.updated_at });
  }
  return entries;
}

/** Paid podcasts: shows, episodes, a public feed and a private feed per member, downloads and shared-feed alerts. */
export const podcastsModule = defineModule({
  name: "podcasts",
  tables: podcastsTables,
  messages: podcastsMessages,
  pollRoutes: feedPollRoutes,
  routes(app) {
    registerIncludable({
      kind: "podcast_show",
      labelKey: "podcasts.includable.kind",
      allLabelKey: "podcasts.includable.all",
      order: 40,
      list: async (db) =>
        (await db.selectFrom("podcast_shows").select(["id", "title"]).orderBy("title").execute()).map((s) => ({
          id: s.id,
          title: s.title,
        })),
    });
    registerNavLink({ href: "/podcasts", labelKey: "podcasts.public.title", order: 30 });
    registerPodcastsHomeSection();
    registerPodcastMails();
    registerEraseHook(erasePodcastData);
    registerAccountExport("podcasts", exportPodcastData);
    registerSitemapSource(podcastSitemap);
    registerStats("podcastFeedXml", () => ({ ...feedXmlStats }));
    registerStats("podcastFeedIndex", () => ({ ...feedIndexStats }));
    // Revalidation polls answered from the validator index before Hono (feed-index.ts).
    registerRawRoute("/podcasts/feed/", answerFeedPoll);
    mediaRoutes(app);
    adminRoutes(app);
    publicRoutes(app);
  },
});
