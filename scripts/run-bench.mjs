// `npm run bench [-- NAME...]`: runs bench/NAME.ts (all of bench/*.ts without a name) with this
// Node (24, from the `node` devDependency) through tsx; each writes bench/results/NAME.json.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const dir = path.resolve(import.meta.dirname, "../bench");
const all = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.endsWith(".test.ts"))
  .map((f) => f.slice(0, -3))
  .sort();
const names = process.argv.slice(2);
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`Unknown benchmark "${name}". Available: ${all.join(", ") || "(none)"}`);
    process.exit(2);
  }
}
let failed = 0;
for (const name of names.length ? names : all) {
  console.log(`== bench ${name} (node ${process.version})`);
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(dir, `${name}.ts`)], {
    stdio: "inherit",
    env: process.env,
  });
  if (r.status !== 0) {
    console.error(`bench ${name} failed (exit ${r.status})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
