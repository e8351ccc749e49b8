import { markdownToText, renderMarkdown } from "../../platform/markdown.ts";

/**
 * The paywall marker: a line of its own reading `<!-- paywall -->` (what the
 * editor's toolbar inserts) or `---paywall---` (easier to type by hand), case
 * and inner spaces ignored. Only the first marker outside a code fence counts;
 * what is above is the teaser, what is below is for the post's audience.
 */
export const PAYWALL_MARKER = "<!-- paywall -->";
const markerLine = /^\s*(?:<!--\s*paywall\s*-->|-{3,}\s*paywall\s*-{3,})\s*$/i;
const fenceLine = /^\s*(```|~~~)/;

export interface SplitBody {
  teaser: string;
  paid: string;
  hasMarker: boolean;
}

export function splitAtPaywall(md: string): SplitBody {
  const lines = md.replace(/\r\n?/g, "\n").split("\n");
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const f = fenceLine.exec(line);
    if (f) {
      if (fence === null) fence = f[1]!;
      else if (f[1] === fence) fence = null;
      continue;
    }
    if (fence === null && markerLine.test(line)) {
      // Later markers in the paid part are dropped, not shown as text.
      const rest = lines.slice(i + 1).filter((l) => !markerLine.test(l));
      return { teaser: lines.slice(0, i).join("\n").trim(), paid: rest.join("\n").trim(), hasMarker: true };
    }
  }
  return { teaser: md.trim(), paid: "", hasMarker: false };
}

export interface RenderedBody {
  teaserHtml: string;
  paidHtml: string;
  teaserText: string;
  paidText: string;
  readingMinutes: number;
}

/**
 * Renders a post body for its audience. A public post has no paid part (the
 * marker is ignored: everyone may read everything). A gated post's teaser is
 * what is above the marker — nothing when there is no marker — and its paid
 * part everything else, so a surface that shows only the teaser to the wrong
 * reader can never show gated text by accident.
 */
export function renderBody(md: string, isPublic: boolean): RenderedBody {
  const split = splitAtPaywall(md);
  let teaser: string;
  let paid: string;
  if (isPublic) {
    teaser = split.hasMarker ? `${split.teaser}\n\n${split.paid}`.trim() : split.teaser;
    paid = "";
  } else if (split.hasMarker) {
    teaser = split.teaser;
    paid = split.paid;
  } else {
    teaser = "";
    paid = split.teaser;
  }
  const teaserText = teaser ? markdownToText(teaser, 100_000) : "";
  const paidText = paid ? markdownToText(paid, 100_000) : "";
  const words = `${teaserText} ${paidText}`.split(/\s+/).filter(Boolean).length;
  return {
    teaserHtml: teaser ? renderMarkdown(teaser) : "",
    paidHtml: paid ? renderMarkdown(paid) : "",
    teaserText,
    paidText,
    readingMinutes: Math.max(1, Math.round(words / 230)),
  };
}

/** A URL slug from any title: ASCII letters, digits and dashes (accents folded, "œ" → "oe"). */
export function slugify(input: string, max = 80): string {
  const s = input
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/œ/gi, "oe")
    .replace(/æ/gi, "ae")
    .replace(/ß/g, "ss")
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return s.slice(0, max).replace(/-+$/g, "");
}

export const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
