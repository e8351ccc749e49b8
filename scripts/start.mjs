// `npm start` (and `npm run demo`, `npm run atelier`): rebuilds dist/ only when a source changed
// (scripts/build.mjs), then runs the bundle in this same process — one Node start instead of two
// (a separate `node scripts/build.mjs &&` cost a whole process start, ~0.1 s, at every start).
// The compile cache is turned on before the bundle loads, as dist/start.mjs does.
import module from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildIfChanged } from "./build.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
await buildIfChanged();
module.enableCompileCache?.(process.env.NODE_COMPILE_CACHE || path.join(os.tmpdir(), "atelier-compile-cache"));
await import(pathToFileURL(path.join(root, "dist/atelier.mjs")).href);
