import fs from "node:fs";
import path from "node:path";
import TurndownService from "turndown";
import { readCsv } from "./csv.ts";
import { parseDate } from "./sources/fields.ts";

/**
 * Posts from Substack's and Ghost's content exports, read into one shape:
 * - Substack (the unzipped export folder): posts.csv (post_id, post_date, is_published,
 *   type, audience, title, subtitle, ...) and posts/<post_id>.html;
 * - Ghost (Settings → Labs → Export): JSON with db[0].data.posts (title, slug, html,
 *   status, visibility, published_at, custom_excerpt), tags and posts_tags.
 * HTML becomes Markdown (turndown); the publishing pipeline sanitises it again on save.
 */
export interface ImportedPost {
  /** Where it is in the export (Substack's post_id, Ghost's id), for the report. */
  ref: string;
  title: string;
  slug: string;
  excerpt: string;
  markdown: string;
  audience: "public" | "members" | "paid";
  published: boolean;
  publishedAt: string | null;
  tags: string[];
}

export type PostItem = { ok: true; post: ImportedPost } | { ok: false; ref: string; reason: string };

/** A marker turndown keeps as text, turned into our paywall line after conversion. */
const PAYWALL_TOKEN = "ATELIERPAYWALLTOKEN";

function turndown(): TurndownService {
  const td = new TurndownService({
    headingStyle: "atx",
    codeBlockStyle: "fenced",
    bulletListMarker: "-",
    emDelimiter: "*",
  });
  // Scripts, styles, forms and embeds never come across; their text neither.
  td.remove(["script", "style", "iframe", "form", "button", "input", "noscript", "object", "embed"]);
  // A link to anything but the web or mail keeps its words and loses its target.
  td.addRule("unsafeLinks", {
    filter: (node) => node.nodeName === "A" && !/^(https?:|mailto:)/i.test(node.getAttribute("href") ?? ""),
    replacement: (content) => content,
  });
  return td;
}

/** Exported HTML → our Markdown, with Ghost's members-only marker and Substack's paywall div as our paywall line. */
export function htmlToMarkdown(html: string, paywallMarker: string): string {
  const marked = html
    .replace(/<!--\s*members-only\s*-->/gi, `<p>${PAYWALL_TOKEN}</p>`)
    .replace(/<div[^>]*class="[^"]*\bpaywall\b[^"]*"[^>]*>[\s\S]*?<\/div>/gi, `<p>${PAYWALL_TOKEN}</p>`);
  const md = turndown().turndown(marked);
  let seen = false;
  return md
    .split("\n")
    .map((line) => {
      if (line.trim() !== PAYWALL_TOKEN) return line;
      if (seen) return "";
      seen = true;
      return paywallMarker;
    })
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function slugOf(s: string): string {
  return s
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
}

function dateOrNull(v: string | null | undefined): string | null {
  const d = parseDate(v ?? "");
  return d === "invalid" ? null : d;
}

/** Substack: posts.csv beside a posts/ folder of <post_id>.html files. */
export async function* readSubstackPosts(dir: string, paywallMarker: string): AsyncGenerator<PostItem> {
  const csvPath = path.join(dir, "posts.csv");
  if (!fs.existsSync(csvPath)) throw new Error("posts.csv not found");
  for await (const item of readCsv(fs.readFileSync(csvPath))) {
    if (item.kind === "header") continue;
    if (item.kind === "bad") {
      yield { ok: false, ref: `posts.csv:${item.line}`, reason: "malformed" };
      continue;
    }
    const v = item.values;
    const id = (v.post_id ?? "").trim();
    if (!/^[\w.-]{1,200}$/.test(id)) {
      yield { ok: false, ref: `posts.csv:${item.line}`, reason: "post_id_invalid" };
      continue;
    }
    if ((v.type ?? "newsletter") !== "newsletter" && v.type !== "thread") {
      // Podcasts and videos need their media, which the export does not carry.
      if (v.type !== "") {
        yield { ok: false, ref: id, reason: "post_type_unsupported" };
        continue;
      }
    }
    const htmlPath = path.join(dir, "posts", `${id}.html`);
    const title = (v.title ?? "").trim();
    if (!title) {
      yield { ok: false, ref: id, reason: "title_missing" };
      continue;
    }
    const html = fs.existsSync(htmlPath) ? fs.readFileSync(htmlPath, "utf8") : "";
    const audience =
      v.audience === "only_paid" || v.audience === "founding"
        ? "paid"
        : v.audience === "only_free"
          ? "members"
          : "public";
    const published = /^true$/i.test(v.is_published ?? "");
    yield {
      ok: true,
      post: {
        ref: id,
        title: title.slice(0, 200),
        slug: slugOf(id.replace(/^\d+\./, "")) || slugOf(title),
        excerpt: (v.subtitle ?? "").trim().slice(0, 500),
        markdown: htmlToMarkdown(html, paywallMarker),
        audience,
        published,
        publishedAt: dateOrNull(v.post_date),
        tags: [],
      },
    };
  }
}

interface GhostExport {
  db?: {
    data?: {
      posts?: {
        id: string;
        title?: string;
        slug?: string;
        html?: string | null;
        status?: string;
        visibility?: string;
        type?: string;
        published_at?: string | null;
        custom_excerpt?: string | null;
      }[];
      tags?: { id: string; name: string }[];
      posts_tags?: { post_id: string; tag_id: string; sort_order?: number }[];
    };
  }[];
}

/** Ghost: the JSON export's posts (pages too are posts here), with their tags. */
export function* readGhostPosts(json: string, paywallMarker: string): Generator<PostItem> {
  let data: GhostExport;
  try {
    data = JSON.parse(json) as GhostExport;
  } catch {
    throw new Error("not JSON");
  }
  const d = data.db?.[0]?.data;
  if (!d || !Array.isArray(d.posts)) throw new Error("not a Ghost export");
  const tagName = new Map((d.tags ?? []).map((t) => [t.id, t.name]));
  for (const p of d.posts) {
    const title = (p.title ?? "").trim();
    if (!title) {
      yield { ok: false, ref: p.id, reason: "title_missing" };
      continue;
    }
    if (!p.html && p.status === "published") {
      // Ghost exports from before 5.0 keep only mobiledoc; its cards would need Ghost's renderer.
      yield { ok: false, ref: p.id, reason: "html_missing" };
      continue;
    }
    const tags = (d.posts_tags ?? [])
      .filter((pt) => pt.post_id === p.id)
      .sort((a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0))
      .map((pt) => tagName.get(pt.tag_id))
      .filter((n): n is string => !!n && !n.startsWith("#"));
    yield {
      ok: true,
      post: {
        ref: p.id,
        title: title.slice(0, 200),
        slug: slugOf(p.slug ?? "") || slugOf(title),
        excerpt: (p.custom_excerpt ?? "").trim().slice(0, 500),
        markdown: htmlToMarkdown(p.html ?? "", paywallMarker),
        audience:
          p.visibility === "paid" || p.visibility === "tiers"
            ? "paid"
            : p.visibility === "members"
              ? "members"
              : "public",
        published: p.status === "published",
        publishedAt: dateOrNull(p.published_at),
        tags: tags.slice(0, 10),
      },
    };
  }
}
