import assert from "node:assert/strict";
import { testClock } from "../time.ts";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { getRequestListener } from "@hono/node-server";
import { setCookie } from "hono/cookie";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { createApp } from "./app.tsx";
import { conditionalResponse, notModified, validatorsOf } from "./conditional.ts";
import { createSession } from "../security/sessions.ts";
import { markCacheable, PageCache, pageCacheKey, pageCacheStats } from "./page-cache.ts";
import { putSetting, getSiteSettings, updateSiteSettings } from "../settings.ts";

/*
 * A tiny app on the real platform stack (context middleware: settings,
 * locale, sessions) behind the cache, with a clock the tests move.
 */
let app: TestApp;
let server: http.Server;
let base = "";
let clock = 1_000_000;
/** The services' clock (the settings cache reads it), starting now so sessions are current. */
const settingsClock = testClock(Date.now());
let renders = 0;
const cache = new PageCache({ ttlMs: 2000, now: () => clock });

before(async () => {
  app = await startTestApp({ clock: settingsClock });
  const hono = createApp(app.running.services, [
    {
      name: "cache-test",
      tables: [],
      routes(r) {
        r.get("/page", (c) => {
          markCacheable(c);
          renders++;
          return c.html(`<!doctype html><p>${c.var.site.name} · ${c.var.locale} · render ${renders}</p>`);
        });
        r.get("/with-cookie", (c) => {
          markCacheable(c);
          setCookie(c, "flash", "x");
          renders++;
          return c.html(`<p>render ${renders}</p>`);
        });
        r.get("/plain", (c) => {
          renders++;
          return c.html(`<p>render ${renders}</p>`);
        });
        r.get("/feed.xml", (c) => {
          renders++;
          const body = `<?xml version="1.0"?><rss><channel><title>${renders}</title></channel></rss>`;
          return conditionalResponse(c, body, {
            "Content-Type": "application/rss+xml; charset=utf-8",
            "Cache-Control": "public, max-age=300",
            ...validatorsOf(body, "2026-11-20T10:00:00.000Z"),
          });
        });
        r.get("/json", (c) => {
          markCacheable(c);
          renders++;
          return c.json({ renders });
        });
      },
    },
  ]);
  server = http.createServer(
    cache.wrapListener(getRequestListener(cache.wrapFetch((req, env) => hono.fetch(req, env)))),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  cache.close();
  await app.stop();
});

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A raw HTTP request, so the test sees exactly the bytes and headers sent. */
function get(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

function comparable(h: http.IncomingHttpHeaders): Record<string, unknown> {
  const { date: _date, connection: _connection, "keep-alive": _keepAlive, ...rest } = h;
  return rest;
}

test("a cached response is byte-identical to the response it was stored from", async () => {
  cache.clear();
  const fr = { "accept-language": "fr-FR,fr;q=0.9" };
  const first = await get("/page", fr);
  const hits = cache.hits;
  const second = await get("/page", fr);
  assert.equal(cache.hits, hits + 1, "the second request is a hit");
  assert.equal(first.status, 200);
  assert.equal(second.status, 200);
  assert.ok(first.body.equals(second.body));
  assert.deepEqual(comparable(second.headers), comparable(first.headers));
  assert.equal(first.headers["x-atelier-cacheable"], undefined, "the opt-in header never leaves the server");
  assert.equal(second.headers["content-length"], String(second.body.length));
  const head = await get("/page", fr, "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers["content-length"], String(first.body.length));
});

test("a request with a session cookie (or any cookie but the language) bypasses the cache", async () => {
  cache.clear();
  const fr = { "accept-language": "fr" };
  const stored = await get("/page", fr);
  for (const cookie of ["atl_m=abc", "atl_s=abc", "atl_lang=fr; atl_m=abc", "other=1"]) {
    const hits = cache.hits;
    const res = await get("/page", { ...fr, cookie });
    assert.equal(cache.hits, hits, `no hit with ${cookie}`);
    assert.ok(!res.body.equals(stored.body), `rendered afresh with ${cookie}`);
  }
  assert.equal(pageCacheKey("GET", "/", "atl_m=x", "fr"), null);
  assert.equal(pageCacheKey("GET", "/", "atl_s=x", "fr"), null);
  assert.equal(pageCacheKey("GET", "/?a=1", undefined, "fr"), null);
  assert.equal(pageCacheKey("POST", "/", undefined, "fr"), null);
});

test("French and English get separate entries; the language cookie picks its entry", async () => {
  cache.clear();
  const fr = await get("/page", { "accept-language": "fr" });
  const en = await get("/page", { "accept-language": "en-GB,en;q=0.8" });
  assert.match(fr.body.toString(), / · fr · /);
  assert.match(en.body.toString(), / · en · /);
  assert.equal(cache.size, 2);
  const hits = cache.hits;
  const enAgain = await get("/page", { "accept-language": "fr", cookie: "atl_lang=en" });
  assert.equal(cache.hits, hits + 1);
  assert.ok(enAgain.body.equals(en.body));
  // No usable language: the site default, under its own key.
  const other = await get("/page", { "accept-language": "de" });
  assert.match(other.body.toString(), / · fr · /);
  assert.equal(cache.size, 3);
});

test("entries expire after the TTL, so a settings change made elsewhere shows", async () => {
  cache.clear();
  const fr = { "accept-language": "fr" };
  const before = await get("/page", fr);
  assert.match(before.body.toString(), /L’atelier de Camille/);
  // Another node changes the settings: nothing here is told.
  const site = await getSiteSettings(app.db);
  await putSetting(app.db, "site", { ...site, name: "Atelier Terre" });
  settingsClock.advance(1100); // past the settings' own 1 s cache, without sleeping
  clock += 1000;
  assert.ok((await get("/page", fr)).body.equals(before.body), "still fresh within the TTL");
  clock += 1500;
  const later = await get("/page", fr);
  assert.match(later.body.toString(), /Atelier Terre/);
  await putSetting(app.db, "site", site);
});

test("an expired page is rendered once: requests meanwhile get the previous answer, later ones the new", async () => {
  cache.clear();
  const fr = { "accept-language": "fr" };
  const first = await get("/page", fr);
  clock += 2500; // expired
  const rendersBefore = renders;
  const staleBefore = cache.stale;
  // Twenty at once: one re-renders, the ones the listener sees before it stored get the old bytes.
  const answers = await Promise.all(Array.from({ length: 20 }, () => get("/page", fr)));
  assert.equal(renders - rendersBefore, 1, "one render for twenty requests");
  const old = answers.filter((r) => r.body.equals(first.body)).length;
  assert.equal(cache.stale - staleBefore, old);
  assert.ok(
    answers.some((r) => !r.body.equals(first.body)),
    "the re-render's answer is served",
  );
  const after = await get("/page", fr);
  assert.ok(!after.body.equals(first.body), "once re-rendered, the new page is the one served");
  assert.equal(renders - rendersBefore, 1);
  // Long past its expiry (more than staleMs), an entry is never served stale: it renders again.
  clock += 10_000;
  const r = renders;
  await get("/page", fr);
  assert.equal(renders - r, 1);
});

test("a settings change on this node clears the cache at once", async () => {
  cache.clear();
  const fr = { "accept-language": "fr" };
  await get("/page", fr);
  assert.equal(cache.size, 1);
  await updateSiteSettings(app.db, { tagline: "Nouveau" });
  assert.equal(cache.size, 0);
});

test("Set-Cookie responses, unmarked pages, non-HTML and query strings are never stored", async () => {
  cache.clear();
  const withCookie = await get("/with-cookie");
  assert.ok(withCookie.headers["set-cookie"]);
  await get("/plain");
  await get("/json");
  await get("/page?x=1");
  assert.equal(cache.size, 0);
  const a = await get("/with-cookie");
  const b = await get("/with-cookie");
  assert.ok(!a.body.equals(b.body));
});

test("the real app serves its anonymous home page from the cache, never a member's", async () => {
  const pc = app.running.pageCache!;
  pc.clear();
  const anon = await fetch(`${app.url}/`, { headers: { "accept-language": "fr" } });
  const body1 = await anon.text();
  assert.equal(anon.status, 200);
  const hits = pc.hits;
  const again = await fetch(`${app.url}/`, { headers: { "accept-language": "fr" } });
  assert.equal(await again.text(), body1);
  assert.equal(pc.hits, hits + 1);
  const withSession = await fetch(`${app.url}/`, { headers: { "accept-language": "fr", cookie: "atl_m=whatever" } });
  await withSession.text();
  assert.equal(pc.hits, hits + 1);
});

test("a public feed is stored; its ETag and Last-Modified answer 304 from the cache", async () => {
  cache.clear();
  const first = await get("/feed.xml");
  assert.equal(first.status, 200);
  const etag = first.headers.etag!;
  assert.match(etag, /^"[\w-]{27}"$/);
  assert.equal(first.headers["last-modified"], "Fri, 20 Nov 2026 10:00:00 GMT");
  const hits = cache.hits;
  const again = await get("/feed.xml");
  assert.ok(again.body.equals(first.body), "served from the cache");
  assert.equal(cache.hits, hits + 1);
  const byTag = await get("/feed.xml", { "if-none-match": `"other", ${etag}` });
  assert.equal(byTag.status, 304);
  assert.equal(byTag.body.length, 0);
  assert.equal(byTag.headers.etag, etag);
  assert.equal(cache.hits, hits + 2, "the 304 came from the cache");
  const byDate = await get("/feed.xml", { "if-modified-since": "Sat, 21 Nov 2026 00:00:00 GMT" });
  assert.equal(byDate.status, 304);
  const older = await get("/feed.xml", { "if-modified-since": "Thu, 19 Nov 2026 00:00:00 GMT" });
  assert.equal(older.status, 200);
  assert.ok(older.body.equals(first.body));
  // If-None-Match wins over If-Modified-Since: a changed tag is a full answer whatever the date.
  const stale = await get("/feed.xml", {
    "if-none-match": '"old"',
    "if-modified-since": "Sat, 21 Nov 2026 00:00:00 GMT",
  });
  assert.equal(stale.status, 200);
  // Uncached (query string): the route answers the same 304 itself.
  const direct = await get("/feed.xml?fresh=1", { "if-modified-since": "Sat, 21 Nov 2026 00:00:00 GMT" });
  assert.equal(direct.status, 304);
});

test("conditional checks: weak tags, *, unreadable or future dates", () => {
  assert.equal(notModified('W/"a"', null, '"a"', null), true);
  assert.equal(notModified("*", null, '"a"', null), true);
  assert.equal(notModified('"b"', null, '"a"', null), false);
  assert.equal(notModified(null, null, '"a"', "Fri, 20 Nov 2026 10:00:00 GMT"), false);
  assert.equal(notModified(null, "yesterday", '"a"', "Fri, 20 Nov 2026 10:00:00 GMT"), false);
  assert.equal(
    notModified(null, new Date(Date.now() + 86_400_000).toUTCString(), null, "Fri, 20 Nov 2026 10:00:00 GMT"),
    false,
  );
  assert.equal(notModified(null, "Fri, 20 Nov 2026 10:00:00 GMT", null, "Fri, 20 Nov 2026 10:00:00 GMT"), true);
});

test("/healthz counts the page cache's hits and misses", async () => {
  const read = async () =>
    (
      (await (await fetch(`${app.url}/healthz`)).json()) as {
        pageCache: { hits: number; misses: number; bypassed: number };
      }
    ).pageCache;
  const pc = app.running.pageCache!;
  pc.clear();
  const before = await read();
  await (await fetch(`${app.url}/`, { headers: { "accept-language": "fr" } })).text();
  await (await fetch(`${app.url}/`, { headers: { "accept-language": "fr" } })).text();
  await (await fetch(`${app.url}/?q=1`, { headers: { "accept-language": "fr" } })).text();
  const after = await read();
  assert.equal(after.hits - before.hits, 1);
  assert.equal(after.bypassed - before.bypassed, 1);
  // The first home page and the second /healthz were misses; a query string bypasses the cache.
  assert.equal(after.misses - before.misses, 2);
  assert.deepEqual(pageCacheStats().hits >= after.hits, true);
});

test("a member's personal page is rendered for every request (no per-session cache)", async () => {
  const session = await createSession(app.db, "member", "member-z");
  const asMember = { cookie: `atl_m=${session.token}`, "accept-language": "fr" };
  const a = (await get("/page", asMember)).body.toString();
  const b = (await get("/page", asMember)).body.toString();
  assert.notEqual(a, b);
});
