import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { getRequestListener } from "@hono/node-server";
import { setCookie } from "hono/cookie";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { createApp } from "./app.tsx";
import { clearPrivatePages, markCacheable, markPrivateCacheable, PageCache, pageCacheKey } from "./page-cache.ts";
import { createSession } from "../security/sessions.ts";
import { putSetting, getSiteSettings, updateSiteSettings } from "../settings.ts";

/*
 * A tiny app on the real platform stack (context middleware: settings,
 * locale, sessions) behind the cache, with a clock the tests move.
 */
let app: TestApp;
let server: http.Server;
let base = "";
let clock = 1_000_000;
let renders = 0;
const cache = new PageCache({ ttlMs: 2000, now: () => clock });

before(async () => {
  app = await startTestApp();
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
        r.get("/mine", (c) => {
          markPrivateCacheable(c);
          renders++;
          return c.html(`<p>member ${c.var.memberSession?.subjectId ?? "none"} · render ${renders}</p>`);
        });
        r.post("/mine", (c) => c.text("ok"));
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
  await new Promise((r) => setTimeout(r, 1100)); // the settings' own 1 s cache
  clock += 1000;
  assert.ok((await get("/page", fr)).body.equals(before.body), "still fresh within the TTL");
  clock += 1500;
  const later = await get("/page", fr);
  assert.match(later.body.toString(), /Atelier Terre/);
  await putSetting(app.db, "site", site);
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

test("personal pages are cached per member session, never across sessions", async () => {
  cache.clear();
  const a = await createSession(app.db, "member", "member-a");
  const b = await createSession(app.db, "member", "member-b");
  const asA = { cookie: `atl_m=${a.token}`, "accept-language": "fr" };
  const asB = { cookie: `atl_m=${b.token}`, "accept-language": "fr" };
  const a1 = (await get("/mine", asA)).body.toString();
  const a2 = (await get("/mine", asA)).body.toString();
  assert.match(a1, /member member-a/);
  assert.equal(a2, a1, "the same session gets its cached page");
  const b1 = (await get("/mine", asB)).body.toString();
  assert.match(b1, /member member-b/, "another session never gets member A's page");
  const anon = (await get("/mine", { "accept-language": "fr" })).body.toString();
  assert.match(anon, /member none/);
  assert.equal(cache.privateSize, 2);
});

test("a write by the session, an entitlement change or the TTL drops its personal pages", async () => {
  cache.clear();
  const a = await createSession(app.db, "member", "member-c");
  const asA = { cookie: `atl_m=${a.token}` };
  const first = (await get("/mine", asA)).body.toString();
  assert.equal((await get("/mine", asA)).body.toString(), first);
  await get("/mine", asA, "POST");
  const afterWrite = (await get("/mine", asA)).body.toString();
  assert.notEqual(afterWrite, first, "re-rendered after the member's own POST");
  clearPrivatePages();
  const afterClear = (await get("/mine", asA)).body.toString();
  assert.notEqual(afterClear, afterWrite, "re-rendered after entitlements changed");
  clock += 2001;
  assert.notEqual((await get("/mine", asA)).body.toString(), afterClear, "re-rendered after the TTL");
});

test("staff sessions and extra cookies are never served personal pages from the cache", async () => {
  cache.clear();
  const a = await createSession(app.db, "member", "member-d");
  await get("/mine", { cookie: `atl_m=${a.token}` });
  const withStaff = { cookie: `atl_m=${a.token}; atl_s=whatever` };
  const r1 = (await get("/mine", withStaff)).body.toString();
  const r2 = (await get("/mine", withStaff)).body.toString();
  assert.notEqual(r1, r2, "with a staff cookie every request renders");
});
