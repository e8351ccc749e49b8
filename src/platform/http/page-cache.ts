import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "hono";
import { negotiateLocale } from "../i18n/index.ts";
import { sessionCookie } from "../security/sessions.ts";
import { siteSettingsListeners } from "../settings.ts";
import { notModified } from "./conditional.ts";
import { localeCookie } from "./middleware.ts";

/**
 * Anonymous page cache. Public pages (home, about...) look the same for every
 * visitor without a session, so their full response is kept in memory for a
 * couple of seconds and served straight from the node:http listener: a hit
 * does no routing, no database query and no JSX.
 *
 * Safety rules, all of which must hold for a response to be stored:
 * - GET, no query string, and no cookie on the request except the language
 *   one (atl_lang): a session cookie (atl_m, atl_s) or any other cookie means
 *   the page may be personal, so it is neither served from nor stored in the cache;
 * - the route opted in, with markCacheable(c) or by declaring the response
 *   shareable ("Cache-Control: public", which already tells every shared cache
 *   it may store it);
 * - status 200, HTML or a feed (RSS, XML sitemap), no Set-Cookie, no
 *   private/no-store Cache-Control.
 * A hit whose stored response carries an ETag or Last-Modified answers a
 * matching If-None-Match / If-Modified-Since with a 304 (feed readers poll).
 * The key is the path plus the language the visitor would get (atl_lang
 * cookie, else Accept-Language, else "the site default"), so French and
 * English visitors never see each other's page. The short TTL means a
 * settings change on any node shows everywhere within seconds without any
 * cross-node invalidation.
 *
 * One render per expired page: when an entry has just expired, the first
 * request renders it again while the others arriving meanwhile get the
 * previous answer (counted as `stale`), for at most `staleMs` after the expiry.
 * Without it every request in flight at the expiry rendered the same page (at
 * 50 concurrent clients, 50 renders for one), which cost a cached page a tenth
 * of its throughput. A clear() (settings saved, content changed on this node)
 * drops stale answers too.
 */

/** Set by a route to opt in; the cache strips it before anything is sent. */
export const cacheableHeader = "x-atelier-cacheable";

export function markCacheable(c: Context): void {
  c.header(cacheableHeader, "1");
}

/** Every cache of this process, for /healthz's hit and miss counts. */
const liveCaches = new Set<PageCache>();

/** Hits, misses and entries of this process's page caches since start. */
export function pageCacheStats(): { hits: number; stale: number; misses: number; bypassed: number; entries: number } {
  const stats = { hits: 0, stale: 0, misses: 0, bypassed: 0, entries: 0 };
  for (const cache of liveCaches) {
    stats.hits += cache.hits;
    stats.stale += cache.stale;
    stats.misses += cache.misses;
    stats.bypassed += cache.bypassed;
    stats.entries += cache.size;
  }
  return stats;
}

interface Entry {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  expires: number;
}

const memberCookie = sessionCookie.member;
const staffCookie = sessionCookie.staff;

/**
 * The cache key for a request, or null when the request must not be served
 * from (or stored in) the cache. Shared by the lookup (node:http) and the
 * store (fetch) sides so both compute exactly the same thing.
 */
export function pageCacheKey(
  method: string | undefined,
  url: string | undefined,
  cookie: string | null | undefined,
  acceptLanguage: string | null | undefined,
): string | null {
  if (method !== "GET" && method !== "HEAD") return null;
  if (!url || url.charCodeAt(0) !== 47 /* "/" */ || url.includes("?") || url.length > 512) return null;
  let locale: string | null = null;
  if (cookie) {
    for (const part of cookie.split(";")) {
      const eq = part.indexOf("=");
      const name = (eq < 0 ? part : part.slice(0, eq)).trim();
      if (name === "") continue;
      // A session means a personal page; any other cookie might change the page too.
      if (name === memberCookie || name === staffCookie) return null;
      if (name !== localeCookie) return null;
      if (locale === null) {
        const value = part.slice(eq + 1).trim();
        if (value === "fr" || value === "en") locale = value;
      }
    }
  }
  if (locale === null) locale = localeOfHeader(acceptLanguage ?? "");
  return `${locale} ${url}`;
}

/** Browsers send a handful of distinct Accept-Language values: remember their answer (bounded). */
const negotiated = new Map<string, string>();
function localeOfHeader(header: string): string {
  const known = negotiated.get(header);
  if (known !== undefined) return known;
  // When Accept-Language names neither language the page is in the site's
  // default one, which the cache does not need to know: it is its own key.
  const a = negotiateLocale(header || undefined, "fr");
  const b = negotiateLocale(header || undefined, "en");
  const locale = a === b ? a : "default";
  if (negotiated.size >= 1000) negotiated.clear();
  if (header.length <= 200) negotiated.set(header, locale);
  return locale;
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h.join(", ") : h;
}

/** Default TTL: a change made on another node (settings, a post) shows on this node's anonymous pages within it. */
export const PAGE_CACHE_MS = 2000;

export interface PageCacheOptions {
  ttlMs?: number;
  /** How long after its expiry an entry may still answer while its one re-render runs. */
  staleMs?: number;
  maxEntries?: number;
  /** Bodies larger than this are never stored. */
  maxBodyBytes?: number;
  now?: () => number;
}

type FetchFn = (request: Request, env: unknown) => Response | Promise<Response>;
type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * The response without the opt-in header. Responses the app builds have
 * mutable headers, changed in place (copying a Response costs as much as a
 * small render); a copy only for one that does not.
 */
function withoutOptIn(res: Response): Response {
  try {
    res.headers.delete(cacheableHeader);
    return res;
  } catch {
    const headers = new Headers(res.headers);
    headers.delete(cacheableHeader);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }
}

/** What the cache may store: pages and the public feeds. */
const storableTypes = /^(text\/html|application\/rss\+xml|application\/xml)\b/;

export class PageCache {
  private entries = new Map<string, Entry>();
  readonly ttlMs: number;
  private readonly staleMs: number;
  /** Keys being re-rendered, with when that began (a render that stores nothing frees its key after staleMs). */
  private refreshing = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly maxBodyBytes: number;
  private readonly now: () => number;
  hits = 0;
  /** Cacheable requests the cache had no fresh answer for. */
  misses = 0;
  /** Requests the cache may not answer at all (a session or other cookie, a query string, not GET/HEAD). */
  bypassed = 0;
  /** Hits answered with the previous version of a page while its re-render ran (included in `hits`). */
  stale = 0;

  constructor(opts: PageCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? PAGE_CACHE_MS;
    this.staleMs = opts.staleMs ?? this.ttlMs;
    this.maxEntries = opts.maxEntries ?? 500;
    this.maxBodyBytes = opts.maxBodyBytes ?? 512 * 1024;
    this.now = opts.now ?? Date.now;
    // A settings change made on this node shows at once here; other nodes wait for the TTL.
    siteSettingsListeners.add(this.onSettingsChange);
    liveCaches.add(this);
  }

  private readonly onSettingsChange = (): void => this.clear();

  /** Forgets everything and stops listening to settings changes. */
  close(): void {
    siteSettingsListeners.delete(this.onSettingsChange);
    liveCaches.delete(this);
    this.clear();
  }

  clear(): void {
    this.entries.clear();
    this.refreshing.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Wraps the app's fetch: stores opted-in anonymous pages, strips the opt-in header from every response. */
  wrapFetch(fetch: FetchFn): FetchFn {
    return async (request, env) => {
      const res = await fetch(request, env);
      const marked = res.headers.has(cacheableHeader);
      if (!marked && !/\bpublic\b/i.test(res.headers.get("cache-control") ?? "")) return res;
      const key = request.method === "GET" ? this.keyOfRequest(request) : null;
      if (key) this.refreshing.delete(key);
      if (!key || !this.storable(res)) return marked ? withoutOptIn(res) : res;
      const headers = new Headers(res.headers);
      headers.delete(cacheableHeader);
      const body = Buffer.from(await res.arrayBuffer());
      if (body.length <= this.maxBodyBytes) {
        const stored: Record<string, string | string[]> = {};
        headers.forEach((value, name) => {
          stored[name] = value;
        });
        stored["content-length"] = String(body.length);
        if (this.entries.size >= this.maxEntries) this.evict();
        this.entries.delete(key);
        this.entries.set(key, { status: res.status, headers: stored, body, expires: this.now() + this.ttlMs });
      }
      return new Response(body, { status: res.status, statusText: res.statusText, headers });
    };
  }

  /** Wraps the node:http listener: answers fresh hits before the request reaches Hono. */
  wrapListener(listener: Listener): Listener {
    return (req, res) => {
      const key = pageCacheKey(
        req.method,
        req.url,
        headerValue(req.headers.cookie),
        headerValue(req.headers["accept-language"]),
      );
      if (key !== null) {
        const entry = this.entries.get(key);
        if (entry) {
          const now = this.now();
          if (entry.expires > now) {
            this.hits++;
            this.send(req, res, entry);
            return;
          }
          const since = this.refreshing.get(key);
          if (since !== undefined && now - since < this.staleMs && now - entry.expires < this.staleMs) {
            this.hits++;
            this.stale++;
            this.send(req, res, entry);
            return;
          }
          // This request re-renders the page; the entry stays to answer the others meanwhile.
          this.refreshing.set(key, now);
        }
        this.misses++;
      } else this.bypassed++;
      return listener(req, res);
    };
  }

  private send(req: IncomingMessage, res: ServerResponse, entry: Entry): void {
    const h = entry.headers;
    const validated = h.etag !== undefined || h["last-modified"] !== undefined;
    if (
      validated &&
      notModified(
        headerValue(req.headers["if-none-match"]),
        headerValue(req.headers["if-modified-since"]),
        headerValue(h.etag),
        headerValue(h["last-modified"]),
      )
    ) {
      const { "content-length": _length, "content-type": _type, ...kept } = h;
      res.writeHead(304, kept);
      res.end();
      return;
    }
    res.writeHead(entry.status, h);
    res.end(req.method === "HEAD" ? undefined : entry.body);
  }

  private keyOfRequest(request: Request): string | null {
    // A query string is never cached: known without parsing the URL (every uncached render passes here).
    if (request.url.includes("?")) return null;
    const url = new URL(request.url);
    if (url.search) return null;
    return pageCacheKey(
      request.method,
      url.pathname,
      request.headers.get("cookie"),
      request.headers.get("accept-language"),
    );
  }

  private storable(res: Response): boolean {
    if (res.status !== 200) return false;
    if (!storableTypes.test(res.headers.get("content-type") ?? "")) return false;
    if (res.headers.has("set-cookie")) return false;
    const cc = res.headers.get("cache-control") ?? "";
    if (/private|no-store/i.test(cc)) return false;
    return true;
  }

  /** Drops expired entries, then the oldest if still full (Map keeps insertion order). */
  private evict(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (e.expires <= now) this.entries.delete(k);
    while (this.entries.size >= this.maxEntries) {
      const first = this.entries.keys().next();
      if (first.done) break;
      this.entries.delete(first.value);
    }
  }
}
