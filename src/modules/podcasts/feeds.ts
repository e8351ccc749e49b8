import { createHash } from "node:crypto";
import { create, fragment } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces.js";
import type { Db } from "../../platform/db/index.ts";
import { t, toLocale } from "../../platform/i18n/index.ts";
import { markdownToText } from "../../platform/markdown.ts";
import { findFile } from "../../platform/storage/index.ts";
import { filterAccessible, nextAccessBoundary, type Viewer } from "../access/index.ts";
import { audioExtension } from "./audio.ts";
import { splitCategory } from "./categories.ts";
import { transcriptMime } from "./content.ts";
import {
  categoriesOf,
  coverUrl,
  episodeResource,
  episodeUrl,
  isOut,
  showUrl,
  type EpisodeRow,
  type ShowRow,
} from "./service.ts";
import { privateFeedPath, type FeedRow } from "./tokens.ts";

/*
 * Podcast feeds: RSS 2.0 with the iTunes namespace and Podcasting 2.0 tags.
 * Podcast apps poll every few minutes, so a feed is assembled from pieces
 * kept per show (the channel and one serialised <item> per episode), valid
 * as long as the show's updated_at has not moved (every change to the show
 * or an episode bumps it; read on every request, so every node sees a change
 * at once). Who may hear what is asked of the access policy on every request
 * (its own cache lasts ACCESS_CACHE_MS): nothing here remembers access.
 */

const ns = {
  itunes: "http://www.itunes.com/dtds/podcast-1.0.dtd",
  podcast: "https://podcastindex.org/namespace/1.0",
  content: "http://purl.org/rss/1.0/modules/content/",
  atom: "http://www.w3.org/2005/Atom",
};
/**
 * Stands for the member's token in cached private pieces: URL-safe and exactly
 * as long as a real token (43 characters), so a member's feed is the cached
 * bytes with the token written over each placeholder, no string search.
 */
const TOKEN = "atelierFeedTokenPlaceholder".padEnd(43, "0");
const TOKEN_BYTES = Buffer.from(TOKEN, "latin1");
const ITEMS = "<atelier-items/>";

export interface FeedOutput {
  xml: string;
  etag: string;
  lastModified: string;
}

interface Pieces {
  key: string;
  /** Channel before and after the items, public and private flavours. */
  head: { public: string; private: string };
  privateHead: Template;
  tail: string;
  /** Published episodes (out or scheduled), newest first. */
  episodes: EpisodeRow[];
  items: Map<string, { public?: string; private?: string }>;
  /** The rendered private items and tail, per set of open episodes (the plan's variant). */
  bodies: Map<string, Template>;
}

/** Rendered XML as bytes, with where the member's token goes. */
interface Template {
  bytes: Buffer;
  slots: number[];
}

function template(xml: string): Template {
  const bytes = Buffer.from(xml, "utf8");
  const slots: number[] = [];
  for (let i = bytes.indexOf(TOKEN_BYTES); i >= 0; i = bytes.indexOf(TOKEN_BYTES, i + TOKEN.length)) slots.push(i);
  return { bytes, slots };
}

/** The templates one after the other, the token written in every slot (one copy of the bytes). */
function fill(parts: Template[], token: string): Buffer<ArrayBuffer> {
  if (token.length !== TOKEN.length) throw new Error("podcasts: a feed token has 43 characters");
  // Not from the shared pool (allocUnsafeSlow): the answer owns its bytes.
  const out = Buffer.allocUnsafeSlow(parts.reduce((n, p) => n + p.bytes.length, 0)) as Buffer<ArrayBuffer>;
  let at = 0;
  for (const p of parts) {
    p.bytes.copy(out, at);
    for (const slot of p.slots) out.write(token, at + slot, "latin1");
    at += p.bytes.length;
  }
  return out;
}

/** How often a private feed's XML came from the per-show-version templates (bench details). */
export const feedXmlStats = { hits: 0, misses: 0 };

const cache = new Map<string, Pieces>();

export function clearFeedPieces(): void {
  cache.clear();
}

async function publishedEpisodes(db: Db, showId: string): Promise<EpisodeRow[]> {
  return db
    .selectFrom("podcast_episodes")
    .selectAll()
    .where("show_id", "=", showId)
    .where("status", "=", "published")
    .orderBy("publish_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

function channel(
  show: ShowRow,
  coverMime: string,
  base: string,
  kind: "public" | "private",
): { head: string; tail: string } {
  const doc = create({ version: "1.0", encoding: "UTF-8", invalidCharReplacement: "" });
  const rss = doc.ele("rss", {
    version: "2.0",
    "xmlns:itunes": ns.itunes,
    "xmlns:podcast": ns.podcast,
    "xmlns:content": ns.content,
    "xmlns:atom": ns.atom,
  });
  const ch = rss.ele("channel");
  const self = kind === "public" ? `${base}${showUrl(show.slug)}/feed.xml` : `${base}${privateFeedPath(TOKEN)}`;
  ch.ele("title").txt(show.title);
  ch.ele("link").txt(`${base}${showUrl(show.slug)}`);
  ch.ele("description").txt(show.description);
  ch.ele("language").txt(show.language);
  ch.ele("atom:link", { href: self, rel: "self", type: "application/rss+xml" });
  ch.ele("generator").txt("Atelier");
  ch.ele("itunes:author").txt(show.author);
  ch.ele("itunes:summary").txt(show.description);
  const owner = ch.ele("itunes:owner");
  owner.ele("itunes:name").txt(show.owner_name || show.author);
  owner.ele("itunes:email").txt(show.owner_email);
  if (show.cover_file_id) {
    const img = `${base}${coverUrl(show.cover_file_id, coverMime)}`;
    ch.ele("itunes:image", { href: img });
    const i = ch.ele("image");
    i.ele("url").txt(img);
    i.ele("title").txt(show.title);
    i.ele("link").txt(`${base}${showUrl(show.slug)}`);
  }
  const byParent = new Map<string, string[]>();
  for (const c of categoriesOf(show)) {
    const { parent, sub } = splitCategory(c);
    const subs = byParent.get(parent) ?? [];
    if (sub) subs.push(sub);
    byParent.set(parent, subs);
  }
  for (const [parent, subs] of byParent) {
    const cat = ch.ele("itunes:category", { text: parent });
    for (const s of subs) cat.ele("itunes:category", { text: s });
  }
  ch.ele("itunes:explicit").txt(show.explicit ? "true" : "false");
  ch.ele("itunes:type").txt("episodic");
  ch.ele("podcast:guid").txt(show.guid);
  if (kind === "private") {
    ch.ele("podcast:locked", { owner: show.owner_email }).txt("yes");
    ch.ele("itunes:block").txt("Yes");
  }
  ch.ele("atelier-items");
  const [head, tail] = doc.end({ prettyPrint: false }).split(ITEMS) as [string, string];
  return { head, tail };
}

function item(show: ShowRow, e: EpisodeRow, base: string, kind: "public" | "private"): string {
  const f = fragment({ invalidCharReplacement: "" });
  const it: XMLBuilder = f.ele("item");
  const ext = audioExtension(e.audio_mime ?? "audio/mpeg");
  const media =
    kind === "public" ? `${base}/podcasts/media/${e.id}.${ext}` : `${base}/podcasts/m/${TOKEN}/${e.id}.${ext}`;
  it.ele("title").txt(e.title);
  it.ele("itunes:title").txt(e.title);
  it.ele("link").txt(`${base}${episodeUrl(show.slug, e.slug)}`);
  it.ele("guid", { isPermaLink: "false" }).txt(e.guid);
  if (e.publish_at) it.ele("pubDate").txt(new Date(e.publish_at).toUTCString());
  it.ele("description").txt(markdownToText(e.notes_md, 4000));
  if (e.notes_html) it.ele("content:encoded").txt(e.notes_html);
  it.ele("enclosure", { url: media, length: String(e.audio_size), type: e.audio_mime ?? "audio/mpeg" });
  it.ele("itunes:duration").txt(String(e.duration_s));
  it.ele("itunes:episodeType").txt(e.episode_type);
  it.ele("itunes:explicit").txt(show.explicit ? "true" : "false");
  if (e.season !== null) {
    it.ele("itunes:season").txt(String(e.season));
    it.ele("podcast:season").txt(String(e.season));
  }
  if (e.number !== null) {
    it.ele("itunes:episode").txt(String(e.number));
    it.ele("podcast:episode").txt(String(e.number));
  }
  const extra = kind === "public" ? `${base}/podcasts/x/${e.id}` : `${base}/podcasts/x/${TOKEN}/${e.id}`;
  if (e.transcript_type)
    it.ele("podcast:transcript", { url: `${extra}.${e.transcript_type}`, type: transcriptMime(e.transcript_type) });
  if (e.chapters) it.ele("podcast:chapters", { url: `${extra}.chapters.json`, type: "application/json+chapters" });
  return f.end({ prettyPrint: false });
}

function renewItem(show: ShowRow, base: string, renewedAt: string): string {
  const locale = toLocale(show.language, "en");
  const f = fragment({ invalidCharReplacement: "" });
  const it = f.ele("item");
  it.ele("title").txt(t(locale, "podcasts.feed.renew_title"));
  it.ele("link").txt(`${base}/pricing`);
  it.ele("guid", { isPermaLink: "false" }).txt(`atelier-renew-${show.id}`);
  it.ele("pubDate").txt(new Date(renewedAt).toUTCString());
  it.ele("description").txt(t(locale, "podcasts.feed.renew_text", { url: `${base}/pricing` }));
  it.ele("enclosure", { url: `${base}/podcasts/notice.mp3`, length: String(noticeSize()), type: "audio/mpeg" });
  it.ele("itunes:episodeType").txt("bonus");
  return f.end({ prettyPrint: false });
}

let noticeBytes = 0;
/** The renew item's enclosure: a second of silence (apps hide items without one). */
export function setNoticeSize(n: number): void {
  noticeBytes = n;
}
const noticeSize = () => noticeBytes;

async function piecesOf(db: Db, show: ShowRow, base: string): Promise<Pieces> {
  const key = `${show.updated_at}|${base}`;
  const hit = cache.get(show.id);
  if (hit && hit.key === key) return hit;
  // The cover's real type, read once per show version (its URL's extension must say it).
  const cover = show.cover_file_id ? await findFile(db, show.cover_file_id) : undefined;
  const coverMime = cover?.mime ?? "image/png";
  const pub = channel(show, coverMime, base, "public");
  const priv = channel(show, coverMime, base, "private");
  const pieces: Pieces = {
    key,
    head: { public: pub.head, private: priv.head },
    tail: pub.tail,
    episodes: await publishedEpisodes(db, show.id),
    items: new Map(),
    bodies: new Map(),
    privateHead: template(priv.head),
  };
  if (cache.size > 200) cache.clear();
  cache.set(show.id, pieces);
  return pieces;
}

function itemOf(p: Pieces, show: ShowRow, e: EpisodeRow, base: string, kind: "public" | "private"): string {
  let entry = p.items.get(e.id);
  if (!entry) p.items.set(e.id, (entry = {}));
  return (entry[kind] ??= item(show, e, base, kind));
}

const tag = (s: string) => `"${createHash("sha256").update(s).digest("base64url").slice(0, 27)}"`;
const latest = (...d: (string | null | undefined)[]) =>
  d
    .filter((x): x is string => !!x)
    .sort()
    .at(-1)!;

/** The earlier of two instants, null standing for "never". */
const earliest = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a < b ? a : b);

/** The public feed: public episodes that are out, nothing else whoever asks. */
export async function publicFeed(db: Db, show: ShowRow, base: string, now: string): Promise<FeedOutput> {
  const p = await piecesOf(db, show, base);
  const eps = p.episodes.filter((e) => isOut(e, now) && e.audience === "public" && e.audio_file_id);
  const signature = `pub|${p.key}|${eps.map((e) => e.id).join(",")}`;
  return {
    etag: tag(signature),
    lastModified: latest(show.updated_at, eps[0]?.publish_at),
    xml: p.head.public + eps.map((e) => itemOf(p, show, e, base, "public")).join("") + p.tail,
  };
}

export interface PrivateFeedPlan {
  etag: string;
  lastModified: string;
  variant: string;
  /**
   * Until when these validators hold with no write anywhere (the next scheduled
   * episode, the next start or end of one of the member's entitlements): null
   * when nothing is due, the plan's own instant when that is unknown.
   */
  validUntil: string | null;
  /** The member's feed as bytes: the show version's rendered XML with their token spliced in. */
  render(): Buffer<ArrayBuffer>;
}

/**
 * A member's private feed: the episodes the policy opens to them now; when
 * some episodes are closed to them (a lapsed or refunded membership), one
 * item says how to renew. The validators are computed without building the
 * XML, so a 304 costs the lookups only.
 */
export async function privateFeed(
  db: Db,
  show: ShowRow,
  feed: FeedRow,
  token: string,
  base: string,
  now: string,
): Promise<PrivateFeedPlan> {
  const p = await piecesOf(db, show, base);
  const out = p.episodes.filter((e) => isOut(e, now) && e.audio_file_id);
  const viewer: Viewer = { kind: "member", memberId: feed.member_id };
  const open = await filterAccessible(
    db,
    viewer,
    out.map((e) => ({ ...episodeResource(e), episode: e })),
    now,
  );
  const eps = open.map((r) => r.episode);
  const lapsed = eps.length < out.length;
  const variant = tag(`${eps.map((e) => e.id).join(",")}|${lapsed}`).slice(1, 17);
  const changedAt = variant === feed.variant ? feed.variant_at : now;
  const signature = `priv|${p.key}|${feed.id}|${feed.generation}|${variant}`;
  const boundary = nextAccessBoundary(feed.member_id, now);
  const scheduled = p.episodes.reduce<string | null>(
    (next, e) => (e.publish_at && e.publish_at > now && (next === null || e.publish_at < next) ? e.publish_at : next),
    null,
  );
  const validUntil = boundary === undefined ? now : earliest(boundary, scheduled);
  return {
    etag: tag(signature),
    variant,
    validUntil,
    lastModified: latest(show.updated_at, eps[0]?.publish_at, changedAt, feed.rotated_at),
    render: () => {
      let body = p.bodies.get(variant);
      if (body) feedXmlStats.hits++;
      else {
        feedXmlStats.misses++;
        body = template(eps.map((e) => itemOf(p, show, e, base, "private")).join("") + p.tail);
        if (p.bodies.size >= 64) p.bodies.clear();
        p.bodies.set(variant, body);
      }
      // The renew item carries this member's own instant; it holds no token.
      const parts = lapsed ? [p.privateHead, template(renewItem(show, base, changedAt)), body] : [p.privateHead, body];
      return fill(parts, token);
    },
  };
}
