import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { t } from "../../platform/i18n/index.ts";
import { listPublished } from "./posts.ts";
import { postUrl, tagsOfPosts } from "./service.ts";
import { mediaUrl, publicSummary } from "./views.tsx";

export function xmlEscape(s: string): string {
  // Characters XML 1.0 forbids are dropped rather than escaped.
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/[<>&'"]/g, (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[ch]!);
}

/** Feed readers show HTML outside our site: make our own links and images absolute. */
function absolutize(html: string, base: string): string {
  return html.replace(/(\s(?:src|href))="\/(?!\/)/g, `$1="${base}/`);
}

export const feedSize = 30;

/**
 * RSS 2.0 of the latest published posts. Every item carries only the public
 * part: a public post's whole body, a gated post's teaser and a link to read
 * on — never paid_html, whoever asks (feed readers have no session).
 */
export async function renderRss(c: AppContext): Promise<string> {
  const db = c.var.services.db;
  const base = c.var.services.config.publicUrl;
  const site = c.var.site;
  const locale = site.locale;
  const { rows } = await listPublished(db, { limit: feedSize, offset: 0 });
  const tags = await tagsOfPosts(
    db,
    rows.map((r) => r.id),
  );
  const items = rows.map((p) => {
    const link = `${base}${postUrl(p.slug)}`;
    const gated = p.audience !== "public";
    const more = gated
      ? `<p><a href="${xmlEscape(link)}">${xmlEscape(t(locale, "publishing.rss.readOn"))}</a></p>`
      : "";
    const cover = p.cover_file_id ? `<p><img src="${base}${mediaUrl(p.cover_file_id)}" alt=""/></p>` : "";
    const content = cover + absolutize(p.teaser_html, base) + more;
    const cats = (tags.get(p.id) ?? []).map((tg) => `<category>${xmlEscape(tg.name)}</category>`).join("");
    return [
      "<item>",
      `<title>${xmlEscape(p.title)}</title>`,
      `<link>${xmlEscape(link)}</link>`,
      `<guid isPermaLink="false">${xmlEscape(`${base}/posts/${p.id}`)}</guid>`,
      p.published_at ? `<pubDate>${new Date(p.published_at).toUTCString()}</pubDate>` : "",
      `<description>${xmlEscape(publicSummary(p, 400))}</description>`,
      `<content:encoded>${xmlEscape(content)}</content:encoded>`,
      cats,
      "</item>",
    ].join("");
  });
  const last = rows[0]?.published_at;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">`,
    "<channel>",
    `<title>${xmlEscape(site.name)}</title>`,
    `<link>${xmlEscape(base + "/")}</link>`,
    `<atom:link href="${xmlEscape(base + "/rss.xml")}" rel="self" type="application/rss+xml"/>`,
    `<description>${xmlEscape(site.tagline || site.name)}</description>`,
    `<language>${locale}</language>`,
    last ? `<lastBuildDate>${new Date(last).toUTCString()}</lastBuildDate>` : "",
    `<generator>Atelier</generator>`,
    ...items,
    "</channel>",
    "</rss>",
  ].join("\n");
}

/** Public URLs for search engines: home, about, archive, published posts and their tags. */
export async function renderSitemap(c: AppContext): Promise<string> {
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
  const url = (loc: string, lastmod?: string) =>
    `<url><loc>${xmlEscape(base + loc)}</loc>${lastmod ? `<lastmod>${lastmod.slice(0, 10)}</lastmod>` : ""}</url>`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`,
    url("/"),
    url("/about"),
    url("/blog", posts[0]?.updated_at),
    ...posts.map((p) => url(postUrl(p.slug), p.updated_at)),
    ...tagRows.map((tg) => url(`/tag/${tg.slug}`)),
    "</urlset>",
  ].join("\n");
}

export function feedRoutes(app: Hono<AppEnv>): void {
  app.get("/rss.xml", async (c) =>
    c.body(await renderRss(c), 200, {
      "Content-Type": "application/rss+xml; charset=utf-8",
      "Cache-Control": "public, max-age=300",
    }),
  );
  app.get("/sitemap.xml", async (c) =>
    c.body(await renderSitemap(c), 200, {
      "Content-Type": "application/xml; charset=utf-8",
      "Cache-Control": "public, max-age=3600",
    }),
  );
}
