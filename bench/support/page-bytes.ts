// `npx node --import tsx bench/support/page-bytes.ts DIR`: renders a fixed set of pages (anonymous, as a paying
// member, in English) of a seeded demo into DIR, one file per page, CSRF tokens masked; render twice (before
// and after a change to a view or the JSX runtime) and compare the directories (UUIDs differ per seed).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
const out = process.argv[2]!;
fs.mkdirSync(out, { recursive: true });
const { migrateToLatest, openDatabase } = await import("../../src/platform/db/index.ts");
const { seedDemo } = await import("../../src/modules/demo/seed.ts");
const { createSession } = await import("../../src/platform/security/sessions.ts");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "snap-"));
const h = openDatabase({ dataDir });
await migrateToLatest(h.db);
const seeded = await seedDemo(h.db, { members: 300, now: new Date("2026-11-20T10:00:00Z") });
const pm = seeded.offers!.payingMemberId!;
const cookie = `atl_m=${(await createSession(h.db, "member", pm)).token}`;
const posts = await h.db.selectFrom("posts").select("slug").where("status", "=", "published").orderBy("slug").execute();
const tags = await h.db.selectFrom("tags").select("slug").orderBy("slug").execute();
await h.close();
const { loadConfig } = await import("../../src/platform/config.ts");
const { start } = await import("../../src/main.ts");
const cfg = loadConfig({
  ...process.env,
  DATA_DIR: dataDir,
  PORT: "0",
  HOST: "127.0.0.1",
  LOG_LEVEL: "warn",
  SMTP_URL: "smtp://127.0.0.1:9",
  NODE_ENV: "production",
  PUBLIC_URL: "http://example.test",
});
const app = await start(cfg, { role: "web" });
const paths = [
  "/",
  "/blog",
  "/about",
  "/blog/page/2",
  "/pricing",
  "/join",
  "/login",
  ...tags.map((t) => `/tag/${t.slug}`),
  ...posts.map((p) => `/p/${p.slug}`),
];
const mpaths = ["/members-area", "/account", ...posts.map((p) => `/p/${p.slug}`), "/", "/about"];
const norm = (s: string) =>
  s.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="X"').replace(/data-csrf="[^"]*"/g, 'data-csrf="X"');
for (const [who, list, headers] of [
  ["anon", paths, { "accept-language": "fr" }],
  ["member", mpaths, { cookie, "accept-language": "fr" }],
  ["en", ["/", "/blog", ...posts.slice(0, 5).map((p) => `/p/${p.slug}`)], { "accept-language": "en" }],
] as const) {
  for (const p of list) {
    const r = await fetch(`${app.url}${p}?snap=1`, { headers: headers as Record<string, string> });
    const body = norm(await r.text());
    fs.writeFileSync(path.join(out, `${who}${p.replace(/\//g, "_")}.html`), `${r.status}\n${body}`);
  }
}
await app.stop();
fs.rmSync(dataDir, { recursive: true, force: true });
console.log("saved", fs.readdirSync(out).length);
