import MarkdownIt from "markdown-it";
import sanitizeHtml from "sanitize-html";

/**
 * User-authored Markdown to safe HTML: markdown-it with raw HTML disabled,
 * then sanitize-html with an allow-list as a second wall (links limited to
 * http, https and mailto; images to http(s) and our own paths).
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: true, breaks: false });

const allowed: sanitizeHtml.IOptions = {
  allowedTags: [
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "code",
    "pre",
    "hr",
    "img",
    "s",
    "del",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
  ],
  allowedAttributes: { a: ["href", "title"], img: ["src", "alt", "title"], th: ["align"], td: ["align"] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["http", "https"] },
  allowProtocolRelative: false,
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: "noopener nofollow ugc" } }),
    // h1 is the page title's; authors' headings start at h2.
    h1: "h2",
  },
};

export function renderMarkdown(source: string): string {
  return sanitizeHtml(md.render(source), {
    ...allowed,
    allowedAttributes: { ...allowed.allowedAttributes, a: ["href", "title", "rel"] },
  });
}

/*
 * Pages, feeds and meta tags ask for the same few summaries (a post's
 * excerpt, the site's story) on every render; Markdown plus sanitising was a
 * large part of rendering a page. The function is pure, so its answers are
 * kept, bounded in count and source size.
 */
const textMemo = new Map<number, Map<string, string>>();
const memoMaxSource = 16_000;

/** Plain text of some Markdown (for descriptions, emails and excerpts). */
export function markdownToText(source: string, maxLength = 300): string {
  if (source.length > memoMaxSource) return toText(source, maxLength);
  // Keyed by the source itself (a settings string is the same object each request: its hash is kept).
  let byLength = textMemo.get(maxLength);
  if (!byLength) textMemo.set(maxLength, (byLength = new Map()));
  let text = byLength.get(source);
  if (text === undefined) {
    text = toText(source, maxLength);
    if (byLength.size >= 500) byLength.clear();
    byLength.set(source, text);
  }
  return text;
}

function toText(source: string, maxLength: number): string {
  const text = sanitizeHtml(md.render(source), { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > maxLength ? text.slice(0, maxLength - 1).trimEnd() + "…" : text;
}
