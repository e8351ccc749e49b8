import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { modulesDir, sourceFiles } from "./scan.ts";

/**
 * Every state-changing operation leaves a typed event (ARCHITECTURE.md, "Events"): the timeline
 * and the audit trail are complete only if no operation changes state silently. Checked on the
 * modules whose catalogue was reviewed; an operation whose service records the event itself
 * (same transaction) is listed with that service.
 */
const checked = ["offers", "members", "publishing"];

/** Operation name → where its event is recorded, when not in the operation's own body. */
const recordedByService: Record<string, string> = {
  "members.erase": "eraseMember records member.deleted",
  "publishing.set_comment_block": "blockMember / unblockMember record comments.blocked / comments.unblocked",
};

function operationsIn(source: string): { name: string; body: string }[] {
  return source
    .split(/(?=defineOperation\()/)
    .slice(1)
    .map((body) => ({ name: /name: "([^"]+)"/.exec(body)?.[1] ?? "?", body }));
}

test("every operation of the reviewed modules records a declared event", () => {
  const silent: string[] = [];
  let seen = 0;
  for (const m of checked)
    for (const file of sourceFiles(path.join(modulesDir, m))) {
      if (file.endsWith(".test.ts")) continue;
      for (const op of operationsIn(fs.readFileSync(file, "utf8"))) {
        seen++;
        const records = /\brecord(Saved)?\(/.test(op.body);
        if (!records && !recordedByService[op.name]) silent.push(`${path.relative(modulesDir, file)}: ${op.name}`);
      }
    }
  assert.ok(seen >= 20, `found ${seen} operations`);
  assert.deepEqual(silent, []);
});

test("the scan sees an operation that records nothing", () => {
  const ops = operationsIn(
    'const a = defineOperation({ name: "x.a", async run({ record }) { await record(e, {}, { memberId: null }); } });\n' +
      'const b = defineOperation({ name: "x.b", async run({ trx }) { await trx.deleteFrom("t").execute(); } });',
  );
  assert.deepEqual(
    ops.map((o) => [o.name, /\brecord(Saved)?\(/.test(o.body)]),
    [
      ["x.a", true],
      ["x.b", false],
    ],
  );
});
