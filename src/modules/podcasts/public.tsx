import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import { raw } from "hono/html";
import QRCode from "qrcode";
import { z } from "zod";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { notFound } from "../../platform/http/errors.ts";
import { readForm } from "../../platform/http/forms.ts";
import { parseInput } from "../../platform/http/validation.ts";
import { memberActor } from "../../platform/actor.ts";
import { runOperation } from "../../platform/operations.ts";
import { markdownToText } from "../../platform/markdown.ts";
import { assetUrl, registerAsset } from "../../platform/views/assets.ts";
import { CsrfField } from "../../platform/views/components.tsx";
import { page } from "../../platform/views/layout.tsx";
import { canAccess, filterAccessible, viewerOf } from "../access/index.ts";
import { audioExtension } from "./audio.ts";
import { transcriptText } from "./content.ts";
import { rotateFeed } from "./sharing.ts";
import {
  coverUrl,
  episodeResource,
  episodeUrl,
  findEpisode,
  findShowBySlug,
  formatDuration,
  isOut,
  listShows,
  outEpisodes,
  showUrl,
  type EpisodeRow,
  type ShowRow,
} from "./service.ts";
import { ensureFeed, feedToken, privateFeedPath } from "./tokens.ts";

/*
 * The listener's side: the show page, episode pages with a web player, and
 * "Listen in your app" (the member's private feed, app buttons, QR code).
 * A paid episode's title, notes and transcript reach only those the policy
 * lets in: others see that an episode exists (season, number), its teaser if
 * any, and how to join — never its words. Those pages are not indexed.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
registerAsset("podcasts-player.js", path.join(here, "assets", "player.js"), "text/javascript; charset=utf-8");
registerAsset("podcasts.css", path.join(here, "assets", "podcasts.css"), "text/css; charset=utf-8");
const playerJs = () => assetUrl("podcasts-player.js" as "app.js");
const styles = () => <link rel="stylesheet" href={assetUrl("podcasts.css" as "app.css")} />;

function episodeLabel(c: AppContext, e: EpisodeRow): string {
  const t = tr(c);
  if (e.season !== null && e.number !== null)
    return t("podcasts.public.season_episode", { season: e.season, number: e.number });
  if (e.number !== null) return t("podcasts.public.episode_n", { number: e.number });
  return t(`podcasts.type.${e.episode_type}`);
}

const withoutScheme = (url: string) => url.replace(/^https?:\/\//, "");

/** Subscribe links of the five apps (their documented URL schemes), for a feed URL. */
export function appLinks(feedUrl: string): { app: string; href: string }[] {
  const bare = withoutScheme(feedUrl);
  const enc = encodeURIComponent(feedUrl);
  return [
    { app: "Apple Podcasts", href: `podcast://${bare}` },
    { app: "Overcast", href: `overcast://x-callback-url/add?url=${enc}` },
    { app: "Pocket Casts", href: `pktc://subscribe/${bare}` },
    { app: "AntennaPod", href: `https://antennapod.org/deeplink/subscribe?url=${enc}` },
    { app: "Podcast Addict", href: `podcastaddict://${bare}` },
  ];
}

async function showOr404(c: AppContext): Promise<ShowRow> {
  const show = await findShowBySlug(c.var.services.db, c.req.param("slug") ?? "");
  if (!show) throw notFound();
  return show;
}

function Cover({ show, size }: { show: ShowRow; size: number }) {
  // Browsers go by the served Content-Type (the file's own); the feeds carry the real extension.
  return show.cover_file_id ? (
    <img class="podcast-cover" src={coverUrl(show.cover_file_id, "")} alt="" width={size} height={size} />
  ) : null;
}

export function publicRoutes(app: Hono<AppEnv>): void {
  app.get("/podcasts", async (c) => {
    const t = tr(c);
    const shows = await listShows(c.var.services.db);
    return page(
      c,
      { title: t("podcasts.public.title"), head: styles() },
      <section class="wrap podcasts">
        <h1>{t("podcasts.public.title")}</h1>
        {shows.length === 0 && <p class="muted">{t("podcasts.public.none")}</p>}
        <ul class="podcast-list">
          {shows.map((s) => (
            <li>
              <a href={showUrl(s.slug)}>
                <Cover show={s} size={96} /> <strong>{s.title}</strong>
              </a>
              <p class="muted small">{markdownToText(s.description, 200)}</p>
            </li>
          ))}
        </ul>
      </section>,
    );
  });

  app.get("/podcasts/:slug", async (c) => {
    const t = tr(c);
    const show = await showOr404(c);
    const { db, clock } = c.var.services;
    const now = clock.nowIso();
    const eps = await outEpisodes(db, show.id, now);
    const viewer = viewerOf(c);
    const open = new Set(
      (
        await filterAccessible(
          db,
          viewer,
          eps.map((e) => ({ ...episodeResource(e), eid: e.id })),
          now,
        )
      ).map((r) => r.eid),
    );
    const feedUrl = `${c.var.services.config.publicUrl}${showUrl(show.slug)}/feed.xml`;
    return page(
      c,
      {
        title: show.title,
        description: markdownToText(show.description, 200),
        head: (
          <>
            {styles()}
            <link rel="alternate" type="application/rss+xml" title={show.title} href={feedUrl} />
          </>
        ),
      },
      <section class="wrap podcast">
        <header class="podcast-head">
          <Cover show={show} size={200} />
          <div>
            <h1>{show.title}</h1>
            <p class="muted">{show.author}</p>
            <p>{show.description}</p>
            <p class="podcast-actions">
              <a class="btn" href={`${showUrl(show.slug)}/listen`}>
                {t("podcasts.public.listen_in_app")}
              </a>{" "}
              <a href={feedUrl}>{t("podcasts.public.public_feed")}</a>
            </p>
          </div>
        </header>
        <ol class="episode-list">
          {eps.map((e) =>
            open.has(e.id) ? (
              <li>
                <a href={episodeUrl(show.slug, e.slug)}>{e.title}</a>{" "}
                <span class="muted small">
                  {episodeLabel(c, e)} · {formatDuration(e.duration_s)}
                </span>
              </li>
            ) : (
              <li class="locked">
                <a href={episodeUrl(show.slug, e.slug)}>{t("podcasts.public.locked_title")}</a>{" "}
                <span class="muted small">{episodeLabel(c, e)}</span>
              </li>
            ),
          )}
        </ol>
      </section>,
    );
  });

  app.get("/podcasts/:slug/listen", async (c) => {
    const t = tr(c);
    const show = await showOr404(c);
    const viewer = viewerOf(c);
    if (viewer.kind !== "member") return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    const { db, secret, clock, config } = c.var.services;
    const feed = await ensureFeed(db, secret, show.id, viewer.memberId, clock.nowIso());
    const url = `${config.publicUrl}${privateFeedPath(feedToken(secret, feed))}`;
    const qr = await QRCode.toString(url, { type: "svg", margin: 1, width: 220 });
    return page(
      c,
      { title: t("podcasts.listen.title"), noindex: true, head: styles() },
      <section class="wrap podcast-listen">
        <h1>{t("podcasts.listen.title")}</h1>
        <p>{t("podcasts.listen.intro", { show: show.title })}</p>
        <ul class="app-buttons">
          {appLinks(url).map((l) => (
            <li>
              <a class="btn" href={l.href} rel="nofollow">
                {l.app}
              </a>
            </li>
          ))}
        </ul>
        <label for="private-feed">{t("podcasts.listen.url_label")}</label>
        <div class="copy-row">
          <input id="private-feed" type="text" readonly value={url} />
          <button type="button" data-copy="private-feed" data-done={t("podcasts.listen.copied")}>
            {t("podcasts.listen.copy")}
          </button>
        </div>
        <p class="muted small">{t("podcasts.listen.private_note")}</p>
        <figure class="qr">
          {raw(qr)}
          <figcaption class="muted small">{t("podcasts.listen.qr")}</figcaption>
        </figure>
        <form method="post" action={`${showUrl(show.slug)}/listen/reset`}>
          <CsrfField c={c} />
          <button type="submit" class="btn secondary">
            {t("podcasts.listen.reset")}
          </button>
          <p class="muted small">{t("podcasts.listen.reset_hint")}</p>
        </form>
        <script src={playerJs()} defer></script>
      </section>,
    );
  });

  app.post("/podcasts/:slug/listen/reset", async (c) => {
    const show = await showOr404(c);
    const viewer = viewerOf(c);
    if (viewer.kind !== "member")
      return c.redirect(`/login?next=${encodeURIComponent(`${showUrl(show.slug)}/listen`)}`, 303);
    const { db, secret, clock } = c.var.services;
    await readForm(c);
    const feed = await ensureFeed(db, secret, show.id, viewer.memberId, clock.nowIso());
    await runOperation(c.var.services, rotateFeed, memberActor(viewer.memberId), {
      feedId: feed.id,
      reason: "member",
      memberId: viewer.memberId,
    });
    return c.redirect(`${showUrl(show.slug)}/listen`, 303);
  });

  app.post("/podcasts/position", async (c) => {
    const viewer = viewerOf(c);
    if (viewer.kind !== "member") return c.body(null, 204);
    const input = parseInput(
      z.object({
        episode: z.uuid({ error: "validation.invalid" }),
        position: z.coerce.number().int().min(0).max(100_000),
      }),
      await readForm(c),
    );
    const { db, clock } = c.var.services;
    const e = await findEpisode(db, input.episode);
    if (!e || !(await canAccess(db, viewer, episodeResource(e), clock.nowIso()))) throw notFound();
    const at = clock.nowIso();
    await db
      .insertInto("podcast_positions")
      .values({ member_id: viewer.memberId, episode_id: e.id, position_s: input.position, updated_at: at })
      .onConflict((oc) =>
        oc.columns(["member_id", "episode_id"]).doUpdateSet({ position_s: input.position, updated_at: at }),
      )
      .execute();
    return c.body(null, 204);
  });

  app.get("/podcasts/:slug/:episode", async (c) => {
    const t = tr(c);
    const show = await showOr404(c);
    const { db, clock } = c.var.services;
    const now = clock.nowIso();
    const e = await db
      .selectFrom("podcast_episodes")
      .selectAll()
      .where("show_id", "=", show.id)
      .where("slug", "=", c.req.param("episode"))
      .executeTakeFirst();
    const viewer = viewerOf(c);
    if (!e || (!isOut(e, now) && viewer.kind !== "staff")) throw notFound();
    const ext = audioExtension(e.audio_mime ?? "audio/mpeg");
    if (!(await canAccess(db, viewer, episodeResource(e), now)))
      return page(
        c,
        { title: t("podcasts.public.locked_title"), noindex: true, head: styles() },
        <section class="wrap episode locked">
          <p class="muted">
            <a href={showUrl(show.slug)}>{show.title}</a> · {episodeLabel(c, e)}
          </p>
          <h1>{t("podcasts.public.locked_title")}</h1>
          <p>{t("podcasts.public.locked_text")}</p>
          {e.teaser_file_id && (
            <figure>
              <audio
                controls
                preload="none"
                src={`/podcasts/teaser/${e.id}.${audioExtension(e.teaser_mime ?? "")}`}
              ></audio>
              <figcaption class="muted small">{t("podcasts.public.teaser")}</figcaption>
            </figure>
          )}
          <p>
            <a class="btn" href="/pricing">
              {t("podcasts.public.join")}
            </a>{" "}
            {viewer.kind === "anonymous" && (
              <a href={`/login?next=${encodeURIComponent(c.req.path)}`}>{t("podcasts.public.login")}</a>
            )}
          </p>
        </section>,
      );
    const position =
      viewer.kind === "member"
        ? ((
            await db
              .selectFrom("podcast_positions")
              .select("position_s")
              .where("member_id", "=", viewer.memberId)
              .where("episode_id", "=", e.id)
              .executeTakeFirst()
          )?.position_s ?? 0)
        : 0;
    const lines = e.transcript ? transcriptText(e.transcript) : [];
    return page(
      c,
      {
        title: e.title,
        description: markdownToText(e.notes_md, 200),
        noindex: e.audience !== "public",
        head: styles(),
      },
      <article class="wrap episode">
        <p class="muted">
          <a href={showUrl(show.slug)}>{show.title}</a> · {episodeLabel(c, e)} · {formatDuration(e.duration_s)}
        </p>
        <h1>{e.title}</h1>
        <audio
          controls
          preload="metadata"
          src={`/podcasts/media/${e.id}.${ext}`}
          data-episode={e.id}
          data-position={String(position)}
          data-csrf={viewer.kind === "member" ? c.var.csrfToken : undefined}
        ></audio>
        {position > 0 && <p class="muted small">{t("podcasts.public.resume", { time: formatDuration(position) })}</p>}
        <div class="prose">{raw(e.notes_html)}</div>
        {lines.length > 0 && (
          <details class="transcript">
            <summary>{t("podcasts.public.transcript")}</summary>
            {lines.map((l) => (
              <p>{l}</p>
            ))}
          </details>
        )}
        <script src={playerJs()} defer></script>
      </article>,
    );
  });
}
