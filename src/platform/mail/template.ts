import { t, type Locale } from "../i18n/index.ts";

/**
 * A transactional email in the site's look: robust HTML with inline styles
 * (mail clients drop <style>), and the same content as plain text.
 */
export interface EmailContent {
  locale: Locale;
  siteName: string;
  accentColor: string;
  heading: string;
  paragraphs: string[];
  button?: { label: string; url: string };
  /** Small print under the button (e.g. "this link expires in 15 minutes"). */
  note?: string;
  /** A question with one link per answer, after the button (e.g. "what stopped you?"). */
  links?: { title: string; items: { label: string; url: string }[] };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function renderEmail(c: EmailContent): { html: string; text: string } {
  const accent = /^#[0-9a-f]{6}$/i.test(c.accentColor) ? c.accentColor : "#b4532a";
  const paragraphs = c.paragraphs
    .map((p) => `<p style="margin:0 0 16px;font-size:16px;line-height:1.55;color:#222">${esc(p)}</p>`)
    .join("");
  const button = c.button
    ? `<p style="margin:24px 0"><a href="${esc(c.button.url)}" style="display:inline-block;background:${accent};color:#fff;text-decoration:none;font-weight:600;padding:12px 22px;border-radius:8px;font-size:16px">${esc(c.button.label)}</a></p>
<p style="margin:0 0 16px;font-size:13px;color:#555;word-break:break-all">${esc(c.button.url)}</p>`
    : "";
  const links = c.links
    ? `<p style="margin:24px 0 8px;font-size:16px;font-weight:600;color:#222">${esc(c.links.title)}</p><ul style="margin:0 0 16px;padding-left:20px">${c.links.items
        .map(
          (l) =>
            `<li style="margin:0 0 8px;font-size:16px"><a href="${esc(l.url)}" style="color:${accent}">${esc(l.label)}</a></li>`,
        )
        .join("")}</ul>`
    : "";
  const note = c.note ? `<p style="margin:0 0 16px;font-size:14px;color:#555">${esc(c.note)}</p>` : "";
  const footer = t(c.locale, "mail.footer", { site: c.siteName });
  const html = `<!doctype html><html lang="${c.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(c.heading)}</title></head>
<body style="margin:0;padding:0;background:#f6f3ef;font-family:Georgia,'Times New Roman',serif">
<div style="max-width:560px;margin:0 auto;padding:32px 20px">
<p style="margin:0 0 24px;font-size:14px;letter-spacing:.04em;text-transform:uppercase;color:${accent};font-weight:700">${esc(c.siteName)}</p>
<div style="background:#fff;border-radius:12px;padding:28px 24px">
<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;color:#111">${esc(c.heading)}</h1>
${paragraphs}${button}${links}${note}
</div>
<p style="margin:24px 0 0;font-size:12px;color:#777">${esc(footer)}</p>
</div></body></html>`;
  const text = [
    c.siteName,
    "",
    c.heading,
    "",
    ...c.paragraphs.flatMap((p) => [p, ""]),
    ...(c.button ? [`${c.button.label}: ${c.button.url}`, ""] : []),
    ...(c.links ? [c.links.title, ...c.links.items.map((l) => `- ${l.label}: ${l.url}`), ""] : []),
    ...(c.note ? [c.note, ""] : []),
    "--",
    footer,
  ].join("\n");
  return { html, text };
}
