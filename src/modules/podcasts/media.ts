import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { clientIp } from "../../platform/http/context.ts";
import { conditionalResponse, notModified } from "../../platform/http/conditional.ts";
import { negotiateLocale } from "../../platform/i18n/index.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
import { findFile, serveStoredFile } from "../../platform/storage/index.ts";
import { canAccess, viewerOf, type Viewer } from "../access/index.ts";
import { silentMp3 } from "./audio.ts";
import { transcriptMime } from "./content.ts";
import { privateFeed, publicFeed, setNoticeSize } from "./feeds.ts";
import { appOf, countDownload, networkOf } from "./listening.ts";
import { indexMark, pollHeaders, rememberValidators } from "./feed-index.ts";
import { noteFetch } from "./sharing.ts";
import {
  episodeResource,
  findEpisode,
  findShowBySlug,
  isOut,
  isPublicEpisode,
  type EpisodeRow,
  type ShowRow,
} from "./service.ts";
import { feedAndShowByToken, type FeedRow } from "./tokens.ts";

/*
 * Feeds and what they point to. Every answer asks the access policy (or the
 * episode's own public audience) at request time; a private URL is tied to
 * its feed's current token, so a rotation or a lapse closes it on every node
 * at once (the policy's cache, ACCESS_CACHE_MS, is the only delay). Refusals
 * are 404s: they say nothing about whether the episode exists.
 */

const notice = silentMp3(1);
setNoticeSize(notice.length);

/** "<id>.<ext>" → id, when ext is one of these. */
function splitName(name: string, exts: string[]): { id: string; ext: string } | null {
  const m = /^([0-9a-f-]{36})\.([a-z0-9.]+)$/.exec(name);
  return m && exts.includes(m[2]!) ? { id: m[1]!, ext: m[2]! } : null;
}

const noStore = "private, no-cache";

async function serveAudio(
  c: AppContext,
  e: EpisodeRow,
  which: "audio" | "teaser",
  listener: { memberId: string | null } | null,
): Promise<Response> {
  const fileId = which === "audio" ? e.audio_file_id : e.teaser_file_id;
  const file = fileId ? await findFile(c.var.services.db, fileId) : undefined;
  if (!file) throw notFound();
  const range = c.req.header("range");
  // IAB: a download is a GET for the start of the file; later ranges of the same play are not new downloads.
  if (listener && which === "audio" && c.req.method === "GET" && (!range || /^bytes=0-/.test(range.trim())))
    await countDownload(c.var.services.db, c.var.services.clock, {
      episodeId: e.id,
      title: e.title,
      memberId: listener.memberId,
      ip: clientIp(c),
      userAgent: c.req.header("user-agent"),
    });
  return serveStoredFile(c, file, {
    cacheControl: isPublicEpisode(e) && which === "audio" ? "public, max-age=3600" : noStore,
    contentType: which === "audio" ? (e.audio_mime ?? file.mime) : (e.teaser_mime ?? file.mime),
    allowRedirect: false,
  });
}

/** The feed a token opens and its show, noting the fetch (shared-feed evidence). */
async function openFeed(c: AppContext, token: string): Promise<{ feed: FeedRow; show: ShowRow }> {
  const found = await feedAndShowByToken(c.var.services.db, token);
  if (!found) throw notFound();
  const { feed, show } = found;
  await noteFetch(c.var.services, feed, show, networkOf(clientIp(c)), appOf(c.req.header("user-agent")));
  return { feed, show };
}

async function mayHear(c: AppContext, viewer: Viewer, e: EpisodeRow): Promise<boolean> {
  const now = c.var.services.clock.nowIso();
  if (!isOut(e, now) && viewer.kind !== "staff") return false;
  return canAccess(c.var.services.db, viewer, episodeResource(e), now);
}

function extra(c: AppContext, e: EpisodeRow, ext: string): Response {
  if (ext === "chapters.json" && e.chapters)
    return c.body(e.chapters, 200, {
      "Content-Type": "application/json+chapters; charset=utf-8",
      "Cache-Control": noStore,
    });
  if ((ext === "srt" || ext === "vtt") && e.transcript_type === ext)
    return c.body(e.transcript, 200, {
      "Content-Type": `${transcriptMime(ext)}; charset=utf-8`,
      "Cache-Control": noStore,
    });
  throw notFound();
}

/**
 * The private feed, polled by podcast apps every few minutes: mounted before
 * the request context (no session, settings or body is needed), see pollRoutes.
 */
export function feedPollRoutes(app: Hono<AppEnv>): void {
  app.get("/podcasts/feed/:file", async (c) => {
    // Read before anything is looked up: validators computed from an older state are never remembered.
    const mark = indexMark();
    const token = /^(.+)\.xml$/.exec(c.req.param("file"))?.[1];
    const opened = token
      ? await openFeed(c, token).catch((err: unknown) => {
          if (err instanceof AppError && err.status === 404) return null;
          throw err;
        })
      : null;
    if (!token || !opened) {
      // Mounted before the request context: the refusal page needs the site's language.
      const site = await getSiteSettings(c.var.services.db);
      c.set("site", site);
      c.set("locale", negotiateLocale(c.req.header("accept-language"), site.locale));
      throw notFound();
    }
    const { feed, show } = opened;
    const { db, clock, config } = c.var.services;
    const plan = await privateFeed(db, show, feed, token, config.publicUrl, clock.nowIso());
    if (plan.variant !== feed.variant) {
      // What this member's feed shows changed (a lapse, a renewal): its Last-Modified moves, once, on any node.
      await db
        .updateTable("podcast_feeds")
        .set({ variant: plan.variant, variant_at: clock.nowIso() })
        .where("id", "=", feed.id)
        .execute();
    }
    const headers = {
      "Cache-Control": "private, no-cache",
      ETag: plan.etag,
      "Last-Modified": new Date(plan.lastModified).toUTCString(),
      "X-Robots-Tag": "noindex",
    };
    const { publicUrl } = config;
    rememberValidators(token, mark, plan, pollHeaders(publicUrl, headers), feed, show, clock.nowMs());
    // The validators were computed without the XML: a current copy costs no rendering at all.
    if (
      notModified(
        c.req.header("if-none-match"),
        c.req.header("if-modified-since"),
        headers.ETag,
        headers["Last-Modified"],
      )
    )
      return c.body(null, 304, headers);
    return c.body(plan.render(), 200, { ...headers, "Content-Type": "application/rss+xml; charset=utf-8" });
  });
}

export function mediaRoutes(app: Hono<AppEnv>): void {
  app.get("/podcasts/notice.mp3", (c) =>
    c.body(new Uint8Array(notice), 200, { "Content-Type": "audio/mpeg", "Cache-Control": "public, max-age=86400" }),
  );

  // Cover art is public (directories and apps fetch it); only files kept as podcast covers are served here.
  app.get("/podcasts/cover/:file", async (c) => {
    const id = /^([0-9a-f-]{36})\.(png|jpg)$/.exec(c.req.param("file"))?.[1];
    const file = id ? await findFile(c.var.services.db, id) : undefined;
    if (!file || file.purpose !== "podcast_cover") throw notFound();
    return serveStoredFile(c, file, { cacheControl: "public, max-age=31536000, immutable" });
  });

  app.get("/podcasts/m/:token/:file", async (c) => {
    const name = splitName(c.req.param("file"), ["mp3", "m4a"]);
    if (!name) throw notFound();
    const { feed } = await openFeed(c, c.req.param("token"));
    const e = await findEpisode(c.var.services.db, name.id);
    if (!e || e.show_id !== feed.show_id) throw notFound();
    if (!(await mayHear(c, { kind: "member", memberId: feed.member_id }, e))) throw notFound();
    return serveAudio(c, e, "audio", { memberId: feed.member_id });
  });

  app.get("/podcasts/x/:token/:file", async (c) => {
    const name = splitName(c.req.param("file"), ["srt", "vtt", "chapters.json"]);
    if (!name) throw notFound();
    const { feed } = await openFeed(c, c.req.param("token"));
    const e = await findEpisode(c.var.services.db, name.id);
    if (!e || e.show_id !== feed.show_id) throw notFound();
    if (!(await mayHear(c, { kind: "member", memberId: feed.member_id }, e))) throw notFound();
    return extra(c, e, name.ext);
  });

  // Public media, the web player's and the teasers: the viewer is the request's session (or nobody).
  app.get("/podcasts/media/:file", async (c) => {
    const name = splitName(c.req.param("file"), ["mp3", "m4a"]);
    const e = name ? await findEpisode(c.var.services.db, name.id) : undefined;
    if (!e || !(await mayHear(c, viewerOf(c), e))) throw notFound();
    const viewer = viewerOf(c);
    return serveAudio(c, e, "audio", { memberId: viewer.kind === "member" ? viewer.memberId : null });
  });

  app.get("/podcasts/teaser/:file", async (c) => {
    const name = splitName(c.req.param("file"), ["mp3", "m4a"]);
    const e = name ? await findEpisode(c.var.services.db, name.id) : undefined;
    if (!e || !e.teaser_file_id || !isOut(e, c.var.services.clock.nowIso())) throw notFound();
    return serveAudio(c, e, "teaser", null);
  });

  app.get("/podcasts/x/:file", async (c) => {
    const name = splitName(c.req.param("file"), ["srt", "vtt", "chapters.json"]);
    const e = name ? await findEpisode(c.var.services.db, name!.id) : undefined;
    if (!e || !name || !(await mayHear(c, viewerOf(c), e))) throw notFound();
    return extra(c, e, name.ext);
  });

  app.get("/podcasts/:slug/feed.xml", async (c) => {
    const { db, clock, config } = c.var.services;
    const show = await findShowBySlug(db, c.req.param("slug"));
    if (!show) throw new AppError("not_found", 404);
    const feed = await publicFeed(db, show, config.publicUrl, clock.nowIso());
    return conditionalResponse(c, feed.xml, {
      "Content-Type": "application/rss+xml; charset=utf-8",
      "Cache-Control": "public, max-age=300",
      ETag: feed.etag,
      "Last-Modified": new Date(feed.lastModified).toUTCString(),
    });
  });
}
