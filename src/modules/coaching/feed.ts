import type { Hono } from "hono";
import { timingSafeEqual } from "node:crypto";
import type { AppEnv } from "../../platform/http/context.ts";
import { notFound } from "../../platform/http/errors.ts";
import { hashToken } from "../../platform/security/tokens.ts";
import { getMember } from "../members/index.ts";
import { getSettings } from "./settings.ts";
import { calendar, type IcsEvent } from "./ics.ts";
import { bookingUid } from "./mails.ts";

/**
 * The creator's private calendar feed: every active session from 30 days
 * ago on, to subscribe to from any calendar app. The URL's token is compared
 * by its SHA-256 (only the hash is stored); rotating it ends the old URL.
 * Private notes are not in it.
 */
export function feedRoutes(app: Hono<AppEnv>): void {
  app.get("/coaching/feed/:file", async (c) => {
    const file = c.req.param("file");
    const m = /^([A-Za-z0-9_-]{20,100})\.ics$/.exec(file);
    if (!m) throw notFound();
    const db = c.var.services.db;
    const settings = await getSettings(db);
    const expected = settings.feed_token_hash;
    const given = hashToken(m[1]!);
    if (!expected || expected.length !== given.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(given)))
      throw notFound();
    const since = new Date(c.var.services.clock.nowMs() - 30 * 86_400_000).toISOString();
    const rows = await db
      .selectFrom("coaching_bookings")
      .innerJoin("coaching_offers", "coaching_offers.id", "coaching_bookings.coaching_offer_id")
      .select([
        "coaching_bookings.id",
        "coaching_bookings.member_id",
        "starts_at",
        "ends_at",
        "sequence",
        "video_url",
        "coaching_bookings.updated_at",
        "title",
      ])
      .where("status", "=", "confirmed")
      .where("starts_at", ">=", since)
      .orderBy("starts_at")
      .limit(2000)
      .execute();
    const host = new URL(c.var.services.config.publicUrl).hostname || "atelier.localhost";
    const events: IcsEvent[] = [];
    for (const r of rows) {
      const member = await getMember(db, r.member_id);
      events.push({
        uid: bookingUid(r, host),
        sequence: r.sequence,
        start: r.starts_at,
        end: r.ends_at,
        stamp: r.updated_at,
        summary: `${r.title} · ${member?.name || member?.email || ""}`,
        location: r.video_url,
        url: r.video_url,
      });
    }
    return c.body(calendar(events, { method: "PUBLISH", name: c.var.site.name }), 200, {
      "content-type": "text/calendar; charset=utf-8",
      "cache-control": "private, no-store",
    });
  });
}
