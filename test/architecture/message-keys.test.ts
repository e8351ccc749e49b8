import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { platformMessages } from "../../src/platform/i18n/messages.ts";
import { modules } from "../../src/modules/index.ts";

/*
 * Every message key the code names must exist in French AND English: a key
 * missing from a catalog shows people a raw "error.unsupported_media_type".
 * Keys are found where the code hands them to the translator: t("…") and
 * tt("…"), AppError's message key (or its code's "error.<code>"), `key:` / `labelKey:` / `messageKey:`
 * fields, and zod messages ("offers.error.trial_range|max=365").
 */

const srcDir = path.resolve(import.meta.dirname, "../../src");

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "migrations" || e.name === "fixtures" ? [] : files(full);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [full] : [];
  });
}

const keyShape = "[a-z][a-z0-9_]*(?:\\.[a-z0-9_]+)+";
const patterns = [
  new RegExp(`\\b(?:t|tt|t2)\\(\\s*"(${keyShape})"`, "g"),
  new RegExp(`new AppError\\(\\s*"[^"]*",\\s*\\d+(?: as \\d+)?,\\s*"(${keyShape})"`, "g"),
  new RegExp(`\\b(?:key|labelKey|allLabelKey|messageKey|errorKey):\\s*"(${keyShape})"`, "g"),
  new RegExp(`["\`](${keyShape})\\|[a-z]+=`, "g"),
  // zod messages given as the second argument of a check: .max(120, "validation.too_long")
  new RegExp(`\\.(?:min|max|regex|refine|length|enum)\\([^()"]*,\\s*"(${keyShape})"`, "g"),
];

function keysUsed(): Map<string, string> {
  const used = new Map<string, string>();
  for (const file of files(srcDir)) {
    const code = fs.readFileSync(file, "utf8");
    for (const re of patterns)
      for (const m of code.matchAll(re)) if (!used.has(m[1]!)) used.set(m[1]!, path.relative(srcDir, file));
    // An AppError without a message key shows "error.<code>".
    for (const m of code.matchAll(/new AppError\(\s*"([a-z_]+)",\s*\d+(?: as \d+)?\s*\)/g))
      if (!used.has(`error.${m[1]}`)) used.set(`error.${m[1]}`, path.relative(srcDir, file));
  }
  return used;
}

test("every message key used in the code exists in fr and en", () => {
  const fr = new Set(Object.keys(platformMessages.fr));
  const en = new Set(Object.keys(platformMessages.en));
  for (const m of modules) {
    for (const k of Object.keys(m.messages?.fr ?? {})) fr.add(k);
    for (const k of Object.keys(m.messages?.en ?? {})) en.add(k);
  }
  const used = keysUsed();
  assert.ok(used.size > 300, `the scan finds the keys (${used.size})`);
  const missing = [...used]
    .filter(([k]) => !fr.has(k) || !en.has(k))
    .map(([k, file]) => `${k} (${file}: ${fr.has(k) ? "" : "fr "}${en.has(k) ? "" : "en"})`);
  assert.deepEqual(missing, []);
});
