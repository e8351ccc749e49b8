import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { ESLint } from "eslint";

/** The atelier/module-boundaries lint rule, run on code placed (virtually) at a path of the repository. */
const root = path.resolve(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: root });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "atelier/module-boundaries").map((m) => m.message);
}

test("a module imports another module only through its index.ts", async () => {
  assert.deepEqual(await problems("src/modules/offers/x.ts", 'export { getMember } from "../members/index.ts";\n'), []);
  const deep = await problems("src/modules/offers/x.ts", 'export { toMember } from "../members/service.ts";\n');
  assert.equal(deep.length, 1);
  assert.match(deep[0]!, /'members' only through index\.ts/);
  const dynamic = await problems("src/modules/offers/x.ts", 'export const m = () => import("../members/links.ts");\n');
  assert.equal(dynamic.length, 1);
  // Inside one module, any file may import any other.
  assert.deepEqual(await problems("src/modules/members/admin/x.ts", 'export { toMember } from "../service.ts";\n'), []);
});

test("test code may also use another module's testing.ts, production code may not", async () => {
  const code = 'export { staffLogin } from "../staff/testing.ts";\n';
  assert.deepEqual(await problems("src/modules/admin/x.test.ts", code), []);
  assert.equal((await problems("src/modules/admin/x.ts", code)).length, 1);
});

test("platform code imports no module", async () => {
  const found = await problems("src/platform/http/x.ts", 'export { modules } from "../../modules/index.ts";\n');
  assert.equal(found.length, 1);
  assert.match(found[0]!, /Platform code must not import a module/);
});
