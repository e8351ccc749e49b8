import type { Hono } from "hono";
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces.js";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { conditionalResponse, validatorsOf } from "../../platform/http/conditional.ts";
import { t } from "../../platform/i18n/index.ts";
import { listPublished } from "./posts.ts";
import { postUrl, tagsOfPosts } from "./service.ts";
import { mediaUrl, publicSummary } from "./views.tsx";

const contentNs = "http://purl.org/rss/1.0/modules/content/";
const atomNs = "http://www.w3.org/2005/Atom";
const xmlnsNs = "http://www.w3.org/2000/xmlns/";

/** A new XML document; characters XML 1.0 forbids are dropped from text rather than making it invalid. */
function xmlDocument(): XMLBuilder {
  return create({ version: "1.0", encoding: "UTF-8", invalidCharReplacement: "" });
}

/** Feed readers show HTML outside our site: make our own links and images absolute. */
function absolutize(html: string, base: string): string {
  return html.replace(/(\s(?:src|href))="\/(?!\/)/g, `$1="${base}/`);
}

function escapeHtmlAttr(s: string): string {
  return s.replace(/[<>&"]/g, (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[ch]!);
}

const latest = (dates: (string | null | undefined)[]) =>
  dates.reduce<string | null>((max, d) => (d && (!max || d > max) ? d : max), null);

export const feedSize = 30;

/** The feed's XML and the instant it last changed (the newest of its posts and the site's settings). */
export interface Feed {
  xml: string;
  lastModified: string | null;
}

/**
 * RSS 2.0 of the latest published posts. Every item carries only the public
 * part: a public post's whole body, a gated post's teaser and a link to read
 * on — never paid_html, whoever asks (feed readers have no session).
 */
export async function renderRss(c: AppContext): Promise<Feed> {
  const db = c.var.services.db;
  const base = c.var.services.config.publicUrl;
  const site = c.var.site;
  const locale = site.locale;
  const { rows } = await listPublished(db, { limit: feedSize, offset: 0 });
  const tags = await tagsOfPosts(
    db,
    rows.map((r) => r.id),
  );
  const settingsRow = await db.selectFrom("settings").select("updated_at").where("key", "=", "site").executeTakeFirst();
  const doc = xmlDocument();
  const channel = doc
    .ele("rss", { version: "2.0" })
    .att(xmlnsNs, "xmlns:content", contentNs)
    .att(xmlnsNs, "xmlns:atom", atomNs)
    .ele("channel");
  channel.ele("title").txt(site.name);
  channel.ele("link").txt(base + "/");
  channel.ele(atomNs, "atom:link", { href: base + "/rss.xml", rel: "self", type: "application/rss+xml" });
  channel.ele("description").txt(site.tagline || site.name);
  channel.ele("language").txt(locale);
  const last = rows[0]?.published_at;
  if (last) channel.ele("lastBuildDate").txt(new Date(last).toUTCString());
  channel.ele("generator").txt("Atelier");
  for (const p of rows) {
    const link = `${base}${postUrl(p.slug)}`;
    const more =
      p.audience !== "public"
        ? `<p><a href="${escapeHtmlAttr(link)}">${escapeHtmlAttr(t(locale, "publishing.rss.readOn"))}</a></p>`
        : "";
    const cover = p.cover_file_id ? `<p><img src="${base}${mediaUrl(p.cover_file_id)}" alt=""/></p>` : "";
    const item = channel.ele("item");
    item.ele("title").txt(p.title);
    item.ele("link").txt(link);
    item.ele("guid", { isPermaLink: "false" }).txt(`${base}/posts/${p.id}`);
    if (p.published_at) item.ele("pubDate").txt(new Date(p.published_at).toUTCString());
    item.ele("description").txt(publicSummary(p, 400));
    item.ele(contentNs, "content:encoded").txt(cover + absolutize(p.teaser_html, base) + more);
    for (const tg of tags.get(p.id) ?? []) item.ele("category").txt(tg.name);
  }
  return {
    xml: doc.end({ prettyPrint: false }),
    lastModified: latest([settingsRow?.updated_at, ...rows.map((r) => r.updated_at)]),
  };
}

/** A public page another module adds to the sitemap (its path, and when it last changed). */
export interface SitemapEntry {
  loc: string;
  lastmod?: string;
}
const sitemapSources: ((db: AppContext["var"]["services"]["db"], nowIso: string) => Promise<SitemapEntry[]>)[] = [];

/**
 * Lets a module list its public pages in /sitemap.xml (podcasts: shows and
 * public episodes). The source answers only what any visitor may read.
 */
export function registerSitemapSource(
  source: (db: AppContext["var"]["services"]["db"], nowIso: string) => Promise<SitemapEntry[]>,
): void {
  if (!sitemapSources.includes(source)) sitemapSources.push(source);
}

/** Public URLs for search engines: home, about, archive, published posts and their tags, and the modules' own. */
export async function renderSitemap(c: AppContext): Promise<Feed> {
  const db = c.var.services.db;
  const base = c.var.services.config.publicUrl;
  const posts = await db
    .selectFrom("posts")
    .select(["slug", "updated_at"])
    .where("status", "=", "published")
    .orderBy("published_at", "desc")
    .limit(45_000)
    .execute();
  const tagRows = await db
    .selectFrom("tags")
    .innerJoin("post_tags", "post_tags.tag_id", "tags.id")
    .innerJoin("posts", "posts.id", "post_tags.post_id")
    .select("tags.slug")
    .where("posts.status", "=", "published")
    .groupBy("tags.slug")
    .execute();
  const doc = xmlDocument();
  const urlset = doc.ele("urlset", { xmlns: "http://www.sitemaps.org/schemas/sitemap/0.9" });
  const url = (loc: string, lastmod?: string) => {
    const u = urlset.ele("url");
    u.ele("loc").txt(base + loc);
    if (lastmod) u.ele("lastmod").txt(lastmod.slice(0, 10));
  };
  url("/");
  url("/about");
  url("/blog", posts[0]?.updated_at);
  for (const p of posts) url(postUrl(p.slug), p.updated_at);
  for (const tg of tagRows) url(`/tag/${tg.slug}`);
  const now = c.var.services.clock.nowIso();
  for (const source of sitemapSources) for (const e of await source(db, now)) url(e.loc, e.lastmod);
  return { xml: doc.end({ prettyPrint: false }), lastModified: latest(posts.map((p) => p.updated_at)) };
}

/**
 * Feed readers and crawlers poll: both feeds are public (so the page cache
 * keeps them like public pages) and carry an ETag and a Last-Modified, so an
 * unchanged feed is answered 304 without its body, here and from the cache.
 */
export function feedRoutes(app: Hono<AppEnv>): void {
  const serve = async (c: AppContext, feed: Feed, type: string, maxAge: number) =>
    conditionalResponse(c, feed.xml, {
      "Content-Type": type,
      "Cache-Control": `public, max-age=${maxAge}`,
      ...validatorsOf(feed.xml, feed.lastModified),
    });
  app.get("/rss.xml", async (c) => serve(c, await renderRss(c), "application/rss+xml; charset=utf-8", 300));
  app.get("/sitemap.xml", async (c) => serve(c, await renderSitemap(c), "application/xml; charset=utf-8", 3600));
}
