// Bundles the server into dist/atelier.mjs with esbuild (shipped with tsx), so
// `npm start` loads one file instead of hundreds of TypeScript modules through
// a loader hook: start-up drops from seconds to about one. npm packages stay
// external. Each source file keeps its own import.meta.url, so code that finds
// files beside itself (assets) works unchanged. Migrations are bundled too and
// registered before the CLI runs. dist/start.mjs turns on Node's compile cache
// before loading the bundle, so the npm packages' code is not recompiled at
// every start.
//
// `npm start` runs this first: when nothing the bundle is made from changed
// (every file under src/, package-lock.json, this script: paths, sizes and
// modification times), dist/ is kept and this exits in a few milliseconds.
// BUILD_FORCE=1 rebuilds anyway.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = path.join(root, "src") + path.sep;
const stampFile = path.join(root, "dist/.build-stamp");

function sourcesFingerprint() {
  const hash = createHash("sha256");
  const add = (file) => {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    hash.update(`${path.relative(root, file)} ${st ? `${st.size} ${st.mtimeMs}` : "-"}\n`);
  };
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else add(full);
    }
  };
  walk(path.join(root, "src"));
  for (const f of ["package-lock.json", "scripts/build.mjs"]) add(path.join(root, f));
  return hash.digest("hex");
}

/** True when dist/ was built from exactly these sources (BUILD_FORCE=1: never). */
export function isUpToDate(fingerprint = sourcesFingerprint()) {
  return (
    !process.env.BUILD_FORCE &&
    fs.existsSync(path.join(root, "dist/atelier.mjs")) &&
    fs.existsSync(path.join(root, "dist/start.mjs")) &&
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, "utf8") === fingerprint
  );
}

/** Builds dist/ when a source changed; returns whether it built. */
export async function buildIfChanged() {
  const fingerprint = sourcesFingerprint();
  if (isUpToDate(fingerprint)) return false;
  await buildBundle(fingerprint);
  return true;
}

async function buildBundle(fingerprint) {
  const { build } = await import("esbuild");

  const keepImportMetaUrl = {
    name: "keep-import-meta-url",
    setup(b) {
      b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
        if (!args.path.startsWith(srcDir)) return undefined;
        const source = await fs.promises.readFile(args.path, "utf8");
        const contents = source.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href));
        return { contents, loader: args.path.endsWith(".tsx") ? "tsx" : "ts" };
      });
    },
  };

  /** Every migration file, in the loader's order (see migrationFolders in src/platform/db/index.ts). */
  function migrationFiles() {
    const folders = [path.join(root, "src/platform/db/migrations")];
    const modules = path.join(root, "src/modules");
    for (const name of fs.readdirSync(modules).sort()) {
      const folder = path.join(modules, name, "migrations");
      if (fs.existsSync(folder)) folders.push(folder);
    }
    return folders.flatMap((folder) =>
      fs
        .readdirSync(folder)
        .sort()
        .filter((f) => /^\d{10}_[a-z0-9_]+\.ts$/.test(f))
        .map((f) => ({ name: f.replace(/\.ts$/, ""), file: path.join(folder, f) })),
    );
  }

  const migrations = migrationFiles();
  const entry = [
    `import { registerBundledMigrations } from ${JSON.stringify(path.join(root, "src/platform/db/index.ts"))};`,
    ...migrations.map((m, i) => `import * as m${i} from ${JSON.stringify(m.file)};`),
    `registerBundledMigrations({ ${migrations.map((m, i) => `${JSON.stringify(m.name)}: m${i}`).join(", ")} });`,
    `await import(${JSON.stringify(path.join(root, "src/cli/main.ts"))});`,
  ].join("\n");

  const started = performance.now();
  await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: "atelier-entry.ts", loader: "ts" },
    outfile: path.join(root, "dist/atelier.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    // npm packages are bundled too (fewer files to resolve and compile at start),
    // except native addons and what must stay beside its own files.
    external: ["better-sqlite3", "sharp", "pg-native", "playwright-core", "esbuild", "tsx"],
    jsx: "automatic",
    jsxImportSource: "hono/jsx",
    sourcemap: "linked",
    // Whitespace and syntax only: identifiers (and so stack-trace names) stay; a third of the bytes to
    // read, hash and compile at every start.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: "warning",
    plugins: [keepImportMetaUrl],
    banner: {
      js: [
        "// Built by scripts/build.mjs from src/ — edit the sources, not this file.",
        // Bundled CommonJS packages call require() for Node's built-ins.
        'import { createRequire as __atelierCreateRequire } from "node:module";',
        "const require = __atelierCreateRequire(import.meta.url);",
      ].join("\n"),
    },
  });
  fs.writeFileSync(
    path.join(root, "dist/start.mjs"),
    `// Built by scripts/build.mjs. Caches compiled code of the npm packages between starts.\nimport module from "node:module";\nimport os from "node:os";\nimport path from "node:path";\nmodule.enableCompileCache?.(process.env.NODE_COMPILE_CACHE || path.join(os.tmpdir(), "atelier-compile-cache"));\nawait import("./atelier.mjs");\n`,
  );
  fs.writeFileSync(stampFile, fingerprint);
  if (process.env.BUILD_VERBOSE) console.log(`built dist/atelier.mjs in ${Math.round(performance.now() - started)} ms`);
}

// Run as a script (`npm run build`); scripts/start.mjs imports it instead.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await buildIfChanged();
