import { createHash } from "node:crypto";
import net from "node:net";
import type { Db } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import type { Clock } from "../../platform/time.ts";
import { record } from "../../platform/events/index.ts";
import { episodeListened } from "./events.ts";

/*
 * What listening leaves behind, kept in this module's own tables: downloads
 * (counted IAB-style: one per address + user agent per episode per 24 h, the
 * address itself never stored) and, for private feeds, which networks and
 * apps fetch them (the evidence of a shared feed). Only a member's first
 * download of an episode becomes an event on their timeline.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** The /24 of an IPv4 address or the /48 of an IPv6 one: one household or office, whatever its DHCP does. */
export function networkOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const addr = mapped ? mapped[1]! : ip;
  if (net.isIPv4(addr)) return addr.split(".").slice(0, 3).join(".") + ".0/24";
  if (net.isIPv6(addr)) {
    const [left, right = ""] = addr.toLowerCase().split("::") as [string, string?];
    const l = left ? left.split(":") : [];
    const r = right ? right.split(":") : [];
    const groups = addr.includes("::") ? [...l, ...Array(8 - l.length - r.length).fill("0"), ...r] : l;
    return (
      groups
        .slice(0, 3)
        .map((g) => g.replace(/^0+(?=.)/, ""))
        .join(":") + "::/48"
    );
  }
  return "unknown";
}

const apps: [RegExp, string][] = [
  [/AppleCoreMedia|^Podcasts\/|iTunes|Apple ?Podcasts/i, "Apple Podcasts"],
  [/Overcast/i, "Overcast"],
  [/Pocket ?Casts/i, "Pocket Casts"],
  [/AntennaPod/i, "AntennaPod"],
  [/Podcast ?Addict/i, "Podcast Addict"],
  [/Castro/i, "Castro"],
  [/Spotify/i, "Spotify"],
  [/Castbox/i, "Castbox"],
  [/Podcast ?Republic/i, "Podcast Republic"],
  [/Podverse/i, "Podverse"],
  [/Fountain/i, "Fountain"],
  [/Mozilla|Chrome|Safari|Firefox/i, "web"],
];

/** The podcast app named by a user agent ("web" for a browser, else its first word). */
export function appOf(userAgent: string | undefined): string {
  const ua = (userAgent ?? "").slice(0, 300);
  for (const [re, name] of apps) if (re.test(ua)) return name;
  const first = /^[A-Za-z0-9._ -]{1,40}/.exec(ua)?.[0]?.trim();
  return first || "unknown";
}

const listenerKey = (ip: string, ua: string | undefined) =>
  createHash("sha256")
    .update(`${ip}\n${ua ?? ""}`)
    .digest("base64url")
    .slice(0, 32);

/** Counts a download unless the same address + user agent already got this episode in the last 24 h. */
export async function countDownload(
  db: Db,
  clock: Clock,
  d: { episodeId: string; title: string; memberId: string | null; ip: string; userAgent: string | undefined },
): Promise<boolean> {
  const key = listenerKey(d.ip, d.userAgent);
  const now = clock.now().getTime();
  const since = new Date(now - DAY_MS).toISOString();
  const seen = await db
    .selectFrom("podcast_downloads")
    .select("id")
    .where("episode_id", "=", d.episodeId)
    .where("listener_key", "=", key)
    .where("created_at", ">", since)
    .executeTakeFirst();
  if (seen) return false;
  const app = appOf(d.userAgent);
  const first = d.memberId
    ? !(await db
        .selectFrom("podcast_downloads")
        .select("id")
        .where("episode_id", "=", d.episodeId)
        .where("member_id", "=", d.memberId)
        .executeTakeFirst())
    : false;
  const at = new Date(now).toISOString();
  await db
    .insertInto("podcast_downloads")
    .values({ id: newId(), episode_id: d.episodeId, member_id: d.memberId, listener_key: key, app, created_at: at })
    .execute();
  if (first && d.memberId)
    await record(
      db,
      episodeListened,
      { episodeId: d.episodeId, title: d.title, app },
      { memberId: d.memberId, actor: "member", at },
    );
  return true;
}

/** Downloads and distinct listeners per episode, and downloads per app, for a show. */
export async function showStats(db: Db, showId: string) {
  const perEpisode = await db
    .selectFrom("podcast_downloads")
    .innerJoin("podcast_episodes", "podcast_episodes.id", "podcast_downloads.episode_id")
    .select((eb) => [
      "podcast_downloads.episode_id as episodeId",
      eb.fn.countAll<number>().as("downloads"),
      eb.fn.count<number>("podcast_downloads.member_id").distinct().as("members"),
    ])
    .where("podcast_episodes.show_id", "=", showId)
    .groupBy("podcast_downloads.episode_id")
    .execute();
  const perApp = await db
    .selectFrom("podcast_downloads")
    .innerJoin("podcast_episodes", "podcast_episodes.id", "podcast_downloads.episode_id")
    .select((eb) => ["podcast_downloads.app as app", eb.fn.countAll<number>().as("downloads")])
    .where("podcast_episodes.show_id", "=", showId)
    .groupBy("podcast_downloads.app")
    .orderBy("downloads", "desc")
    .execute();
  return {
    perEpisode: new Map(
      perEpisode.map((r) => [r.episodeId, { downloads: Number(r.downloads), members: Number(r.members) }]),
    ),
    perApp: perApp.map((r) => ({ app: r.app, downloads: Number(r.downloads) })),
  };
}
