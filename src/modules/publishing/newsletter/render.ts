import type { Locale } from "../../../platform/i18n/index.ts";
import { t } from "../../../platform/i18n/index.ts";
import type { SiteSettings } from "../../../platform/settings.ts";
import type { PostForSending } from "../service.ts";
import { linkSignature } from "./tokens.ts";

/**
 * The newsletter email. Mail clients drop <style> blocks, so every element of
 * the (already sanitised) post HTML gets its style inline; the layout is plain
 * blocks with a max width, no tables. Each variant (language x full/teaser) is
 * rendered once per send and process; per recipient only the placeholders
 * below are replaced, which keeps rendering far cheaper than the SMTP round trip.
 */
export const UNSUB = "%%UNSUB%%";
export const TRACK = "%%TRACK%%";

export interface Variant {
  html: string;
  text: string;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const inline: Record<string, string> = {
  p: "margin:0 0 16px;font-size:17px;line-height:1.6;color:#222",
  h1: "margin:24px 0 12px;font-size:24px;line-height:1.3;color:#111",
  h2: "margin:24px 0 12px;font-size:21px;line-height:1.3;color:#111",
  h3: "margin:20px 0 10px;font-size:18px;line-height:1.3;color:#111",
  h4: "margin:16px 0 8px;font-size:17px;color:#111",
  ul: "margin:0 0 16px;padding-left:24px;font-size:17px;line-height:1.6;color:#222",
  ol: "margin:0 0 16px;padding-left:24px;font-size:17px;line-height:1.6;color:#222",
  li: "margin:0 0 6px",
  blockquote: "margin:0 0 16px;padding:4px 0 4px 16px;border-left:3px solid #ddd;color:#444;font-style:italic",
  pre: "margin:0 0 16px;padding:12px;background:#f4f1ec;border-radius:6px;font-size:14px;white-space:pre-wrap;word-break:break-word",
  code: "font-family:Menlo,Consolas,monospace;font-size:0.92em",
  img: "max-width:100%;height:auto;border-radius:6px;display:block;margin:0 auto 16px",
  hr: "border:0;border-top:1px solid #e5e0d8;margin:24px 0",
  figure: "margin:0 0 16px",
  figcaption: "font-size:14px;color:#666;text-align:center",
};

/** Adds inline styles to the sanitised post HTML (links get the accent colour). */
export function inlineStyles(html: string, accent: string): string {
  return html.replace(/<([a-z][a-z0-9]*)\b([^>]*)>/gi, (whole, tag: string, attrs: string) => {
    const name = tag.toLowerCase();
    const style = name === "a" ? `color:${accent};text-decoration:underline` : inline[name];
    if (!style || /\sstyle=/i.test(attrs)) return whole;
    const selfClose = attrs.endsWith("/");
    const rest = selfClose ? attrs.slice(0, -1) : attrs;
    return `<${tag}${rest} style="${style}"${selfClose ? " /" : ""}>`;
  });
}

/** Sends every http(s) link through the click redirect (only when tracking is on). */
export function trackLinks(html: string, publicUrl: string, secret: string, sendId: string): string {
  return html.replace(/href="(https?:\/\/[^"]+)"/gi, (_w, raw: string) => {
    const url = raw.replace(/&amp;/g, "&");
    const target = `${publicUrl}/nl/c/${TRACK}?u=${encodeURIComponent(url)}&s=${linkSignature(secret, sendId, url)}`;
    return `href="${esc(target)}"`;
  });
}

export interface RenderInput {
  post: PostForSending;
  subject: string;
  site: SiteSettings;
  locale: Locale;
  /** The recipient may read the whole post (the access policy said yes). */
  full: boolean;
  publicUrl: string;
  secret: string;
  sendId: string;
  tracking: boolean;
}

function absolutise(html: string, publicUrl: string): string {
  return html.replace(/(href|src)="\/(?!\/)/g, `$1="${publicUrl}/`);
}

export function renderVariant(r: RenderInput): Variant {
  const accent = /^#[0-9a-f]{6}$/i.test(r.site.accentColor) ? r.site.accentColor : "#b4532a";
  const postUrl = `${r.publicUrl}${r.post.url}`;
  const gated = r.post.audience !== "public";
  let body = absolutise(r.post.teaserHtml, r.publicUrl);
  let bodyText = r.post.teaserText;
  const showPaid = r.full && r.post.paidHtml !== "";
  if (showPaid) {
    body += absolutise(r.post.paidHtml, r.publicUrl);
    bodyText = [r.post.teaserText, r.post.paidText].filter(Boolean).join("\n\n");
  }
  const locked = gated && !r.full;
  body = inlineStyles(body, accent);
  const lockedBox = locked
    ? `<div style="margin:24px 0 8px;padding:20px;border:1px solid #e5e0d8;border-radius:10px;background:#faf7f2">
<p style="margin:0 0 12px;font-size:17px;line-height:1.5;color:#222;font-weight:600">${esc(t(r.locale, "newsletter.mail.lockedTitle"))}</p>
<p style="margin:0 0 16px;font-size:15px;line-height:1.5;color:#444">${esc(t(r.locale, "newsletter.mail.lockedText", { site: r.site.name }))}</p>
<p style="margin:0"><a href="${esc(postUrl)}" style="display:inline-block;background:${accent};color:#fff;text-decoration:none;font-weight:600;padding:12px 22px;border-radius:8px;font-size:16px">${esc(t(r.locale, "newsletter.mail.readOrUpgrade"))}</a></p>
</div>`
    : "";
  let content = `${body}${lockedBox}`;
  if (r.tracking) content = trackLinks(content, r.publicUrl, r.secret, r.sendId);
  const webLink = t(r.locale, "newsletter.mail.readOnSite");
  const footer = t(r.locale, "newsletter.mail.footer", { site: r.site.name });
  const unsubscribe = t(r.locale, "newsletter.mail.unsubscribe");
  const pixel = r.tracking
    ? `<img src="${r.publicUrl}/nl/o/${TRACK}.gif" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`
    : "";
  const html = `<!doctype html><html lang="${r.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(r.subject)}</title></head>
<body style="margin:0;padding:0;background:#f6f3ef;font-family:Georgia,'Times New Roman',serif;-webkit-text-size-adjust:100%">
<div style="display:none;max-height:0;overflow:hidden;color:#f6f3ef">${esc(r.post.excerpt)}</div>
<div style="max-width:600px;margin:0 auto;padding:28px 16px">
<p style="margin:0 0 20px;font-size:14px;letter-spacing:.04em;text-transform:uppercase;color:${accent};font-weight:700">${esc(r.site.name)}</p>
<div style="background:#ffffff;border-radius:12px;padding:28px 24px">
<h1 style="margin:0 0 8px;font-size:28px;line-height:1.25;color:#111">${esc(r.post.title)}</h1>
<p style="margin:0 0 24px;font-size:14px;color:#777"><a href="${esc(postUrl)}" style="color:#777;text-decoration:underline">${esc(webLink)}</a></p>
${content}
</div>
<p style="margin:24px 8px 0;font-size:13px;line-height:1.5;color:#777">${esc(footer)}<br><a href="${UNSUB}" style="color:#777;text-decoration:underline">${esc(unsubscribe)}</a></p>
${pixel}</div></body></html>`;
  const text = [
    r.site.name,
    "",
    r.post.title,
    `${webLink}: ${postUrl}`,
    "",
    bodyText,
    "",
    ...(locked
      ? [
          t(r.locale, "newsletter.mail.lockedTitle"),
          t(r.locale, "newsletter.mail.lockedText", { site: r.site.name }),
          `${t(r.locale, "newsletter.mail.readOrUpgrade")}: ${postUrl}`,
          "",
        ]
      : []),
    "--",
    footer,
    `${unsubscribe}: ${UNSUB}`,
  ].join("\n");
  return { html, text };
}

/** Fills one recipient's links into a variant. */
export function personalise(v: Variant, unsubscribeUrl: string, trackToken: string): Variant {
  const fill = (s: string, escape: boolean) =>
    s
      .split(UNSUB)
      .join(escape ? esc(unsubscribeUrl) : unsubscribeUrl)
      .split(TRACK)
      .join(trackToken);
  return { html: fill(v.html, true), text: fill(v.text, false) };
}
