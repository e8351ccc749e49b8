import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "hono";
import { negotiateLocale } from "../i18n/index.ts";
import { sessionCookie } from "../security/sessions.ts";
import { siteSettingsListeners } from "../settings.ts";
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
 * - status 200, text/html, no Set-Cookie, no private/no-store Cache-Control.
 * The key is the path plus the language the visitor would get (atl_lang
 * cookie, else Accept-Language, else "the site default"), so French and
 * English visitors never see each other's page. The short TTL means a
 * settings change on any node shows everywhere within seconds without any
 * cross-node invalidation.
 */

/** Set by a route to opt in; the cache strips it before anything is sent. */
export const cacheableHeader = "x-atelier-cacheable";

export function markCacheable(c: Context): void {
  c.header(cacheableHeader, "1");
}

/*
 * Private (per-member) micro-cache. A personal page a member reloads or that
 * many tabs fetch (members' area, feeds later) is kept for the same short TTL,
 * keyed by that member's session token, path and language, and only for
 * routes that opt in with markPrivateCacheable(c) after asking the access
 * policy. It never crosses sessions: another token is another key. Any
 * non-GET request carrying the same session drops that session's pages at
 * once (their writes show immediately), and clearPrivatePages() (called when
 * entitlements change in this process) drops them all; other nodes see a
 * change within the TTL, well inside the "access ends within 60 seconds"
 * promise. Staff sessions are never cached.
 */
export const privateCacheableHeader = "x-atelier-private-cacheable";

export function markPrivateCacheable(c: Context): void {
  c.header(privateCacheableHeader, "1");
}

const liveCaches = new Set<PageCache>();

/** Forgets every cached personal page in this process (entitlements changed). */
export function clearPrivatePages(): void {
  for (const cache of liveCaches) cache.clearPrivate();
}

/** The member session token of a request whose only other cookie may be the language one; null otherwise. */
export function privateCacheToken(cookie: string | null | undefined): string | null {
  if (!cookie) return null;
  let token: string | null = null;
  for (const part of cookie.split(";")) {
    const eq = part.indexOf("=");
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (name === "" || name === localeCookie) continue;
    if (name !== sessionCookie.member || token !== null) return null;
    token = part.slice(eq + 1).trim();
  }
  return token && token.length <= 100 ? token : null;
}

function cookieLocale(cookie: string | null | undefined): string | null {
  if (!cookie) return null;
  for (const part of cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === localeCookie) {
      const value = part.slice(eq + 1).trim();
      if (value === "fr" || value === "en") return value;
    }
  }
  return null;
}

/** Key of a member's personal page, or null when the request is not a plain GET/HEAD with one member session. */
export function privatePageKey(
  method: string | undefined,
  url: string | undefined,
  cookie: string | null | undefined,
  acceptLanguage: string | null | undefined,
): { token: string; key: string } | null {
  if (method !== "GET" && method !== "HEAD") return null;
  if (!url || url.charCodeAt(0) !== 47 || url.includes("?") || url.length > 512) return null;
  const token = privateCacheToken(cookie);
  if (!token) return null;
  const locale = cookieLocale(cookie) ?? localeOfHeader(acceptLanguage ?? "");
  return { token, key: `${token} ${locale} ${url}` };
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

export interface PageCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  /** Bodies larger than this are never stored. */
  maxBodyBytes?: number;
  now?: () => number;
}

type FetchFn = (request: Request, env: unknown) => Response | Promise<Response>;
type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;

export class PageCache {
  private entries = new Map<string, Entry>();
  private privateEntries = new Map<string, Entry>();
  private privateKeysByToken = new Map<string, Set<string>>();
  readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly maxBodyBytes: number;
  private readonly now: () => number;
  hits = 0;
  misses = 0;

  constructor(opts: PageCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 2000;
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
    this.clearPrivate();
  }

  clearPrivate(): void {
    this.privateEntries.clear();
    this.privateKeysByToken.clear();
  }

  /** Drops one session's personal pages (it just changed something). */
  forgetSession(token: string): void {
    const keys = this.privateKeysByToken.get(token);
    if (!keys) return;
    for (const k of keys) this.privateEntries.delete(k);
    this.privateKeysByToken.delete(token);
  }

  get privateSize(): number {
    return this.privateEntries.size;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Wraps the app's fetch: stores opted-in anonymous pages, strips the opt-in header from every response. */
  wrapFetch(fetch: FetchFn): FetchFn {
    return async (request, env) => {
      const res = await fetch(request, env);
      if (res.headers.has(privateCacheableHeader)) return this.storePrivate(request, res);
      const marked = res.headers.has(cacheableHeader);
      if (!marked && !/\bpublic\b/i.test(res.headers.get("cache-control") ?? "")) return res;
      const headers = new Headers(res.headers);
      headers.delete(cacheableHeader);
      const key = request.method === "GET" ? this.keyOfRequest(request) : null;
      if (!key || !this.storable(res))
        return marked ? new Response(res.body, { status: res.status, statusText: res.statusText, headers }) : res;
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

  private async storePrivate(request: Request, res: Response): Promise<Response> {
    const headers = new Headers(res.headers);
    headers.delete(privateCacheableHeader);
    const url = new URL(request.url);
    const found = url.search
      ? null
      : privatePageKey(
          request.method,
          url.pathname,
          request.headers.get("cookie"),
          request.headers.get("accept-language"),
        );
    const storable =
      found &&
      res.status === 200 &&
      (res.headers.get("content-type") ?? "").startsWith("text/html") &&
      !res.headers.has("set-cookie");
    if (!found || !storable) return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length <= this.maxBodyBytes) {
      const stored: Record<string, string | string[]> = {};
      headers.forEach((value, name) => {
        stored[name] = value;
      });
      stored["content-length"] = String(body.length);
      if (this.privateEntries.size >= this.maxEntries * 4) this.clearPrivate();
      this.privateEntries.set(found.key, {
        status: res.status,
        headers: stored,
        body,
        expires: this.now() + this.ttlMs,
      });
      let keys = this.privateKeysByToken.get(found.token);
      if (!keys) this.privateKeysByToken.set(found.token, (keys = new Set()));
      keys.add(found.key);
    }
    return new Response(body, { status: res.status, statusText: res.statusText, headers });
  }

  private servePrivate(req: IncomingMessage, res: ServerResponse, cookie: string | undefined): boolean {
    if (this.privateEntries.size === 0 && this.privateKeysByToken.size === 0) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      // A write by this session: its cached pages are out of date from now on.
      const token = privateCacheToken(cookie);
      if (token) this.forgetSession(token);
      return false;
    }
    const found = privatePageKey(req.method, req.url, cookie, headerValue(req.headers["accept-language"]));
    if (!found) return false;
    const entry = this.privateEntries.get(found.key);
    if (!entry) return false;
    if (entry.expires <= this.now()) {
      this.privateEntries.delete(found.key);
      return false;
    }
    this.hits++;
    res.writeHead(entry.status, entry.headers);
    res.end(req.method === "HEAD" ? undefined : entry.body);
    return true;
  }

  /** Wraps the node:http listener: answers fresh hits before the request reaches Hono. */
  wrapListener(listener: Listener): Listener {
    return (req, res) => {
      const cookie = headerValue(req.headers.cookie);
      if (cookie && this.servePrivate(req, res, cookie)) return;
      const key = pageCacheKey(req.method, req.url, cookie, headerValue(req.headers["accept-language"]));
      if (key !== null) {
        const entry = this.entries.get(key);
        if (entry) {
          if (entry.expires > this.now()) {
            this.hits++;
            res.writeHead(entry.status, entry.headers);
            res.end(req.method === "HEAD" ? undefined : entry.body);
            return;
          }
          this.entries.delete(key);
        }
        this.misses++;
      }
      return listener(req, res);
    };
  }

  private keyOfRequest(request: Request): string | null {
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
    if (!(res.headers.get("content-type") ?? "").startsWith("text/html")) return false;
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
