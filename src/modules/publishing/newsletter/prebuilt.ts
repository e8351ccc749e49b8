import { randomBytes } from "node:crypto";
import type Mail from "nodemailer/lib/mailer";
import MailComposer from "nodemailer/lib/mail-composer";
import { encodeWord, foldLines, quoteString } from "nodemailer/lib/mime-funcs";

/**
 * A newsletter variant compiled to MIME once by nodemailer's own composer;
 * per recipient only the To and Message-ID headers and the two tokens
 * (unsubscribe, tracking) change, so a send fills bytes into a template
 * instead of composing, encoding and wrapping the same email 100,000 times.
 *
 * The tokens are filled where nodemailer wrote same-length placeholders. The
 * body is quoted-printable, which may have wrapped a placeholder with soft
 * line breaks ("=\r\n"): those are kept where they were, which stays valid
 * because tokens have a fixed length and only QP-safe characters. Anything
 * unexpected (a placeholder not found, a token of another length, a non-ASCII
 * address) answers null and the caller composes that message the usual way.
 */
type Part = string | { kind: "to" | "messageId" } | { kind: "unsub" | "track"; breaks: number[] };

export interface MessageTemplate {
  parts: Part[];
  unsubLength: number;
  trackLength: number;
}

export interface TemplateTokens {
  unsubToken: string;
  trackToken: string;
}

const SOFT_BREAK = "=\r\n";
/** Base64url and the dot: what tokens are made of, none of which quoted-printable changes. */
const qpSafeToken = /^[A-Za-z0-9_.-]*$/;
const placeholderAddress = "recipient@atelier-template.invalid";

function placeholder(length: number): string {
  return randomBytes(Math.ceil(length / 2) + 1)
    .toString("hex")
    .slice(0, length);
}

function occurrences(haystack: string, needle: string): number {
  return needle ? haystack.split(needle).length - 1 : 0;
}

/**
 * Compiles the email `build` describes for placeholder tokens of the given lengths.
 * `build` must put the tokens only in the html, the text and the headers.
 */
export async function compileTemplate(
  build: (tokens: TemplateTokens) => Mail.Options,
  lengths: { unsub: number; track: number },
): Promise<MessageTemplate | null> {
  const unsub = placeholder(lengths.unsub);
  const track = placeholder(lengths.track);
  const messageIdPlaceholder = `<${placeholder(24)}@atelier-template.invalid>`;
  const options = build({ unsubToken: unsub, trackToken: track });
  const mail: Mail.Options = {
    ...options,
    to: placeholderAddress,
    messageId: messageIdPlaceholder,
    textEncoding: "quoted-printable",
  };
  const raw = (await new MailComposer(mail).compile().build()).toString("latin1");
  if (!/^[\x00-\x7f]*$/.test(raw)) return null;

  const source = [String(options.html ?? ""), String(options.text ?? ""), JSON.stringify(options.headers ?? {})].join(
    "\n",
  );
  const spans: { index: number; length: number; part: Exclude<Part, string> }[] = [];
  for (const [kind, value] of [
    ["unsub", unsub],
    ["track", track],
  ] as const) {
    if (!value) continue;
    const pattern = new RegExp([...value].join("(?:=\\r\\n)?"), "g");
    const found = [...raw.matchAll(pattern)];
    if (found.length === 0 || found.length !== occurrences(source, value)) return null;
    for (const m of found) {
      const breaks: number[] = [];
      let chars = 0;
      for (let i = 0; i < m[0].length;) {
        if (m[0].startsWith(SOFT_BREAK, i)) {
          breaks.push(chars);
          i += SOFT_BREAK.length;
        } else {
          chars++;
          i++;
        }
      }
      spans.push({ index: m.index, length: m[0].length, part: { kind, breaks } });
    }
  }
  for (const [kind, line] of [
    ["to", `\r\nTo: ${placeholderAddress}\r\n`],
    ["messageId", `\r\nMessage-ID: ${messageIdPlaceholder}\r\n`],
  ] as const) {
    const at = raw.indexOf(line);
    if (at < 0 || raw.indexOf(line, at + 1) >= 0) return null;
    spans.push({ index: at + 2, length: line.length - 4, part: { kind } });
  }
  spans.sort((a, b) => a.index - b.index);
  const parts: Part[] = [];
  let at = 0;
  for (const s of spans) {
    if (s.index < at) return null;
    parts.push(raw.slice(at, s.index), s.part);
    at = s.index + s.length;
  }
  parts.push(raw.slice(at));
  return { parts, unsubLength: lengths.unsub, trackLength: lengths.track };
}

/** The To header line (without CRLF) as nodemailer writes it, or null for an address it would have to convert (IDN). */
export function toHeaderLine(name: string, address: string): string | null {
  if (!/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(address) || /[<>"\s,;]/.test(address)) return null;
  let display = "";
  if (name)
    display = /^[\w ]*$/.test(name)
      ? name
      : /^[\x20-\x7e]*$/.test(name)
        ? quoteString(name)
        : encodeWord(name, "Q", 52);
  return foldLines(`To: ${display ? `${display} <${address}>` : address}`, 76);
}

/** One recipient's message, or null when it must be composed the usual way. */
export function fillTemplate(
  t: MessageTemplate,
  r: { toLine: string | null; messageId: string; unsubToken: string; trackToken: string },
): Buffer | null {
  if (!r.toLine || r.unsubToken.length !== t.unsubLength || r.trackToken.length !== t.trackLength) return null;
  if (!qpSafeToken.test(r.unsubToken) || !qpSafeToken.test(r.trackToken) || !/^<[\x21-\x7e]+>$/.test(r.messageId))
    return null;
  let out = "";
  for (const p of t.parts) {
    if (typeof p === "string") out += p;
    else if (!("breaks" in p)) out += p.kind === "to" ? r.toLine : `Message-ID: ${r.messageId}`;
    else {
      const token = p.kind === "unsub" ? r.unsubToken : r.trackToken;
      let from = 0;
      for (const b of p.breaks) {
        out += token.slice(from, b) + SOFT_BREAK;
        from = b;
      }
      out += token.slice(from);
    }
  }
  return Buffer.from(out, "latin1");
}
