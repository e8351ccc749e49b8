import { z } from "zod";
import type { Actor } from "../../platform/actor.ts";
import type { Db } from "../../platform/db/index.ts";
import type { Services } from "../../platform/http/context.ts";
import { notFound } from "../../platform/http/errors.ts";
import { t, toLocale } from "../../platform/i18n/index.ts";
import { newId } from "../../platform/ids.ts";
import { queueMail, registerMail } from "../../platform/mail/index.ts";
import { renderEmail } from "../../platform/mail/template.ts";
import { defineOperation, runOperation } from "../../platform/operations.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import { systemActor } from "../../platform/actor.ts";
import { record } from "../../platform/events/index.ts";
import { getMember } from "../members/index.ts";
import { feedFlagged, feedRotated } from "./events.ts";
import { feedToken, privateFeedPath, rotateToken, type FeedRow } from "./tokens.ts";
import type { ShowRow } from "./service.ts";

/*
 * Shared-feed detection. Each fetch of a private feed or its media notes the
 * network (/24, /48) and the app; a feed read from more than the show's
 * limit of distinct networks or apps in 24 h is flagged once, with the
 * evidence. The creator rotates it in one click (or lets it happen at once):
 * the old link dies at the commit and the member is emailed the new one,
 * rendered when the email is sent (the job carries the feed id only).
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/** A (feed, network, app) seen less than this long ago is not written again (apps poll every few minutes). */
const REWRITE_MS = 60 * 60 * 1000;
const seen = new Map<string, number>();

export const ROTATION_MAIL = "podcasts.feed_rotated";

/** Whether this process noted this fetch recently enough that noteFetch would write nothing (a raw 304 may skip it). */
export function fetchNotedRecently(feed: FeedRow, network: string, app: string, nowMs: number): boolean {
  const last = seen.get(`${feed.id}|${feed.generation}|${network}|${app}`);
  return last !== undefined && nowMs - last < REWRITE_MS && nowMs >= last;
}

export async function noteFetch(
  services: Services,
  feed: FeedRow,
  show: ShowRow,
  network: string,
  app: string,
): Promise<void> {
  const db = services.db;
  const nowMs = services.clock.now().getTime();
  const key = `${feed.id}|${feed.generation}|${network}|${app}`;
  const last = seen.get(key);
  if (last !== undefined && nowMs - last < REWRITE_MS && nowMs >= last) return;
  if (seen.size > 50_000) seen.clear();
  seen.set(key, nowMs);
  const at = new Date(nowMs).toISOString();
  // Another node (or this one before a restart) may have noted it recently: a read is cheaper than a write.
  const known = await db
    .selectFrom("podcast_feed_fetches")
    .select("last_at")
    .where("feed_id", "=", feed.id)
    .where("network", "=", network)
    .where("app", "=", app)
    .executeTakeFirst();
  if (known) {
    if (nowMs - Date.parse(known.last_at) >= REWRITE_MS)
      await db
        .updateTable("podcast_feed_fetches")
        .set({ last_at: at })
        .where("feed_id", "=", feed.id)
        .where("network", "=", network)
        .where("app", "=", app)
        .execute();
    return;
  }
  await db
    .insertInto("podcast_feed_fetches")
    .values({ id: newId(), feed_id: feed.id, network, app, first_at: at, last_at: at })
    .onConflict((oc) => oc.columns(["feed_id", "network", "app"]).doUpdateSet({ last_at: at }))
    .execute();
  await checkShared(services, feed, show, nowMs);
}

async function checkShared(services: Services, feed: FeedRow, show: ShowRow, nowMs: number): Promise<void> {
  const db = services.db;
  const since = new Date(nowMs - DAY_MS).toISOString();
  // Only fetches since the last rotation count: a new link starts clean.
  const from = feed.rotated_at && feed.rotated_at > since ? feed.rotated_at : since;
  const rows = await db
    .selectFrom("podcast_feed_fetches")
    .select(["network", "app", "last_at"])
    .where("feed_id", "=", feed.id)
    .where("last_at", ">=", from)
    .execute();
  const networks = [...new Set(rows.map((r) => r.network))];
  const apps = [...new Set(rows.map((r) => r.app))];
  if (networks.length <= show.share_limit && apps.length <= show.share_limit) return;
  const open = await db
    .selectFrom("podcast_alerts")
    .select("id")
    .where("feed_id", "=", feed.id)
    .where("resolved_at", "is", null)
    .executeTakeFirst();
  if (open) return;
  const at = new Date(nowMs).toISOString();
  const alertId = newId();
  await db
    .insertInto("podcast_alerts")
    .values({
      id: alertId,
      feed_id: feed.id,
      member_id: feed.member_id,
      show_id: show.id,
      networks: networks.length,
      apps: apps.length,
      evidence: JSON.stringify({ networks: networks.slice(0, 50), apps: apps.slice(0, 50) }),
      rotated: 0,
      created_at: at,
      resolved_at: null,
    })
    .execute();
  await record(
    db,
    feedFlagged,
    { alertId, showTitle: show.title, networks: networks.length, apps: apps.length },
    {
      memberId: feed.member_id,
      actor: "system",
      at,
    },
  );
  if (show.auto_rotate)
    await runOperation(services, rotateFeed, systemActor("podcasts.shared_feed"), {
      feedId: feed.id,
      reason: "automatic",
    });
}

export const rotateFeed = defineOperation({
  name: "podcasts.rotate_feed",
  input: z.object({
    feedId: z.uuid({ error: "validation.invalid" }),
    reason: z.enum(["member", "staff", "automatic"]),
    /** Set when a member asks: the feed must be theirs. */
    memberId: z.string().optional(),
  }),
  authorize: (actor: Actor, input) =>
    actor.kind === "system" ||
    actor.kind === "staff" ||
    (actor.kind === "member" && input.reason === "member" && input.memberId === actor.memberId),
  async run({ trx, input, clock, record, services }) {
    const feed = await trx.selectFrom("podcast_feeds").selectAll().where("id", "=", input.feedId).executeTakeFirst();
    if (!feed || (input.memberId && feed.member_id !== input.memberId)) throw notFound();
    const show = await trx
      .selectFrom("podcast_shows")
      .select(["title"])
      .where("id", "=", feed.show_id)
      .executeTakeFirstOrThrow();
    const at = clock.nowIso();
    const rotated = await rotateToken(trx, services.secret, feed, at);
    // A new link starts with a clean slate (the evidence stays in the alert).
    await trx.deleteFrom("podcast_feed_fetches").where("feed_id", "=", feed.id).execute();
    await trx
      .updateTable("podcast_alerts")
      .set({ resolved_at: at, rotated: 1 })
      .where("feed_id", "=", feed.id)
      .where("resolved_at", "is", null)
      .execute();
    await record(
      feedRotated,
      { feedId: feed.id, showTitle: show.title, reason: input.reason },
      { memberId: feed.member_id },
    );
    // The member changed it themselves and sees the new link on the page: no email needed.
    if (input.reason !== "member")
      await queueMail(
        trx,
        ROTATION_MAIL,
        { feedId: feed.id, generation: rotated.generation },
        `podcasts:rotated:${feed.id}:${rotated.generation}`,
      );
    return rotated;
  },
});

/** The new-link email, rendered when it is sent: the token is derived then, never stored in the job. */
export function registerPodcastMails(): void {
  registerMail(ROTATION_MAIL, async ({ db, publicUrl, secret }, p) => {
    const feed = await db.selectFrom("podcast_feeds").selectAll().where("id", "=", String(p.feedId)).executeTakeFirst();
    // A later rotation sent its own email: this one would carry a dead link.
    if (!feed || feed.generation !== Number(p.generation)) return null;
    const member = await getMember(db, feed.member_id);
    const show = await db
      .selectFrom("podcast_shows")
      .select(["title", "slug"])
      .where("id", "=", feed.show_id)
      .executeTakeFirst();
    if (!member || !show) return null;
    const locale = toLocale(member.locale);
    const site = await getSiteSettings(db);
    const url = `${publicUrl}${privateFeedPath(feedToken(secret, feed))}`;
    const k = (key: string) => t(locale, `podcasts.mail.rotated.${key}`, { show: show.title, site: site.name });
    const { html, text } = renderEmail({
      locale,
      siteName: site.name,
      accentColor: site.accentColor,
      heading: k("heading"),
      paragraphs: [k("body"), k("how")],
      button: { label: k("button"), url: `${publicUrl}/podcasts/${show.slug}/listen` },
      note: url,
    });
    return {
      to: member.email,
      subject: k("subject"),
      html,
      text,
      fromName: site.mailFromName || site.name,
      headers: { "Auto-Submitted": "auto-generated", "Content-Language": locale },
    };
  });
}

export async function openAlerts(db: Db) {
  return db
    .selectFrom("podcast_alerts")
    .selectAll()
    .where("resolved_at", "is", null)
    .orderBy("id", "desc")
    .limit(200)
    .execute();
}
