import assert from "node:assert/strict";
import { LocalStorage, type Storage } from "../../platform/storage/index.ts";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import sharp from "sharp";
import { completeSetup } from "../../../test/support/app.ts";
import { freshDatabase, type FreshDatabase } from "../../../test/support/db.ts";
import { migrateToLatest, openDatabase, type Db, type DbHandle } from "../../platform/db/index.ts";
import { findPostBySlug, tagsOfPost } from "../publishing/index.ts";
import { htmlToMarkdown } from "./content.ts";
import { importPosts } from "./posts.ts";

let database: FreshDatabase;
let handle: DbHandle;
let db: Db;
let storage: Storage;
let server: http.Server;
let exportDir: string;
let imageRequests = 0;
const fixtures = path.join(import.meta.dirname, "fixtures");

before(async () => {
  database = await freshDatabase();
  handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  db = handle.db;
  storage = new LocalStorage(path.join(database.dataDir, "files"));
  await migrateToLatest(db);
  await completeSetup(db, { timeZone: "Europe/Paris" });
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#2255aa" } })
    .png()
    .toBuffer();
  server = http.createServer((req, res) => {
    imageRequests++;
    if (req.url === "/bowl.png") res.writeHead(200, { "content-type": "image/png" }).end(png);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  // The Substack export with its image pointing at our local server.
  exportDir = fs.mkdtempSync(path.join(os.tmpdir(), "substack-export-"));
  fs.cpSync(path.join(fixtures, "substack-export"), exportDir, { recursive: true });
  const html = path.join(exportDir, "posts", "101.spring-glazes.html");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bowl.png`;
  fs.writeFileSync(html, fs.readFileSync(html, "utf8").replace("IMAGE_URL", url));
});
after(async () => {
  server.close();
  fs.rmSync(exportDir, { recursive: true, force: true });
  await handle.close();
  await database.cleanup();
});

test("HTML becomes Markdown; scripts go, the paywall markers become ours", () => {
  const md = htmlToMarkdown(
    "<p>Hi <strong>you</strong></p><script>x()</script><!--members-only--><p>Paid</p>",
    "<!-- paywall -->",
  );
  assert.equal(md, "Hi **you**\n\n<!-- paywall -->\n\nPaid");
});

test("Substack posts: dates, audience, drafts kept as drafts, images downloaded, podcasts reported; twice changes nothing", async () => {
  const reports = await importPosts(db, storage, "substack", exportDir);
  assert.deepEqual(
    reports.map((r) => `${r.ref}:${r.status}:${r.reason ?? ""}`),
    [
      "101.spring-glazes:created:",
      "102.kiln-secrets:created:",
      "103.draft-idea:created:",
      "104.episode-1:failed:post_type_unsupported",
    ],
  );
  assert.deepEqual(reports[0]!.images, { saved: 1, kept: 1 });
  const spring = (await findPostBySlug(db, "spring-glazes"))!;
  assert.equal(spring.title, "Spring glazes, at last");
  assert.equal(spring.excerpt, "Three recipes, one kiln");
  assert.equal(spring.status, "published");
  assert.equal(spring.published_at, "2024-03-10T08:00:00.000Z");
  assert.equal(spring.audience, "public");
  assert.match(spring.body_md, /## The first recipe/);
  assert.match(spring.body_md, /!\[A blue bowl\]\(\/post-media\/[0-9a-f-]{36}\)/);
  assert.match(spring.body_md, /http:\/\/127\.0\.0\.1:9\/unreachable\.png/);
  assert.doesNotMatch(spring.teaser_html, /script|javascript:/);
  assert.match(spring.teaser_html, /<p>a bad link and <a/);
  assert.match(spring.teaser_html, /<a href="https:\/\/example\.com\/kiln"/);
  const kiln = (await findPostBySlug(db, "kiln-secrets"))!;
  assert.equal(kiln.audience, "paid");
  assert.match(kiln.teaser_html, /public part/);
  assert.match(kiln.paid_html, /cone 6/);
  assert.doesNotMatch(kiln.teaser_html, /cone 6/);
  assert.equal((await findPostBySlug(db, "draft-idea"))!.status, "draft");

  const requests = imageRequests;
  const again = await importPosts(db, storage, "substack", exportDir);
  assert.deepEqual(
    again.map((r) => r.status),
    ["unchanged", "unchanged", "unchanged", "failed"],
  );
  assert.equal(imageRequests, requests, "no image downloaded twice");
});

test("Ghost posts: members-only marker, visibility, tags without internal ones, old mobiledoc-only posts reported", async () => {
  const reports = await importPosts(db, storage, "ghost", path.join(fixtures, "ghost-export.json"));
  assert.deepEqual(
    reports.map((r) => `${r.ref.slice(-4)}:${r.status}:${r.reason ?? ""}`),
    ["aaaa:created:", "bbbb:created:", "cccc:failed:title_missing", "dddd:failed:html_missing"],
  );
  const news = (await findPostBySlug(db, "atelier-news"))!;
  assert.equal(news.audience, "members");
  assert.equal(news.published_at, "2024-06-01T09:00:00.000Z");
  assert.match(news.teaser_html, /Open studio/);
  assert.match(news.paid_html, /early hour/);
  assert.deepEqual(
    (await tagsOfPost(db, news.id)).map((t) => t.name),
    ["Studio"],
  );
  assert.equal((await findPostBySlug(db, "paid-tutorial"))!.audience, "paid");
});
