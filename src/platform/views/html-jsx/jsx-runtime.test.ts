import assert from "node:assert/strict";
import { test } from "node:test";
import { jsx as honoJsx, Fragment as HonoFragment } from "hono/jsx/jsx-runtime";
import { raw } from "hono/html";
import { jsx, Fragment, htmlBody } from "./jsx-runtime.ts";

/* Issue 8 (real speed): the string-building runtime prints exactly what Hono's runtime prints. */

type Make = (tag: unknown, props: Record<string, unknown>) => unknown;
const print = async (out: unknown) =>
  String(await ((await out) as { toString(): string | Promise<string> }).toString());

/** The same tree built by both runtimes (each given its own jsx and Fragment). */
const cases: [string, (h: Make, F: unknown) => unknown][] = [
  ["text is escaped", (h) => h("p", { children: `a < b & "c" 'd' > e` })],
  ["attributes are escaped", (h) => h("a", { href: `/x?a=1&b="2"`, title: "<'>", children: "x" })],
  [
    "void elements close themselves",
    (h) => h("div", { children: [h("img", { src: "/a.png", alt: "" }), h("br", {})] }),
  ],
  ["an empty non-void element", (h) => h("textarea", { name: "t", children: undefined })],
  [
    "numbers, null, false and nested arrays",
    (h) => h("ol", { children: [1, null, false, [h("li", { children: 2 }), [h("li", { children: "3" })]]] }),
  ],
  ["boolean attributes", (h) => h("input", { type: "checkbox", checked: true, disabled: false, required: true })],
  ["other booleans print their value", (h) => h("span", { "aria-hidden": true, draggable: false, children: "·" })],
  [
    "null and undefined attributes are left out",
    (h) => h("p", { id: undefined, class: null, "data-x": 0, children: "" }),
  ],
  ["renamed attributes", (h) => h("label", { htmlFor: "f", className: "c", children: "L" })],
  ["dangerouslySetInnerHTML", (h) => h("div", { class: "prose", dangerouslySetInnerHTML: { __html: "<b>ok</b>" } })],
  ["raw strings are not escaped again", (h) => h("div", { children: [raw("<i>r</i>"), "<t>"] })],
  ["fragments", (h, F) => h("div", { children: h(F, { children: [h("a", { href: "/" }), "x"] }) })],
  [
    "components get their children",
    (h) => {
      const Box = (p: { title: string; children?: unknown }) =>
        h("section", { children: [h("h2", { children: p.title }), p.children] });
      return h(Box, { title: "T & U", children: [h("p", { children: "one" }), h("p", { children: "two" })] });
    },
  ],
  ["a component returning a string or nothing", (h) => h("div", { children: [h(() => "<s>", {}), h(() => null, {})] })],
  ["style objects", (h) => h("div", { style: { marginTop: 4, color: "red" }, children: "s" })],
  [
    "head, meta and links",
    (h) =>
      h("html", {
        lang: "fr",
        children: [
          h("head", {
            children: [
              h("meta", { charset: "utf-8" }),
              h("title", { children: "T" }),
              h("link", { rel: "canonical", href: "/c" }),
              h("script", { src: "/a.js", defer: true }),
            ],
          }),
          h("body", {
            children: h("form", {
              method: "post",
              action: "/x",
              children: h("button", { type: "submit", children: "ok" }),
            }),
          }),
        ],
      }),
  ],
];

for (const [name, build] of cases) {
  test(`html-jsx: ${name}`, async () => {
    const expected = await print(build(honoJsx as Make, HonoFragment));
    const actual = await print(build(jsx as Make, Fragment));
    assert.equal(actual, expected);
  });
}

test("html-jsx: Hono nodes and async components inside a tree", async () => {
  const honoPart = honoJsx("em", { children: "h<" });
  const asyncPart = async () => jsx("b", { children: "later" });
  const out = jsx("p", { children: [honoPart, jsx(asyncPart as never, {}), "!"] });
  assert.ok(out instanceof Promise);
  assert.equal(await print(out), "<p><em>h&lt;</em><b>later</b>!</p>");
});

test("html-jsx: c.html() is given a plain string", async () => {
  const body = htmlBody(jsx("p", { children: "x" }));
  assert.equal(typeof body, "string");
  assert.equal(body, "<p>x</p>");
  assert.equal(await htmlBody(Promise.resolve(raw("<i>y</i>"))), "<i>y</i>");
});
