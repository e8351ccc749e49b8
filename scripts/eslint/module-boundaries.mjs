// ESLint rule atelier/module-boundaries: a module is entered only through its
// index.ts. Inside src/modules/<a>/, an import that resolves into
// src/modules/<b>/ (b ≠ a) must name <b>/index.ts; test code may also use
// <b>/testing.ts (the module's one file of test helpers). Platform code
// (src/platform) imports no module at all. Other code under src/ and test/
// enters modules through index.ts or testing.ts too.
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const modulesDir = path.join(root, "src", "modules") + path.sep;
const platformDir = path.join(root, "src", "platform") + path.sep;

/** "offers/service.ts" → { module: "offers", inner: "service.ts" }; null outside src/modules/<name>/. */
function moduleOf(file) {
  if (!file.startsWith(modulesDir)) return null;
  const [name, ...rest] = file.slice(modulesDir.length).split(path.sep);
  return rest.length ? { module: name, inner: rest.join("/") } : null;
}

/** Test code: *.test.ts(x), a testing.ts helper file, anything in a testing/ folder, or under test/. */
function isTestCode(file) {
  const rel = path.relative(root, file).split(path.sep).join("/");
  return (
    /\.test\.tsx?$/.test(rel) ||
    /(^|\/)testing\.tsx?$/.test(rel) ||
    rel.includes("/testing/") ||
    rel.startsWith("test/")
  );
}

export const moduleBoundaries = {
  meta: {
    type: "problem",
    docs: { description: "Modules are imported only through their index.ts; platform code imports no module." },
    messages: {
      deep: "{{from}} may import module '{{to}}' only through {{allowed}}, not '{{inner}}'.",
      platform: "Platform code must not import a module ('{{to}}'): pass what it needs in, or register it.",
    },
    schema: [],
  },
  create(context) {
    const file = path.resolve(context.filename);
    const from = moduleOf(file);
    const inPlatform = file.startsWith(platformDir);
    const test = isTestCode(file);
    function check(node, source) {
      if (!source || typeof source.value !== "string" || !source.value.startsWith(".")) return;
      const target = path.resolve(path.dirname(file), source.value);
      if (inPlatform && (target + path.sep).startsWith(modulesDir)) {
        context.report({ node, messageId: "platform", data: { to: path.relative(modulesDir, target) } });
        return;
      }
      const to = moduleOf(target);
      if (!to) return;
      if (from && from.module === to.module) return;
      if (to.inner === "index.ts" || (test && to.inner === "testing.ts")) return;
      context.report({
        node,
        messageId: "deep",
        data: {
          from: from ? `Module '${from.module}'` : path.relative(root, file),
          to: to.module,
          inner: to.inner,
          allowed: test ? "index.ts or testing.ts" : "index.ts",
        },
      });
    }
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === "Literal" ? node.source : null),
    };
  },
};
