import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import "../../src/modules/index.ts";
import { describeEvent, eventCatalogue, timelineFormat } from "../../src/platform/events/index.ts";

const srcDir = path.resolve(import.meta.dirname, "../../src");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [full] : [];
  });
}

test("every declared event has a valid example that reads as a sentence in French and English", () => {
  const catalogue = eventCatalogue();
  assert.ok(catalogue.size >= 25, `only ${catalogue.size} event types declared`);
  for (const [type, def] of catalogue) {
    assert.match(type, /^[a-z_]+\.[a-z_]+$/, type);
    assert.ok(def.payload.safeParse(def.example).success, `${type}: example matches the payload schema`);
    for (const locale of ["fr", "en"] as const) {
      const line = describeEvent({ type, version: def.version, data: def.example }, timelineFormat(locale));
      assert.ok(line.declared, `${type} ${locale}`);
      assert.notEqual(line.text, type, `${type} ${locale} reads as text, not as its name`);
      assert.doesNotMatch(line.text, /undefined|NaN|\[object/, `${type} ${locale}: ${line.text}`);
    }
  }
});

test("amounts and names read in the viewer's language", () => {
  const def = eventCatalogue().get("subscription.changed")!;
  const fr = describeEvent({ type: def.type, version: 1, data: def.example }, timelineFormat("fr")).text;
  const en = describeEvent({ type: def.type, version: 1, data: def.example }, timelineFormat("en")).text;
  assert.equal(fr, "A pris l’adhésion Le Cercle · 19,00\u00a0€ / mois");
  assert.equal(en, "Took the Le Cercle membership · €19.00 / month");
});

test("an unknown type, an old version or a malformed payload reads as the type name, without failing", () => {
  const fmt = timelineFormat("fr");
  assert.deepEqual(describeEvent({ type: "gone.away", version: 1, data: {} }, fmt), {
    text: "gone.away",
    declared: false,
  });
  assert.equal(describeEvent({ type: "order.paid", version: 99, data: {} }, fmt).declared, false);
  assert.equal(describeEvent({ type: "order.paid", version: 1, data: { amount: "x" } }, fmt).declared, false);
});

test("events are written only through record(): no other code inserts into the events table", () => {
  // Bulk writers (the demo seed, member imports) insert rows of declared types by the thousand.
  const allowed = new Set(["platform/events/log.ts", "modules/demo/seed.ts", "modules/members/bulk.ts"]);
  const offenders = sourceFiles(srcDir)
    .filter((f) => !allowed.has(path.relative(srcDir, f).split(path.sep).join("/")))
    .filter((f) => /insertInto\(\s*"events"\s*\)/.test(fs.readFileSync(f, "utf8")));
  assert.deepEqual(offenders, []);
});
