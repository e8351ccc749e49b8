import { jsx as honoJsx } from "hono/jsx/jsx-runtime";
import { raw, escapeToBuffer, type HtmlEscapedString, type HtmlEscapedCallback } from "hono/utils/html";

/**
 * A JSX runtime that builds the HTML string as it goes, for the hot public views (the layout, the post
 * page, the members' pages). Hono's runtime builds a tree of nodes and walks it once more to print it:
 * on an uncached post page that was a fifth of the CPU. A file opts in with
 * `@jsxImportSource #html-jsx` and renders the very same bytes as with Hono's: same attribute names,
 * escaping, boolean attributes and void elements (views/html-jsx.test.ts compares them). What it does
 * not handle itself (style objects, SVG, function props) it hands to Hono's runtime, whose output it
 * embeds; Hono nodes (children from views that use Hono's runtime) are printed in place.
 * The result is Hono's escaped string, so it nests in Hono trees and goes to c.html() as before.
 */
export type { JSX } from "hono/jsx/jsx-runtime";

type Out = HtmlEscapedString | Promise<HtmlEscapedString>;
type Props = Record<string, unknown> & { children?: unknown };
type Component = (props: Props) => unknown;

const voidTags = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "keygen",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);
// The attributes HTML reads as present/absent (Hono's list): `true` prints name="", `false` nothing.
const booleanAttributes = new Set([
  "allowfullscreen",
  "async",
  "autofocus",
  "autoplay",
  "checked",
  "controls",
  "default",
  "defer",
  "disabled",
  "download",
  "formnovalidate",
  "hidden",
  "inert",
  "ismap",
  "itemscope",
  "loop",
  "multiple",
  "muted",
  "nomodule",
  "novalidate",
  "open",
  "playsinline",
  "readonly",
  "required",
  "reversed",
  "selected",
  "shadowrootclonable",
  "shadowrootdelegatesfocus",
  "shadowrootserializable",
]);
const renamed = new Map([
  ["className", "class"],
  ["htmlFor", "for"],
  ["crossOrigin", "crossorigin"],
  ["httpEquiv", "http-equiv"],
  ["itemProp", "itemprop"],
  ["fetchPriority", "fetchpriority"],
  ["noModule", "nomodule"],
  ["formAction", "formaction"],
]);
const plainName = /^[a-zA-Z][a-zA-Z0-9_.:-]*$/;
const plainTag = /^[a-z][a-z0-9-]*$/;

/** Parts of an element being printed: strings, and promises when an async component or Hono node gave one. */
interface Sink {
  s: string;
  parts: (string | Promise<HtmlEscapedString>)[] | null;
  callbacks: HtmlEscapedCallback[] | null;
}

function escaped(text: string, sink: Sink): void {
  const buffer: [string] = [sink.s];
  escapeToBuffer(text, buffer);
  sink.s = buffer[0];
}

function later(p: Promise<unknown>, sink: Sink): void {
  (sink.parts ??= []).push(sink.s);
  sink.s = "";
  sink.parts.push(
    p.then((v) => {
      const inner: Sink = { s: "", parts: null, callbacks: null };
      child(v, inner);
      return finish(inner) as HtmlEscapedString | Promise<HtmlEscapedString>;
    }) as Promise<HtmlEscapedString>,
  );
}

function child(c: unknown, sink: Sink): void {
  if (typeof c === "string") return escaped(c, sink);
  if (c === null || c === undefined || typeof c === "boolean") return;
  if (typeof c === "number") {
    sink.s += c;
    return;
  }
  if (Array.isArray(c)) {
    for (const x of c) child(x, sink);
    return;
  }
  if (c instanceof Promise) return later(c, sink);
  const o = c as { isEscaped?: boolean; callbacks?: HtmlEscapedCallback[]; toStringToBuffer?: unknown };
  // A Hono node (it is marked escaped too): printed by Hono, which may answer a promise.
  if (typeof o.toStringToBuffer === "function") {
    const s = (c as { toString(): string | Promise<string> }).toString();
    if (s instanceof Promise) return later(s, sink);
    return child(raw(s, (s as HtmlEscapedString).callbacks), sink);
  }
  if (o.isEscaped) {
    sink.s += String(c);
    if (o.callbacks?.length) (sink.callbacks ??= []).push(...o.callbacks);
  }
  // Any other object prints nothing, as in Hono.
}

function finish(sink: Sink): Out {
  if (!sink.parts) return raw(sink.s, sink.callbacks ?? undefined);
  const parts = [...sink.parts, sink.s];
  const callbacks = sink.callbacks;
  return Promise.all(parts).then((all) => {
    const cbs = [...(callbacks ?? [])];
    for (const p of all as unknown[]) {
      const more = (p as HtmlEscapedString | null)?.callbacks;
      if (typeof p === "object" && more) cbs.push(...more);
    }
    return raw(all.join(""), cbs.length ? cbs : undefined);
  });
}

/** Attributes printed as Hono prints them; null when one needs Hono's own handling. */
function attributes(tag: string, props: Props): string | null {
  let out = "";
  for (const k in props) {
    if (k === "children" || k === "dangerouslySetInnerHTML") continue;
    const v = props[k];
    if (k === "ref" || v === null || v === undefined) continue;
    const key = renamed.get(k) ?? k;
    // A camelCase name Hono would rewrite inside an SVG, or a name to check: Hono's own rules decide.
    if (!plainName.test(key) || (key === k && /[A-Z]/.test(k))) return null;
    if (typeof v === "string") {
      const buffer: [string] = [`${out} ${key}="`];
      escapeToBuffer(v, buffer);
      out = `${buffer[0]}"`;
    } else if (typeof v === "number") out += ` ${key}="${v}"`;
    else if (typeof v === "boolean") {
      if (booleanAttributes.has(key)) {
        if (v) out += ` ${key}=""`;
      } else out += ` ${key}="${v}"`;
    } else return null;
  }
  return out;
}

function element(tag: string, props: Props, key: unknown): Out {
  const attrs = plainTag.test(tag) && tag !== "svg" ? attributes(tag, props) : null;
  if (attrs === null) return fromHono(tag, props, key);
  const sink: Sink = { s: `<${tag}${attrs}`, parts: null, callbacks: null };
  const inner = props.dangerouslySetInnerHTML as { __html?: unknown } | undefined;
  const hasChildren = "children" in props && !(Array.isArray(props.children) && props.children.length === 0);
  if (inner && typeof inner === "object" && "__html" in inner) {
    if (hasChildren) throw new Error("Can only set one of `children` or `props.dangerouslySetInnerHTML`.");
    sink.s += `>${String(inner.__html)}</${tag}>`;
    return finish(sink);
  }
  if (!hasChildren && voidTags.has(tag)) {
    sink.s += "/>";
    return finish(sink);
  }
  sink.s += ">";
  child(props.children, sink);
  sink.s += `</${tag}>`;
  return finish(sink);
}

function fromHono(tag: string, props: Props, key: unknown): Out {
  const node = honoJsx(tag, props, key as string) as unknown as { toString(): string | Promise<string> };
  const s = node.toString();
  return s instanceof Promise
    ? (s.then((v) => raw(v, (v as HtmlEscapedString).callbacks)) as Promise<HtmlEscapedString>)
    : raw(s, (s as HtmlEscapedString).callbacks);
}

/**
 * What c.html() should get: a plain string when nothing is left to resolve. Given a String object,
 * Hono's node adapter no longer sees a string body and streams it (it cost more than the render).
 */
export function htmlBody(out: Out): string | Out {
  if (out instanceof Promise) return out.then((s) => (s.callbacks?.length ? s : s.toString())) as Out;
  return out.callbacks?.length ? out : out.toString();
}

export function Fragment(props: { children?: unknown }): Out {
  const sink: Sink = { s: "", parts: null, callbacks: null };
  child(props.children, sink);
  return finish(sink);
}

export function jsx(tag: string | Component, props: Props, key?: unknown): Out {
  if (typeof tag === "function") {
    const sink: Sink = { s: "", parts: null, callbacks: null };
    child(tag(props ?? {}), sink);
    return finish(sink);
  }
  return element(tag, props ?? {}, key);
}

export { jsx as jsxs, jsx as jsxDEV };
